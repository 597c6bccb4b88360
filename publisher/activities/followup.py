"""An event's follow-up, kept with it: the notes, the minutes and the report written after it (one of each).
They are internal: nothing here reaches a feed, the weekly plan or the public copy (those read only the event's
public fields, publisher.activities.feed_item). Each text is edited against the version the writer read, so
two people cannot overwrite each other; every change is audited."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from publisher.activities.events import get as get_event
from publisher.activities.events import subject_label
from publisher.audit import trail
from publisher.core import permissions
from publisher.core.actor import Actor
from publisher.core.clock import column_default, system_now
from publisher.core.errors import Conflict, Invalid
from publisher.core.limits import check_length
from publisher.core.models import Base, User, UTCDateTime

KINDS = ("notes", "minutes", "report")
TEXT = 100_000


class EventRecord(Base):
    __tablename__ = "event_records"
    __table_args__ = (UniqueConstraint("event_id", "kind", name="uq_event_records_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))  # the last writer
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=column_default)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=column_default)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    author: Mapped[User | None] = relationship(lazy="joined")


def records(session: Session, actor: Actor, event_id: int) -> dict[str, EventRecord | None]:
    """The event's notes, minutes and report (None: not written yet)."""
    permissions.require(actor, "activities", "read")
    get_event(session, event_id)
    found = {r.kind: r for r in session.scalars(select(EventRecord).where(EventRecord.event_id == event_id))}
    return {kind: found.get(kind) for kind in KINDS}


def save(session: Session, actor: Actor, event_id: int, kind: str, text: str, *, expected_version: int | None,
         now: datetime | None = None) -> EventRecord:
    """Write the event's `kind` text. `expected_version` is the version the writer read: 0 for one not written
    yet; a text someone else saved meanwhile is refused with Conflict (their text is kept)."""
    permissions.require(actor, "activities", "edit")
    if kind not in KINDS:
        raise Invalid(f"kind must be one of {', '.join(KINDS)}", code="bad_choice", details={"field": "kind"})
    text = (text or "").replace("\r\n", "\n").strip()
    check_length(text, "text", TEXT)
    event = get_event(session, event_id)
    record = session.scalar(select(EventRecord).where(EventRecord.event_id == event.id, EventRecord.kind == kind))
    current = record.version if record else 0
    if expected_version is None:
        raise Conflict("say which version of the text you changed", code="version_required")
    if expected_version != current:
        raise Conflict(f"someone else saved the {kind} since you opened them: reload and make your change again",
                       code="stale", details={"version": current})
    now = now or system_now()
    before = record.text if record else None
    if record is None:
        record = EventRecord(event_id=event.id, kind=kind, created_at=now)
        session.add(record)
    elif record.text == text:
        return record
    record.text, record.author_id, record.updated_at = text, actor.user.id if actor.user else None, now
    session.flush()
    # The audit keeps that and how much changed, not the internal text itself.
    trail.record(session, actor, "event.followup", subject=subject_label(event),
                 before={"kind": kind, "length": len(before)} if before is not None else None,
                 after={"kind": kind, "length": len(text), "version": record.version})
    return record
