"""The approval tables, on the shared Base (migration 0026). Posts keep their own (PostApproval)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from publisher.core.models import Base, User, UTCDateTime


class ApprovalState(StrEnum):
    WAITING = "waiting"  # submitted: an approver of the subject's area decides
    APPROVED = "approved"  # the latest ApprovalVersion may go out, and nothing else
    SENT_BACK = "sent_back"  # an approver asked for changes (ApprovalSendBack holds the comment)
    WITHDRAWN = "withdrawn"  # its writer took it back before anyone decided


class ApprovalRequest(Base):
    """One per approvable record: where its approval stands. Rows of the subject's own tables are not
    referenced (the subject type decides how to load a record), so an area needs no foreign key here."""

    __tablename__ = "approval_requests"
    __table_args__ = (
        UniqueConstraint("subject_type", "subject_id", name="uq_approval_requests_subject"),
        Index("ix_approval_requests_state", "state", "subject_type"),  # the shared "waiting for you" list
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ApprovalVersion(Base):
    """A frozen version as it was approved: exactly what may go out (its hash is rules.frozen_hash of it)."""

    __tablename__ = "approval_versions"
    __table_args__ = (Index("ix_approval_versions_request_id", "request_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("approval_requests.id", ondelete="CASCADE"))
    content_hash: Mapped[str] = mapped_column(String(64))
    frozen: Mapped[dict] = mapped_column(JSON)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime)

    approved_by: Mapped[User | None] = relationship(lazy="joined")


class ApprovalSendBack(Base):
    """An approver's request for changes, with the hash of the version they read."""

    __tablename__ = "approval_send_backs"
    __table_args__ = (Index("ix_approval_send_backs_request_id", "request_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("approval_requests.id", ondelete="CASCADE"))
    content_hash: Mapped[str] = mapped_column(String(64))
    comment: Mapped[str] = mapped_column(Text)
    sent_back_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sent_back_at: Mapped[datetime] = mapped_column(UTCDateTime)

    sent_back_by: Mapped[User | None] = relationship(lazy="joined")
