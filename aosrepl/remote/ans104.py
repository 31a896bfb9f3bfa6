"""ANS-104 data items: the signed envelopes AO's units accept (modules-and-remote.md §9).

Layout: signature type (2 bytes LE), signature, owner, target and anchor (a presence byte, then 32 bytes),
tag count and tag byte length (8 bytes LE each), the Avro-encoded tags, then the data. What is signed is the
SHA-384 deep hash of ["dataitem", "1", type, owner, target, anchor, tag bytes, data], as arbundles signs it;
the item's id is base64url(SHA-256(signature)). Only signature type 1 (Arweave, RSA-4096 PSS) is built."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from aosrepl.remote import b64url
from aosrepl.remote.wallet import ArweaveWallet, verify_signature

ARWEAVE_SIGNATURE = 1
# signature type -> (signature length, owner length), arbundles' table; only type 1 is signed here
SIGNATURE_SIZES = {1: (512, 512), 2: (64, 32), 3: (65, 65), 4: (64, 32), 5: (64, 32), 6: (2052, 1025),
                   7: (65, 42)}
MAX_TAGS = 128
MAX_TAG_NAME = 1024
MAX_TAG_VALUE = 3072
FIELD_BYTES = 32         # target and anchor


class DataItemError(ValueError):
    """Bytes that are not a well-formed data item, or fields that cannot make one."""


# ----- Avro tags ---------------------------------------------------------------------------------
def _zigzag_varint(n: int) -> bytes:
    value = (n << 1) ^ (n >> 63)
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def encode_tags(tags: list[tuple[str, str]]) -> bytes:
    """Avro array of {name: bytes, value: bytes}: one block, then the 0 that ends the array.
    No tags at all is no bytes at all (arbundles writes nothing, not a lone 0)."""
    if not tags:
        return b""
    if len(tags) > MAX_TAGS:
        raise DataItemError(f"a data item has at most {MAX_TAGS} tags, not {len(tags)}")
    out = bytearray(_zigzag_varint(len(tags)))
    for name, value in tags:
        name_bytes, value_bytes = str(name).encode("utf-8"), str(value).encode("utf-8")
        if not name_bytes or not value_bytes:
            raise DataItemError(f"tag names and values must not be empty ({name!r} = {value!r})")
        if len(name_bytes) > MAX_TAG_NAME or len(value_bytes) > MAX_TAG_VALUE:
            raise DataItemError(f"tag {name!r} is too long (names ≤ {MAX_TAG_NAME} bytes, values ≤ {MAX_TAG_VALUE})")
        for part in (name_bytes, value_bytes):
            out += _zigzag_varint(len(part)) + part
    out.append(0)
    return bytes(out)


class _Reader:
    def __init__(self, raw: bytes):
        self.raw, self.pos = raw, 0

    def varint(self) -> int:
        shift = value = 0
        while True:
            if self.pos >= len(self.raw) or shift > 63:
                raise DataItemError("the tags end inside a number")
            byte = self.raw[self.pos]
            self.pos += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return (value >> 1) ^ -(value & 1)

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.raw):
            raise DataItemError("the tags end inside a name or value")
        chunk = self.raw[self.pos:self.pos + n]
        self.pos += n
        return chunk


def decode_tags(raw: bytes) -> list[tuple[str, str]]:
    if not raw:
        return []
    reader, tags = _Reader(raw), []
    while True:
        count = reader.varint()
        if count == 0:
            break
        if count < 0:          # a negative block count is followed by the block's byte size
            count = -count
            reader.varint()
        for _ in range(count):
            name = reader.take(reader.varint()).decode("utf-8", errors="replace")
            value = reader.take(reader.varint()).decode("utf-8", errors="replace")
            tags.append((name, value))
    if reader.pos != len(raw):
        raise DataItemError("bytes left over after the tags")
    return tags


# ----- deep hash ---------------------------------------------------------------------------------
def deep_hash(item) -> bytes:
    """Arweave 2.0 deep hash: a blob is hashed with its length, a list folds its items' hashes."""
    if isinstance(item, (list, tuple)):
        acc = hashlib.sha384(b"list" + str(len(item)).encode()).digest()
        for child in item:
            acc = hashlib.sha384(acc + deep_hash(child)).digest()
        return acc
    blob = item.encode("utf-8") if isinstance(item, str) else bytes(item)
    tag = hashlib.sha384(b"blob" + str(len(blob)).encode()).digest()
    return hashlib.sha384(tag + hashlib.sha384(blob).digest()).digest()


# ----- the data item -----------------------------------------------------------------------------
@dataclass
class DataItem:
    owner: bytes
    tags: list[tuple[str, str]] = field(default_factory=list)
    data: bytes = b""
    target: bytes | None = None         # 32 raw bytes (a process id decoded), or None
    anchor: bytes | None = None         # 32 bytes, or None
    signature: bytes = b""
    signature_type: int = ARWEAVE_SIGNATURE
    raw_tags: bytes | None = None       # the tag bytes as received (kept so verification hashes the same bytes)

    @property
    def tag_bytes(self) -> bytes:
        return self.raw_tags if self.raw_tags is not None else encode_tags(self.tags)

    def signing_message(self) -> bytes:
        return deep_hash([b"dataitem", b"1", str(self.signature_type).encode(), self.owner,
                          self.target or b"", self.anchor or b"", self.tag_bytes, self.data])

    @property
    def id(self) -> str:
        if not self.signature:
            raise DataItemError("an unsigned data item has no id")
        return b64url.encode(hashlib.sha256(self.signature).digest())

    @property
    def owner_address(self) -> str:
        return b64url.encode(hashlib.sha256(self.owner).digest())

    @property
    def target_id(self) -> str | None:
        return b64url.encode(self.target) if self.target else None

    def tag(self, name: str) -> str | None:
        return next((v for n, v in self.tags if n == name), None)

    def to_bytes(self) -> bytes:
        sig_len, owner_len = SIGNATURE_SIZES[self.signature_type]
        if len(self.signature) != sig_len or len(self.owner) != owner_len:
            raise DataItemError(f"a type-{self.signature_type} item needs a {sig_len}-byte signature and a "
                                f"{owner_len}-byte owner")
        tag_bytes = self.tag_bytes
        parts = [self.signature_type.to_bytes(2, "little"), self.signature, self.owner]
        for value in (self.target, self.anchor):
            parts.append(b"\x01" + value if value else b"\x00")
        parts += [len(self.tags).to_bytes(8, "little"), len(tag_bytes).to_bytes(8, "little"), tag_bytes, self.data]
        return b"".join(parts)


def _field(value, what: str) -> bytes | None:
    if value is None or value == b"" or value == "":
        return None
    raw = b64url.decode(value) if what == "target" and isinstance(value, str) else value
    raw = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
    if len(raw) != FIELD_BYTES:
        raise DataItemError(f"the {what} must be {FIELD_BYTES} bytes, not {len(raw)}")
    return raw


def create_data_item(wallet: ArweaveWallet, *, data: bytes | str = b"", tags=(), target: str | None = None,
                     anchor: bytes | str | None = None) -> DataItem:
    """A data item signed by `wallet`. target: a 43-character process id; anchor: 32 bytes (or ASCII)."""
    item = DataItem(owner=wallet.owner, tags=[(str(n), str(v)) for n, v in tags],
                    data=data.encode("utf-8") if isinstance(data, str) else bytes(data),
                    target=_field(target, "target"), anchor=_field(anchor, "anchor"))
    item.tag_bytes        # reject bad tags before signing
    item.signature = wallet.sign(item.signing_message())
    return item


def parse_data_item(raw: bytes) -> DataItem:
    raw = bytes(raw)
    if len(raw) < 2:
        raise DataItemError("too short for a data item")
    sig_type = int.from_bytes(raw[:2], "little")
    if sig_type not in SIGNATURE_SIZES:
        raise DataItemError(f"unknown signature type {sig_type}")
    sig_len, owner_len = SIGNATURE_SIZES[sig_type]
    pos = 2

    def take(n: int, what: str) -> bytes:
        nonlocal pos
        if pos + n > len(raw):
            raise DataItemError(f"the data item ends inside its {what}")
        chunk = raw[pos:pos + n]
        pos += n
        return chunk

    signature, owner = take(sig_len, "signature"), take(owner_len, "owner")
    optional = []
    for what in ("target", "anchor"):
        present = take(1, what)[0]
        if present not in (0, 1):
            raise DataItemError(f"bad {what} presence byte {present}")
        optional.append(take(FIELD_BYTES, what) if present else None)
    count = int.from_bytes(take(8, "tag count"), "little")
    size = int.from_bytes(take(8, "tag length"), "little")
    tag_bytes = take(size, "tags")
    tags = decode_tags(tag_bytes)
    if len(tags) != count:
        raise DataItemError(f"the header says {count} tags, the tags hold {len(tags)}")
    return DataItem(owner=owner, tags=tags, data=raw[pos:], target=optional[0], anchor=optional[1],
                    signature=signature, signature_type=sig_type, raw_tags=tag_bytes)


def verify_data_item(item: DataItem) -> bool:
    """True if an Arweave-signed item's signature matches its fields (other types: False, not checked here)."""
    if item.signature_type != ARWEAVE_SIGNATURE or not item.signature:
        return False
    return verify_signature(item.owner, item.signing_message(), item.signature)
