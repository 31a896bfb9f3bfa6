"""The native half of `.crypto`: digests and HMAC from Python's hashlib/hmac.

Every process gets it (as the hidden module `.crypto.native`, required once by the
`.crypto` Lua library). Bytes cross the bridge as lowercase hex text, so binary data is
never re-encoded. Everything here is a pure function of its arguments (deterministic and
without any host access); inputs are bounded by the process memory cap, and loops such as
PBKDF2's iterations stay in Lua where the instruction budget and interrupt apply."""
from __future__ import annotations

import hashlib

# aos name -> hashlib constructor name
_DIGESTS = {
    "md5": "md5", "sha1": "sha1", "sha2_256": "sha256", "sha2_512": "sha512",
    "sha3_256": "sha3_256", "sha3_512": "sha3_512",
}
_HMAC_DIGESTS = {"sha1": "sha1", "sha256": "sha256"}


def _bytes(hex_text: str) -> bytes:
    return bytes.fromhex(hex_text)


def digest(name: str, data_hex: str) -> str:
    algorithm = _DIGESTS.get(name)
    if algorithm is None:
        raise ValueError(f"unknown digest {name}")
    return hashlib.new(algorithm, _bytes(data_hex)).hexdigest()


def blake2b(data_hex: str, outlen: int, key_hex: str) -> str:
    if not isinstance(outlen, int) or not 1 <= outlen <= 64:
        raise ValueError("blake2b output length must be 1..64 bytes")
    key = _bytes(key_hex)
    if len(key) > 64:
        raise ValueError("blake2b key must be at most 64 bytes")
    return hashlib.blake2b(_bytes(data_hex), digest_size=outlen, key=key).hexdigest()


def hmac_hex(name: str, key_hex: str, data_hex: str, block_size: int = 64) -> str:
    """HMAC (RFC 2104) over a block of `block_size` bytes. Standard HMAC-SHA1/SHA256 use 64;
    aos's `crypto.mac.createHmac` pads its key to 32 bytes, and aos code relies on its results."""
    algorithm = _HMAC_DIGESTS.get(name)
    if algorithm is None:
        raise ValueError(f"Unsupported algorithm: {name}")
    if not isinstance(block_size, int) or not 1 <= block_size <= 256:
        raise ValueError("HMAC block size must be 1..256 bytes")
    key = _bytes(key_hex)
    if len(key) > block_size:
        key = hashlib.new(algorithm, key).digest()
    key = key.ljust(block_size, b"\0")
    inner = hashlib.new(algorithm, bytes(b ^ 0x36 for b in key) + _bytes(data_hex)).digest()
    return hashlib.new(algorithm, bytes(b ^ 0x5C for b in key) + inner).hexdigest()


def crypto_native(bridge):
    """Factory for LuaProcess natives: the `.crypto.native` module table."""
    return bridge.make_module({"digest": digest, "blake2b": blake2b, "hmac": hmac_hex})
