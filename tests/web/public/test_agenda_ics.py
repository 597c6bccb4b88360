"""GET /agenda.ics in both apps that serve it: the language, a refused language, 304 on the same ETag."""

from __future__ import annotations

from datetime import UTC, datetime

import icalendar
import vobject

from publisher.activities import approval as event_approval
from publisher.approval import service as approval
from tests.factories.events import make_event

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)


def test_the_agenda_feed(app, rt, session, office):
    rt.clock = lambda: NOW
    event = make_event(session, office.actor("ana"))
    subject = event_approval.subject(event)
    approval.submit(session, office.actor("ana"), subject)
    approval.approve(session, office.actor("marko"), subject, approval.current_hash(session, subject)[1])
    session.commit()
    client = app.test_client()
    response = client.get("/agenda.ics?lang=sq")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"].startswith("public, max-age=") and response.last_modified
    [parsed] = icalendar.Calendar.from_ical(response.data).walk("VEVENT")
    assert parsed["UID"] == event.uid and parsed["CATEGORIES"].cats == ["Konferencë për shtyp"]
    default = client.get("/agenda.ics")  # the office's default language: Serbian Latin
    assert vobject.readOne(default.data.decode()).vevent.summary.value == "Konferencija za medije ministra"
    again = client.get("/agenda.ics?lang=sq", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    other = client.get("/agenda.ics?lang=en", headers={"If-None-Match": response.headers["ETag"]})
    assert other.status_code == 200  # another language, another ETag
    refused = client.get("/agenda.ics?lang=de")
    assert refused.status_code == 400 and b"lang=de is not one of" in refused.data
    assert refused.headers["Cache-Control"] == "no-store"
