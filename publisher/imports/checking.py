"""Every problem of a file at once, and its rows as they will be written.

A problem names the row as the person sees it in the file, the column by the header written there (or, for
a missing column, the field) and a stable `code` with `params`: pages say it in the reader's language.
Values become what the field's type says: text (a number typed into a text column reads as its digits),
an e-mail address, a date (a date cell, or text as 2026-12-04, 4.12.2026. or 4/12/2026: day first), a
number (a number cell, or text with a decimal point or comma), a choice (one or several stored values).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from publisher.imports.fields import Columns, Field, Kind, match
from publisher.imports.table import Table
from publisher.text.search_key import normalise

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")  # a typo guard, as for a person's address on the users page
_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DAY_FIRST = re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{4})\.?")
_NUMBER = re.compile(r"-?\d+([.,]\d+)?")
_SEPARATORS = re.compile(r"[,;]")


@dataclass(frozen=True)
class Problem:
    row: int  # as in the file; the header's row for a problem of a column
    column: str  # the header as written in the file; "" when the column is missing
    field: str  # the field's name
    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Checked:
    kind: Kind
    columns: Columns
    rows: tuple[tuple[int, dict[str, Any]], ...]  # (row number, the values as they will be written)
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


class _Refused(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code, self.params = code, params


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if found := _ISO_DAY.fullmatch(text):
        year, month, day = (int(g) for g in found.groups())
    elif found := _DAY_FIRST.fullmatch(text):
        day, month, year = (int(g) for g in found.groups())
    else:
        raise _Refused("bad_date")
    if not 1900 <= year <= 2999:
        raise _Refused("bad_date")
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise _Refused("bad_date") from exc


def _number(value: Any) -> int | Decimal:
    if isinstance(value, bool):
        raise _Refused("bad_number")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else Decimal(str(value))
    text = _text(value).replace(" ", "")
    if not _NUMBER.fullmatch(text):
        raise _Refused("bad_number")
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation as exc:
        raise _Refused("bad_number") from exc
    return int(number) if number == number.to_integral_value() and "." not in text and "," not in text else number


def spellings(spec: Field) -> dict[str, str]:
    """A choice field's accepted spellings by their search key -> the stored value (made once per check)."""
    allowed = {normalise(spelling): stored for spelling, stored in spec.choices.items()}
    allowed.update({normalise(stored): stored for stored in spec.choices.values()})
    return allowed


def _choice(spec: Field, value: Any, allowed: dict[str, str]) -> str | list[str]:
    parts = [p for p in (_SEPARATORS.split(_text(value)) if spec.many else [_text(value)]) if p.strip()]
    chosen = []
    for part in parts:
        stored = allowed.get(normalise(part))
        if stored is None:
            raise _Refused("bad_choice", value=part.strip())
        if stored not in chosen:
            chosen.append(stored)
    return sorted(chosen) if spec.many else chosen[0]


def convert(spec: Field, value: Any, allowed: dict[str, str] | None = None) -> Any:
    """The value as it will be written, or _Refused. `allowed`: a choice field's spellings(), when known."""
    if spec.type == "date":
        return _date(value)
    if spec.type == "number":
        return _number(value)
    if spec.type == "choice":
        return _choice(spec, value, allowed if allowed is not None else spellings(spec))
    text = _text(value)
    if spec.max_length is not None and len(text) > spec.max_length:
        raise _Refused("too_long", limit=spec.max_length, length=len(text))
    if spec.type == "email" and not _EMAIL.fullmatch(text):
        raise _Refused("bad_email")
    if spec.pattern is not None and not re.fullmatch(spec.pattern, text):
        raise _Refused("bad_pattern")
    return text


def check(table: Table, kind: Kind, session: Session | None = None) -> Checked:
    """Every problem of `table` for `kind`; with a session, also the unique values the database has already."""
    columns = match(kind, table.headers)
    problems = [Problem(table.header_row, "", f.name, "missing_column") for f in columns.missing]
    problems += [Problem(table.header_row, h, "", "doubled_column") for h in columns.doubled]
    if not table.rows:
        problems.append(Problem(table.header_row, "", "", "no_rows"))
    rows: list[tuple[int, dict[str, Any]]] = []
    first_seen: dict[str, dict[str, int]] = {f.name: {} for f in kind.fields if f.unique}
    allowed = {f.name: spellings(f) for f in kind.fields if f.type == "choice"}
    for row in table.rows:
        values: dict[str, Any] = {}
        for spec in kind.fields:
            index = columns.positions.get(spec.name)
            if index is None:
                values[spec.name] = [] if spec.many else None
                continue
            header = table.headers[index]
            raw = row.values[index] if index < len(row.values) else ""
            if raw == "" or raw is None:
                if spec.required:
                    problems.append(Problem(row.number, header, spec.name, "required"))
                values[spec.name] = [] if spec.many else None
                continue
            try:
                values[spec.name] = convert(spec, raw, allowed.get(spec.name))
            except _Refused as refused:
                problems.append(Problem(row.number, header, spec.name, refused.code, refused.params))
                values[spec.name] = None
                continue
            if spec.unique:
                key = normalise(str(values[spec.name]))
                earlier = first_seen[spec.name].setdefault(key, row.number)
                if earlier != row.number:
                    problems.append(Problem(row.number, header, spec.name, "duplicate_in_file",
                                            {"value": str(values[spec.name]), "first_row": earlier}))
        rows.append((row.number, values))
    if session is not None and kind.taken is not None:
        problems += _taken(session, kind, columns, table, rows)
    problems.sort(key=lambda p: (p.row, columns.positions.get(p.field, -1)))
    return Checked(kind, columns, tuple(rows), tuple(problems))


def _taken(session: Session, kind: Kind, columns: Columns, table: Table,
           rows: list[tuple[int, dict[str, Any]]]) -> list[Problem]:
    problems = []
    for spec in kind.fields:
        if not spec.unique or spec.name not in columns.positions:
            continue
        values = [str(v[spec.name]) for _, v in rows if v.get(spec.name) not in (None, "")]
        taken = kind.taken(session, spec.name, values) if values else set()
        header = table.headers[columns.positions[spec.name]]
        problems += [Problem(number, header, spec.name, "taken", {"value": str(v[spec.name])})
                     for number, v in rows if v.get(spec.name) is not None and str(v[spec.name]) in taken]
    return problems
