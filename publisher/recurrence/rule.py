"""One RFC 5545 recurrence rule (RRULE), read from its text and written back, with the supported parts only.

Supported: FREQ (DAILY, WEEKLY, MONTHLY, YEARLY), INTERVAL, BYDAY ("MO", and with an ordinal "2MO", "-1FR"
for MONTHLY and YEARLY), BYMONTHDAY, BYMONTH, WKST, and an end: COUNT or UNTIL (a date "20270630", meaning
through that local day, or a UTC time "20270630T080000Z"). Refused with a message naming the part: the
sub-daily frequencies and BYHOUR/BYMINUTE/BYSECOND (a series happens at most once a day, at its start's wall
time), BYSETPOS, BYYEARDAY, BYWEEKNO, unknown parts, a part given twice, COUNT with UNTIL, and no end at all.

The parts are checked here, one by one, so that each refusal says what is wrong; python-dateutil then
reads the checked text (`rrulestr`) and writes the canonical one (`str(rrule)`), and expands it (expansion).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from publisher.core.errors import Invalid
from publisher.recurrence.limits import MAX_COUNT, MAX_INTERVAL, MAX_RULE_TEXT

FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # index = Python's weekday()
_SUPPORTED = ("FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "WKST", "COUNT", "UNTIL")
_WHY_NOT = {
    "BYSECOND": "a series happens at most once a day, at the time of its start",
    "BYMINUTE": "a series happens at most once a day, at the time of its start",
    "BYHOUR": "a series happens at most once a day, at the time of its start",
    "BYSETPOS": "say the day with an ordinal in BYDAY instead, e.g. BYDAY=-1FR for the last Friday",
    "BYYEARDAY": "use BYMONTH with BYMONTHDAY instead",
    "BYWEEKNO": "use BYMONTH with BYDAY instead",
}
_BYDAY_RE = re.compile(r"([+-]?)([0-9]{1,2})?(MO|TU|WE|TH|FR|SA|SU)", re.ASCII)
_INT_RE = re.compile(r"[+-]?[0-9]{1,4}", re.ASCII)
_UNTIL_DATE_RE = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})", re.ASCII)
_UNTIL_UTC_RE = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})T([0-9]{2})([0-9]{2})([0-9]{2})Z", re.ASCII)
_LAST_SECOND = time(23, 59, 59)


def refuse(message: str, **details: object) -> Invalid:
    """The error of a rule or series that cannot be: 422, naming the problem."""
    return Invalid(message, details=details, code="invalid_recurrence")


@dataclass(frozen=True)
class Rule:
    """A checked RRULE. `by_day` holds (ordinal, weekday): ordinal 0 for every such weekday, 2 for the second,
    -1 for the last. `until` is a date (through that local day) or an aware UTC instant."""

    freq: str
    interval: int = 1
    by_day: tuple[tuple[int, str], ...] = ()
    by_month_day: tuple[int, ...] = ()
    by_month: tuple[int, ...] = ()
    count: int | None = None
    until: date | datetime | None = None
    week_start: str = "MO"

    @property
    def text(self) -> str:
        """The canonical RRULE text (without "RRULE:"), as python-dateutil writes it; UNTIL as it was given."""
        written = str(self.to_rrule(datetime(2000, 1, 1), None))
        line = next(part for part in written.splitlines() if part.startswith("RRULE:"))[len("RRULE:"):]
        parts = [p for p in line.split(";") if not p.startswith(("UNTIL=", "WKST="))]
        if self.until is not None:
            parts.append(f"UNTIL={_until_text(self.until)}")
        if self.week_start != "MO":
            parts.append(f"WKST={self.week_start}")
        return ";".join(parts)

    def until_local(self, zone: ZoneInfo) -> datetime | None:
        """UNTIL as a naive wall time in `zone`: a date's last second, a UTC instant's local time."""
        if self.until is None:
            return None
        if isinstance(self.until, datetime):
            return self.until.astimezone(zone).replace(tzinfo=None)
        return datetime.combine(self.until, _LAST_SECOND)

    def matches(self, day: date) -> bool:
        """Whether `day` passes the rule's BY parts (INTERVAL aside). Checked without python-dateutil, which
        would search to the year 9999 for a first occurrence that never comes."""
        if self.by_month and day.month not in self.by_month:
            return False
        if self.by_month_day and not any(_nth_day(day, n) for n in self.by_month_day):
            return False
        if self.by_day:
            in_year = self.freq == "YEARLY" and not self.by_month
            return any(WEEKDAYS[day.weekday()] == name and (not n or _nth_weekday(day, n, in_year))
                       for n, name in self.by_day)
        return True

    def to_rrule(self, dtstart: datetime, until: datetime | None) -> rrule:
        """python-dateutil's rule from `dtstart` (naive wall time) up to `until` (naive wall time, or COUNT)."""
        text = f"FREQ={self.freq};INTERVAL={self.interval};WKST={self.week_start}"
        if self.by_day:
            text += ";BYDAY=" + ",".join(f"{n}{day}" if n else day for n, day in self.by_day)
        if self.by_month_day:
            text += ";BYMONTHDAY=" + ",".join(map(str, self.by_month_day))
        if self.by_month:
            text += ";BYMONTH=" + ",".join(map(str, self.by_month))
        if until is not None:
            text += f";UNTIL={until:%Y%m%dT%H%M%S}"
        elif self.count is not None:
            text += f";COUNT={self.count}"
        return rrulestr(text, dtstart=dtstart)


def parse_rule(text: object) -> Rule:
    """The Rule in `text` ("FREQ=WEEKLY;BYDAY=MO;UNTIL=20270630", "RRULE:" in front allowed), or Invalid."""
    if not isinstance(text, str):
        raise refuse("the recurrence rule must be RRULE text, such as FREQ=WEEKLY;BYDAY=MO;COUNT=10",
                     field="rule")
    if len(text) > MAX_RULE_TEXT:
        raise refuse(f"the recurrence rule is longer than {MAX_RULE_TEXT} characters", field="rule")
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[len("RRULE:"):]
    parts: dict[str, str] = {}
    for piece in filter(None, body.split(";")):
        name, sep, value = piece.partition("=")
        name = name.strip().upper()
        if not sep or not name or not value.strip():
            raise refuse(f"“{piece[:40]}” in the recurrence rule is not a NAME=VALUE part", field="rule")
        if name in _WHY_NOT:
            raise refuse(f"{name} is not supported in a recurrence rule: {_WHY_NOT[name]}", field="rule", part=name)
        if name not in _SUPPORTED:
            raise refuse(f"{name[:40]} is not a supported part of a recurrence rule (supported: "
                         f"{', '.join(_SUPPORTED)})", field="rule", part=name[:40])
        if name in parts:
            raise refuse(f"{name} is given twice in the recurrence rule", field="rule", part=name)
        parts[name] = value.strip().upper()
    if "FREQ" not in parts:
        raise refuse("the recurrence rule has no FREQ (DAILY, WEEKLY, MONTHLY or YEARLY)", field="rule")
    freq = parts["FREQ"]
    if freq not in FREQUENCIES:
        raise refuse(f"FREQ={freq[:20]} is not supported: a series repeats DAILY, WEEKLY, MONTHLY or YEARLY",
                     field="rule", part="FREQ")
    if "COUNT" in parts and "UNTIL" in parts:
        raise refuse("the recurrence rule has both COUNT and UNTIL: give one end", field="rule")
    if "COUNT" not in parts and "UNTIL" not in parts:
        raise refuse("the recurrence rule has no end: give COUNT (how many times) or UNTIL (the last day)",
                     field="rule")
    rule = Rule(
        freq=freq,
        interval=_number(parts, "INTERVAL", 1, MAX_INTERVAL) if "INTERVAL" in parts else 1,
        by_day=_by_day(parts.get("BYDAY"), freq),
        by_month_day=_numbers(parts, "BYMONTHDAY", 1, 31, signed=True),
        by_month=_numbers(parts, "BYMONTH", 1, 12),
        count=_number(parts, "COUNT", 1, MAX_COUNT) if "COUNT" in parts else None,
        until=_until(parts["UNTIL"]) if "UNTIL" in parts else None,
        week_start=_week_start(parts.get("WKST")),
    )
    if rule.by_month_day and freq == "WEEKLY":
        raise refuse("BYMONTHDAY cannot be used with FREQ=WEEKLY", field="rule", part="BYMONTHDAY")
    return rule


def _number(parts: dict[str, str], name: str, low: int, high: int) -> int:
    value = parts[name]
    if not _INT_RE.fullmatch(value) or not low <= int(value) <= high:
        raise refuse(f"{name}={value[:20]} must be a whole number from {low} to {high}", field="rule", part=name)
    return int(value)


def _numbers(parts: dict[str, str], name: str, low: int, high: int, *, signed: bool = False) -> tuple[int, ...]:
    if name not in parts:
        return ()
    found = []
    for item in parts[name].split(","):
        ok = _INT_RE.fullmatch(item) is not None and low <= abs(int(item)) <= high and (signed or int(item) > 0)
        if not ok:
            allowed = f"{low} to {high}" + (f" or -{high} to -{low} counted from the end" if signed else "")
            raise refuse(f"{name}={item[:20]} must be {allowed}", field="rule", part=name)
        found.append(int(item))
    return tuple(sorted(set(found)))


def _by_day(value: str | None, freq: str) -> tuple[tuple[int, str], ...]:
    if value is None:
        return ()
    found: list[tuple[int, str]] = []
    for item in value.split(","):
        m = _BYDAY_RE.fullmatch(item.strip())
        if m is None or (m[1] and not m[2]):
            raise refuse(f"BYDAY={item[:20]} is not a weekday such as MO, 2MO or -1FR", field="rule", part="BYDAY")
        n = int(m[2] or 0) * (-1 if m[1] == "-" else 1)
        if m[2] is not None and not 1 <= abs(n) <= (5 if freq == "MONTHLY" else 53):
            raise refuse(f"BYDAY={item[:20]}: the ordinal is out of range", field="rule", part="BYDAY")
        if n and freq not in ("MONTHLY", "YEARLY"):
            raise refuse(f"BYDAY={item[:20]}: an ordinal weekday (such as 2MO) needs FREQ=MONTHLY or YEARLY",
                         field="rule", part="BYDAY")
        if (n, m[3]) not in found:
            found.append((n, m[3]))
    return tuple(sorted(found, key=lambda d: (d[0], WEEKDAYS.index(d[1]))))


def _nth_day(day: date, n: int) -> bool:
    """`day` is the n-th day of its month (-1: the last)."""
    return day.day == n if n > 0 else day.day - 1 == _days_in_month(day) + n


def _nth_weekday(day: date, n: int, in_year: bool) -> bool:
    """`day` is the n-th of its weekday in its month (or year); -1 the last."""
    if in_year:
        before, total = day.timetuple().tm_yday - 1, 366 if calendar.isleap(day.year) else 365
    else:
        before, total = day.day - 1, _days_in_month(day)
    return before // 7 + 1 == n if n > 0 else (total - 1 - before) // 7 + 1 == -n


def _days_in_month(day: date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def _until(value: str) -> date | datetime:
    try:
        if m := _UNTIL_DATE_RE.fullmatch(value):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _UNTIL_UTC_RE.fullmatch(value):
            return datetime(*(int(g) for g in m.groups()), tzinfo=UTC)  # type: ignore[misc]
    except ValueError:
        raise refuse(f"UNTIL={value[:20]} is not a real date", field="rule", part="UNTIL") from None
    raise refuse(f"UNTIL={value[:20]} must be a date such as 20270630 or a UTC time such as 20270630T080000Z",
                 field="rule", part="UNTIL")


def _until_text(until: date | datetime) -> str:
    return f"{until:%Y%m%dT%H%M%SZ}" if isinstance(until, datetime) else f"{until:%Y%m%d}"


def _week_start(value: str | None) -> str:
    if value is None:
        return "MO"
    if value not in WEEKDAYS:
        raise refuse(f"WKST={value[:20]} is not a weekday (MO to SU)", field="rule", part="WKST")
    return value
