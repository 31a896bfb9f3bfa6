"""Message-shape helpers: tag lists, Lua-style stringification, hash chains.

On the network a tag value is always a string; values coming out of a process are stringified the way
Lua's `tostring` would print them (`1`, `1.5`, `3.0`, `1e+16`, `true`).
"""
from __future__ import annotations

import binascii
import hashlib
import json
import math

from aosrepl import ids

# Tags aoconnect puts on every message a wallet sends.
WALLET_MESSAGE_TAGS = (("Data-Protocol", "ao"), ("Variant", "ao.TN.1"), ("Type", "Message"), ("SDK", "aoconnect"))


def lua_tostring(value) -> str:
    """Python value from Lua -> the text Lua 5.3's tostring gives."""
    if type(value) is str:   # the usual case first
        return value
    if value is None:
        return "nil"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan" if math.copysign(1.0, value) > 0 else "-nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        text = "%.14g" % value
        if all(c in "-0123456789" for c in text):
            text += ".0"
        return text
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)
    return str(value)


def normalize_tags(tags) -> list[dict]:
    """Accept a {name: value} mapping, a list of {"name","value"} dicts or a list of (name, value) pairs;
    return a fresh list of {"name", "value"} with string values. Raises ValueError on anything else."""
    if tags is None:
        return []
    if isinstance(tags, dict):
        items = list(tags.items())
    elif isinstance(tags, (list, tuple)):
        items = []
        for tag in tags:
            if isinstance(tag, dict) and "name" in tag:
                items.append((tag["name"], tag.get("value")))
            elif isinstance(tag, (list, tuple)) and len(tag) == 2:
                items.append((tag[0], tag[1]))
            else:
                raise ValueError(f"a tag must be {{'name': ..., 'value': ...}} or a (name, value) pair, not {tag!r}")
    else:
        raise ValueError(f"tags must be a dict or a list of tags, not {type(tags).__name__}")
    out = []
    for name, value in items:
        if not isinstance(name, str) or not name:
            raise ValueError(f"a tag name must be a non-empty string, not {name!r}")
        if value is None:
            continue
        out.append({"name": name, "value": lua_tostring(value)})
    return out


def tags_from_lua(tags) -> list[dict]:
    """Tags of an outbox entry (values may be numbers, booleans...). Malformed entries are skipped: a process
    must not be able to break routing."""
    out = []
    if isinstance(tags, dict):   # a process may hand over a map; order by name for determinism
        tags = [{"name": k, "value": tags[k]} for k in sorted(tags, key=str)]
    elif not isinstance(tags, (list, tuple)):
        return out
    for tag in tags:
        if type(tag) is not dict:
            continue
        name, value = tag.get("name"), tag.get("value")
        if type(name) is str and type(value) is str:   # the usual case: nothing to convert
            out.append({"name": name, "value": value})
        elif name is not None and value is not None:
            out.append({"name": lua_tostring(name), "value": lua_tostring(value)})
    return out


def tag_value(tags, name: str, default=None):
    """First occurrence of a tag (as aos's `msg.Tags` map has it)."""
    for tag in tags or []:
        if tag.get("name") == name:
            return tag.get("value")
    return default


def with_default_tags(tags: list[dict], defaults) -> list[dict]:
    """Put each (name, value) of `defaults` in front unless `tags` already has that name."""
    present = {t["name"] for t in tags}
    return [{"name": n, "value": v} for n, v in defaults if n not in present] + tags


def action_of(message: dict) -> str | None:
    return tag_value(message.get("Tags"), "Action")


def data_text(data) -> str:
    if data is None:
        return ""
    if isinstance(data, str):
        return data
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace")
    return lua_tostring(data)


def next_hash_chain(previous: str | None, message_id: str) -> str:
    """The SU's hash chain: sha256(previous link || message id), base64url."""
    h = hashlib.sha256()
    if previous:
        h.update(_b64decode(previous))
    h.update(_b64decode(message_id))
    return ids.encode(h.digest())


_FROM_URLSAFE = bytes.maketrans(b"-_", b"+/")


def _b64decode(text: str) -> bytes:
    # what base64.urlsafe_b64decode does (the same lenient decoder), without its wrappers: once per message
    try:
        return binascii.a2b_base64((text + "=" * (-len(text) % 4)).encode("ascii").translate(_FROM_URLSAFE))
    except (ValueError, TypeError):   # binascii.Error is a ValueError, as is non-ASCII text
        return text.encode()
