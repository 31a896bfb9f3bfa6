"""lsqlite3's constants (SQLite's own integers) and the result code of a Python sqlite3 exception."""
from __future__ import annotations

import sqlite3

RESULT_CODES = {
    "OK": 0, "ERROR": 1, "INTERNAL": 2, "PERM": 3, "ABORT": 4, "BUSY": 5, "LOCKED": 6, "NOMEM": 7,
    "READONLY": 8, "INTERRUPT": 9, "IOERR": 10, "CORRUPT": 11, "NOTFOUND": 12, "FULL": 13, "CANTOPEN": 14,
    "PROTOCOL": 15, "EMPTY": 16, "SCHEMA": 17, "TOOBIG": 18, "CONSTRAINT": 19, "MISMATCH": 20, "MISUSE": 21,
    "NOLFS": 22, "AUTH": 23, "FORMAT": 24, "RANGE": 25, "NOTADB": 26, "ROW": 100, "DONE": 101,
}
TYPE_CODES = {"INTEGER": 1, "FLOAT": 2, "TEXT": 3, "BLOB": 4, "NULL": 5}
OPEN_FLAGS = {
    "OPEN_READONLY": 0x1, "OPEN_READWRITE": 0x2, "OPEN_CREATE": 0x4, "OPEN_URI": 0x40, "OPEN_MEMORY": 0x80,
    "OPEN_NOMUTEX": 0x8000, "OPEN_FULLMUTEX": 0x10000, "OPEN_SHAREDCACHE": 0x20000,
    "OPEN_PRIVATECACHE": 0x40000,
}
# authorizer action codes, as lsqlite3 exports them
ACTION_CODES = {
    "CREATE_INDEX": 1, "CREATE_TABLE": 2, "CREATE_TEMP_INDEX": 3, "CREATE_TEMP_TABLE": 4,
    "CREATE_TEMP_TRIGGER": 5, "CREATE_TEMP_VIEW": 6, "CREATE_TRIGGER": 7, "CREATE_VIEW": 8, "DELETE": 9,
    "DROP_INDEX": 10, "DROP_TABLE": 11, "DROP_TEMP_INDEX": 12, "DROP_TEMP_TABLE": 13, "DROP_TEMP_TRIGGER": 14,
    "DROP_TEMP_VIEW": 15, "DROP_TRIGGER": 16, "DROP_VIEW": 17, "INSERT": 18, "PRAGMA": 19, "READ": 20,
    "SELECT": 21, "TRANSACTION": 22, "UPDATE": 23, "ATTACH": 24, "DETACH": 25, "ALTER_TABLE": 26,
    "REINDEX": 27, "ANALYZE": 28, "CREATE_VTABLE": 29, "DROP_VTABLE": 30, "FUNCTION": 31, "SAVEPOINT": 32,
}
CONSTANTS = {**RESULT_CODES, **TYPE_CODES, **OPEN_FLAGS, **ACTION_CODES}

OK = RESULT_CODES["OK"]
ERROR = RESULT_CODES["ERROR"]
MISUSE = RESULT_CODES["MISUSE"]
RANGE = RESULT_CODES["RANGE"]
ROW = RESULT_CODES["ROW"]
DONE = RESULT_CODES["DONE"]


def of_exception(exc: Exception) -> int:
    """The primary SQLite result code of a failure (lsqlite3 reports primary codes)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF
    if isinstance(exc, sqlite3.ProgrammingError):
        return MISUSE
    if isinstance(exc, OverflowError):
        return RANGE
    return ERROR


def message_of(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text
