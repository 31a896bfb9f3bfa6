"""aosrepl.records.Record: the written-out value classes that replaced dataclasses on the way to the first
answer compare, hash and show themselves by their fields."""
from pathlib import Path

from aosrepl import modules
from aosrepl.network.datadir import Wallet
from aosrepl.records import Record
from aosrepl.runtime.process import ProcessLimits
from aosrepl.services import ServiceSpec


def test_records_compare_and_hash_by_their_fields_and_class():
    assert ProcessLimits() == ProcessLimits(256 << 20, 100_000_000)
    assert ProcessLimits(instructions=5) != ProcessLimits()
    assert Wallet("a" * 43) == Wallet("a" * 43) and hash(Wallet("a" * 43)) == hash(Wallet("a" * 43))
    assert len({modules.AOS, modules.resolve(modules.AOS.id), modules.AOS_SQLITE}) == 2

    class Other(Record):
        __slots__ = ("address",)

        def __init__(self, address):
            self.address = address

    assert Other("a" * 43) != Wallet("a" * 43)


def test_records_show_their_fields_and_take_keywords():
    spec = ServiceSpec("i" * 43, "S", Path("s.lua"), ephemeral=True)
    assert repr(spec) == (f"ServiceSpec(id={'i' * 43!r}, name='S', lua_file={Path('s.lua')!r}, tags=(), "
                          f"ephemeral=True, natives=(), module={spec.module!r})")
    assert spec.fields()[4] is True
