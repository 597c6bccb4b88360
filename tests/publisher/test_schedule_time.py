"""Tests for publisher.posts.schedule_time: parsing scheduled_at, DST gaps/folds, display."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from publisher.posts.schedule_time import (
    ScheduleTime,
    ScheduleTimeError,
    format_local,
    parse_schedule,
    resolve_zone,
    to_local,
)

BG = "Europe/Belgrade"
NY = "America/New_York"
LH = "Australia/Lord_Howe"
DUB = "Europe/Dublin"


def utc(text: str) -> datetime:
    """'2026-07-01T08:00:00Z' -> aware UTC datetime (test helper, deliberately simple)."""
    assert text.endswith("Z")
    return datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)


def raises_code(code: str, *args, **kwargs) -> ScheduleTimeError:
    with pytest.raises(ScheduleTimeError) as info:
        parse_schedule(*args, **kwargs)
    assert info.value.code == code, info.value.message
    return info.value


# --------------------------------------------------------------------------- valid local times

# (value, timezone, dst_choice, expected UTC instant)
LOCAL_CASES = [
    # Belgrade summer (CEST, UTC+2) and winter (CET, UTC+1)
    ("2026-07-01T10:00", BG, None, "2026-07-01T08:00:00Z"),
    ("2026-07-01T10:00:45", BG, None, "2026-07-01T08:00:45Z"),
    # A fraction rounds UP: nothing ever leaves before its time (an embargo broken by 0.9 s is broken).
    ("2026-07-01T10:00:45.999999", BG, None, "2026-07-01T08:00:46Z"),
    ("2026-07-01T10:00:45.1", BG, None, "2026-07-01T08:00:46Z"),
    ("2026-07-01T10:00:45,000000001", BG, None, "2026-07-01T08:00:46Z"),  # the ninth digit counts too
    ("2026-07-01T10:00:45.000000000", BG, None, "2026-07-01T08:00:45Z"),
    ("2026-07-01T10:00:59.5", BG, None, "2026-07-01T08:01:00Z"),
    ("2026-12-31T23:59:59.5", BG, None, "2026-12-31T23:00:00Z"),
    ("2026-03-29T01:59:59.5", BG, None, "2026-03-29T01:00:00Z"),  # into summer time by the clock's own rule
    ("2026-07-01 10:00", BG, None, "2026-07-01T08:00:00Z"),
    ("  2026-07-01T10:00  ", BG, None, "2026-07-01T08:00:00Z"),
    ("2026-01-15T10:00", BG, None, "2026-01-15T09:00:00Z"),
    ("2026-12-31T23:30", BG, None, "2026-12-31T22:30:00Z"),
    ("2027-01-01T00:30", BG, None, "2026-12-31T23:30:00Z"),
    ("2026-07-01T10:00", BG, "later", "2026-07-01T08:00:00Z"),  # choice ignored when unambiguous
    # Belgrade spring-forward day 2026-03-29 (02:00 CET -> 03:00 CEST at 01:00Z)
    ("2026-03-29T01:59", BG, None, "2026-03-29T00:59:00Z"),
    ("2026-03-29T01:59:59", BG, None, "2026-03-29T00:59:59Z"),
    ("2026-03-29T03:00", BG, None, "2026-03-29T01:00:00Z"),
    ("2026-03-29T03:00", BG, "earlier", "2026-03-29T01:00:00Z"),
    # Belgrade fall-back day 2026-10-25 (03:00 CEST -> 02:00 CET at 01:00Z)
    ("2026-10-25T01:59", BG, None, "2026-10-24T23:59:00Z"),
    ("2026-10-25T02:00", BG, "earlier", "2026-10-25T00:00:00Z"),
    ("2026-10-25T02:00", BG, "later", "2026-10-25T01:00:00Z"),
    ("2026-10-25T02:30", BG, "earlier", "2026-10-25T00:30:00Z"),
    ("2026-10-25T02:30", BG, "later", "2026-10-25T01:30:00Z"),
    ("2026-10-25T02:59", BG, "earlier", "2026-10-25T00:59:00Z"),
    ("2026-10-25T02:59", BG, "later", "2026-10-25T01:59:00Z"),
    ("2026-10-25T02:59:59", BG, "later", "2026-10-25T01:59:59Z"),
    ("2026-10-25T03:00", BG, None, "2026-10-25T02:00:00Z"),
    ("2026-10-25T03:00", BG, "later", "2026-10-25T02:00:00Z"),
    # New York 2026-03-08 (02:00 EST -> 03:00 EDT) and 2026-11-01 (02:00 EDT -> 01:00 EST)
    ("2026-03-08T01:59", NY, None, "2026-03-08T06:59:00Z"),
    ("2026-03-08T03:00", NY, None, "2026-03-08T07:00:00Z"),
    ("2026-11-01T00:59", NY, None, "2026-11-01T04:59:00Z"),
    ("2026-11-01T01:00", NY, "earlier", "2026-11-01T05:00:00Z"),
    ("2026-11-01T01:30", NY, "earlier", "2026-11-01T05:30:00Z"),
    ("2026-11-01T01:30", NY, "later", "2026-11-01T06:30:00Z"),
    ("2026-11-01T02:00", NY, None, "2026-11-01T07:00:00Z"),
    ("2026-07-04T12:00", NY, None, "2026-07-04T16:00:00Z"),
    # Lord Howe: standard UTC+10:30, DST UTC+11 (30-minute shift)
    # 2026-04-05: 02:00 (+11) -> 01:30 (+10:30); 2026-10-04: 02:00 (+10:30) -> 02:30 (+11)
    ("2026-04-05T01:29", LH, None, "2026-04-04T14:29:00Z"),
    ("2026-04-05T01:30", LH, "earlier", "2026-04-04T14:30:00Z"),
    ("2026-04-05T01:45", LH, "earlier", "2026-04-04T14:45:00Z"),
    ("2026-04-05T01:45", LH, "later", "2026-04-04T15:15:00Z"),
    ("2026-04-05T02:00", LH, None, "2026-04-04T15:30:00Z"),
    ("2026-10-04T01:59", LH, None, "2026-10-03T15:29:00Z"),
    ("2026-10-04T02:30", LH, None, "2026-10-03T15:30:00Z"),
    ("2026-07-01T12:00", LH, None, "2026-07-01T01:30:00Z"),
    # Dublin: negative DST in tz data (IST +01:00 in summer is "standard", GMT in winter)
    ("2026-07-01T12:00", DUB, None, "2026-07-01T11:00:00Z"),
    ("2026-01-15T12:00", DUB, None, "2026-01-15T12:00:00Z"),
    ("2026-10-25T01:30", DUB, "earlier", "2026-10-25T00:30:00Z"),
    ("2026-10-25T01:30", DUB, "later", "2026-10-25T01:30:00Z"),
    ("2026-03-29T00:59", DUB, None, "2026-03-29T00:59:00Z"),
    ("2026-03-29T02:00", DUB, None, "2026-03-29T01:00:00Z"),
    # Zones without DST
    ("2026-07-01T10:00", "UTC", None, "2026-07-01T10:00:00Z"),
    ("2026-07-01T10:00", "Asia/Kathmandu", None, "2026-07-01T04:15:00Z"),
    ("2026-07-01T10:00", "Etc/GMT+5", None, "2026-07-01T15:00:00Z"),  # POSIX sign: UTC-5
]


@pytest.mark.parametrize(("value", "tz", "choice", "expected"), LOCAL_CASES)
def test_local_time_resolves_to_exact_utc(value, tz, choice, expected):
    result = parse_schedule(value, tz, dst_choice=choice)
    assert result == ScheduleTime(utc=utc(expected), timezone=tz)
    assert result.utc.tzinfo is UTC
    assert result.utc.microsecond == 0


# --------------------------------------------------------------------------- spring-forward gaps

# (value, timezone, gap start, gap end) -- local wall times
GAP_CASES = [
    ("2026-03-29T02:00", BG, "2026-03-29T02:00:00", "2026-03-29T03:00:00"),
    ("2026-03-29T02:30", BG, "2026-03-29T02:00:00", "2026-03-29T03:00:00"),
    ("2026-03-29T02:59:59", BG, "2026-03-29T02:00:00", "2026-03-29T03:00:00"),
    ("2026-03-08T02:00", NY, "2026-03-08T02:00:00", "2026-03-08T03:00:00"),
    ("2026-03-08T02:30", NY, "2026-03-08T02:00:00", "2026-03-08T03:00:00"),
    ("2026-10-04T02:00", LH, "2026-10-04T02:00:00", "2026-10-04T02:30:00"),
    ("2026-10-04T02:15", LH, "2026-10-04T02:00:00", "2026-10-04T02:30:00"),
    ("2026-10-04T02:29", LH, "2026-10-04T02:00:00", "2026-10-04T02:30:00"),
    ("2026-03-29T01:30", DUB, "2026-03-29T01:00:00", "2026-03-29T02:00:00"),
    ("2018-11-04T00:30", "America/Sao_Paulo", "2018-11-04T00:00:00", "2018-11-04T01:00:00"),  # at midnight
    ("2011-12-30T12:00", "Pacific/Apia", "2011-12-30T00:00:00", "2011-12-31T00:00:00"),  # whole day skipped
]


@pytest.mark.parametrize(("value", "tz", "gap_start", "gap_end"), GAP_CASES)
@pytest.mark.parametrize("choice", [None, "earlier", "later"])
def test_nonexistent_local_time(value, tz, gap_start, gap_end, choice):
    err = raises_code("nonexistent_local_time", value, tz, dst_choice=choice)
    assert err.details == {"value": value, "timezone": tz, "gap_start": gap_start, "gap_end": gap_end}
    assert err.message.startswith(f"{value} does not exist in {tz}: clocks jump from ")


@pytest.mark.parametrize(
    ("value", "tz", "message"),
    [
        (
            "2026-03-29T02:30",
            BG,
            "2026-03-29T02:30 does not exist in Europe/Belgrade: clocks jump from 02:00 to 03:00 that night. "
            "Choose a time before 02:00 or from 03:00.",
        ),
        (
            "2026-10-04T02:15",
            LH,
            "2026-10-04T02:15 does not exist in Australia/Lord_Howe: clocks jump from 02:00 to 02:30 that night. "
            "Choose a time before 02:00 or from 02:30.",
        ),
        (
            "2026-03-29T01:30",
            DUB,
            "2026-03-29T01:30 does not exist in Europe/Dublin: clocks jump from 01:00 to 02:00 that night. "
            "Choose a time before 01:00 or from 02:00.",
        ),
        (
            "2011-12-30T12:00",
            "Pacific/Apia",
            "2011-12-30T12:00 does not exist in Pacific/Apia: clocks jump from 2011-12-30T00:00 to "
            "2011-12-31T00:00. Choose a time before 2011-12-30T00:00 or from 2011-12-31T00:00.",
        ),
    ],
)
def test_nonexistent_message(value, tz, message):
    assert raises_code("nonexistent_local_time", value, tz).message == message


# --------------------------------------------------------------------------- fall-back folds

# (value, timezone, earlier UTC, later UTC)
FOLD_CASES = [
    ("2026-10-25T02:00", BG, "2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z"),
    ("2026-10-25T02:30", BG, "2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z"),
    ("2026-10-25T02:59", BG, "2026-10-25T00:59:00Z", "2026-10-25T01:59:00Z"),
    ("2026-11-01T01:00", NY, "2026-11-01T05:00:00Z", "2026-11-01T06:00:00Z"),
    ("2026-11-01T01:30", NY, "2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z"),
    ("2026-04-05T01:30", LH, "2026-04-04T14:30:00Z", "2026-04-04T15:00:00Z"),
    ("2026-04-05T01:59", LH, "2026-04-04T14:59:00Z", "2026-04-04T15:29:00Z"),
    ("2026-10-25T01:00", DUB, "2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z"),
    ("2026-10-25T01:30", DUB, "2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z"),
]


@pytest.mark.parametrize(("value", "tz", "earlier", "later"), FOLD_CASES)
def test_ambiguous_needs_choice_and_both_choices_work(value, tz, earlier, later):
    err = raises_code("ambiguous_local_time", value, tz)
    assert err.details["value"] == value
    assert err.details["timezone"] == tz
    assert [(c["dst_choice"], c["utc"]) for c in err.details["choices"]] == [
        ("earlier", earlier),
        ("later", later),
    ]
    assert parse_schedule(value, tz, dst_choice="earlier").utc == utc(earlier)
    assert parse_schedule(value, tz, dst_choice="later").utc == utc(later)


@pytest.mark.parametrize(
    ("value", "tz", "message"),
    [
        (
            "2026-10-25T02:30",
            BG,
            "2026-10-25T02:30 happens twice in Europe/Belgrade (clocks go back from 03:00 to 02:00). "
            'Say which: dst_choice "earlier" (02:30 CEST, UTC+02:00) or "later" (02:30 CET, UTC+01:00).',
        ),
        (
            "2026-11-01T01:30",
            NY,
            "2026-11-01T01:30 happens twice in America/New_York (clocks go back from 02:00 to 01:00). "
            'Say which: dst_choice "earlier" (01:30 EDT, UTC-04:00) or "later" (01:30 EST, UTC-05:00).',
        ),
        (
            "2026-04-05T01:45",
            LH,
            "2026-04-05T01:45 happens twice in Australia/Lord_Howe (clocks go back from 02:00 to 01:30). "
            'Say which: dst_choice "earlier" (01:45, UTC+11:00) or "later" (01:45, UTC+10:30).',
        ),
        (
            "2026-10-25T01:30",
            DUB,
            "2026-10-25T01:30 happens twice in Europe/Dublin (clocks go back from 02:00 to 01:00). "
            'Say which: dst_choice "earlier" (01:30 IST, UTC+01:00) or "later" (01:30 GMT, UTC+00:00).',
        ),
    ],
)
def test_ambiguous_message(value, tz, message):
    assert raises_code("ambiguous_local_time", value, tz).message == message


def test_ambiguous_details_choices():
    err = raises_code("ambiguous_local_time", "2026-10-25T02:30", BG)
    assert err.details["choices"] == [
        {
            "dst_choice": "earlier",
            "utc": "2026-10-25T00:30:00Z",
            "local": "2026-10-25T02:30:00+02:00",
            "abbreviation": "CEST",
            "utc_offset": "+02:00",
        },
        {
            "dst_choice": "later",
            "utc": "2026-10-25T01:30:00Z",
            "local": "2026-10-25T02:30:00+01:00",
            "abbreviation": "CET",
            "utc_offset": "+01:00",
        },
    ]


# --------------------------------------------------------------------------- explicit offsets

# (value, timezone, default_timezone, expected UTC, expected display timezone)
OFFSET_CASES = [
    ("2026-07-01T10:00:00+02:00", None, BG, "2026-07-01T08:00:00Z", BG),
    ("2026-07-01T08:00:00Z", None, BG, "2026-07-01T08:00:00Z", BG),
    ("2026-07-01T08:00:00z", None, BG, "2026-07-01T08:00:00Z", BG),
    ("2026-07-01t08:00Z", None, BG, "2026-07-01T08:00:00Z", BG),
    ("2026-07-01T10:00+0200", None, BG, "2026-07-01T08:00:00Z", BG),
    ("2026-07-01T08:00:00.5Z", None, BG, "2026-07-01T08:00:01Z", BG),  # rounded up, never early
    ("2026-07-01T08:00:00.123456789Z", None, BG, "2026-07-01T08:00:01Z", BG),
    ("2026-07-01T08:00:00,25Z", None, BG, "2026-07-01T08:00:01Z", BG),
    ("2026-07-01T04:00:00-04:00", NY, BG, "2026-07-01T08:00:00Z", NY),
    ("2026-07-01T13:45:00+05:45", "Asia/Kathmandu", BG, "2026-07-01T08:00:00Z", "Asia/Kathmandu"),
    ("2026-07-01T08:00:00-00:00", None, BG, "2026-07-01T08:00:00Z", BG),
    ("2026-07-01T08:00:00Z", None, "UTC", "2026-07-01T08:00:00Z", "UTC"),
    ("2026-07-01T08:00:00Z", None, NY, "2026-07-01T08:00:00Z", NY),
    # Offsets make a real instant even inside a DST gap or fold: no gap/fold check, no dst_choice needed.
    ("2026-03-29T02:30:00+01:00", BG, BG, "2026-03-29T01:30:00Z", BG),
    ("2026-03-29T02:30:00+02:00", BG, BG, "2026-03-29T00:30:00Z", BG),
    ("2026-10-25T02:30:00+02:00", BG, BG, "2026-10-25T00:30:00Z", BG),
    ("2026-10-25T02:30:00+01:00", BG, BG, "2026-10-25T01:30:00Z", BG),
    ("2026-03-08T02:30:00-05:00", NY, BG, "2026-03-08T07:30:00Z", NY),
    ("2026-10-04T02:15:00+10:30", LH, BG, "2026-10-03T15:45:00Z", LH),
]


@pytest.mark.parametrize(("value", "tz", "default", "expected", "display"), OFFSET_CASES)
def test_offset_strings_are_exact_instants(value, tz, default, expected, display):
    result = parse_schedule(value, tz, default_timezone=default)
    assert result == ScheduleTime(utc=utc(expected), timezone=display)
    assert result.utc.tzinfo is UTC


def test_offset_string_ignores_dst_choice_when_valid():
    result = parse_schedule("2026-10-25T02:30:00+01:00", BG, dst_choice="earlier")
    assert result.utc == utc("2026-10-25T01:30:00Z")


def test_default_timezone_is_belgrade():
    assert parse_schedule("2026-07-01T08:00:00Z", None).timezone == "Europe/Belgrade"


def test_none_means_as_soon_as_approved():
    assert parse_schedule(None, None) is None
    assert parse_schedule(None, BG) is None
    assert parse_schedule(None, BG, dst_choice="later") is None


def test_none_value_still_validates_timezone_and_choice():
    with pytest.raises(ScheduleTimeError) as info:
        parse_schedule(None, "Mars/Olympus")
    assert info.value.code == "unknown_timezone"
    with pytest.raises(ScheduleTimeError) as info:
        parse_schedule(None, None, dst_choice="sooner")
    assert info.value.code == "invalid_dst_choice"


# --------------------------------------------------------------------------- errors

INVALID_FORMAT_VALUES = [
    "2026-07-01",  # date only
    "",
    "   ",
    "garbage",
    "tomorrow 10am",
    "2026-07-01T10",  # hour only
    "20260701T1000",  # basic format
    "2026-7-1T10:00",
    "2026-13-01T10:00",
    "2026-02-29T10:00",  # 2026 is not a leap year
    "2026-07-01T24:00",
    "2026-07-01T10:60",
    "2026-07-01T10:00:60",
    "2026-07-01T10:00:00.",
    "2026-07-01T10:00+25:00",
    "2026-07-01T10:00+02:60",
    "2026-07-01T10:00+2",
    "2026-07-01T10:00 Europe/Belgrade",
    "2026-07-01T10:00Z\x00",
    "2026-07-01T10:00\nZ",
    "\u0662\u0660\u0662\u0666-07-01T10:00",  # Arabic-Indic digits
    "0000-01-01T00:00Z",
    "10000-01-01T00:00Z",
    "-2026-07-01T10:00Z",
    "0001-01-01T00:00+01:00",  # before year 1 in UTC
    "9999-12-31T23:30-01:00",  # after year 9999 in UTC
    "9999-12-31T23:30Z",  # after year 9999 in Belgrade (display zone)
]


@pytest.mark.parametrize("value", INVALID_FORMAT_VALUES)
def test_invalid_format(value):
    err = raises_code("invalid_format", value, BG)
    assert err.details == {"value": value}
    assert "2026-07-01T10:00:00+02:00" in err.message  # shows an example of the expected format
    if value.strip():
        assert json.dumps(value.strip(), ensure_ascii=False) in err.message  # quotes the value


@pytest.mark.parametrize("value", ["0001-01-01T00:30", "9999-12-31T23:59"])
def test_local_time_out_of_range(value):
    tz = BG if value.startswith("0001") else NY
    err = raises_code("invalid_format", value, tz)
    assert "outside the supported range" in err.message


@pytest.mark.parametrize(
    "value",
    [123, 1.5, True, [], {}, b"2026-07-01T10:00Z", datetime(2026, 7, 1, 10, tzinfo=UTC)],
)
def test_non_string_is_invalid_format(value):
    err = raises_code("invalid_format", value, BG)
    assert type(value).__name__ in err.message
    assert "2026-07-01T10:00:00+02:00" in err.message
    json.dumps(err.details)


def test_date_only_message():
    err = raises_code("invalid_format", "2026-07-01", BG)
    assert err.message.startswith('scheduled_at "2026-07-01" is a date without a time of day.')


def test_long_garbage_is_truncated_in_message():
    err = raises_code("invalid_format", "x" * 10_000, BG)
    assert len(err.message) < 600
    assert len(err.details["value"]) < 200


@pytest.mark.parametrize("default", [BG, "UTC"])
@pytest.mark.parametrize("value", ["2026-07-01T10:00", "2026-07-01T10:00:00", "2026-03-29T02:30"])
def test_missing_offset_or_zone_does_not_use_default(value, default):
    err = raises_code("missing_offset_or_zone", value, None, default_timezone=default)
    assert f'"{value}"' in err.message
    assert err.details == {"value": value}


BAD_ZONES = [
    "Mars/Olympus",
    "",
    " ",
    "../etc/passwd",
    "/etc/localtime",
    "/usr/share/zoneinfo/Europe/Belgrade",
    "Europe/../Europe/Belgrade",
    "./UTC",
    "Europe",
    "Europe/",
    "Europe//Belgrade",
    "Europe/Belgrade ",
    "europe/belgrade",
    "Europe/Bel\x00grade",
    "zone.tab",
    "tzdata.zi",
    "localtime",  # symlink to the host's /etc/localtime
    "posixrules",
    "__init__.py",
    "Europe/__init__.py",
    "CET+1",
    "+02:00",
    "E" * 300,
]


@pytest.mark.parametrize("name", BAD_ZONES)
def test_resolve_zone_rejects(name):
    with pytest.raises(ScheduleTimeError) as info:
        resolve_zone(name)
    assert info.value.code == "unknown_timezone"
    assert info.value.details == {"timezone": name if len(name) <= 100 else name[:100] + "…"}
    assert "Europe/Belgrade" in info.value.message  # suggests a valid example


@pytest.mark.parametrize("name", [None, 5, ["Europe/Belgrade"], b"Europe/Belgrade"])
def test_resolve_zone_rejects_non_strings(name):
    with pytest.raises(ScheduleTimeError) as info:
        resolve_zone(name)
    assert info.value.code == "unknown_timezone"


@pytest.mark.parametrize(
    "name",
    [
        BG,
        "UTC",
        NY,
        LH,
        DUB,
        "America/Argentina/Buenos_Aires",
        "America/Port-au-Prince",
        "Etc/GMT+5",
        "US/Eastern",
    ],
)
def test_resolve_zone_accepts(name):
    zone = resolve_zone(name)
    assert isinstance(zone, ZoneInfo)
    assert zone.key == name


@pytest.mark.parametrize("name", ["Mars/Olympus", "../etc/passwd", ""])
@pytest.mark.parametrize("value", ["2026-07-01T10:00", "2026-07-01T10:00:00+02:00"])
def test_parse_rejects_unknown_timezone(value, name):
    raises_code("unknown_timezone", value, name)


def test_parse_rejects_unknown_default_timezone_for_offset_values():
    raises_code("unknown_timezone", "2026-07-01T10:00:00+02:00", None, default_timezone="Mars/Olympus")


@pytest.mark.parametrize("choice", ["sooner", "", "Earlier", "LATER", " later", 1, True])
@pytest.mark.parametrize(
    ("value", "tz"),
    [
        ("2026-10-25T02:30", BG),  # ambiguous
        ("2026-07-01T10:00", BG),  # unambiguous
        ("2026-07-01T10:00:00+02:00", None),  # explicit offset
    ],
)
def test_invalid_dst_choice(value, tz, choice):
    err = raises_code("invalid_dst_choice", value, tz, dst_choice=choice)
    assert err.details["choices"] == ["earlier", "later"]
    assert '"earlier"' in err.message and '"later"' in err.message


def test_error_object():
    err = raises_code("nonexistent_local_time", "2026-03-29T02:30", BG)
    assert isinstance(err, ValueError)
    assert str(err) == err.message
    assert err.to_dict() == {"code": err.code, "message": err.message, "details": err.details}


ERROR_INPUTS = [
    ("2026-07-01", BG, None),
    ("2026-07-01T10:00", None, None),
    ("2026-07-01T10:00", "Mars/Olympus", None),
    ("2026-03-29T02:30", BG, None),
    ("2026-10-25T02:30", BG, None),
    ("2026-10-25T02:30", BG, "maybe"),
    (object(), BG, None),
]


@pytest.mark.parametrize(("value", "tz", "choice"), ERROR_INPUTS)
def test_error_details_are_json_serialisable(value, tz, choice):
    with pytest.raises(ScheduleTimeError) as info:
        parse_schedule(value, tz, dst_choice=choice)
    json.dumps(info.value.to_dict())
    assert info.value.message.endswith(".")


# --------------------------------------------------------------------------- display

# (UTC instant, timezone, expected local ISO string)
FORMAT_CASES = [
    ("2026-07-01T08:00:00Z", BG, "2026-07-01T10:00:00+02:00"),
    ("2026-01-15T09:00:00Z", BG, "2026-01-15T10:00:00+01:00"),
    ("2026-03-29T00:59:00Z", BG, "2026-03-29T01:59:00+01:00"),
    ("2026-03-29T01:00:00Z", BG, "2026-03-29T03:00:00+02:00"),
    ("2026-10-25T00:30:00Z", BG, "2026-10-25T02:30:00+02:00"),
    ("2026-10-25T01:30:00Z", BG, "2026-10-25T02:30:00+01:00"),
    ("2026-11-01T05:30:00Z", NY, "2026-11-01T01:30:00-04:00"),
    ("2026-11-01T06:30:00Z", NY, "2026-11-01T01:30:00-05:00"),
    ("2026-07-01T01:30:00Z", LH, "2026-07-01T12:00:00+10:30"),
    ("2026-10-03T15:30:00Z", LH, "2026-10-04T02:30:00+11:00"),
    ("2026-01-15T12:00:00Z", DUB, "2026-01-15T12:00:00+00:00"),
    ("2026-07-01T08:00:00Z", "UTC", "2026-07-01T08:00:00+00:00"),
]


@pytest.mark.parametrize(("instant", "tz", "expected"), FORMAT_CASES)
def test_format_local(instant, tz, expected):
    assert format_local(utc(instant), tz) == expected
    local = to_local(utc(instant), tz)
    assert local.isoformat() == expected
    assert local.tzinfo == ZoneInfo(tz)
    # Not `local == utc(instant)`: per PEP 495, inter-zone == is always False for fold-ambiguous times.
    assert local.astimezone(UTC) == utc(instant)


@pytest.mark.parametrize(("instant", "tz", "expected"), FORMAT_CASES)
def test_format_local_round_trips_through_parse(instant, tz, expected):
    result = parse_schedule(format_local(utc(instant), tz), tz)
    assert result == ScheduleTime(utc=utc(instant), timezone=tz)


@pytest.mark.parametrize(
    ("tz", "start"),
    [
        (BG, "2026-03-28T22:00:00Z"),
        (BG, "2026-10-24T22:00:00Z"),
        (NY, "2026-03-08T04:00:00Z"),
        (NY, "2026-11-01T03:00:00Z"),
        (LH, "2026-04-04T12:00:00Z"),
        (LH, "2026-10-03T13:00:00Z"),
        (DUB, "2026-03-28T23:00:00Z"),
        (DUB, "2026-10-24T23:00:00Z"),
    ],
)
def test_round_trip_every_five_minutes_across_transitions(tz, start):
    """Each instant -> local wall time (+ fold as dst_choice) -> back to the same instant."""
    for step in range(6 * 12):
        instant = utc(start) + timedelta(minutes=5 * step)
        assert parse_schedule(format_local(instant, tz), tz).utc == instant
        local = to_local(instant, tz)
        naive = local.replace(tzinfo=None).isoformat()
        choice = "later" if local.fold else "earlier"
        assert parse_schedule(naive, tz, dst_choice=choice).utc == instant, naive


def test_to_local_marks_second_occurrence_with_fold():
    assert to_local(utc("2026-10-25T00:30:00Z"), BG).fold == 0
    assert to_local(utc("2026-10-25T01:30:00Z"), BG).fold == 1


def test_format_local_drops_microseconds_and_accepts_any_aware_input():
    instant = datetime(2026, 7, 1, 10, 0, 0, 987654, tzinfo=timezone(timedelta(hours=2)))
    assert format_local(instant, BG) == "2026-07-01T10:00:00+02:00"
    assert format_local(instant, NY) == "2026-07-01T04:00:00-04:00"


def test_display_rejects_naive_datetimes():
    with pytest.raises(ValueError, match="naive"):
        to_local(datetime(2026, 7, 1, 8, 0), BG)
    with pytest.raises(ValueError, match="naive"):
        format_local(datetime(2026, 7, 1, 8, 0), BG)


def test_display_rejects_unknown_timezone():
    with pytest.raises(ScheduleTimeError) as info:
        format_local(utc("2026-07-01T08:00:00Z"), "Mars/Olympus")
    assert info.value.code == "unknown_timezone"


# --------------------------------------------------------------------------- ScheduleTime


def test_schedule_time_normalises_to_utc_seconds_rounding_up():
    st = ScheduleTime(
        utc=datetime(2026, 7, 1, 10, 0, 5, 999, tzinfo=timezone(timedelta(hours=2))), timezone=BG
    )
    assert st.utc == utc("2026-07-01T08:00:06Z")
    assert st.utc.tzinfo is UTC
    assert st.local().isoformat() == "2026-07-01T10:00:06+02:00"
    assert st.format_local() == "2026-07-01T10:00:06+02:00"
    exact = ScheduleTime(utc=datetime(2026, 7, 1, 10, 0, 5, tzinfo=timezone(timedelta(hours=2))), timezone=BG)
    assert exact.utc == utc("2026-07-01T08:00:05Z")


def test_schedule_time_is_frozen_and_validated():
    st = parse_schedule("2026-07-01T10:00", BG)
    with pytest.raises(AttributeError):
        st.timezone = NY
    with pytest.raises(ValueError, match="naive"):
        ScheduleTime(utc=datetime(2026, 7, 1, 8, 0), timezone=BG)
    with pytest.raises(ScheduleTimeError):
        ScheduleTime(utc=utc("2026-07-01T08:00:00Z"), timezone="Mars/Olympus")


# --------------------------------------------------------------------------- process TZ independence


@pytest.fixture(params=[None, "UTC", "America/Los_Angeles", "Asia/Kolkata"], ids=lambda p: f"TZ={p}")
def process_tz(request, monkeypatch):
    if request.param is None:
        monkeypatch.delenv("TZ", raising=False)
    else:
        monkeypatch.setenv("TZ", request.param)
    time.tzset()
    if request.param == "America/Los_Angeles":  # make sure the change really took effect
        assert time.localtime(1782892800).tm_gmtoff == -7 * 3600  # 2026-07-01T08:00Z is PDT
    yield request.param
    monkeypatch.undo()
    time.tzset()


TZ_INDEPENDENT_CASES = [
    ("2026-07-01T10:00", BG, None, "2026-07-01T08:00:00Z"),
    ("2026-01-15T10:00", BG, None, "2026-01-15T09:00:00Z"),
    ("2026-10-25T02:30", BG, "earlier", "2026-10-25T00:30:00Z"),
    ("2026-10-25T02:30", BG, "later", "2026-10-25T01:30:00Z"),
    ("2026-03-29T03:00", BG, None, "2026-03-29T01:00:00Z"),
    ("2026-11-01T01:30", NY, "later", "2026-11-01T06:30:00Z"),
    ("2026-03-08T01:30", "America/Los_Angeles", None, "2026-03-08T09:30:00Z"),
    ("2026-07-01T10:00:00+02:00", None, None, "2026-07-01T08:00:00Z"),
]


@pytest.mark.parametrize(("value", "tz", "choice", "expected"), TZ_INDEPENDENT_CASES)
def test_results_do_not_depend_on_process_tz(process_tz, value, tz, choice, expected):
    result = parse_schedule(value, tz, dst_choice=choice)
    assert result.utc == utc(expected)
    assert format_local(result.utc, result.timezone) == format_local(utc(expected), tz or BG)


def test_errors_do_not_depend_on_process_tz(process_tz):
    assert (
        raises_code("nonexistent_local_time", "2026-03-29T02:30", BG).details["gap_end"]
        == "2026-03-29T03:00:00"
    )
    assert raises_code("ambiguous_local_time", "2026-10-25T02:30", BG).details["choices"][1]["utc"] == (
        "2026-10-25T01:30:00Z"
    )
    raises_code("missing_offset_or_zone", "2026-07-01T10:00", None)
    assert format_local(utc("2026-07-01T08:00:00Z"), BG) == "2026-07-01T10:00:00+02:00"
    assert format_local(utc("2026-01-15T09:00:00Z"), "America/Los_Angeles") == "2026-01-15T01:00:00-08:00"
