"""The notifications' tables, on the shared Base (migration 0016)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from publisher.core.clock import column_default
from publisher.core.models import Base, UTCDateTime


class Notification(Base):
    """One thing one person is told. `data` holds facts (a comment, links, failures), never words."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_read", "user_id", "read_at"),  # the header's unread count, on every page
        Index("ix_notifications_user_id", "user_id", "id"),  # a person's list, newest first
        Index("ix_notifications_mail", "mail_due", "id"),  # what the worker still has to mail
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    alert_id: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=column_default)
    # False: the person chose e-mail only for this kind; such a row is born read and never listed.
    shown: Mapped[bool] = mapped_column(Boolean, default=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The mail: due until handed to the outbox (publisher.outbox, which sends it and keeps its record);
    # mailed_at is when it was handed over. mail_attempts, mail_next_at and mail_claimed_at are from before
    # the outbox and no longer written (dropping them is a table copy on SQLite, left for a later migration).
    mail_due: Mapped[bool] = mapped_column(Boolean, default=False)
    mail_attempts: Mapped[int] = mapped_column(Integer, default=0)
    mail_next_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mail_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mail_error: Mapped[str | None] = mapped_column(Text)


class NotificationChoice(Base):
    """A person's choice for one kind; without a row the defaults in `choices.DEFAULTS` hold."""

    __tablename__ = "notification_choices"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    dashboard: Mapped[bool] = mapped_column(Boolean)
    email: Mapped[bool] = mapped_column(Boolean)


class ApprovalReminder(Base):
    """When the approvers were last reminded of a post waiting for approval: once per period, never a burst."""

    __tablename__ = "approval_reminders"

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    reminded_at: Mapped[datetime] = mapped_column(UTCDateTime)
