"""The public agenda feed (/agenda.ics) from the database: only public events, their approved public fields, from
their "public from"; a cancellation reaches a calendar that subscribed. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import vobject

from publisher.activities import approval as event_approval
from publisher.activities import events
from publisher.activities.agenda_feed import public_agenda
from publisher.approval import service as approval
from tests.factories.events import make_event

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)


def approve(session, office, event):
    subject = event_approval.subject(event)
    approval.submit(session, office.actor("ana"), subject)
    approval.approve(session, office.actor("marko"), subject, approval.current_hash(session, subject)[1])


def fetch(session, now=NOW, language="sr-Cyrl"):
    """What a subscribed calendar reads: the feed parsed by vobject, its VEVENTs by UID."""
    feed = public_agenda(session, now, language=language, office_name="Министарство", days_back=30, days_ahead=365)
    parsed = vobject.readOne(feed.body.decode())
    return {e.uid.value: e for e in parsed.contents.get("vevent", [])}, feed


def test_a_cancellation_reaches_a_calendar_that_subscribed(session, office):
    event = make_event(session, office.actor("ana"))
    approve(session, office, event)
    before, first = fetch(session)
    assert before[event.uid].status.value == "CONFIRMED"
    assert before[event.uid].summary.value == "Конференција за медије министра"
    events.set_status(session, office.actor("bojan"), event.id, "cancelled")
    after, second = fetch(session)
    cancelled = after[event.uid]  # still in the feed: a calendar drops an event only when told
    assert cancelled.status.value == "CANCELLED"
    assert int(cancelled.sequence.value) > int(before[event.uid].sequence.value)
    assert second.body != first.body and second.last_modified >= first.last_modified


def test_the_feed_never_shows_internal_events_notes_guests_or_events_before_public_from(session, office):
    shown = make_event(session, office.actor("ana"), guests=["Јован Јовић"], organisations=["УНИЦЕФ"])
    approve(session, office, shown)
    internal = make_event(session, office.actor("ana"), visibility="internal", title={"sr-Cyrl": "Интерни"})
    trip = make_event(session, office.actor("ana"), title={"sr-Cyrl": "Пут у Брисел"},
                      public_from="2026-12-07T13:00")  # 12:00 UTC
    approve(session, office, trip)
    unapproved = make_event(session, office.actor("ana"), title={"sr-Cyrl": "Још није одобрен"})
    found, feed = fetch(session)
    assert set(found) == {shown.uid}
    text = feed.body.decode()
    for secret in ("Обезбеђење", "Јован Јовић", "Интерни", "Пут у Брисел", internal.uid, trip.uid, unapproved.uid):
        assert secret not in text
    assert "УНИЦЕФ" in text  # organisations are public once approved
    later, _ = fetch(session, now=NOW + timedelta(days=3, minutes=1))  # the trip has started: announced
    assert trip.uid in later and "Пут у Брисел" in later[trip.uid].summary.value


def test_the_language_is_chosen_and_the_other_script_derived(session, office):
    event = make_event(session, office.actor("ana"))
    approve(session, office, event)
    found, feed = fetch(session, language="sr-Latn")
    assert found[event.uid].summary.value == "Konferencija za medije ministra"
    assert b"X-WR-CALNAME:Javni kalendar aktivnosti" in feed.body
