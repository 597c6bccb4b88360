"""The mailbox reader's tables, on the shared Base (migration 0023)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from publisher.core.clock import column_default
from publisher.core.models import Base, UTCDateTime

# RFC 5321's longest forward-path; longer "addresses" in a report are not addresses.
ADDRESS_LENGTH = 320


class MailboxFolder(Base):
    """How far the reader got in one folder: the highest UID it has stored the outcome of. A new UIDVALIDITY
    (the server renumbered the folder) starts a new row at 0; the messages' Message-IDs keep the counts right."""

    __tablename__ = "mailbox_folders"
    __table_args__ = (UniqueConstraint("folder", "uidvalidity", name="uq_mailbox_folders_folder_validity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    folder: Mapped[str] = mapped_column(String(255))
    uidvalidity: Mapped[int] = mapped_column(BigInteger)  # IMAP's are unsigned 32-bit
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=column_default)


class MailboxMessage(Base):
    """One message the reader looked at, and what it was: a report, not a report, too big or unreadable."""

    __tablename__ = "mailbox_messages"
    __table_args__ = (
        UniqueConstraint("folder", "uidvalidity", "uid", name="uq_mailbox_messages_uid"),
        Index("ix_mailbox_messages_message_id", "message_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    folder: Mapped[str] = mapped_column(String(255))
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    uid: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[str | None] = mapped_column(String(998))  # the header's longest line
    kind: Mapped[str] = mapped_column(String(16))  # publisher.mailbox.reading.Kind
    size: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")  # why it was not read, for experts
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=column_default)


class MailBounce(Base):
    """One recipient of one delivery status notification. `report` is the report's Message-ID (or its place in
    the mailbox when it has none), so the same report read twice, or from two folders, counts once."""

    __tablename__ = "mail_bounces"
    __table_args__ = (
        UniqueConstraint("report", "address", name="uq_mail_bounces_report_address"),
        Index("ix_mail_bounces_address_at", "address", "bounced_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report: Mapped[str] = mapped_column(String(998))
    address: Mapped[str] = mapped_column(String(ADDRESS_LENGTH))
    permanent: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16))  # RFC 3463's class.subject.detail, e.g. 5.1.1
    diagnostic: Mapped[str] = mapped_column(Text, default="")
    original_message_id: Mapped[str | None] = mapped_column(String(998))
    bounced_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MailAddress(Base):
    """An address's mail state: `bounced` once mail to it cannot be delivered (one permanent failure, or
    enough transient ones in the window), `ok` otherwise or after an administrator cleared the mark."""

    __tablename__ = "mail_addresses"

    address: Mapped[str] = mapped_column(String(ADDRESS_LENGTH), primary_key=True)  # lowercase
    state: Mapped[str] = mapped_column(String(16), default="ok")
    bounces: Mapped[int] = mapped_column(Integer, default=0)  # every bounce ever counted, cleared or not
    last_bounce_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="")  # of the last bounce
    diagnostic: Mapped[str] = mapped_column(Text, default="")
    original_message_id: Mapped[str | None] = mapped_column(String(998))
    # The last clear: bounces before it no longer count towards the transient limit.
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cleared_by: Mapped[str | None] = mapped_column(String(64))
