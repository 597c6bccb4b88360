"""An event's time as written (local wall time in an IANA zone, or whole days) and the UTC instants it covers.

A single event is read as written: its start and end resolved through its zone (a time that does not exist,
in the spring gap, is refused by name; a doubled autumn hour is its first, summer, instance). A recurring
event is a publisher.recurrence Series: its start is the first occurrence, each occurrence lasts as long as
the first, and single occurrences are skipped (cancelled) or moved by their original start.
An all-day event's end is its last day, inclusive, as people say it ("12 to 14 May").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from publisher.core.errors import Invalid
from publisher.core.zones import known_zones
from publisher.recurrence.expansion import Occurrence, occurrences
from publisher.recurrence.limits import MAX_DURATION
from publisher.recurrence.series import Series
from publisher.recurrence.wall_time import gap_around, to_utc

Wall = datetime | date


@dataclass(frozen=True)
class EventTime:
    all_day: bool
    zone: str
    start: Wall  # naive wall time, or a date when all-day
    end: Wall  # naive wall time, or the last day (inclusive) when all-day
    rule: str | None = None
    exceptions: dict[str, Any] = field(default_factory=dict, hash=False)
    # The checked series, made once: building one expands its rule, and pages read it several times.
    _series: Series | None = field(default=None, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        if self.zone not in known_zones():
            raise Invalid(f"unknown time zone {self.zone[:64]!r}: use an IANA name such as Europe/Belgrade",
                          code="bad_zone", details={"field": "zone"})
        if self.all_day:
            if isinstance(self.start, datetime) or isinstance(self.end, datetime):
                raise Invalid("an all-day event starts and ends on dates, without a time", code="bad_time",
                              details={"field": "start"})
            if self.end < self.start:
                raise Invalid("the event ends before it starts", code="ends_before_start", details={"field": "end"})
        else:
            if not isinstance(self.start, datetime) or not isinstance(self.end, datetime):
                raise Invalid("a timed event has a start and an end time", code="bad_time",
                              details={"field": "start"})
            for name, value in (("start", self.start), ("end", self.end)):
                _refuse_gap(value, self.tz, name)
            if to_utc(self.end, self.tz) <= to_utc(self.start, self.tz):
                raise Invalid("the event ends before it starts, or when it starts", code="ends_before_start",
                              details={"field": "end"})
        if self.length > MAX_DURATION:
            raise Invalid(f"an event lasts at most {MAX_DURATION.days} days: plan a longer trip as several events",
                          code="too_long_event", details={"field": "end"})
        if self.rule:  # refuses a rule, skip or move the series does not allow, naming it
            object.__setattr__(self, "_series", self._make_series())

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    @property
    def length(self) -> timedelta:
        """How long one occurrence lasts: real time, or whole days when all-day."""
        if self.all_day:
            return self.end - self.start + timedelta(days=1)  # type: ignore[operator]
        return to_utc(self.end, self.tz) - to_utc(self.start, self.tz)  # type: ignore[arg-type]

    def series(self) -> Series | None:
        return self._series

    def _make_series(self) -> Series:
        data: dict[str, Any] = {"start": show(self.start), "zone": self.zone, "rule": self.rule,
                                "skipped": list(self.exceptions.get("skipped", [])),
                                "moved": list(self.exceptions.get("moved", []))}
        data["days" if self.all_day else "minutes"] = (self.length.days if self.all_day
                                                       else self.length // timedelta(minutes=1))
        return Series.from_json(data)

    def first(self) -> tuple[datetime, datetime]:
        """The first occurrence's UTC start and end as written."""
        start = _midnight(self.start) if self.all_day else self.start
        begins = to_utc(start, self.tz)  # type: ignore[arg-type]
        if self.all_day:
            return begins, to_utc(_midnight(self.end) + timedelta(days=1), self.tz)
        return begins, to_utc(self.end, self.tz)  # type: ignore[arg-type]

    def last_end(self) -> datetime:
        """When its last occurrence ends (a moved one may end later than the rule's last)."""
        series = self.series()
        if series is None:
            return self.first()[1]
        ends = [to_utc(series.last, self.tz) + series.duration if not self.all_day
                else to_utc(series.last + series.duration, self.tz)]
        for moved in series.moved.values():
            length = moved.duration or series.duration
            ends.append(to_utc(series.wall(moved.start) + length, self.tz) if self.all_day
                        else to_utc(series.wall(moved.start), self.tz) + length)
        return max(ends)

    def occurrences(self, after: datetime, before: datetime) -> list[Occurrence]:
        """The occurrences overlapping [after, before); a single event is one occurrence."""
        series = self.series()
        if series is not None:
            return occurrences(series, after, before)
        begins, ends = self.first()
        if begins < before and (ends > after or begins >= after):
            return [Occurrence(self.start, self.start, begins, ends)]
        return []

    def to_columns(self) -> dict[str, Any]:
        begins, ends = self.first()
        return {"all_day": self.all_day, "zone": self.zone, "start_local": show(self.start),
                "end_local": show(self.end), "rule": self.rule or None, "exceptions": dict(self.exceptions),
                "starts_at": begins, "ends_at": ends, "last_ends_at": self.last_end()}

    @classmethod
    def of(cls, event: Any) -> EventTime:
        """An Event row's time (publisher.activities.models.Event)."""
        read = date.fromisoformat if event.all_day else datetime.fromisoformat
        return cls(all_day=event.all_day, zone=event.zone, start=read(event.start_local), end=read(event.end_local),
                   rule=event.rule, exceptions=dict(event.exceptions or {}))


def show(value: Wall) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M")
    return value.isoformat()


def _midnight(day: Wall) -> datetime:
    return datetime.combine(day, datetime.min.time())  # type: ignore[arg-type]


def _refuse_gap(local: datetime, zone: ZoneInfo, name: str) -> None:
    """A wall time that never happens (the hour clocks skip in spring) is refused: the writer must choose."""
    gap = gap_around(local, zone)
    if gap is not None:
        raise Invalid(f"{show(local)} does not exist in {zone.key}: the clocks jump from {gap[0]:%H:%M} to "
                      f"{gap[1]:%H:%M}; choose another time", code="time_in_gap",
                      details={"field": name, "value": show(local), "zone": zone.key, "gap_start": show(gap[0]),
                               "gap_end": show(gap[1])})
