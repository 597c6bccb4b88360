"""Dates and times as pages show them: through Babel, in the reader's language, with a 24-hour clock.

A fixed small set of formats, and each page uses one of them (the `datetimeformat`, `dateformat` and
`timeformat` filters take only these names):

    short   30. 11. 2026. 14:05        (sr)   30.11.2026, 14:05   (sq)   30/11/2026, 14:05   (en)
    medium  30. novembra 2026. 14:05   (sr)   30 nëntor 2026, 14:05   30 November 2026, 14:05
    long    medium with the weekday:   ponedeljak, 30. novembra 2026. 14:05
    time    14:05

Serbian names the month in the genitive after a day ("30. novembra"); CLDR only has the nominative
("novembar"), so the Serbian patterns carry a marker that this module replaces with the genitive.
English is British English (day before month, 24-hour clock); Albanian's CLDR clock is 12-hour, so its
patterns are spelled out here too.

Naive values are UTC (as the database stores them); UTC values are shown in the office's time zone
(BABEL_DEFAULT_TIMEZONE). A value already in another zone (a post's own wall clock) is shown as it is.
"""

from __future__ import annotations

from datetime import date, datetime

from babel import Locale
from babel.dates import format_datetime as babel_format_datetime
from flask import Flask
from flask_babel import get_locale, to_user_timezone

FORMATS = ("short", "medium", "long", "time")
_MONTH = "'{M}'"  # a quoted Babel literal, replaced after formatting
_SR = {"short": "d. M. y. HH:mm", "medium": f"d. {_MONTH} y. HH:mm", "long": f"EEEE, d. {_MONTH} y. HH:mm"}
PATTERNS: dict[str, dict[str, str]] = {
    "sr": _SR,
    "sq": {"short": "dd.MM.y, HH:mm", "medium": "d MMMM y, HH:mm", "long": "EEEE, d MMMM y, HH:mm"},
    "en": {"short": "dd/MM/y, HH:mm", "medium": "d MMMM y, HH:mm", "long": "EEEE, d MMMM y, HH:mm"},
}
DATE_PATTERNS: dict[str, dict[str, str]] = {
    "sr": {"short": "d. M. y.", "medium": f"d. {_MONTH} y.", "long": f"EEEE, d. {_MONTH} y."},
    "sq": {"short": "dd.MM.y", "medium": "d MMMM y", "long": "EEEE, d MMMM y"},
    "en": {"short": "dd/MM/y", "medium": "d MMMM y", "long": "EEEE, d MMMM y"},
}
TIME_PATTERN = "HH:mm"
# The calendar's headings: a month with its year (nominative: "decembar 2026."), a weekday's short name.
MONTH_PATTERNS = {"sr": "LLLL y.", "sq": "LLLL y", "en": "LLLL y"}
WEEKDAY_PATTERN = "EEE"
GENITIVE_MONTHS = {
    "sr_Latn": ("januara", "februara", "marta", "aprila", "maja", "juna", "jula", "avgusta", "septembra",
                "oktobra", "novembra", "decembra"),
    "sr_Cyrl": ("јануара", "фебруара", "марта", "априла", "маја", "јуна", "јула", "августа", "септембра",
                "октобра", "новембра", "децембра"),
}
# en is shown as en-GB: day before month, and its CLDR weekday and month names.
_BABEL_LOCALE = {"en": "en_GB"}


def _locale_name(locale: Locale | str | None) -> str:
    if locale is None:
        locale = get_locale()
    text = str(locale) if locale is not None else "sr_Latn"
    return "sr_Latn" if text == "sr" else text


def _check(fmt: str, allowed: tuple[str, ...]) -> None:
    if fmt not in allowed:
        raise ValueError(f"unknown date format {fmt!r}: pages use one of {', '.join(allowed)}")


def _render(value: date | datetime, pattern: str, locale: str) -> str:
    text = babel_format_datetime(value, pattern, locale=_BABEL_LOCALE.get(locale, locale))
    if "{M}" in text:
        months = GENITIVE_MONTHS.get(locale, GENITIVE_MONTHS["sr_Latn"])
        text = text.replace("{M}", months[value.month - 1])
    return text


def shown_moment(value: datetime) -> datetime:
    """The moment as the page shows it: UTC in the office's zone, another zone as it is."""
    if value.tzinfo is None or value.tzname() in ("UTC", "Etc/UTC"):
        return to_user_timezone(value)
    return value


def format_datetime(value: datetime | None, fmt: str = "short", locale: Locale | str | None = None) -> str:
    """A moment in one of FORMATS, in the reader's language (or `locale`)."""
    _check(fmt, FORMATS)
    if value is None:
        return ""
    loc = _locale_name(locale)
    moment = shown_moment(value)
    if fmt == "time":
        return _render(moment, TIME_PATTERN, loc)
    return _render(moment, PATTERNS[loc.split("_")[0]][fmt], loc)


def format_wall_time(value: datetime, fmt: str = "short", locale: Locale | str | None = None) -> str:
    """A moment on its own clock, never moved to the office's zone (a document that names its zone: a UTC
    value stays UTC here, where format_datetime would show it in the office's zone)."""
    _check(fmt, FORMATS)
    loc = _locale_name(locale)
    return _render(value, TIME_PATTERN if fmt == "time" else PATTERNS[loc.split("_")[0]][fmt], loc)


def format_date(value: date | datetime | None, fmt: str = "short", locale: Locale | str | None = None) -> str:
    """A day in one of short, medium, long (a datetime: its day where the page shows it)."""
    _check(fmt, FORMATS[:3])
    if value is None:
        return ""
    loc = _locale_name(locale)
    day = shown_moment(value) if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    return _render(day, DATE_PATTERNS[loc.split("_")[0]][fmt], loc)


def format_time(value: datetime | None, fmt: str = "time", locale: Locale | str | None = None) -> str:
    """A moment's wall-clock time, 24-hour."""
    return format_datetime(value, "time", locale)


def format_month(value: date, locale: Locale | str | None = None) -> str:
    """A month and its year as a heading: "Decembar 2026." (sr), "Dhjetor 2026", "December 2026"."""
    loc = _locale_name(locale)
    text = _render(datetime(value.year, value.month, 1), MONTH_PATTERNS[loc.split("_")[0]], loc)
    return text[:1].upper() + text[1:]


def format_weekday(value: date, locale: Locale | str | None = None) -> str:
    """A weekday's short name: "pon", "hën", "Mon" (the calendar's column headings)."""
    loc = _locale_name(locale)
    return _render(datetime(value.year, value.month, value.day), WEEKDAY_PATTERN, loc)


def init_app(app: Flask) -> None:
    """Replace Flask-Babel's filters with these (after Babel(app), which registers its own)."""
    app.jinja_env.filters.update(datetimeformat=format_datetime, dateformat=format_date, timeformat=format_time,
                                 monthformat=format_month, weekdayformat=format_weekday)
