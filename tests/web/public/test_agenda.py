"""The public agenda (/agenda, /agenda/<id>, /agenda/meetings and its CSV) on both databases: only approved
public events from their "public from", the last approved version while an edit waits, cancellations marked
and still listed, a series on each of its days, the meetings log after its delay, and clear refusals of bad
addresses. The first test runs in both apps that serve the public site; the rest in `serve --public`'s."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import UTC, datetime, timedelta

import pytest

from publisher.activities import approval as event_approval
from publisher.activities import events
from publisher.approval import service as approval
from publisher.approval.models import ApprovalState
from tests.factories.events import edit_event, make_event, make_official
from web.public.headers import CSP
from web.public_app import create_public_app

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)  # a Friday: the agenda shows the weeks of 30 Nov, 7 and 14 Dec
NEVER = ("Интерни", "Interni", "Неодобрен", "Neodobren", "Обезбеђење", "Obezbeđenje", "Јовић", "Jović")


def approve(session, office, event) -> None:
    """A second person approves the event's public fields (ana submits, marko approves)."""
    subject = event_approval.subject(event)
    if approval.state(session, subject) != ApprovalState.WAITING:
        approval.submit(session, office.actor("ana"), subject)
    approval.approve(session, office.actor("marko"), subject, approval.current_hash(session, subject)[1])


@pytest.fixture
def clock(rt) -> list[datetime]:
    now = [NOW]
    rt.clock = lambda: now[0]
    return now


@pytest.fixture
def public(rt, clock):
    """The public site alone, as `publisher serve --public` serves it."""
    return create_public_app({"RUNTIME": rt, "TESTING": True}).test_client()


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:500])
    return response.get_data(as_text=True)


def test_only_approved_public_events_and_their_approved_version(client, rt, session, office, clock):
    minister = make_official(session, position={"sr-Cyrl": "Министарка", "en": "Minister of Information"})
    shown = make_event(session, office.actor("ana"), officials=[minister.id], organisations=["УНИЦЕФ"],
                       guests=["Јован Јовић"])
    approve(session, office, shown)
    edit_event(session, office.actor("bojan"), shown, title={"sr-Cyrl": "Неодобрен наслов"})  # waits
    make_event(session, office.actor("ana"), visibility="internal", title={"sr-Cyrl": "Интерни састанак"})
    make_event(session, office.actor("ana"), title={"sr-Cyrl": "Неодобрен догађај"})  # never submitted
    session.commit()

    latin = page(client, "/agenda?lang=sr-Latn")
    assert "Konferencija za medije ministra" in latin  # the approved title, its Latin derived
    assert "Sala 1, Nemanjina 11, Beograd, Srbija" in latin and "Dr Jovana Petrović" in latin and "UNICEF" in latin
    english = page(client, "/agenda?lang=en")
    assert "Minister of Information" in english and "Serbia" in english and "Press conference" in english
    detail = page(client, f"/agenda/{shown.id}?lang=sr-Cyrl")
    assert "Конференција за медије министра" in detail and "О новом закону о медијима." in detail
    for text in (latin, english, detail):
        assert not [word for word in NEVER if word in text]  # internal, unapproved, notes, guests: never
    response = client.get("/agenda")
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.headers["Cache-Control"] == f"public, max-age={rt.settings.public_max_age}"
    assert "Set-Cookie" not in response.headers and "Accept-Language" in response.headers["Vary"]
    assert 'href="/agenda.ics?lang=' in page(client, "/agenda") and 'href="/agenda?lang=' in page(client, "/public/")


def test_before_public_from_an_event_is_absent_and_its_page_a_plain_404(public, session, office, clock):
    trip = make_event(session, office.actor("ana"), kind="visit", zone="America/New_York", title={"en": "Visit to the UN"},
                      start="2026-12-08T10:00", end="2026-12-08T12:00", city="Њујорк", country="US",
                      public_from="2026-12-08T09:00")
    approve(session, office, trip)
    session.commit()
    assert "Visit to the UN" not in page(public, "/agenda?lang=en")
    hidden, missing = public.get(f"/agenda/{trip.id}"), public.get("/agenda/999999")
    assert hidden.status_code == missing.status_code == 404
    mine = hidden.get_data(as_text=True).replace(f"/agenda/{trip.id}?", "/agenda/999999?")  # its language links
    assert mine == missing.get_data(as_text=True)  # nothing else tells that it exists
    assert hidden.headers["Cache-Control"] == "no-store"  # a proxy must not keep the 404 past "public from"

    clock[0] = datetime(2026, 12, 8, 14, 0, tzinfo=UTC)  # 09:00 in New York
    text = page(public, "/agenda?lang=en")
    assert "Visit to the UN" in text
    assert "16:00–18:00" in text and "10:00–12:00 local time (New York)" in text  # Belgrade's clock, and its own
    assert "Njujork, United States" in text
    assert "Visit to the UN" in page(public, f"/agenda/{trip.id}?lang=en")


def test_cancellations_are_marked_and_still_listed_and_a_series_on_each_of_its_days(public, session, office, clock):
    weekly = make_event(session, office.actor("ana"), kind="working_meeting", title={"sr-Latn": "Kolegijum"},
                        start="2026-12-01T09:00", end="2026-12-01T10:00", rule="FREQ=WEEKLY;COUNT=3")
    cancelled = make_event(session, office.actor("ana"), title={"en": "Press conference on the budget"})
    for event in (weekly, cancelled):
        approve(session, office, event)
    events.cancel_occurrence(session, office.actor("bojan"), weekly.id, "2026-12-08T09:00")
    events.set_status(session, office.actor("bojan"), cancelled.id, "cancelled")
    session.commit()

    text = page(public, "/agenda?lang=en")
    days = text.split("<h3>")[1:]
    assert [d.split("</h3>")[0] for d in days] == ["Tuesday, 1 December 2026", "Monday, 7 December 2026",
                                                   "Tuesday, 8 December 2026", "Tuesday, 15 December 2026"]
    assert all("Kolegijum" in d for d in (days[0], days[2], days[3]))
    assert "Cancelled" in days[2] and "Cancelled" not in days[0] + days[3]  # that one occurrence only
    assert "Press conference on the budget" in days[1] and "Cancelled" in days[1]
    assert text.count("agenda-item-stopped") == 2
    event_page = page(public, f"/agenda/{weekly.id}?lang=en")
    assert "every Tuesday at 09:00, 3 times" in event_page and event_page.count("<li") >= 3


def test_the_kind_filter_and_the_weeks(public, rt, session, office, clock):
    meeting = make_event(session, office.actor("ana"), kind="working_meeting", title={"en": "Meeting with UNICEF"},
                         start="2026-12-22T09:00", end="2026-12-22T10:00")  # the week after those shown
    press = make_event(session, office.actor("ana"), title={"en": "Press conference"})
    for event in (meeting, press):
        approve(session, office, event)
    session.commit()
    first = page(public, "/agenda?lang=en")
    assert "Press conference" in first and "Meeting with UNICEF" not in first
    later = page(public, "/agenda?lang=en&week=2026-W51")
    assert "Meeting with UNICEF" in later and "Press conference</a>" not in later
    assert 'href="/agenda?week=2026-W50&amp;lang=en"' in later  # earlier
    assert 'href="/agenda?week=2026-W52&amp;lang=en"' in later  # later
    assert 'href="/agenda?week=2026-W51&amp;lang=sq"' in later  # the language switch keeps the week
    filtered = page(public, "/agenda?lang=en&week=2026-W51&kind=press_conference")
    assert "Meeting with UNICEF" not in filtered
    rt.settings = dataclasses.replace(rt.settings, agenda_weeks_ahead=0)
    assert "14 December 2026" not in page(public, "/agenda?lang=en")  # this week only


BAD_ADDRESSES = [
    ("/agenda?week=2026-W60", "has no week 60"),
    ("/agenda?week=50", "“50” cannot be read"),
    ("/agenda?week=9999-W01", "cannot be read"),
    ("/agenda?kind=parade", "no kind of event “parade”"),
    ("/agenda/meetings?from=2026-13", "“2026-13” in “from” cannot be read"),
    ("/agenda/meetings.csv?from=2026-06&to=2026-01", "starts (“from”) after it ends"),
    ("/agenda/meetings?from=2024-01&to=2026-01", "at most 12 months"),
]


def test_a_bad_address_is_refused_naming_the_problem(public):
    for path, words in BAD_ADDRESSES:
        response = public.get(path + "&lang=en")
        assert response.status_code == 400, path
        assert words in response.get_data(as_text=True), path
        assert response.headers["Cache-Control"] == "no-store"


def test_the_meetings_log_lists_meetings_with_organisations_after_the_delay(public, session, office, clock):
    minister = make_official(session)
    meeting = make_event(session, office.actor("ana"), kind="working_meeting", organisations=["УНИЦЕФ", "=HYPERLINK()"],
                         title={"sr-Cyrl": "Састанак о медијској писмености"}, officials=[minister.id],
                         start="2026-11-20T10:00", end="2026-11-20T11:00")
    alone = make_event(session, office.actor("ana"), kind="working_meeting", title={"sr-Cyrl": "Без организација"},
                       start="2026-11-20T12:00", end="2026-11-20T13:00")
    press = make_event(session, office.actor("ana"), organisations=["РТС"], title={"sr-Cyrl": "Конференција"},
                       start="2026-11-20T14:00", end="2026-11-20T15:00")
    recent = make_event(session, office.actor("ana"), kind="reception", organisations=["ОЕБС"],
                        title={"sr-Cyrl": "Пријем делегације"}, start="2026-12-01T10:00", end="2026-12-01T11:00")
    for event in (meeting, alone, press, recent):
        approve(session, office, event)
    session.commit()

    log = page(public, "/agenda/meetings?lang=sr-Latn")
    assert "Sastanak o medijskoj pismenosti" in log and "UNICEF" in log and "Dr Jovana Petrović" in log
    assert "Novembar 2026." in log
    assert "Bez organizacija" not in log and "Konferencija" not in log  # no organisation; not a meeting
    assert "Prijem delegacije" not in log  # 3 days ago: published 7 days after
    clock[0] = NOW + timedelta(days=5)
    assert "Prijem delegacije" in page(public, "/agenda/meetings?lang=sr-Latn")

    response = public.get("/agenda/meetings.csv?from=2026-11&to=2026-12&lang=sr-Cyrl")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"] and "Set-Cookie" not in response.headers
    assert response.data.startswith("\ufeff".encode())  # the BOM: Excel reads the Cyrillic right
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert len(rows) == 3 and rows[0][0] == "Датум"
    assert rows[1][:3] == ["2026-11-20", "10:00", "11:00"] and rows[1][8] == "Састанак о медијској писмености"
    assert rows[1][6] == "Др Јована Петровић (Министарка)" and rows[1][7] == "УНИЦЕФ; '=HYPERLINK()"
    assert rows[2][8] == "Пријем делегације" and rows[1][9].endswith(f"/agenda/{meeting.id}?lang=sr-Cyrl")
