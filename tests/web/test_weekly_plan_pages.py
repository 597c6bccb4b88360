"""The weekly plan's page: next week's plan as it would go out, its files to download, "Send now" that asks first
(naming the recipients, and again for a week sent before) and then queues one mail; who may do what."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from publisher.activities.plan_models import SENT, WeeklyPlan
from publisher.outbox.models import OutboxMessage
from tests.factories.events import make_event

TO = "kancelarija@vlada.example"
SEND = "/events/weekly-plan/2026-12-07/send"


@pytest.fixture
def planned(rt, session, staff):
    """Wednesday 2 December 2026: next week has a public press conference and an internal meeting."""
    rt.clock = lambda: datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    rt.settings = dataclasses.replace(rt.settings, weekly_plan_to=(TO,))
    make_event(session, staff.actor("milica"), guests=["Петар Гост"])
    make_event(session, staff.actor("milica"), kind="working_meeting", visibility="internal",
               title={"sr-Latn": "Radni sastanak o budžetu"}, start="2026-12-08T09:00", end="2026-12-08T10:00",
               internal_notes="Samo za kabinet.")
    session.commit()
    return staff


def outbox_count(session) -> int:
    session.expire_all()
    found = session.scalar(select(func.count()).select_from(OutboxMessage))
    session.commit()  # SQLite: no read transaction left open under the app's writes
    return found


def test_a_sender_previews_asks_and_sends_and_a_second_sending_asks_again(planned, signed_in, session):
    milica = signed_in("milica")
    page = milica.get("/events/weekly-plan").get_data(as_text=True)
    assert "Конференција за медије министра" in page and "Радни састанак о буџету" in page  # the plan's script
    assert "petak u 12:00" in page
    assert "Samo za kabinet." not in page and "Петар Гост" not in page
    assert TO in page and f'action="{SEND}"' in page

    asked = milica.post(SEND)
    assert asked.status_code == 200 and TO in asked.get_data(as_text=True)
    assert outbox_count(session) == 0  # only the confirmation's button sends
    done = milica.post(SEND, {"confirmed": "yes"})
    assert done.status_code == 302 and outbox_count(session) == 1
    row = session.scalar(select(WeeklyPlan))
    assert (row.state, row.recipients, row.sent_by_id) == (SENT, [TO], planned.users["milica"].id)
    session.commit()

    again = milica.post(SEND).get_data(as_text=True)
    assert "već poslat" in again and outbox_count(session) == 1  # "sent already": asked again, nothing sent yet
    listed = milica.get("/events/weekly-plan").get_data(as_text=True)
    assert "Raniji planovi" in listed and "čeka da ode" in listed  # the earlier plans, the mail not yet out


def test_the_files_carry_the_week_without_internal_notes(planned, signed_in):
    jelena = signed_in("jelena")  # a manager reads and downloads, and may not send
    pdf = jelena.get("/events/weekly-plan/2026-12-07.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    ics = jelena.get("/events/weekly-plan/2026-12-07.ics")
    assert ics.mimetype == "text/calendar"
    text = ics.get_data(as_text=True)
    assert "BEGIN:VEVENT" in text and "Samo za kabinet" not in text and "Петар" not in text
    assert 'action="/events/weekly-plan/' not in jelena.get("/events/weekly-plan").get_data(as_text=True)
    assert jelena.post(SEND, {"confirmed": "yes"}).status_code == 403


def test_nobody_set_to_receive_it_and_a_bad_week_are_said_by_name(planned, rt, signed_in, session):
    rt.settings = dataclasses.replace(rt.settings, weekly_plan_to=())
    dragan = signed_in("dragan")
    assert "PUBLISHER_WEEKLY_PLAN_TO" in dragan.get("/events/weekly-plan").get_data(as_text=True)
    refused = dragan.post(SEND, {"confirmed": "yes"})
    assert refused.status_code == 409 and "PUBLISHER_WEEKLY_PLAN_TO" in refused.get_data(as_text=True)
    assert outbox_count(session) == 0
    bad = dragan.get("/events/weekly-plan?week=2026-12-08")
    assert bad.status_code == 400 and "2026-12-08" in bad.get_data(as_text=True)
