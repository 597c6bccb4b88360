"""A person's private calendar feed, from the page that makes it to the calendar program that reads it: their
own events at the chosen detail, the address working without signing in, and 404 once revoked."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import vobject
from sqlalchemy import select

from publisher.activities import approval as event_approval
from publisher.activities.feed_tokens import CalendarFeedToken
from publisher.approval import service as approval
from publisher.core.models import AuditEvent
from tests.factories.events import make_event, make_official

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)
ADDRESS = re.compile(r'value="(http://localhost/calendar/(cal_[A-Za-z0-9_-]{43})\.ics)"')


def events_of(client, path):
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"] == "private, no-store"
    return {e.uid.value: e for e in vobject.readOne(response.get_data(as_text=True)).contents.get("vevent", [])}


def make_feed(browser, **form) -> str:
    assert browser.get("/account/calendar-feed").status_code == 200
    page = browser.post("/account/calendar-feed", form)
    assert page.status_code == 200
    found = ADDRESS.search(page.get_data(as_text=True))
    assert found, "the new address is shown"
    return found.group(1).removeprefix("http://localhost")


def test_a_person_subscribes_to_their_own_events_and_revokes_the_feed(app, rt, session, people, signed_in):
    rt.clock = lambda: NOW
    ana = make_official(session, "Ана Анић", "spokesperson", user_id=people.users["ana"].id)
    internal = make_event(session, people.actor("ana"), visibility="internal", officials=[ana.id],
                          title={"sr-Cyrl": "Тајни састанак"}, guests=["Јован Јовић"])
    public = make_event(session, people.actor("ana"), officials=[ana.id], start="2026-12-08T10:00",
                        end="2026-12-08T11:00")
    subject = event_approval.subject(public)
    approval.submit(session, people.actor("ana"), subject)
    approval.approve(session, people.actor("marko"), subject, approval.current_hash(session, subject)[1])
    others = make_event(session, people.actor("ana"), title={"sr-Cyrl": "Туђи догађај"})
    session.commit()
    browser = signed_in("ana")
    path = make_feed(browser, detail="busy")
    stored = session.scalars(select(CalendarFeedToken)).one()
    assert path.removeprefix("/calendar/").removesuffix(".ics") not in repr(stored.__dict__)  # only its hash
    session.commit()  # SQLite: the feed notes its use, and writing waits for no reader
    anyone = app.test_client()  # a calendar program: no cookie, the address is the credential
    found = events_of(anyone, path)
    assert set(found) == {internal.uid, public.uid} and others.uid not in found
    assert found[internal.uid].summary.value == "Zauzeto"  # busy: the title stays in the office
    assert found[public.uid].summary.value == "Konferencija za medije ministra"  # as the public agenda shows it
    text = anyone.get(path).get_data(as_text=True)
    assert "Tajni" not in text and "Тајни" not in text and "Јован" not in text and "Обезбеђење" not in text
    session.expire_all()
    assert session.get(CalendarFeedToken, stored.id).last_used_at is not None
    session.commit()
    assert browser.post(f"/account/calendar-feed/{stored.id}/revoke").status_code == 302
    assert anyone.get(path).status_code == 404
    assert anyone.get("/calendar/cal_" + "x" * 43 + ".ics").status_code == 404
    assert {a.action for a in session.scalars(select(AuditEvent).where(AuditEvent.subject == f"calendar_feed:{stored.id}"))} \
        == {"calendar_feed.create", "calendar_feed.revoke"}


def test_full_detail_and_all_events_for_those_who_plan_them(app, rt, session, people, signed_in):
    rt.clock = lambda: NOW
    event = make_event(session, people.actor("ana"), visibility="internal", guests=["Јован Јовић"])
    session.commit()
    full = events_of(app.test_client(), make_feed(signed_in("ana"), detail="full", all_events="y"))
    description = full[event.uid].description.value
    assert "Gosti: Jovan Jović" in description and "Обезбеђење: улаз са задње стране." in description
    # An approver plans no events: "all events" is not theirs to choose, so they get only their own (none).
    approver = events_of(app.test_client(), make_feed(signed_in("marko"), detail="public", all_events="y"))
    assert approver == {}
    browser = signed_in("ana")
    browser.get("/account/calendar-feed")
    refused = browser.post("/account/calendar-feed", {"detail": "everything"})
    assert refused.status_code == 422
