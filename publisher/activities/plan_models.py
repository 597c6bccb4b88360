"""The weekly plan's table, on the shared Base (migration 0030): one row per week (its Monday), saying whether
the plan was prepared, sent or could not be made, who did it, to whom it went, and the fingerprints of the
PDF and the .ics that went out last, so that what was sent can be told from what the calendar says now."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from publisher.core.clock import column_default
from publisher.core.models import Base, User, UTCDateTime

PREPARED, SENT, FAILED = "prepared", "sent", "failed"
STATES = (PREPARED, SENT, FAILED)


class WeeklyPlan(Base):
    __tablename__ = "weekly_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    week: Mapped[date] = mapped_column(Date, unique=True)  # its Monday, in the office's zone
    state: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(16))
    prepared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=column_default)
    prepared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the worker's schedule
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the last sending
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: sent by the schedule
    recipients: Mapped[list] = mapped_column(JSON, default=list)  # of the last sending
    message_ids: Mapped[list] = mapped_column(JSON, default=list)  # outbox_messages.id of every sending
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    pdf_size: Mapped[int | None] = mapped_column(Integer)
    ics_sha256: Mapped[str | None] = mapped_column(String(64))
    event_count: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)  # why it could not be made (FAILED)

    prepared_by: Mapped[User | None] = relationship(foreign_keys=[prepared_by_id], lazy="joined")
    sent_by: Mapped[User | None] = relationship(foreign_keys=[sent_by_id], lazy="joined")
