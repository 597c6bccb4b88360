"""The public agenda (/agenda, /agenda/<id>, /agenda/meetings and its CSV) in both apps that serve it, on both
databases: only approved public events from their "public from", the last approved version while an edit
waits, cancellations marked, the meetings log after its delay, and clear refusals of bad addresses."""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
from datetime import UTC, datetime

import pytest

from publisher.activities import approval as event_approval
from publisher.activities import events
from publisher.approval import service as approval
from tests.factories.events import edit_event, make_event, make_official
from web.public.headers import CSP

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)  # a Friday: the agenda shows 30 Nov - 20 Dec
ONE_DAY_AGENDA = "/agenda?lang=en"


def approve(session, office, event):
    subject = event_approval.subject(event)
    if approval.state(session, subject) != "waiting":
        approval.submit(session, office.actor("ana"), subject)
    approval.approve(session, office.actor("marko"), subject, approval.current_hash(session, subject)[1])


@pytest.fixture
def clock(rt):
    now = [NOW]
    rt.clock = lambda: now[0]
    return now


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:2000])
    return response.get_data(as_text=True)


def test_only_approved_public_events_are_listed(client, rt, session, office, clock):
    minister = make_official(session, position={"sr-Cyrl": "Министарка", "en": "Minister of Information"})
    shown = make_event(session, office.actor("ana"), officials=[minister.id], organisations=["УНИЦЕФ"],
                       guests=["Јован Јовић"])
    approve(session, office, shown)
    make_event(session, office.actor("ana"), visibility="internal", title={"sr-Cyrl": "Интерни састанак"})
    make_event(session, office.actor("ana"), title={"sr-Cyrl": "Неодобрен догађај"})  # never submitted
    session.commit()

    text = page(client, "/agenda?lang=sr-Latn")
    assert "Konferencija za medije ministra" in text and "Sala 1, Nemanjina 11, Beograd, Srbija" in text
    assert "Dr Jovana Petrović" in text and "UNICEF" in text
    for never in ("Интерни", "Interni", "Неодобрен", "Neodobren", "Обезбеђење", "Obezbeđenje", "Jović", "Јовић"):
        assert never not in text, never
    english = page(client, ONE_DAY_AGENDA)
    assert "Minister of Information" in english and "Belgrade" not in english  # the place as written
    assert "Serbia" in english
    detail = page(client, f"/agenda/{shown.id}?lang=sr-Cyrl")
    assert "Конференција за медије министра" in detail and "О новом закону о медијима." in detail
    assert "Обезбеђење" not in detail


def test_placeholder(client):
    assert client.get("/agenda").status_code == 200


def test_peek(client, rt, session, office, clock):
    minister = make_official(session, position={"sr-Cyrl": "Министарка", "en": "Minister of Information"})
    shown = make_event(session, office.actor("ana"), officials=[minister.id], organisations=["УНИЦЕФ"],
                       guests=["Јован Јовић"])
    approve(session, office, shown)
    trip = make_event(session, office.actor("ana"), kind="visit", zone="America/New_York", start="2026-12-08T10:00",
                      end="2026-12-08T12:00", city="Њујорк", country="US", title={"en": "Visit to the UN"})
    approve(session, office, trip)
    weekly = make_event(session, office.actor("ana"), kind="working_meeting", start="2026-12-07T09:00",
                        end="2026-12-07T10:00", rule="FREQ=WEEKLY;COUNT=5", title={"sr-Latn": "Kolegijum"})
    approve(session, office, weekly)
    events.cancel_occurrence(session, office.actor("bojan"), weekly.id, "2026-12-14T09:00")
    events.set_status(session, office.actor("bojan"), trip.id, "postponed")
    session.commit()
    open("/tmp/agenda-en.html", "w").write(page(client, "/agenda?lang=en"))
    open("/tmp/agenda-ev.html", "w").write(page(client, f"/agenda/{weekly.id}?lang=sq"))
    assert 0
