"""Tag handling and Lua-style stringification of values leaving a process."""
import pytest

from aosrepl import ids
from aosrepl.network.messages import lua_tostring, normalize_tags, tags_from_lua, next_hash_chain, with_default_tags


@pytest.mark.parametrize("value,text", [(1, "1"), (1.5, "1.5"), (3.0, "3.0"), (1e16, "1e+16"), (-2.0, "-2.0"),
                                        (True, "true"), (False, "false"), ("x", "x"), (0.1, "0.1"),
                                        (float("inf"), "inf"), (1.005, "1.005")])
def test_lua_tostring(value, text):
    assert lua_tostring(value) == text


def test_normalize_tags_accepts_dicts_and_lists_and_stringifies():
    assert normalize_tags({"Action": "Eval", "N": 2}) == [{"name": "Action", "value": "Eval"},
                                                          {"name": "N", "value": "2"}]
    assert normalize_tags([("A", 1.5), {"name": "B", "value": True}]) == [{"name": "A", "value": "1.5"},
                                                                         {"name": "B", "value": "true"}]


@pytest.mark.parametrize("bad", ["Action=Eval", 5, [("only-one",)], [{"value": "x"}], {"": "x"}])
def test_normalize_tags_rejects_bad_input_clearly(bad):
    with pytest.raises(ValueError):
        normalize_tags(bad)


def test_tags_from_lua_skips_malformed_entries():
    assert tags_from_lua([{"name": "A", "value": 1}, "junk", {"name": "B"}, {"name": "C", "value": False}]) == [
        {"name": "A", "value": "1"}, {"name": "C", "value": "false"}]


def test_default_tags_go_first_unless_present():
    tags = with_default_tags([{"name": "Type", "value": "X"}], [("Data-Protocol", "ao"), ("Type", "Message")])
    assert tags == [{"name": "Data-Protocol", "value": "ao"}, {"name": "Type", "value": "X"}]


def test_hash_chain_links_depend_on_history():
    a, b = ids.derived("a"), ids.derived("b")
    first = next_hash_chain(None, a)
    assert ids.is_id(first)
    assert next_hash_chain(first, b) != next_hash_chain(None, b)
    assert next_hash_chain(first, b) == next_hash_chain(first, b)
