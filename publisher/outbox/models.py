"""The outbox's tables, on the shared Base (migration 0022)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from publisher.core.clock import column_default
from publisher.core.models import Base, UTCDateTime

# A recipient's states. "unknown": the message went to the server and its answer never came; only a person
# resends it (or says it arrived). "bounced" is set later, by whoever reads the bounces.
QUEUED, SENDING, SENT, FAILED, UNKNOWN, BOUNCED = "queued", "sending", "sent", "failed", "unknown", "bounced"
STATES = (QUEUED, SENDING, SENT, FAILED, UNKNOWN, BOUNCED)
# The step a claimed recipient reached, stored (committed) before the step starts. A lease that runs out
# at MESSAGE means the server may have the message: unknown, never resent. Earlier steps are retried.
CONNECT, ENVELOPE, MESSAGE = "connect", "envelope", "message"


class OutboxMessage(Base):
    """One message as queued: its RFC 5322 bytes (all but From, which the sending server's settings add)
    with a Message-ID made once, so a retry or a resend is the same message to the reader's mail program."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    subject: Mapped[str] = mapped_column(Text)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    kind: Mapped[str] = mapped_column(String(32), index=True)  # who made it: "alert", "notification", ...
    record: Mapped[str | None] = mapped_column(String(200))  # and about what: "alert:12", "notification:7"
    language: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=column_default)

    recipients: Mapped[list[OutboxRecipient]] = relationship(
        back_populates="message", order_by="OutboxRecipient.id", cascade="all, delete-orphan",
        passive_deletes=True)


class OutboxRecipient(Base):
    """One person a message goes to: its own SMTP transaction, its own state and the server's last word."""

    __tablename__ = "outbox_recipients"
    __table_args__ = (
        Index("ix_outbox_recipients_due", "state", "next_attempt_at"),  # what the worker sends next
        Index("ix_outbox_recipients_server", "server", "attempt_at"),  # the throttle's counts
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_messages.id", ondelete="CASCADE"), index=True)
    address: Mapped[str] = mapped_column(String(320))
    state: Mapped[str] = mapped_column(String(16), default=QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The claim: which connection holds it (a token per claim) and until when; the step it reached.
    lease_token: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    step: Mapped[str | None] = mapped_column(String(16))
    server: Mapped[str | None] = mapped_column(String(300))  # host:port of the last attempt
    attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the last attempt was claimed
    last_error: Mapped[str | None] = mapped_column(Text)
    reply: Mapped[str | None] = mapped_column(Text)  # the server's last reply, code and text
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A person's hand: who resent it or marked it sent, and when (the outbox page).
    settled_by: Mapped[str | None] = mapped_column(String(64))
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    message: Mapped[OutboxMessage] = relationship(back_populates="recipients")


class OutboxServer(Base):
    """One row per SMTP server (host:port): claiming locks it, so the throttle's counts hold across workers."""

    __tablename__ = "outbox_servers"

    server: Mapped[str] = mapped_column(String(300), primary_key=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
