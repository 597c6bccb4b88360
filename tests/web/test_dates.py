"""Dates and times on pages (web/dates.py): Babel, the reader's language, a 24-hour clock, four formats."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask_babel import Babel

from web import dates

MOMENT = datetime(2026, 11, 30, 13, 5, tzinfo=UTC)  # 14:05 in Belgrade


@pytest.fixture
def context():
    app = Flask(__name__)
    app.config.update(BABEL_DEFAULT_LOCALE="sr_Latn", BABEL_DEFAULT_TIMEZONE="Europe/Belgrade")
    Babel(app)
    with app.test_request_context():
        yield


@pytest.mark.parametrize(("locale", "fmt", "expected"), [
    ("sr_Latn", "short", "30. 11. 2026. 14:05"),
    ("sr_Latn", "medium", "30. novembra 2026. 14:05"),
    ("sr_Latn", "long", "ponedeljak, 30. novembra 2026. 14:05"),
    ("sr_Cyrl", "medium", "30. новембра 2026. 14:05"),
    ("sr_Cyrl", "long", "понедељак, 30. новембра 2026. 14:05"),
    ("sq", "short", "30.11.2026, 14:05"),
    ("sq", "medium", "30 nëntor 2026, 14:05"),
    ("en", "short", "30/11/2026, 14:05"),
    ("en", "medium", "30 November 2026, 14:05"),
    ("en", "long", "Monday, 30 November 2026, 14:05"),
    ("en", "time", "14:05"),
    ("sq", "time", "14:05"),
])
def test_moments_in_each_language_with_a_24_hour_clock(context, locale, fmt, expected):
    assert dates.format_datetime(MOMENT, fmt, locale) == expected


@pytest.mark.parametrize(("locale", "expected"), [
    ("sr_Latn", "1. marta 2026."), ("sr_Cyrl", "1. марта 2026."), ("sq", "1 mars 2026"), ("en", "1 March 2026")])
def test_days_name_the_serbian_month_in_the_genitive(context, locale, expected):
    assert dates.format_date(date(2026, 3, 1), "medium", locale) == expected


def test_naive_values_are_utc_and_other_zones_stay_as_they_are(context):
    assert dates.format_datetime(MOMENT.replace(tzinfo=None), "time", "en") == "14:05"
    wall_clock = datetime(2026, 11, 30, 9, 0, tzinfo=ZoneInfo("America/New_York"))  # a post's own zone
    assert dates.format_datetime(wall_clock, "time", "en") == "09:00"


def test_only_the_fixed_formats_are_accepted(context):
    with pytest.raises(ValueError, match="unknown date format 'full'"):
        dates.format_datetime(MOMENT, "full", "en")
    with pytest.raises(ValueError, match="unknown date format 'time'"):
        dates.format_date(MOMENT, "time", "en")


def test_pages_use_these_formats_not_flask_babels(app):
    template = app.jinja_env.from_string('{{ m|datetimeformat("medium") }} {{ d|dateformat("short") }}')
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert template.render(m=MOMENT, d=date(2026, 3, 1)) == "30 November 2026, 14:05 01/03/2026"
