"""ANS-104 data items against vectors recorded with arbundles / arweave-js (vectors/, written by
node/record_vectors.cjs), and items signed here checked by arbundles itself."""
import base64
import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from aosrepl.remote import ans104, b64url
from aosrepl.remote.ans104 import DataItemError, create_data_item, decode_tags, deep_hash, encode_tags, \
    parse_data_item, verify_data_item
from aosrepl.remote.wallet import load_wallet
from tests.remote import wao

VECTORS = Path(__file__).parent / "vectors"
RECORDED = json.loads((VECTORS / "data-items.json").read_text())


def recorded_item(name):
    return base64.b64decode(RECORDED["items"][name]["raw"])


# ----- tags and deep hash ------------------------------------------------------------------------
def test_tags_are_one_avro_block_ended_by_zero():
    assert encode_tags([("a", "bc")]) == bytes([2, 2]) + b"a" + bytes([4]) + b"bc" + bytes([0])
    assert decode_tags(encode_tags([("a", "bc"), ("Ü", "✓")])) == [("a", "bc"), ("Ü", "✓")]


def test_no_tags_is_no_bytes_as_arbundles_writes_it():
    assert encode_tags([]) == b""
    assert decode_tags(b"") == []


def test_long_tag_lists_use_multi_byte_counts():
    tags = [(f"n{i}", "v" * 200) for i in range(100)]
    raw = encode_tags(tags)
    assert raw[:2] == bytes([0xC8, 0x01])          # zigzag(100) = 200 as a two-byte varint
    assert decode_tags(raw) == tags


def test_a_negative_block_count_with_its_size_decodes():
    block = bytes([2]) + b"a" + bytes([2]) + b"b"
    raw = bytes([1, len(block) * 2]) + block + bytes([0])       # count -1 (zigzag 1), then the byte size
    assert decode_tags(raw) == [("a", "b")]


@pytest.mark.parametrize("tags, why", [
    ([("", "x")], "must not be empty"), ([("x", "")], "must not be empty"),
    ([("n" * 1025, "x")], "too long"), ([("t", str(i)) for i in range(129)], "at most 128"),
])
def test_bad_tags_are_refused(tags, why):
    with pytest.raises(DataItemError, match=why):
        encode_tags(tags)


def test_deep_hash_matches_arweave_js():
    def to_input(value):
        return [to_input(v) for v in value] if isinstance(value, list) else value.encode()
    for vector in RECORDED["deep_hashes"]:
        assert deep_hash(to_input(vector["input"])).hex() == vector["hash"], vector["input"]


# ----- items recorded from arbundles -------------------------------------------------------------
@pytest.mark.parametrize("name", ["full", "bare"])
def test_arbundles_items_parse_and_verify(name):
    expected = RECORDED["items"][name]
    raw = recorded_item(name)
    item = parse_data_item(raw)
    assert expected["verified_by_arbundles"] is True
    assert verify_data_item(item)
    assert item.id == expected["id"]
    assert item.owner_address == RECORDED["address"]
    assert item.target_id == (expected["target"] or None)
    assert (b64url.encode(item.anchor) if item.anchor else "") == expected["anchor"]     # arbundles shows base64url
    assert [{"name": n, "value": v} for n, v in item.tags] == expected["tags"]
    assert item.data.decode() == expected["data"]
    assert item.to_bytes() == raw          # byte for byte, as arbundles wrote it


def test_a_changed_byte_breaks_the_signature():
    raw = bytearray(recorded_item("full"))
    raw[-1] ^= 1                           # the last byte of the data
    assert not verify_data_item(parse_data_item(bytes(raw)))


def test_signing_the_recorded_fields_with_the_recorded_wallet_gives_a_valid_item():
    wallet = load_wallet(VECTORS / "arweave-test-wallet.json")
    assert wallet.address == RECORDED["address"]
    original = parse_data_item(recorded_item("full"))
    again = create_data_item(wallet, data=original.data, tags=original.tags, target=original.target_id,
                             anchor=original.anchor)
    # RSA-PSS signatures are salted, so the signature (and id) differ; everything signed is the same.
    assert again.signing_message() == original.signing_message()
    assert verify_data_item(parse_data_item(again.to_bytes()))
    assert again.id == b64url.encode(hashlib.sha256(again.signature).digest())


@pytest.mark.parametrize("raw, why", [
    (b"\x01", "too short"), (b"\x09\x00" + bytes(600), "unknown signature type"),
    (b"\x01\x00" + bytes(1024) + b"\x02", "presence byte"), (b"\x01\x00" + bytes(100), "ends inside"),
])
def test_malformed_items_are_refused(raw, why):
    with pytest.raises(DataItemError, match=why):
        parse_data_item(raw)


def test_target_and_anchor_must_be_32_bytes(wallet):
    with pytest.raises(DataItemError, match="anchor must be 32 bytes"):
        create_data_item(wallet, data="x", anchor="short")
    with pytest.raises(ValueError):
        create_data_item(wallet, data="x", target="not*base64")


# ----- arbundles checks what we sign -------------------------------------------------------------
def test_arbundles_verifies_items_signed_here(node_binary, wallet, tmp_path):
    items = {
        "full": create_data_item(wallet, data="1 + 1", target=RECORDED["items"]["full"]["target"],
                                 anchor=b"a" * 32, tags=[("Data-Protocol", "ao"), ("Action", "Eval"), ("Ü", "✓")]),
        "bare": create_data_item(wallet, data=b""),
        "binary": create_data_item(wallet, data=bytes(range(256)) * 40, tags=[("Content-Type", "application/x")]),
    }
    files = []
    for name, item in items.items():
        path = tmp_path / f"{name}.bin"
        path.write_bytes(item.to_bytes())
        files.append(str(path))
    run = subprocess.run([node_binary, str(wao.NODE_DIR / "verify_item.cjs"), *files], capture_output=True, text=True,
                         timeout=120, cwd=wao.NODE_DIR)
    assert run.returncode == 0, run.stderr
    answers = [json.loads(line) for line in run.stdout.splitlines()]
    for (name, item), answer in zip(items.items(), answers):
        assert answer["ok"] is True, name
        assert answer["id"] == item.id
        assert answer["signature_type"] == ans104.ARWEAVE_SIGNATURE
        assert answer["tags"] == [{"name": n, "value": v} for n, v in item.tags]
    assert answers[0]["target"] == RECORDED["items"]["full"]["target"]
    assert answers[0]["anchor"] == b64url.encode(b"a" * 32)
