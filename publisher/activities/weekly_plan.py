"""The weekly plan: next week's calendar (Monday to Sunday, in the office's zone) as a PDF and an .ics, mailed
through the outbox to the government's communication office, and every preparation and sending recorded
(publisher.activities.plan_models) and audited.

It is an internal report to another government body: every event of the week is in it, internal ones too,
but only the fields the public could read (feed_item.Detail.PUBLIC): never internal notes, never guests.
Cancelled and postponed ones stay in it, marked. The words (the PDF's template, the mail's subject and body)
are the dashboard's: the caller hands them in as PlanPrinting (web.activities.weekly_plan_words), so that the
worker, which has no request, prints the same document the page does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from publisher.activities import ical
from publisher.activities.calendar import occurrences
from publisher.activities.feed_item import Detail, FeedItem, from_event
from publisher.activities.plan_models import FAILED, PREPARED, SENT, WeeklyPlan
from publisher.audit import trail
from publisher.core import clock, permissions
from publisher.core.actor import Actor
from publisher.core.config import Settings
from publisher.core.errors import Invalid
from publisher.outbox.models import OutboxRecipient
from publisher.outbox.queueing import queue_mail
from publisher.pdf.rendering import DocumentSetup, render_pdf
from publisher.recurrence.wall_time import to_utc
from publisher.text.translit import CYRILLIC, LATIN, derive

TEMPLATE = "weekly_plan.html"  # in PlanPrinting.setup.templates
MAIL_KIND = "weekly_plan"  # the outbox's "who made it"
NOT_SET = "weekly_plan_to_not_set"  # Invalid's code: nobody to send it to


@dataclass(frozen=True)
class PlanConfig:
    """The settings the plan reads (PUBLISHER_WEEKLY_PLAN_*, PUBLISHER_TIMEZONE, PUBLISHER_OFFICE_NAME)."""

    to: tuple[str, ...] = ()
    language: str = CYRILLIC
    zone: str = "Europe/Belgrade"
    office_name: str = ""
    at: str = "FRI 12:00"
    auto_send: bool = False

    @classmethod
    def of(cls, settings: Settings) -> PlanConfig:
        return cls(to=settings.weekly_plan_to, language=settings.weekly_plan_language, zone=settings.timezone,
                   office_name=settings.office_name, at=settings.weekly_plan_at,
                   auto_send=settings.weekly_plan_auto_send)


@dataclass(frozen=True)
class PlanEntry:
    """One occurrence as the plan lists it: its time on its own clock (a trip abroad in its zone)."""

    item: FeedItem
    start: datetime  # aware, in the event's zone
    end: datetime
    all_day: bool
    abroad: bool  # its zone is not the office's: the plan names the zone
    status: str  # the occurrence's: one cancelled occurrence of a series is "cancelled"
    title: str  # in the plan's language, or the nearest it was written in
    place: str  # place, city, country, as one line
    officials: tuple[str, ...]
    organisations: tuple[str, ...]


@dataclass(frozen=True)
class PlanDay:
    day: date
    entries: list[PlanEntry] = field(default_factory=list)


@dataclass(frozen=True)
class PlanContent:
    week: date  # Monday
    language: str
    zone: str
    office_name: str
    days: list[PlanDay]  # Monday to Sunday, empty days too
    items: list[FeedItem]  # each event once, for the .ics

    @property
    def last_day(self) -> date:
        return self.week + timedelta(days=6)

    @property
    def count(self) -> int:
        return sum(len(d.entries) for d in self.days)


@dataclass(frozen=True)
class PlanPrinting:
    """The dashboard's words for the plan: the PDF's template (TEMPLATE under setup.templates) and the mail's
    (subject, body) for a plan's content, in its language."""

    setup: DocumentSetup
    mail_words: Callable[[PlanContent], tuple[str, str]]
    format_day: Callable[[date, str], str]  # (day, plan language) -> "понедељак, 7. децембра 2026."


@dataclass(frozen=True)
class PlanFiles:
    content: PlanContent
    pdf: bytes
    ics: bytes

    @property
    def pdf_name(self) -> str:
        return f"weekly-plan-{self.content.week.isoformat()}.pdf"

    @property
    def ics_name(self) -> str:
        return f"weekly-plan-{self.content.week.isoformat()}.ics"


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def next_week(now: datetime, zone: str) -> date:
    """The Monday after the week `now` is in, in `zone`."""
    return monday_of(now.astimezone(ZoneInfo(zone)).date()) + timedelta(days=7)


def read_week(text: str | None) -> date:
    """A week as a page or the API names it: its Monday, "2026-12-07"; Invalid for anything else."""
    try:
        day = date.fromisoformat((text or "").strip())
    except ValueError:
        raise Invalid(f"not a date: {str(text)[:20]!r}; name the week by its Monday, e.g. 2026-12-07",
                      code="bad_week", details={"field": "week"}) from None
    if day.weekday() != 0:
        raise Invalid(f"{day.isoformat()} is not a Monday: a week is named by its Monday", code="bad_week",
                      details={"field": "week"})
    return day


def content(session: Session, week: date, config: PlanConfig) -> PlanContent:
    """Every occurrence of the week, internal events too, each with only its public fields."""
    monday = monday_of(week)
    tz = ZoneInfo(config.zone)
    after = to_utc(datetime.combine(monday, time()), tz)
    before = to_utc(datetime.combine(monday + timedelta(days=7), time()), tz)
    days = [PlanDay(monday + timedelta(days=n)) for n in range(7)]
    items: dict[int, FeedItem] = {}
    for occurrence in occurrences(session, after, before):
        event = occurrence.event
        item = items.get(event.id) or from_event(event, Detail.PUBLIC)
        items[event.id] = item
        own = ZoneInfo(event.zone)
        start, end = occurrence.start.astimezone(own), occurrence.end.astimezone(own)
        index = min(max((start.date() - monday).days, 0), 6)  # a trip that began on Sunday is listed on Monday
        days[index].entries.append(PlanEntry(
            item=item, start=start, end=end, all_day=event.all_day, abroad=event.zone != config.zone,
            status=occurrence.status, title=ical.text_in(item.title, config.language),
            place=", ".join(_names(config.language, (item.place, item.city, item.country))),
            officials=tuple(_names(config.language, item.officials)),
            organisations=tuple(_names(config.language, item.organisations))))
    for day in days:
        day.entries.sort(key=lambda e: (not e.all_day, e.start, e.item.uid))
    return PlanContent(week=monday, language=config.language, zone=config.zone, office_name=config.office_name,
                       days=days, items=list(items.values()))


def _names(language: str, names: tuple[str, ...] | list[str]) -> list[str]:
    """As the office wrote them; in Latin letters in every plan but the Cyrillic one (as the feeds do)."""
    kept = [n for n in names if n and n.strip()]
    return kept if language == CYRILLIC else [derive(n, LATIN) for n in kept]


def files(plan: PlanContent, printing: PlanPrinting, now: datetime) -> PlanFiles:
    """The PDF and the .ics of a plan. The PDF needs WeasyPrint's libraries (publisher.pdf.readiness)."""
    pdf = render_pdf(TEMPLATE, {"plan": plan, "day_name": lambda day: printing.format_day(day, plan.language)},
                     plan.language, setup=printing.setup)
    return PlanFiles(plan, pdf, calendar_file(plan, printing, now))


def calendar_file(plan: PlanContent, printing: PlanPrinting, now: datetime) -> bytes:
    """The plan's .ics: its events as an e-mailed calendar (METHOD:PUBLISH), named as the mail's subject."""
    subject, _ = printing.mail_words(plan)
    return ical.calendar(plan.items, language=plan.language, name=subject, now=now, method="PUBLISH")


def make(session: Session, week: date, config: PlanConfig, printing: PlanPrinting) -> PlanFiles:
    return files(content(session, week, config), printing, clock.now(session))


def get(session: Session, week: date) -> WeeklyPlan | None:
    return session.scalar(select(WeeklyPlan).where(WeeklyPlan.week == monday_of(week)))


def earlier(session: Session, limit: int = 52) -> list[WeeklyPlan]:
    """The latest weeks' plans, newest week first."""
    return list(session.scalars(select(WeeklyPlan).order_by(WeeklyPlan.week.desc()).limit(limit)))


def deliveries(session: Session, row: WeeklyPlan) -> list[tuple[str, str]]:
    """(address, outbox state) of the plan's last sending: whether it reached the office."""
    if not row.message_ids:
        return []
    return [(r.address, r.state) for r in session.scalars(
        select(OutboxRecipient).where(OutboxRecipient.message_id == row.message_ids[-1]).order_by(OutboxRecipient.id))]


def _row(session: Session, week: date, language: str) -> WeeklyPlan:
    row = get(session, week)
    if row is None:
        row = WeeklyPlan(week=week, state=PREPARED, language=language, recipients=[], message_ids=[],
                         event_count=0, prepared_at=clock.now(session))
        session.add(row)
    return row


def _fingerprint(row: WeeklyPlan, made: PlanFiles) -> dict:
    row.pdf_sha256 = hashlib.sha256(made.pdf).hexdigest()
    row.pdf_size = len(made.pdf)
    row.ics_sha256 = hashlib.sha256(made.ics).hexdigest()
    row.event_count = made.content.count
    row.language = made.content.language
    row.error = None
    return {"week": row.week.isoformat(), "events": row.event_count, "pdf_sha256": row.pdf_sha256,
            "pdf_size": row.pdf_size, "ics_sha256": row.ics_sha256, "language": row.language}


def prepare(session: Session, actor: Actor, week: date, config: PlanConfig, printing: PlanPrinting) -> WeeklyPlan:
    """Make the week's plan and record it as waiting for a person's "send" (a sent plan stays sent)."""
    permissions.require(actor, "activities", "weekly_plan")
    made = make(session, monday_of(week), config, printing)
    row = _row(session, made.content.week, config.language)
    if row.state != SENT:
        row.state = PREPARED
    row.prepared_at = clock.now(session)
    row.prepared_by_id = actor.user.id if actor.user else None
    detail = _fingerprint(row, made)
    session.flush()
    trail.record(session, actor, "activities.weekly_plan.prepare", subject=f"weekly_plan:{row.week.isoformat()}",
                 detail=detail)
    return row


def failed(session: Session, actor: Actor, week: date, config: PlanConfig, error: str) -> WeeklyPlan:
    """The plan could not be made (the PDF's libraries or font are missing): recorded so a person sees why."""
    row = _row(session, monday_of(week), config.language)
    if row.state != SENT:
        row.state = FAILED
    row.error = error[:2000]
    session.flush()
    trail.record(session, actor, "activities.weekly_plan.failed", subject=f"weekly_plan:{row.week.isoformat()}",
                 detail={"error": row.error})
    return row


def send(session: Session, actor: Actor, week: date, config: PlanConfig, printing: PlanPrinting) -> WeeklyPlan:
    """Make the week's plan as the calendar says now and queue it, PDF and .ics attached, to config.to
    (Invalid naming the problem when nobody is set; nothing is queued then). In the caller's transaction."""
    permissions.require(actor, "activities", "weekly_plan")
    if not config.to:
        raise Invalid("nobody to send the weekly plan to: set PUBLISHER_WEEKLY_PLAN_TO", code=NOT_SET,
                      details={"field": "PUBLISHER_WEEKLY_PLAN_TO"})
    made = make(session, monday_of(week), config, printing)
    subject, body = printing.mail_words(made.content)
    row = _row(session, made.content.week, config.language)
    session.flush()
    message = queue_mail(session, to=list(config.to), subject=subject, body=body, kind=MAIL_KIND,
                         record=f"weekly_plan:{row.week.isoformat()}", language=config.language,
                         attachments=[(made.pdf_name, made.pdf, "application/pdf"),
                                      (made.ics_name, made.ics, "text/calendar")])
    detail = _fingerprint(row, made)
    row.state = SENT
    row.sent_at = clock.now(session)
    row.sent_by_id = actor.user.id if actor.user else None
    row.recipients = list(config.to)
    row.message_ids = [*(row.message_ids or []), message.id]
    session.flush()
    trail.record(session, actor, "activities.weekly_plan.send", subject=f"weekly_plan:{row.week.isoformat()}",
                 detail={**detail, "to": row.recipients, "outbox_message": message.id,
                         "message_id": message.message_id, "sending": len(row.message_ids)})
    return row
