"""A series of occurrences as a value: where it starts (local wall time and IANA zone, or a date for an
all-day series), how long each lasts, its rule, and the occurrences skipped or moved one by one.

Single occurrences are named by their original start in wall time (iCalendar's RECURRENCE-ID), so a moved
occurrence stays itself and an area keeps its own changes to it (a new room, a new title) under that key.
The series is checked whole when it is made: the start is the rule's first occurrence, the end is no
further than MAX_YEARS after it, and every skipped or moved occurrence is one the rule makes.

JSON (to store in a column), timed:
    {"start": "2026-03-02T10:00", "zone": "Europe/Belgrade", "minutes": 60,
     "rule": "FREQ=WEEKLY;BYDAY=MO;UNTIL=20270630",
     "skipped": ["2026-04-06T10:00"], "moved": [{"original": "2026-05-04T10:00", "start": "2026-05-05T12:00"}]}
all-day: "start": "2026-03-02" and "days": 1 instead of "minutes"; the originals are dates.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from publisher.core.zones import known_zones
from publisher.recurrence.limits import MAX_CHANGES, MAX_DURATION, MAX_YEARS
from publisher.recurrence.rule import Rule, parse_rule, refuse

Wall = datetime | date  # a naive wall time, or a date for an all-day series
_WALL_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?", re.ASCII)
_FIRST_YEAR, _LAST_YEAR = 1900, 2999
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


@dataclass(frozen=True)
class Moved:
    """One occurrence at another time; `duration` None keeps the series' own."""

    start: Wall
    duration: timedelta | None = None


@dataclass(frozen=True)
class Series:
    start: Wall
    zone: str
    rule: Rule
    duration: timedelta  # an all-day series: whole days
    skipped: frozenset[Wall] = frozenset()
    moved: Mapping[Wall, Moved] = field(default_factory=dict, hash=False)
    last: datetime = field(init=False, compare=False)  # wall time of the last occurrence the rule makes

    def __post_init__(self) -> None:
        if not isinstance(self.zone, str) or self.zone not in known_zones():
            raise refuse(f"unknown time zone {str(self.zone)[:64]!r}: use an IANA name such as Europe/Belgrade",
                         field="zone")
        if not isinstance(self.start, date) or (isinstance(self.start, datetime) and self.start.tzinfo):
            raise refuse("the start must be a local date and time without a UTC offset, or a date", field="start")
        if not _FIRST_YEAR <= self.start.year <= _LAST_YEAR:
            raise refuse(f"the start must be in the years {_FIRST_YEAR} to {_LAST_YEAR}", field="start")
        _check_duration(self.duration, self.all_day, "duration")
        if not isinstance(self.rule, Rule):
            raise refuse("the rule must be a parsed recurrence rule (parse_rule)", field="rule")
        if not all(isinstance(m, Moved) for m in dict(self.moved).values()):
            raise refuse("each moved occurrence must be a Moved (its new start and length)", field="moved")
        object.__setattr__(self, "skipped", frozenset(self.skipped))
        object.__setattr__(self, "moved", dict(self.moved))
        if len(self.skipped) + len(self.moved) > MAX_CHANGES:
            raise refuse(f"a series can have at most {MAX_CHANGES} skipped or moved occurrences", field="skipped")
        originals = self._originals()
        object.__setattr__(self, "last", originals[-1])
        made = set(originals)
        for key, name in [(k, "skipped") for k in self.skipped] + [(k, "moved") for k in self.moved]:
            if self._wall(key, name) not in made:
                raise refuse(f"{_show(key)} is not an occurrence of this series", field=name, value=_show(key))
        for original, moved in self.moved.items():
            if original in self.skipped:
                raise refuse(f"{_show(original)} is both skipped and moved", field="moved", value=_show(original))
            self._wall(moved.start, "moved")
            if not _FIRST_YEAR <= moved.start.year <= _LAST_YEAR:
                raise refuse(f"a moved occurrence must start in the years {_FIRST_YEAR} to {_LAST_YEAR}",
                             field="moved", value=_show(moved.start))
            if moved.duration is not None:
                _check_duration(moved.duration, self.all_day, "moved")

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, datetime)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    def wall(self, value: Wall) -> datetime:
        """A wall time or an all-day date as the naive datetime the rule counts in (a date is its midnight)."""
        return value if isinstance(value, datetime) else datetime.combine(value, datetime.min.time())

    def _wall(self, value: object, name: str) -> datetime:
        kind_ok = isinstance(value, date) and isinstance(value, datetime) != self.all_day
        if not kind_ok or (isinstance(value, datetime) and value.tzinfo is not None):
            want = "a date" if self.all_day else "a local date and time without a UTC offset"
            raise refuse(f"{name}: {_show(value)} must be {want}, like the start of the series", field=name)
        return self.wall(value)  # type: ignore[arg-type]

    def _originals(self) -> list[datetime]:
        start = self.wall(self.start)
        horizon = _add_years(start, MAX_YEARS)
        until = self.rule.until_local(self.tz)
        if until is not None and until < start:
            raise refuse(f"UNTIL is before the start ({_show(self.start)})", field="rule", part="UNTIL")
        if until is not None and until > horizon:
            raise refuse(f"UNTIL is more than {MAX_YEARS} years after the start: a series ends within "
                         f"{MAX_YEARS} years", field="rule", part="UNTIL")
        if not self.rule.matches(start.date()):
            raise refuse(f"the start ({_show(self.start)}) is not one of the days the rule names: start the "
                         "series on its first occurrence", field="start")
        if until is not None or self.rule.count is None:
            return list(self.rule.to_rrule(start, until or horizon))
        # A COUNT rule stops at its COUNT: expanding it up to the horizon first made every weekly series
        # walk ten years of weeks each time an event was read.
        found = []
        for occurrence in self.rule.to_rrule(start, None):
            if occurrence > horizon:
                raise refuse(f"COUNT={self.rule.count} goes on more than {MAX_YEARS} years after the start: "
                             f"a series ends within {MAX_YEARS} years", field="rule", part="COUNT")
            found.append(occurrence)
        return found

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"start": _show(self.start), "zone": self.zone, "rule": self.rule.text}
        data.update(_length_json(self.duration, self.all_day))
        data["skipped"] = sorted(_show(k) for k in self.skipped)
        data["moved"] = [
            {"original": _show(k), "start": _show(m.start),
             **(_length_json(m.duration, self.all_day) if m.duration is not None else {})}
            for k, m in sorted(self.moved.items(), key=lambda item: self.wall(item[0]))
        ]
        return data

    @classmethod
    def from_json(cls, data: object) -> Series:
        """The series in `data` (as to_json writes it), checked; Invalid naming the field otherwise."""
        if not isinstance(data, dict):
            raise refuse("a series must be a JSON object", field="series")
        unknown = set(data) - {"start", "zone", "rule", "minutes", "days", "skipped", "moved"}
        if unknown:
            raise refuse(f"unknown field {sorted(unknown)[0][:40]!r} in a series", field=sorted(unknown)[0][:40])
        start = _read_wall(data.get("start"), "start")
        all_day = not isinstance(start, datetime)
        skipped = data.get("skipped", [])
        moved = data.get("moved", [])
        if not isinstance(skipped, list) or not isinstance(moved, list):
            raise refuse("skipped and moved must be lists", field="skipped" if not isinstance(skipped, list)
                         else "moved")
        if len(skipped) + len(moved) > MAX_CHANGES:
            raise refuse(f"a series can have at most {MAX_CHANGES} skipped or moved occurrences", field="skipped")
        changes: dict[Wall, Moved] = {}
        for item in moved:
            if not isinstance(item, dict) or set(item) - {"original", "start", "minutes", "days"}:
                raise refuse("each moved occurrence is {original, start} with minutes or days", field="moved")
            original = _read_wall(item.get("original"), "moved")
            if original in changes:
                raise refuse(f"{_show(original)} is moved twice", field="moved", value=_show(original))
            length = _read_length(item, all_day, "moved", required=False)
            changes[original] = Moved(_read_wall(item.get("start"), "moved"), length)
        zone = data.get("zone")
        if not isinstance(zone, str):
            raise refuse("the series has no zone (an IANA time zone such as Europe/Belgrade)", field="zone")
        return cls(start=start, zone=zone, rule=parse_rule(data.get("rule")),
                   duration=_read_length(data, all_day, "series", required=True),  # type: ignore[arg-type]
                   skipped=frozenset(_read_wall(s, "skipped") for s in skipped), moved=changes)


def _check_duration(value: object, all_day: bool, name: str) -> None:
    if not isinstance(value, timedelta) or not timedelta(0) <= value <= MAX_DURATION:
        raise refuse(f"{name}: an occurrence lasts from 0 to {MAX_DURATION.days} days", field=name)
    if all_day and (value.days < 1 or value % timedelta(days=1)):
        raise refuse(f"{name}: an all-day occurrence lasts whole days, at least one", field=name)
    if value % timedelta(minutes=1):
        raise refuse(f"{name}: a duration is in whole minutes", field=name)


def _length_json(value: timedelta, all_day: bool) -> dict[str, int]:
    return {"days": value.days} if all_day else {"minutes": value // timedelta(minutes=1)}


def _read_length(data: dict[str, Any], all_day: bool, name: str, *, required: bool) -> timedelta | None:
    key = "days" if all_day else "minutes"
    other = "minutes" if all_day else "days"
    if other in data:
        kind = "an all-day" if all_day else "a timed"
        raise refuse(f"{name}: {kind} series gives its length in {key}, not {other}", field=name)
    value = data.get(key)
    if value is None and not required:
        return None
    unit = timedelta(days=1) if all_day else timedelta(minutes=1)
    most = MAX_DURATION // unit
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= most:
        raise refuse(f"{name}: {key} must be a whole number from 0 to {most} ({MAX_DURATION.days} days)",
                     field=name)
    return timedelta(days=value) if all_day else timedelta(minutes=value)


def _read_wall(value: object, name: str) -> Wall:
    try:
        if isinstance(value, str) and _WALL_RE.fullmatch(value):
            return datetime.fromisoformat(value)
        if isinstance(value, str) and _DATE_RE.fullmatch(value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    shown = value[:40] if isinstance(value, str) else type(value).__name__
    raise refuse(f"{name}: {shown!r} is not a local date and time such as 2026-03-02T10:00 (or a date "
                 "such as 2026-03-02 for an all-day series)", field=name)


def _show(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds" if value.second else "minutes")
    if isinstance(value, date):
        return value.isoformat()
    return repr(value)[:40]


def _add_years(value: datetime, years: int) -> datetime:
    try:
        return value.replace(year=value.year + years)
    except ValueError:  # 29 February
        return value.replace(year=value.year + years, day=28)
