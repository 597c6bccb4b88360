"""A series is described in the reader's language, with Serbian weekdays inflected and no RRULE text shown."""

from __future__ import annotations

import pytest

from publisher.recurrence.rule import WEEKDAYS
from publisher.recurrence.series import Series
from web.recurrence_words import describe

LANGUAGES = ("sr-Latn", "sr-Cyrl", "sq", "en")


def series(rule: str, start: str = "2026-03-02T10:00", **more: object) -> Series:
    length = {"days": 1} if "T" not in start else {"minutes": 60}
    return Series.from_json({"start": start, "zone": "Europe/Belgrade", "rule": rule, **length, **more})


MEETING = series("FREQ=WEEKLY;BYDAY=MO;UNTIL=20270630")


@pytest.mark.parametrize(("language", "words"), [
    ("en", "every Monday at 10:00 until 30 June 2027"),
    ("sr-Latn", "svakog ponedeljka u 10:00 do 30. juna 2027."),
    ("sr-Cyrl", "сваког понедељка у 10:00 до 30. јуна 2027."),
    ("sq", "çdo të hënë në orën 10:00 deri më 30 qershor 2027"),
])
def test_a_weekly_meeting_in_four_languages(language: str, words: str) -> None:
    assert describe(MEETING, language) == words


@pytest.mark.parametrize(("rule", "start", "en", "sr"), [
    ("FREQ=WEEKLY;BYDAY=WE;COUNT=3", "2026-03-04T09:30", "every Wednesday at 09:30, 3 times",
     "svake srede u 09:30, 3 puta"),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=5", "2026-03-02T10:00",
     "every 2 weeks on Mondays and Thursdays at 10:00, 5 times",
     "svake 2 sedmice, ponedeljkom i četvrtkom u 10:00, 5 puta"),
    ("FREQ=MONTHLY;BYDAY=-1FR;COUNT=1", "2026-03-27T14:00", "every month on the last Friday at 14:00, 1 time",
     "svakog meseca, poslednjeg petka u 14:00, 1 put"),
    ("FREQ=MONTHLY;BYDAY=2MO;COUNT=21", "2026-03-09T08:00", "every month on the 2nd Monday at 08:00, 21 times",
     "svakog meseca, 2. ponedeljka u 08:00, 21 put"),
    ("FREQ=MONTHLY;BYMONTHDAY=-1;UNTIL=20261231", "2026-03-31T12:00",
     "every month on its last day at 12:00 until 31 December 2026",
     "svakog meseca, poslednjeg dana u 12:00 do 31. decembra 2026."),
    ("FREQ=MONTHLY;BYMONTHDAY=31;COUNT=7", "2026-01-31T12:00", "every month on day 31 at 12:00, 7 times",
     "svakog meseca, 31. dana u 12:00, 7 puta"),
    ("FREQ=YEARLY;COUNT=3", "2026-06-30", "every year on 30 June, 3 times", "svake godine 30. juna, 3 puta"),
    ("FREQ=DAILY;INTERVAL=5;UNTIL=20260701T080000Z", "2026-03-02T10:00",
     "every 5 days at 10:00 until 1 July 2026", "svakih 5 dana u 10:00 do 1. jula 2026."),
    ("FREQ=MONTHLY;INTERVAL=2;BYDAY=1MO,-1FR;COUNT=4", "2026-03-02T10:00", "every 2 months at 10:00, 4 times",
     "svaka 2 meseca u 10:00, 4 puta"),
])
def test_common_rules_are_said_exactly_and_rare_ones_by_their_frequency(rule: str, start: str, en: str,
                                                                        sr: str) -> None:
    made = series(rule, start)
    assert describe(made, "en") == en
    assert describe(made, "sr-Latn") == sr


@pytest.mark.parametrize("day", range(7))
def test_every_weekday_has_its_own_words_in_every_language(day: int) -> None:
    start = f"2026-03-{2 + day:02d}T10:00"  # 2 March 2026 is a Monday
    nth, from_end = (2 + day - 1) // 7 + 1, (31 - 2 - day) // 7 + 1
    for rule in (f"FREQ=WEEKLY;BYDAY={WEEKDAYS[day]};COUNT=2", f"FREQ=MONTHLY;BYDAY={nth}{WEEKDAYS[day]};COUNT=2",
                 f"FREQ=MONTHLY;BYDAY=-{from_end}{WEEKDAYS[day]};COUNT=2"):
        made = series(rule, start)
        said = {language: describe(made, language) for language in LANGUAGES}
        assert len(set(said.values())) == 4  # translated: no language falls back to English
        assert not any(part in text for text in said.values() for part in ("FREQ", "BYDAY", "%("))


def test_a_page_describes_in_its_own_language(app) -> None:
    with app.test_request_context(headers={"Accept-Language": "sq"}):
        assert describe(MEETING).startswith("çdo të hënë")


@pytest.mark.parametrize(("day", "sr"), [(0, "svakog meseca, poslednjeg ponedeljka"),
                                         (2, "svakog meseca, poslednje srede"),
                                         (6, "svakog meseca, poslednje nedelje")])
def test_the_last_weekday_of_the_month_agrees_with_its_weekday_in_serbian(day: int, sr: str) -> None:
    start = f"2026-03-{25 + (day - 2) % 7}T10:00"  # 25 to 31 March 2026: the last of each weekday
    made = series(f"FREQ=MONTHLY;BYDAY=-1{WEEKDAYS[day]};COUNT=2", start)
    assert describe(made, "sr-Latn") == f"{sr} u 10:00, 2 puta"
    assert len({describe(made, language) for language in LANGUAGES}) == 4
