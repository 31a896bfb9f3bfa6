"""Arweave's base64url: URL-safe alphabet, no padding (ids, addresses, JWK fields)."""
from __future__ import annotations

import base64


def encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode(text: str) -> bytes:
    """ValueError for text that is not base64url."""
    if not isinstance(text, str):
        raise ValueError(f"expected base64url text, not {type(text).__name__}")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"not base64url: {text[:20]!r}") from exc
