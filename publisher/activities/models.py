"""The activities' tables, on the shared Base (migration 0027).

An event keeps its time as written (local wall time or dates, and an IANA zone) and, for queries, the UTC
instants it covers: `starts_at`/`ends_at` of its first occurrence and `last_ends_at` of its last, so "what
overlaps this week" is one range scan even for a weekly meeting. Its title and description are texts in
several languages; its internal notes never leave the office.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from publisher.core.clock import column_default
from publisher.core.models import Base, User, UTCDateTime
from publisher.core.multilingual import MultilingualColumn, MultilingualText
from publisher.core.search_index import Searchable

TITLE = 300
PLACE = 300
CITY = 120
NAME = 200  # an official's, an organisation's or a guest's name
NOTES = 20_000
MAX_NAMES = 50  # organisations or guests of one event
MAX_OFFICIALS = 50


class Official(Base):
    """Someone the office plans events for: the minister, a state secretary, the spokesperson, a named
    official. A person with an account may be linked, so that their own calendar feed shows their events."""

    __tablename__ = "officials"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME))
    role: Mapped[str] = mapped_column(String(32))  # publisher.activities.officials.ROLES
    position: Mapped[MultilingualText] = mapped_column(MultilingualColumn, default=MultilingualText)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort: Mapped[int] = mapped_column(Integer, default=0)  # the list's order: the minister first
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=column_default)

    user: Mapped[User | None] = relationship(lazy="joined")


class Event(Searchable, Base):
    __tablename__ = "events"
    SEARCHED = ("title", "description", "place", "city", "organisations")
    __table_args__ = (
        Index("ix_events_window", "starts_at", "last_ends_at"),  # what overlaps a window
        Index("ix_events_status", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(255), unique=True)  # iCalendar's UID: never changes
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[MultilingualText] = mapped_column(MultilingualColumn)
    description: Mapped[MultilingualText] = mapped_column(MultilingualColumn, default=MultilingualText)
    # As written: "2026-03-02T10:00" in `zone`, or "2026-03-02" for an all-day event (its end date inclusive).
    all_day: Mapped[bool] = mapped_column(Boolean, default=False)
    zone: Mapped[str] = mapped_column(String(64))
    start_local: Mapped[str] = mapped_column(String(16))
    end_local: Mapped[str] = mapped_column(String(16))
    # A recurring event: its RFC 5545 rule, and the occurrences skipped (cancelled) or moved one by one
    # ({"skipped": [...], "moved": [{"original": ..., "start": ...}]}, as publisher.recurrence.series writes them).
    rule: Mapped[str | None] = mapped_column(String(500))
    exceptions: Mapped[dict] = mapped_column(JSON, default=dict)
    # For queries: the first occurrence's instants, and the end of the last occurrence (== ends_at when single).
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(PLACE), default="")
    city: Mapped[str] = mapped_column(String(CITY), default="")
    country: Mapped[str] = mapped_column(String(2), default="")  # ISO 3166-1 alpha-2
    organisations: Mapped[list] = mapped_column(JSON, default=list)  # names; public once approved
    guests: Mapped[list] = mapped_column(JSON, default=list)  # names; internal (private persons, often)
    status: Mapped[str] = mapped_column(String(16))
    visibility: Mapped[str] = mapped_column(String(16))
    public_from: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: as soon as it is approved
    internal_notes: Mapped[str] = mapped_column(Text, default="")
    # iCalendar's SEQUENCE: one more on every change a calendar that subscribed must take over.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=column_default)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=column_default)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # a racing second writer gets StaleDataError

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id], lazy="joined")
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id], lazy="joined")
    participants: Mapped[list[EventParticipant]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="EventParticipant.official_id")
    editors: Mapped[list[EventEditor]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def officials(self) -> list[Official]:
        return sorted((p.official for p in self.participants), key=lambda o: (o.sort, o.name, o.id))

    @property
    def official_ids(self) -> set[int]:
        return {p.official_id for p in self.participants}

    @property
    def writer_ids(self) -> set[int]:
        """Who wrote or edited it: none of them approves its public fields."""
        return {e.user_id for e in self.editors} | {i for i in (self.created_by_id,) if i is not None}


class EventParticipant(Base):
    __tablename__ = "event_participants"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id"), primary_key=True, index=True)

    official: Mapped[Official] = relationship(lazy="joined")


class EventEditor(Base):
    """Everyone who ever changed an event: four eyes means none of them approves it."""

    __tablename__ = "event_editors"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)


class AgendaEntry(Base):
    """The public copy of an event: its last approved version, while the event is public, with its current
    status. Written only by publisher.activities.publication; the public site reads this table and nothing
    else of the activities, so an internal event, its notes and an unapproved edit cannot reach it. On
    PostgreSQL the public role also sees only the rows whose `public_from` has passed (a row policy made by
    `publisher public-role create`)."""

    __tablename__ = "agenda_entries"
    __table_args__ = (Index("ix_agenda_entries_window", "starts_at", "last_ends_at"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    uid: Mapped[str] = mapped_column(String(255))
    sequence: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    public_from: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the later of approved and current
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)  # of the approved time, for window queries
    last_ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    frozen: Mapped[dict] = mapped_column(JSON)  # publisher.activities.approval.freeze, as approved
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)  # LAST-MODIFIED of the public copy
