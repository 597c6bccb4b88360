"""The weekly plan: next week's events (internal ones too, never their internal notes or guests) as a PDF in
Cyrillic or Albanian with its font embedded and as an .ics a second parser reads; prepared once by the
schedule, never a burst after a long stop; sent only when a person says so (unless the office chose
otherwise), through the outbox to a real SMTP server, both files attached."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, date, datetime

import pytest
import vobject
from sqlalchemy import func, select

from publisher.activities import plan_schedule, weekly_plan
from publisher.activities.plan_models import PREPARED, SENT, WeeklyPlan
from publisher.activities.weekly_plan import PlanConfig
from publisher.core.config import ConfigError, Settings
from publisher.core.errors import Forbidden, Invalid
from publisher.notifications.choices import WEEKLY_PLAN_WAITING
from publisher.notifications.models import Notification
from publisher.outbox import sending
from publisher.outbox.models import OutboxMessage
from tests.factories.events import make_event
from tests.publisher.test_outbox import POLICY, mail_to
from tests.support.pdf_reading import font_names, pdftotext
from tests.support.smtp_server import SmtpServer
from web.activities.weekly_plan_words import PRINTING

WEEK = date(2026, 12, 7)
NOTES = "Обезбеђење: улаз са задње стране."
GUEST = "Петар Гост"
CYRILLIC = PlanConfig(to=("kancelarija@vlada.example",), language="sr-Cyrl", office_name="Министарство информисања")
ALBANIAN = dataclasses.replace(CYRILLIC, language="sq", office_name="Ministria e Informimit")


def words_of(pdf: bytes, tmp_path) -> set[str]:
    """The PDF's words (a table's cells wrap, and pdftotext reads wrapped cells side by side)."""
    return set(pdftotext(pdf, tmp_path).split())


def embeds_dejavu_serif(pdf: bytes) -> bool:
    return any(name.split("+")[-1] == "DejaVu-Serif" for name in font_names(pdf))


def at(text: str) -> datetime:
    """A moment in UTC: "2026-12-04T11:00" (12:00 in Belgrade in winter)."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def week_events(session, staff, minister):
    """Monday: a public press conference (Cyrillic); Tuesday: an internal working meeting written in Albanian;
    Wednesday: a trip to New York, cancelled; and one event the week after, not in the plan."""
    cabinet = staff.actor("milica")
    make_event(session, cabinet, officials=[minister.id], guests=[GUEST])
    make_event(session, cabinet, kind="working_meeting", visibility="internal", title={"sq": "Takim pune me bashkinë"},
               description={}, start="2026-12-08T09:00", end="2026-12-08T10:30", place="Zyra e ministrit",
               city="Prishtinë", country="XK", internal_notes="Vetëm për zyrën: buxheti.")
    make_event(session, cabinet, kind="international_meeting", title={"sr-Cyrl": "Састанак у Уједињеним нацијама"},
               zone="America/New_York", start="2026-12-09T09:00", end="2026-12-09T12:00", place="UN HQ",
               city="New York", country="US", status="cancelled")
    make_event(session, cabinet, title={"sr-Cyrl": "Догађај следеће недеље"}, start="2026-12-15T10:00",
               end="2026-12-15T11:00")
    session.commit()


def test_the_pdf_has_the_weeks_events_in_cyrillic_without_internal_notes_and_with_its_font(
        session, week_events, tmp_path):
    made = weekly_plan.make(session, WEEK, CYRILLIC, PRINTING)
    assert made.content.count == 3
    words = words_of(made.pdf, tmp_path)
    for expected in ("Министарство информисања", "понедељак, 7. децембра 2026.", "Конференција за медије министра",
                     "Takim pune me bashkinë", "Састанак у Уједињеним нацијама", "America/New_York", "09:00–12:00",
                     "Др Јована Петровић", "Сала 1, Немањина 11, Београд, RS", "Недељни план активности"):
        assert set(expected.split()) <= words, expected
    assert "следеће" not in words
    for secret in (NOTES, "Vetëm për zyrën", GUEST):
        assert not set(secret.split()) & words - {"за", "са", "и"}, secret
    assert embeds_dejavu_serif(made.pdf)


def test_the_albanian_pdf_and_the_ics_a_second_parser_reads_carry_no_internal_notes(session, week_events, tmp_path):
    made = weekly_plan.make(session, WEEK, ALBANIAN, PRINTING)
    words = words_of(made.pdf, tmp_path)
    for expected in ("Ministria e Informimit", "e hënë, 7 dhjetor 2026", "Takim pune me bashkinë",
                     "Konferencija za medije ministra",  # a Serbian title in Latin letters for an Albanian reader
                     "Takim pune", "Plani javor i aktiviteteve"):
        assert set(expected.split()) <= words, expected
    assert embeds_dejavu_serif(made.pdf)
    calendar = vobject.readOne(made.ics.decode("utf-8"))
    assert calendar.method.value == "PUBLISH"
    summaries = sorted(e.summary.value for e in calendar.vevent_list)
    assert len(summaries) == 3 and "Takim pune me bashkinë" in summaries
    ics = made.ics.decode("utf-8")
    for secret in ("Vetëm për zyrën", "Obezbeđenje", NOTES, "Petar Gost", GUEST):
        assert secret not in ics


def test_the_schedule_prepares_once_and_never_bursts_after_a_long_stop(session, staff):
    config = dataclasses.replace(CYRILLIC, to=())
    assert plan_schedule.run_due(session, at("2026-12-04T10:59"), config, PRINTING).week == date(2026, 11, 30)
    row = plan_schedule.run_due(session, at("2026-12-04T11:00:30"), config, PRINTING)  # Friday 12:00:30 there
    assert (row.week, row.state, row.prepared_by_id) == (WEEK, PREPARED, None)
    assert plan_schedule.run_due(session, at("2026-12-05T09:00"), config, PRINTING) is None  # once
    session.commit()
    # Stopped for six weeks: only the latest missed plan, not one per week.
    row = plan_schedule.run_due(session, at("2027-01-20T08:00"), config, PRINTING)
    assert row.week == date(2027, 1, 18)
    assert session.scalar(select(func.count()).select_from(WeeklyPlan)) == 3
    # In summer the same wall time: Friday 12:00 in Belgrade is 10:00 UTC.
    assert plan_schedule.week_due(config, at("2027-07-02T09:59")) == date(2027, 6, 28)  # still June 25's plan
    assert plan_schedule.week_due(config, at("2027-07-02T10:00")) == date(2027, 7, 5)


def test_without_auto_send_nothing_goes_until_a_person_sends_it_through_the_outbox(session, staff, week_events):
    row = plan_schedule.run_due(session, at("2026-12-04T11:01"), CYRILLIC, PRINTING)
    session.commit()
    assert row.state == PREPARED and session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    told = set(session.scalars(select(Notification.user_id).where(Notification.kind == WEEKLY_PLAN_WAITING)))
    assert told == {staff.users["ana"].id, staff.users["bojan"].id, staff.users["olga"].id,
                    staff.users["dragan"].id, staff.users["milica"].id}
    with pytest.raises(Forbidden):
        weekly_plan.send(session, staff.actor("jelena"), WEEK, CYRILLIC, PRINTING)  # a manager only reads
    with pytest.raises(Invalid) as refused:
        weekly_plan.send(session, staff.actor("milica"), WEEK, dataclasses.replace(CYRILLIC, to=()), PRINTING)
    assert refused.value.code == weekly_plan.NOT_SET

    row = weekly_plan.send(session, staff.actor("milica"), WEEK, CYRILLIC, PRINTING)
    session.commit()
    assert (row.state, row.sent_by_id, row.recipients, row.event_count) == (
        SENT, staff.users["milica"].id, ["kancelarija@vlada.example"], 3)
    with SmtpServer() as smtp:
        sending.send_due(session, mail_to(smtp), POLICY)
    [received] = smtp.received
    message = received.message
    assert "Министарство информисања" in message["Subject"]
    attached = {a.get_filename(): (a.get_content_type(), a.get_content()) for a in message.iter_attachments()}
    assert set(attached) == {"weekly-plan-2026-12-07.pdf", "weekly-plan-2026-12-07.ics"}
    pdf_type, pdf = attached["weekly-plan-2026-12-07.pdf"]
    ics_type, ics = attached["weekly-plan-2026-12-07.ics"]
    assert (pdf_type, ics_type) == ("application/pdf", "text/calendar") and pdf.startswith(b"%PDF")
    calendar = re.sub(r"\r?\n[ \t]", "", ics if isinstance(ics, str) else ics.decode())  # lines unfolded
    assert "Конференција за медије министра" in calendar and NOTES not in calendar
    assert weekly_plan.deliveries(session, row) == [("kancelarija@vlada.example", "sent")]


def test_with_auto_send_the_schedule_sends_it_and_tells_nobody(session, staff, week_events):
    row = plan_schedule.run_due(session, at("2026-12-04T11:01"), dataclasses.replace(CYRILLIC, auto_send=True),
                                PRINTING)
    session.commit()
    assert (row.state, row.sent_by_id, len(row.message_ids)) == (SENT, None, 1)
    assert session.scalar(select(func.count()).select_from(Notification)
                          .where(Notification.kind == WEEKLY_PLAN_WAITING)) == 0


def test_the_settings_are_read_and_nonsense_is_refused_by_name(tmp_path):
    read = Settings.from_env({"PUBLISHER_WEEKLY_PLAN_TO": "a@vlada.example, b@vlada.example",
                              "PUBLISHER_WEEKLY_PLAN_AT": "thu 9:30", "PUBLISHER_WEEKLY_PLAN_AUTO_SEND": "yes",
                              "PUBLISHER_WEEKLY_PLAN_LANGUAGE": "sq"}, instance_dir=tmp_path)
    assert PlanConfig.of(read) == PlanConfig(to=("a@vlada.example", "b@vlada.example"), language="sq",
                                             zone="Europe/Belgrade", at="THU 09:30", auto_send=True)
    default = PlanConfig.of(Settings.from_env({}, instance_dir=tmp_path))
    assert (default.to, default.at, default.auto_send, default.language) == ((), "FRI 12:00", False, "sr-Cyrl")
    for name, value in (("PUBLISHER_WEEKLY_PLAN_AT", "petak 12"), ("PUBLISHER_WEEKLY_PLAN_AT", "FRI 24:00"),
                        ("PUBLISHER_WEEKLY_PLAN_LANGUAGE", "de"), ("PUBLISHER_WEEKLY_PLAN_AUTO_SEND", "maybe")):
        with pytest.raises(ConfigError, match=name):
            Settings.from_env({name: value}, instance_dir=tmp_path)


def test_the_worker_makes_the_plan_with_the_dashboards_words_the_command_line_hands_it(rt, session, staff,
                                                                                      week_events):
    from publisher.cli import _worker_options  # noqa: PLC0415 - the command line is what hands the words in
    from publisher.publishing.worker import Worker, options_from  # noqa: PLC0415

    rt.settings = dataclasses.replace(rt.settings, weekly_plan_to=("kancelarija@vlada.example",),
                                      weekly_plan_auto_send=True)
    rt.clock = lambda: at("2026-12-04T11:05")
    options = _worker_options(rt.settings, options_from)
    assert options.weekly_plan is PRINTING
    worker = Worker(rt, options, worker_id="w")
    try:
        worker.weekly_plan()
        worker.weekly_plan()  # a minute later: nothing more
    finally:
        worker.close()
    session.expire_all()
    [row] = session.scalars(select(WeeklyPlan)).all()
    assert (row.week, row.state, row.event_count) == (WEEK, SENT, 3)
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
