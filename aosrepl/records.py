"""Small value classes, written out instead of made by `dataclasses`.

The dataclasses module is slow to start with: importing it brings in `inspect` (and with it `ast`, `dis` and
`tokenize`), and each class it makes is compiled from generated source. On the way to the first answer of
`aos NAME --run` that was, on the machine of the README's figures, 9-11 ms of imports and 12-13 ms for the
fifteen classes. A `Record` names its fields in `__slots__` and writes its own `__init__`; it compares, hashes and
shows itself by those fields, as a frozen dataclass does.
"""
from __future__ import annotations


class Record:
    """Fields are the class's `__slots__` (in order). Equal to a record of the same class with equal fields;
    hashable when its fields are. Treated as read-only: nothing in aosrepl changes a record once it is made."""
    __slots__ = ()

    def fields(self) -> tuple:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return self.fields() == other.fields()

    def __hash__(self):
        return hash(self.fields())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({shown})"
