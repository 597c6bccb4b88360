"""Reading numbers and days typed by people or sent by programs: ASCII digits only, ids that fit the id
column (32 bits), days whose local midnight exists in every time zone. Python's own int() and date.fromisoformat()
take Unicode digits ("٣" is 3) and every year from 1 to 9999, which databases and time-zone arithmetic
refuse later, as an error page instead of a clear answer. Everything that turns request text into an id,
a whole number or a day goes through here."""

from __future__ import annotations

import re
from datetime import date, datetime, time

# The largest id: ids are INTEGER columns, 32 bits on PostgreSQL (SQLite's take 64); a larger number names
# nothing and would overflow the column ("integer out of range") instead of finding no row.
MAX_ID = 2**31 - 1
MIN_YEAR, MAX_YEAR = 1900, 2999  # far enough for any filter; away from the ends where UTC offsets overflow
_DIGITS = re.compile(r"[0-9]{1,19}", re.ASCII)  # whole numbers stay within 64 bits; ids within MAX_ID
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_MINUTE = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})T([0-9]{2}):([0-9]{2})", re.ASCII)


class ParseError(ValueError):
    """The text is not what was asked for; the message says what is expected."""


def whole_number(raw: str, low: int = 0, high: int = MAX_ID) -> int:
    """A whole number written in ASCII digits, low <= n <= min(high, MAX_ID)."""
    if not _DIGITS.fullmatch(raw):
        raise ParseError(f"a whole number written with the digits 0-9 is expected, from {low} to {high}")
    value = int(raw)
    if not low <= value <= min(high, MAX_ID):
        raise ParseError(f"a whole number from {low} to {min(high, MAX_ID)} is expected")
    return value


def record_id(raw: str) -> int | None:
    """The id a text names (ASCII digits, 1..2**63-1), or None when it is no id."""
    try:
        return whole_number(raw, 1)
    except ParseError:
        return None


def fits_id(value: int) -> bool:
    """Whether an integer can be an id at all: a larger one names nothing and would overflow the column."""
    return 1 <= value <= MAX_ID


def day(raw: str) -> date:
    """A day written as YYYY-MM-DD in ASCII digits, in the years MIN_YEAR..MAX_YEAR."""
    if not _DAY.fullmatch(raw):
        raise ParseError("a date written as year-month-day with the digits 0-9 is expected, e.g. 2025-03-31")
    try:
        found = date.fromisoformat(raw)
    except ValueError:
        raise ParseError(f"{raw} is not a day of the calendar") from None
    if not MIN_YEAR <= found.year <= MAX_YEAR:
        raise ParseError(f"a date between the years {MIN_YEAR} and {MAX_YEAR} is expected")
    return found


def local_minute(raw: str) -> datetime:
    """A wall-clock minute written as YYYY-MM-DDTHH:MM (no seconds, no zone: the zone is the reader's), naive."""
    found = _MINUTE.fullmatch(raw)
    if not found:
        raise ParseError("a time written as year-month-day, T, hour:minute is expected, e.g. 2026-12-07T10:00")
    hour, minute = int(found[2]), int(found[3])
    if hour > 23 or minute > 59:
        raise ParseError(f"{raw} is not a time of the day")
    return datetime.combine(day(found[1]), time(hour, minute))
