"""An Arweave wallet: an RSA key kept as a JWK file, as aos keeps `~/.aos.json`.

The address is base64url(SHA-256(modulus)); signatures are RSA-PSS with SHA-256, MGF1(SHA-256) and a 32-byte
salt (modules-and-remote.md §9). The RSA arithmetic is the `cryptography` package's."""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from aosrepl.remote import b64url

KEY_BITS = 4096
PUBLIC_EXPONENT = 65537
SALT_LENGTH = 32
_PRIVATE_FIELDS = ("n", "e", "d", "p", "q", "dp", "dq", "qi")


class WalletError(Exception):
    """A wallet file that cannot be read or used; the message is printable."""


def _int(jwk: dict, field: str) -> int:
    value = jwk.get(field)
    if not isinstance(value, str) or not value:
        raise WalletError(f"the key has no {field!r} field")
    try:
        return int.from_bytes(b64url.decode(value), "big")
    except ValueError:
        raise WalletError(f"the key's {field!r} field is not base64url") from None


def _b64_int(value: int) -> str:
    return b64url.encode(value.to_bytes((value.bit_length() + 7) // 8 or 1, "big"))


def owner_address(owner: bytes) -> str:
    """The address of the wallet whose public modulus is `owner` (raw big-endian bytes)."""
    return b64url.encode(hashlib.sha256(owner).digest())


def verify_signature(owner: bytes, message: bytes, signature: bytes) -> bool:
    """True if `signature` is an RSA-PSS (SHA-256) signature of `message` by the key with modulus `owner`.
    Any salt length is accepted, as Arweave nodes do."""
    key = rsa.RSAPublicNumbers(PUBLIC_EXPONENT, int.from_bytes(owner, "big")).public_key()
    try:
        key.verify(signature, message, padding.PSS(mgf=padding.MGF1(hashes.SHA256()),
                                                   salt_length=padding.PSS.AUTO), hashes.SHA256())
        return True
    except (InvalidSignature, ValueError):
        return False


class ArweaveWallet:
    def __init__(self, jwk: dict):
        if not isinstance(jwk, dict) or jwk.get("kty", "RSA") != "RSA":
            raise WalletError("not an RSA JWK (an Arweave wallet is a JSON object with kty RSA)")
        n, e, d = _int(jwk, "n"), _int(jwk, "e"), _int(jwk, "d")
        try:
            if all(jwk.get(f) for f in ("p", "q", "dp", "dq", "qi")):
                numbers = rsa.RSAPrivateNumbers(_int(jwk, "p"), _int(jwk, "q"), d, _int(jwk, "dp"),
                                                _int(jwk, "dq"), _int(jwk, "qi"), rsa.RSAPublicNumbers(e, n))
            else:      # the CRT fields are optional in a JWK: recover p and q from n, e and d
                p, q = rsa.rsa_recover_prime_factors(n, e, d)
                numbers = rsa.RSAPrivateNumbers(p, q, d, rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q),
                                                rsa.rsa_crt_iqmp(p, q), rsa.RSAPublicNumbers(e, n))
            self._key = numbers.private_key()
        except ValueError as exc:
            raise WalletError(f"the key is not a valid RSA private key ({exc})") from None
        self.owner = n.to_bytes((n.bit_length() + 7) // 8, "big")
        self.address = owner_address(self.owner)

    @classmethod
    def generate(cls, bits: int = KEY_BITS) -> "ArweaveWallet":
        key = rsa.generate_private_key(public_exponent=PUBLIC_EXPONENT, key_size=bits)
        return cls(jwk_of(key))

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=SALT_LENGTH),
                              hashes.SHA256())

    def jwk(self) -> dict:
        return jwk_of(self._key)


def jwk_of(key: rsa.RSAPrivateKey) -> dict:
    numbers = key.private_numbers()
    public = numbers.public_numbers
    values = {"n": public.n, "e": public.e, "d": numbers.d, "p": numbers.p, "q": numbers.q,
              "dp": numbers.dmp1, "dq": numbers.dmq1, "qi": numbers.iqmp}
    return {"kty": "RSA", **{field: _b64_int(values[field]) for field in _PRIVATE_FIELDS}}


def load_wallet(path: str | os.PathLike) -> ArweaveWallet:
    """The wallet in a JWK file. WalletError says aos's `Error reading wallet file: <why>`."""
    try:
        text = Path(path).expanduser().read_text(encoding="utf-8")
        return ArweaveWallet(json.loads(text))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, WalletError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise WalletError(f"Error reading wallet file: {path}: {why}") from None


def load_or_create_wallet(path: str | os.PathLike) -> tuple[ArweaveWallet, bool]:
    """The wallet kept at `path`, generated and saved (owner-only permissions) the first time.
    Returns (wallet, created)."""
    path = Path(path).expanduser()
    if path.exists():
        return load_wallet(path), False
    wallet = ArweaveWallet.generate()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(wallet.jwk(), f)
    except FileExistsError:       # another console created it meanwhile: use that one
        return load_wallet(path), False
    except OSError as exc:
        raise WalletError(f"cannot save a new wallet to {path}: {exc.strerror or exc}") from None
    return wallet, True
