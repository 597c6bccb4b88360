"""The documents' tables, on the shared Base (migration 0024).

A document is a title and its versions; a version is one upload's file (by SHA-256, shared with every other
version of the same bytes). An attachment links a document to any record by (record type, record id), with
no foreign key, so later areas attach documents to their records without a migration; detaching removes
only the link.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from publisher.core.clock import column_default
from publisher.core.models import Base, User, UTCDateTime, storage_name
from publisher.core.search_index import Searchable

# What a document is for; pages name each (web/documents.py).
KINDS = ("background", "reference", "scan", "other")
TITLE = 300
NOTE = 1000


class Document(Searchable, Base):
    __tablename__ = "documents"
    SEARCHED = ("title",)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE))
    kind: Mapped[str] = mapped_column(String(32))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=column_default)
    current_version: Mapped[int] = mapped_column(Integer)  # the number of the newest version

    created_by: Mapped[User | None] = relationship(lazy="joined")
    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document", cascade="all, delete-orphan", lazy="selectin",
        order_by="DocumentVersion.number.desc()")

    @property
    def current(self) -> DocumentVersion:
        return next(v for v in self.versions if v.number == self.current_version)


class DocumentVersion(Searchable, Base):
    __tablename__ = "document_versions"
    SEARCHED = ("original_name",)
    __table_args__ = (UniqueConstraint("document_id", "number", name="uq_document_versions_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)  # the store keeps a file while a row names it
    size: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(100))
    extension: Mapped[str] = mapped_column(String(10))
    original_name: Mapped[str] = mapped_column(String(255), default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=column_default)
    note: Mapped[str] = mapped_column(Text, default="")

    document: Mapped[Document] = relationship(back_populates="versions")
    uploaded_by: Mapped[User | None] = relationship(lazy="joined")

    @property
    def storage_name(self) -> str:
        return storage_name(self.sha256, self.extension)


class Attachment(Base):
    __tablename__ = "document_attachments"
    __table_args__ = (
        UniqueConstraint("document_id", "record_type", "record_id", name="uq_document_attachments_record"),
        Index("ix_document_attachments_record", "record_type", "record_id"),  # a record's panel
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    record_type: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[int] = mapped_column(Integer)
    attached_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    attached_at: Mapped[datetime] = mapped_column(UTCDateTime, default=column_default)

    document: Mapped[Document] = relationship(lazy="joined")
    attached_by: Mapped[User | None] = relationship(lazy="joined")
