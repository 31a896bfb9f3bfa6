"""Damage to a data directory, found and named instead of silently worked around.

SQLite recovers from a crash by itself, and in doing so it hides some damage for good: a write-ahead log
(WAL) with bad bytes in the middle is used up to the bad frame and the transactions after it are dropped
(the next checkpoint makes that final); a WAL deleted after an unclean stop leaves an older database that
looks whole. So before the log is opened the WAL is checked here, and after it is opened each process's
deliveries are checked for the two invariants the scheduler keeps: nonces 1, 2, 3 ... without a gap, and
each Hash-Chain link = sha256(previous link, message id).

The WAL format (sqlite.org/fileformat2.html#walformat): a 32-byte header (magic, version, page size,
checkpoint sequence, salt-1, salt-2, checksum-1, checksum-2), then frames of a 24-byte header (page number,
database size after commit or 0, salt-1, salt-2, checksum-1, checksum-2) and one page. Checksums are
cumulative over the header and every frame; the magic's low bit says the byte order of the words summed.
"""
from __future__ import annotations

import struct
from pathlib import Path

from aosrepl.network.messages import next_hash_chain

WAL_MAGIC = (0x377F0682, 0x377F0683)
WAL_HEADER = 32
FRAME_HEADER = 24
_MASK = 0xFFFFFFFF


def _checksum(data: bytes, big_endian: bool, s1: int = 0, s2: int = 0) -> tuple[int, int]:
    words = struct.unpack(f"{'>' if big_endian else '<'}{len(data) // 4}I", data)
    for i in range(0, len(words), 2):
        s1 = (s1 + words[i] + s2) & _MASK
        s2 = (s2 + words[i + 1] + s1) & _MASK
    return s1, s2


def wal_damage(db_path: Path) -> str | None:
    """What is wrong with the database's WAL, or None when it is absent or whole. Damage is a frame with the
    current salts whose checksum fails while a complete transaction follows it: a crash can only tear the
    tail (the transaction being written), so anything after a bad frame means bytes changed on disk."""
    wal = Path(f"{db_path}-wal")
    try:
        data = wal.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"its write-ahead log {wal.name} cannot be read ({exc.strerror or exc})"
    if len(data) < WAL_HEADER:
        return None                       # nothing was committed through it
    magic, _version, page_size, _seq, salt1, salt2, c1, c2 = struct.unpack(">8I", data[:WAL_HEADER])
    frames = (len(data) - WAL_HEADER) // (FRAME_HEADER + page_size) if page_size else 0
    if magic not in WAL_MAGIC or page_size < 512 or page_size & (page_size - 1):
        return (f"its write-ahead log {wal.name} has a damaged header, so SQLite would ignore its "
                f"{frames} frames") if frames else None
    big_endian = bool(magic & 1)
    if _checksum(data[:24], big_endian) != (c1, c2):
        return (f"its write-ahead log {wal.name} has a damaged header, so SQLite would ignore its "
                f"{frames} frames") if frames else None
    s1, s2 = c1, c2
    frame_size = FRAME_HEADER + page_size
    for i in range(frames):
        start = WAL_HEADER + i * frame_size
        header = data[start:start + FRAME_HEADER]
        _page, _commit, fs1, fs2, fc1, fc2 = struct.unpack(">6I", header)
        if (fs1, fs2) != (salt1, salt2):
            return None                   # frames of an earlier WAL generation: not in use
        s1, s2 = _checksum(header[:8], big_endian, s1, s2)
        s1, s2 = _checksum(data[start + FRAME_HEADER:start + frame_size], big_endian, s1, s2)
        if (s1, s2) != (fc1, fc2):
            lost = _commits_after(data, i + 1, frames, frame_size, salt1, salt2)
            if lost:
                return (f"its write-ahead log {wal.name} has damaged bytes at offset {start} (frame {i + 1} of "
                        f"{frames}); SQLite would drop the {lost} transactions committed after it")
            return None                   # a torn tail: the transaction the crash interrupted
    return None


def _commits_after(data: bytes, first: int, frames: int, frame_size: int, salt1: int, salt2: int) -> int:
    count = 0
    for i in range(first, frames):
        start = WAL_HEADER + i * frame_size
        _page, commit, fs1, fs2 = struct.unpack(">4I", data[start:start + 16])
        if (fs1, fs2) == (salt1, salt2) and commit:
            count += 1
    return count


def delivery_damage(rows, anchored: bool = False) -> list[str]:
    """Problems in one process's deliveries: rows of (nonce, hash_chain, message id) in nonce order, from
    nonce 1; or, `anchored`, from any nonce, the first row being the link the others follow on from (it is
    not checked itself)."""
    problems = []
    expected_nonce, link = 1, None
    rows = iter(rows)
    anchor = next(rows, None) if anchored else None
    if anchor is not None:
        expected_nonce, link = anchor[0] + 1, anchor[1]
    for nonce, hash_chain, msg_id in rows:
        if nonce != expected_nonce:
            missing = (f"nonce {expected_nonce}" if nonce == expected_nonce + 1
                       else f"nonces {expected_nonce} to {nonce - 1}")
            problems.append(f"the delivery with {missing} is missing (a message was lost from the log)")
            link = None                   # the chain cannot be followed across the gap
        if link is not None or nonce == 1:
            want = next_hash_chain(link, msg_id)
            if hash_chain != want:
                problems.append(f"the Hash-Chain breaks at nonce {nonce} (message {msg_id})")
        link, expected_nonce = hash_chain, nonce + 1
    return problems
