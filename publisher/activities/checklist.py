"""An event's checklist: what the cabinet must do before it (invite the media, book the room, the interpreter,
...). The default items of the event's kind are added the first time its checklist is opened; more may be typed
by hand; an item is ticked and unticked with who and when. A default item keeps only its key (pages word it in
the reader's language); a hand-typed one keeps its text as typed. A removed item stays as a row, hidden, so
that the defaults are not added again to a checklist someone emptied on purpose. Every change is audited."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from publisher.activities.events import get as get_event
from publisher.activities.events import subject_label
from publisher.activities.kinds import Kind
from publisher.activities.models import Event
from publisher.audit import trail
from publisher.core import permissions
from publisher.core.actor import Actor
from publisher.core.clock import column_default, system_now
from publisher.core.errors import Invalid, NotFound
from publisher.core.limits import check_length
from publisher.core.models import Base, User, UTCDateTime

TEXT = 300
MAX_ITEMS = 100  # of one event: a checklist, not a project plan

_MEETING = ("protocol", "interpreter", "gifts", "security", "briefing_notes", "photographer")
# The default items of each kind, in the order they are usually done; pages word each key (web/activities).
DEFAULTS: dict[str, tuple[str, ...]] = {
    Kind.PRESS_CONFERENCE: ("invite_media", "prepare_statement", "book_room", "photographer", "accreditations"),
    Kind.INTERVIEW: ("agree_topics", "brief_speaker", "photographer"),
    Kind.STATEMENT: ("prepare_statement", "invite_media"),
    Kind.RECEPTION: _MEETING,
    Kind.WORKING_MEETING: ("agenda", "book_room", "briefing_notes"),
    Kind.VISIT: ("travel", *_MEETING),
    Kind.INTERNATIONAL_MEETING: ("travel", *_MEETING),
    Kind.PUBLIC_CONSULTATION: ("publish_invitation", "book_room", "prepare_materials", "minutes_taker"),
    Kind.CAMPAIGN_MILESTONE: ("prepare_statement", "photographer", "publish_announcement"),
    Kind.OTHER: ("briefing_notes",),
}
KEYS = frozenset(key for keys in DEFAULTS.values() for key in keys)


class EventChecklistItem(Base):
    __tablename__ = "event_checklist_items"
    # Two people opening a new checklist at once add its defaults once: the second insert fails and re-reads.
    __table_args__ = (UniqueConstraint("event_id", "key", name="uq_event_checklist_items_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str | None] = mapped_column(String(32))  # a default item's key; None for one typed by hand
    text: Mapped[str] = mapped_column(String(TEXT), default="")  # a hand-typed item, as typed
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # hidden, kept (see the module's note)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=column_default)

    done_by: Mapped[User | None] = relationship(lazy="joined")


def items(session: Session, event_id: int) -> list[EventChecklistItem]:
    """The event's items as shown: not removed, in order."""
    return list(session.scalars(select(EventChecklistItem).where(
        EventChecklistItem.event_id == event_id, EventChecklistItem.removed_at.is_(None))
        .order_by(EventChecklistItem.position, EventChecklistItem.id)))


def ensure_checklist(session: Session, actor: Actor, event: Event, *,
                     now: datetime | None = None) -> list[EventChecklistItem]:
    """The event's checklist, with its kind's default items added if it never had any item."""
    permissions.require(actor, "activities", "read")
    started = session.scalar(select(func.count()).select_from(EventChecklistItem)
                             .where(EventChecklistItem.event_id == event.id))
    if not started:
        now = now or system_now()
        keys = DEFAULTS.get(event.kind, DEFAULTS[Kind.OTHER])
        try:
            with session.begin_nested():
                session.add_all(EventChecklistItem(event_id=event.id, position=i, key=key, created_at=now)
                                for i, key in enumerate(keys))
                session.flush()
        except IntegrityError:  # someone else added them a moment ago
            return items(session, event.id)
        trail.record(session, actor, "event.checklist_defaults", subject=subject_label(event),
                     after={"keys": list(keys)})
    return items(session, event.id)


def add(session: Session, actor: Actor, event_id: int, text: str, *,
        now: datetime | None = None) -> EventChecklistItem:
    """A hand-typed item at the end of the list."""
    permissions.require(actor, "activities", "edit")
    event = get_event(session, event_id)
    text = " ".join((text or "").split())
    if not text:
        raise Invalid("type what is to be done", code="required", details={"field": "text"})
    check_length(text, "text", TEXT)
    count = session.scalar(select(func.count()).select_from(EventChecklistItem).where(
        EventChecklistItem.event_id == event.id, EventChecklistItem.removed_at.is_(None)))
    if count >= MAX_ITEMS:
        raise Invalid(f"a checklist holds at most {MAX_ITEMS} items", code="too_many", details={"field": "text"})
    last = session.scalar(select(func.max(EventChecklistItem.position))
                          .where(EventChecklistItem.event_id == event.id))
    item = EventChecklistItem(event_id=event.id, position=(last if last is not None else -1) + 1, key=None,
                              text=text, created_at=now or system_now())
    session.add(item)
    session.flush()
    trail.record(session, actor, "event.checklist_add", subject=subject_label(event),
                 after={"item": item.id, "text": text})
    return item


def set_done(session: Session, actor: Actor, event_id: int, item_id: int, done: bool, *,
             now: datetime | None = None) -> EventChecklistItem:
    """Tick (who and when are kept) or untick an item; ticking a ticked item changes nothing."""
    permissions.require(actor, "activities", "edit")
    item = _item(session, event_id, item_id)
    if done == (item.done_at is not None):
        return item
    before = {"done_at": item.done_at.isoformat() if item.done_at else None, "done_by": item.done_by_id}
    if done:
        item.done_at, item.done_by_id = now or system_now(), actor.user.id if actor.user else None
    else:
        item.done_at, item.done_by_id = None, None
    session.flush()
    trail.record(session, actor, "event.checklist_tick" if done else "event.checklist_untick",
                 subject=f"event:{event_id}", before=before, after={"item": item.id, **_label(item)})
    return item


def remove(session: Session, actor: Actor, event_id: int, item_id: int, *, now: datetime | None = None) -> None:
    permissions.require(actor, "activities", "edit")
    item = _item(session, event_id, item_id)
    item.removed_at = now or system_now()
    session.flush()
    trail.record(session, actor, "event.checklist_remove", subject=f"event:{event_id}",
                 before={"item": item.id, **_label(item), "done": item.done_at is not None})


def _item(session: Session, event_id: int, item_id: int) -> EventChecklistItem:
    get_event(session, event_id)
    item = session.get(EventChecklistItem, item_id) if 0 < item_id < 2**31 else None
    if item is None or item.event_id != event_id or item.removed_at is not None:
        raise NotFound(f"no checklist item {item_id} on event {event_id}")
    return item


def _label(item: EventChecklistItem) -> dict[str, str]:
    return {"key": item.key} if item.key else {"text": item.text}
