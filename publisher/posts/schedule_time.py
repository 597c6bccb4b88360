"""Parsing and display of a post's scheduled publication time.

The API receives ``scheduled_at`` (ISO 8601 string or null), an optional IANA
``timezone`` and an optional ``dst_choice`` ("earlier" | "later") used only for
wall-clock times that happen twice when clocks go back.  Times are stored as an
aware UTC ``datetime`` together with the author's IANA zone name, which is used
for display.

Everything here is independent of the process's local time zone (the ``TZ``
environment variable): no naive ``astimezone()``, ``time.mktime`` or
``fromtimestamp`` without an explicit zone is used.

DST gaps and folds are detected generically with :mod:`zoneinfo` (both
``fold`` values are round-tripped through UTC), so this works for every IANA
zone, including 30-minute shifts (Australia/Lord_Howe), negative DST
(Europe/Dublin) and transitions at midnight.  The gap/fold boundaries quoted in
error messages are computed from the zone data, never hard-coded.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import timezone as dt_timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from publisher.core.zones import known_zones
from publisher.recurrence.wall_time import first_change, gap_around

__all__ = [
    "DEFAULT_TIMEZONE",
    "DST_CHOICES",
    "ScheduleTime",
    "ScheduleTimeError",
    "format_local",
    "parse_schedule",
    "resolve_zone",
    "to_local",
]

DEFAULT_TIMEZONE = "Europe/Belgrade"
DST_CHOICES = ("earlier", "later")

# Error codes (ScheduleTimeError.code).
INVALID_FORMAT = "invalid_format"
UNKNOWN_TIMEZONE = "unknown_timezone"
NONEXISTENT_LOCAL_TIME = "nonexistent_local_time"
AMBIGUOUS_LOCAL_TIME = "ambiguous_local_time"
MISSING_OFFSET_OR_ZONE = "missing_offset_or_zone"
INVALID_DST_CHOICE = "invalid_dst_choice"

_EXAMPLE_WITH_OFFSET = "2026-07-01T10:00:00+02:00"
_EXAMPLE_LOCAL = "2026-07-01T10:00"
_FORMAT_HINT = (
    f'Use ISO 8601 date and time, for example "{_EXAMPLE_WITH_OFFSET}", "2026-07-01T08:00:00Z", '
    f'or "{_EXAMPLE_LOCAL}" together with a timezone such as "{DEFAULT_TIMEZONE}".'
)

# Longest value echoed back in messages/details, so garbage input cannot bloat responses.
_MAX_ECHO = 100

_ZONE_NAME_RE = re.compile(r"[A-Za-z0-9_+\-]+(?:/[A-Za-z0-9_+\-]+)*", re.ASCII)

# Strict ISO 8601 / RFC 3339 subset: extended format, minutes required, seconds and a
# fraction optional, offset optional ("Z" or +HH:MM / +HHMM).  "T", "t" or a space
# separates date and time.
_DATETIME_RE = re.compile(
    r"""
    (?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})
    [Tt\ ]
    (?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})
    (?::(?P<second>[0-9]{2})(?:[.,](?P<fraction>[0-9]{1,9}))?)?
    (?P<offset>[Zz]|(?P<sign>[+-])(?P<off_h>[0-9]{2}):?(?P<off_m>[0-9]{2}))?
    """,
    re.ASCII | re.VERBOSE,
)
_DATE_ONLY_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)

_UTC = UTC
_ONE_SECOND = timedelta(seconds=1)


class ScheduleTimeError(ValueError):
    """Invalid publication-time input.

    ``code`` is a stable machine-readable code, ``message`` a full English sentence
    naming the problem and the offending value, ``details`` JSON-serialisable context.
    """

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details: dict[str, Any] = dict(details or {})

    def __str__(self) -> str:
        return self.message

    def to_dict(self) -> dict[str, Any]:
        """Error body for an API response."""
        return {"code": self.code, "message": self.message, "details": self.details}


@dataclass(frozen=True)
class ScheduleTime:
    """A resolved publication instant.

    ``utc`` is aware, ``tzinfo=timezone.utc``, rounded UP to the whole second: a fraction never lets a post
    leave before its time (an embargo broken by 0.9 s is still broken);
    ``timezone`` is the IANA zone name used for display.
    """

    utc: datetime
    timezone: str

    def __post_init__(self) -> None:
        if not isinstance(self.utc, datetime):
            raise TypeError(f"ScheduleTime.utc must be a datetime, got {type(self.utc).__name__}")
        object.__setattr__(self, "utc", _second_up(self.utc))
        resolve_zone(self.timezone)

    def local(self) -> datetime:
        """Aware local time in ``self.timezone``."""
        return to_local(self.utc, self.timezone)

    def format_local(self) -> str:
        """ISO 8601 local time with offset in ``self.timezone``."""
        return format_local(self.utc, self.timezone)


# --------------------------------------------------------------------------- zones


def resolve_zone(name: str) -> ZoneInfo:
    """Return the ZoneInfo for an IANA zone name.

    Raises ScheduleTimeError("unknown_timezone") for anything that is not a known
    IANA zone name, including non-strings, "", path tricks ("../etc/passwd",
    absolute paths), directories ("Europe") and non-zone data files ("zone.tab").
    """
    if (
        not isinstance(name, str)
        or len(name) > 64
        or not _ZONE_NAME_RE.fullmatch(name)
        or name not in known_zones()
    ):
        raise _unknown_timezone(name)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # e.g. tz data changed underneath
        raise _unknown_timezone(name) from exc


def _unknown_timezone(name: object) -> ScheduleTimeError:
    return ScheduleTimeError(
        UNKNOWN_TIMEZONE,
        f"Unknown timezone {_quote(name)}. Use an IANA timezone name such as "
        f'"{DEFAULT_TIMEZONE}", "UTC" or "America/New_York".',
        {"timezone": _echo(name)},
    )


# --------------------------------------------------------------------------- parsing


def parse_schedule(
    value: str | None,
    timezone: str | None,
    *,
    dst_choice: str | None = None,
    default_timezone: str = DEFAULT_TIMEZONE,
) -> ScheduleTime | None:
    """Turn the API fields into a ScheduleTime (or None for "as soon as approved").

    - ``value`` None -> None.  A given ``timezone``/``dst_choice`` is still validated.
    - With an offset or "Z": that exact instant (no DST gap check); display zone is
      ``timezone`` if given, else ``default_timezone``.
    - Without an offset: ``timezone`` is required ("missing_offset_or_zone"); the
      local time must exist ("nonexistent_local_time"), and if it happens twice
      ``dst_choice`` must say which ("ambiguous_local_time").
    - ``dst_choice`` other than None/"earlier"/"later" -> "invalid_dst_choice"
      (always checked; ignored when the time is not ambiguous).
    """
    if dst_choice is not None and dst_choice not in DST_CHOICES:
        raise ScheduleTimeError(
            INVALID_DST_CHOICE,
            f'dst_choice {_quote(dst_choice)} is not valid. Use "earlier" or "later" '
            "(it is only needed for a local time that happens twice when clocks go back).",
            {"dst_choice": _echo(dst_choice), "choices": list(DST_CHOICES)},
        )
    zone = resolve_zone(timezone) if timezone is not None else None

    if value is None:
        return None

    parsed, has_offset, text = _parse_iso(value)

    if has_offset:
        display_zone = timezone if timezone is not None else default_timezone
        resolve_zone(display_zone)
        try:
            utc = parsed.astimezone(_UTC)
            utc.astimezone(resolve_zone(display_zone))  # must also be displayable locally
        except OverflowError:
            raise _out_of_range(value) from None
        return ScheduleTime(utc=utc, timezone=display_zone)

    if zone is None or timezone is None:
        raise ScheduleTimeError(
            MISSING_OFFSET_OR_ZONE,
            f"scheduled_at {_quote(text)} has no UTC offset and no timezone was given, so it is "
            f'not clear which clock it refers to. Send a timezone such as "{DEFAULT_TIMEZONE}", '
            f'or include the offset, for example "{_EXAMPLE_WITH_OFFSET}".',
            {"value": _echo(value)},
        )
    try:
        utc = _resolve_local(parsed, zone, timezone, text, dst_choice)
    except OverflowError:
        raise _out_of_range(value) from None
    return ScheduleTime(utc=utc, timezone=timezone)


def _parse_iso(value: object) -> tuple[datetime, bool, str]:
    """Parse the accepted ISO 8601 subset; returns (datetime, has_offset, stripped text)."""
    if not isinstance(value, str):
        raise ScheduleTimeError(
            INVALID_FORMAT,
            f"scheduled_at must be a string or null, got {_quote(value)} "
            f"({type(value).__name__}). {_FORMAT_HINT}",
            {"value": _echo(value)},
        )
    text = value.strip()
    if not text:
        raise ScheduleTimeError(
            INVALID_FORMAT,
            f"scheduled_at is an empty string. Send null to publish as soon as approved. {_FORMAT_HINT}",
            {"value": _echo(value)},
        )
    if _DATE_ONLY_RE.fullmatch(text):
        raise ScheduleTimeError(
            INVALID_FORMAT,
            f"scheduled_at {_quote(text)} is a date without a time of day. {_FORMAT_HINT}",
            {"value": _echo(value)},
        )
    m = _DATETIME_RE.fullmatch(text)
    if m is None:
        raise ScheduleTimeError(
            INVALID_FORMAT,
            f"scheduled_at {_quote(text)} is not a valid date and time. {_FORMAT_HINT}",
            {"value": _echo(value)},
        )
    tzinfo = None
    if m["offset"] is not None:
        if m["offset"] in ("Z", "z"):
            tzinfo = _UTC
        else:
            off_h, off_m = int(m["off_h"]), int(m["off_m"])
            if off_h > 23 or off_m > 59:
                raise ScheduleTimeError(
                    INVALID_FORMAT,
                    f"scheduled_at {_quote(text)} has an invalid UTC offset. {_FORMAT_HINT}",
                    {"value": _echo(value)},
                )
            offset = timedelta(hours=off_h, minutes=off_m)
            tzinfo = dt_timezone(-offset if m["sign"] == "-" else offset)
    try:
        parsed = datetime(
            int(m["year"]),
            int(m["month"]),
            int(m["day"]),
            int(m["hour"]),
            int(m["minute"]),
            int(m["second"] or 0),
            _microseconds_up(m["fraction"]),
            tzinfo=tzinfo,
        )
    except ValueError as exc:
        raise ScheduleTimeError(
            INVALID_FORMAT,
            f"scheduled_at {_quote(text)} is not a valid date and time ({exc}). {_FORMAT_HINT}",
            {"value": _echo(value)},
        ) from None
    return parsed, tzinfo is not None, text


def _resolve_local(
    local: datetime, zone: ZoneInfo, zone_name: str, text: str, dst_choice: str | None
) -> datetime:
    """Map a naive wall-clock time in ``zone`` to UTC, detecting gaps and folds."""
    candidates: list[datetime] = []
    for fold in (0, 1):
        utc = local.replace(tzinfo=zone, fold=fold).astimezone(_UTC)
        if _wall(utc, zone) == local and utc not in candidates:
            candidates.append(utc)
    candidates.sort()

    if len(candidates) == 1:
        return candidates[0]

    if not candidates:
        # Spring-forward gap: the two fold interpretations straddle the transition.
        gap_start, gap_end = gap_around(local, zone)  # type: ignore[misc]
        start_s, end_s = _describe_pair(gap_start, gap_end, local)
        when = " that night" if gap_start.date() == gap_end.date() else ""
        raise ScheduleTimeError(
            NONEXISTENT_LOCAL_TIME,
            f"{text} does not exist in {zone_name}: clocks jump from {start_s} to {end_s}{when}. "
            f"Choose a time before {start_s} or from {end_s}.",
            {
                "value": text,
                "timezone": zone_name,
                "gap_start": gap_start.isoformat(),
                "gap_end": gap_end.isoformat(),
            },
        )

    earlier, later = candidates
    if dst_choice == "earlier":
        return earlier
    if dst_choice == "later":
        return later

    transition = first_change(zone, earlier, later)
    back_from = _wall(transition - _ONE_SECOND, zone) + _ONE_SECOND
    back_to = _wall(transition, zone)
    from_s, to_s = _describe_pair(back_from, back_to, local)
    choices = []
    described = []
    for name, utc in (("earlier", earlier), ("later", later)):
        loc = utc.astimezone(zone)
        offset = _format_offset(loc.utcoffset())
        abbr = loc.tzname() or ""
        label = _hhmm(local)
        if abbr and abbr[0] not in "+-":  # skip numeric abbreviations like "+1030"
            label += f" {abbr}"
        described.append(f'"{name}" ({label}, UTC{offset})')
        choices.append(
            {
                "dst_choice": name,
                "utc": _format_utc(utc),
                "local": loc.isoformat(timespec="seconds"),
                "abbreviation": abbr,
                "utc_offset": offset,
            }
        )
    raise ScheduleTimeError(
        AMBIGUOUS_LOCAL_TIME,
        f"{text} happens twice in {zone_name} (clocks go back from {from_s} to {to_s}). "
        f"Say which: dst_choice {described[0]} or {described[1]}.",
        {"value": text, "timezone": zone_name, "choices": choices},
    )


# --------------------------------------------------------------------------- display


def to_local(utc: datetime, timezone: str) -> datetime:
    """Aware local time in ``timezone`` for an aware instant (naive datetimes are rejected)."""
    return _as_utc(utc).astimezone(resolve_zone(timezone))


def format_local(utc: datetime, timezone: str) -> str:
    """ISO 8601 local time with offset, e.g. "2026-07-01T10:00:00+02:00"."""
    return to_local(utc, timezone).isoformat(timespec="seconds")


# --------------------------------------------------------------------------- helpers


def _as_utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            "naive datetime given where an aware UTC instant is required; "
            "attach tzinfo=datetime.timezone.utc if the value is UTC"
        )
    return value.astimezone(_UTC).replace(microsecond=0)


def _second_up(value: datetime) -> datetime:
    """The instant in UTC, a fraction of a second rounded up to the next whole second (never earlier)."""
    _as_utc(value)  # refuses a naive value
    utc = value.astimezone(_UTC)
    whole = utc.replace(microsecond=0)
    return whole + _ONE_SECOND if utc.microsecond else whole


def _microseconds_up(fraction: str | None) -> int:
    """ISO 8601 allows nine digits of fraction; datetime holds six. Any digit beyond them still counts."""
    if not fraction:
        return 0
    micro = int(fraction[:6].ljust(6, "0"))
    if fraction[6:].strip("0"):
        micro += 1
    return min(micro, 999_999)  # 999,999 and a million both round up to the same next second


def _wall(utc: datetime, zone: ZoneInfo) -> datetime:
    """Naive wall-clock time in ``zone`` for an aware instant."""
    return utc.astimezone(zone).replace(tzinfo=None, fold=0)


def _hhmm(value: datetime) -> str:
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


def _describe_pair(first: datetime, second: datetime, ref: datetime) -> tuple[str, str]:
    """Times as "HH:MM" when both are on ``ref``'s date, otherwise with the date."""
    if first.date() == second.date() == ref.date():
        return _hhmm(first), _hhmm(second)
    return (f"{first.date().isoformat()}T{_hhmm(first)}", f"{second.date().isoformat()}T{_hhmm(second)}")


def _format_offset(offset: timedelta | None) -> str:
    total = int((offset or timedelta(0)).total_seconds())
    sign = "-" if total < 0 else "+"
    hours, rest = divmod(abs(total), 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{sign}{hours:02d}:{minutes:02d}"
    return text + (f":{seconds:02d}" if seconds else "")


def _format_utc(utc: datetime) -> str:
    return utc.astimezone(_UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def _out_of_range(value: str) -> ScheduleTimeError:
    return ScheduleTimeError(
        INVALID_FORMAT,
        f"scheduled_at {_quote(value.strip())} is outside the supported range of dates "
        f"(years 0001 to 9999, also after conversion to UTC and to local time). {_FORMAT_HINT}",
        {"value": _echo(value)},
    )


def _echo(value: object) -> Any:
    """JSON-safe, length-limited copy of user input for error details."""
    if value is None or isinstance(value, bool | int):
        return value
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= _MAX_ECHO else text[:_MAX_ECHO] + "…"


def _quote(value: object) -> str:
    """User input quoted for a message: JSON string syntax, control characters escaped."""
    echoed = _echo(value)
    if isinstance(echoed, str):
        return json.dumps(echoed, ensure_ascii=False)
    return json.dumps(echoed)
