"""What an import kind declares: its fields, and how the file's headers are matched to them.

Headers are matched by their search key (publisher.text.search_key.normalise): case, script and diacritics
do not matter, so "E-pošta", "Е-пошта" and "e-posta" are one header. A trailing "*" (a required-column mark
some templates carry) is ignored. Columns that match no field are left out and listed on the preview.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from publisher.text.search_key import normalise

TYPES = ("text", "email", "date", "number", "choice")


@dataclass(frozen=True)
class Field:
    name: str  # the key of the value in a checked row
    type: str  # one of TYPES
    headers: tuple[str, ...]  # the header names it accepts, in the four languages and common spellings
    required: bool = False
    max_length: int | None = None
    pattern: str | None = None  # text: a regular expression the whole value must match
    # choice: each accepted spelling (matched by its search key) -> the stored value
    choices: Mapping[str, str] = field(default_factory=dict)
    many: bool = False  # choice: several values separated by , or ;
    unique: bool = False  # no two rows may have the same value (compared by search key)

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"field {self.name}: type {self.type!r} is not one of {TYPES}")


# What is stored already: (session, field name, the file's values) -> those of them that are taken.
Taken = Callable[[Session, str, list[str]], set[str]]


@dataclass(frozen=True)
class Kind:
    name: str  # "people": the audit action is import.<name>
    fields: tuple[Field, ...]
    taken: Taken | None = None  # for unique fields: which values the database has already


def header_key(header: str) -> str:
    return normalise(header.strip().rstrip("*"))


@dataclass(frozen=True)
class Columns:
    positions: dict[str, int]  # field name -> the column it is read from
    missing: tuple[Field, ...]  # required fields with no column
    ignored: tuple[str, ...]  # headers that match no field
    doubled: tuple[str, ...]  # headers of a field that a column before them already gave


def match(kind: Kind, headers: tuple[str, ...]) -> Columns:
    wanted = {header_key(name): f for f in kind.fields for name in (f.name, *f.headers)}
    positions: dict[str, int] = {}
    ignored, doubled = [], []
    for index, header in enumerate(headers):
        found = wanted.get(header_key(header))
        if found is None:
            if header.strip():
                ignored.append(header)
        elif found.name in positions:
            doubled.append(header)
        else:
            positions[found.name] = index
    missing = tuple(f for f in kind.fields if f.required and f.name not in positions)
    return Columns(positions, missing, tuple(ignored), tuple(doubled))
