"""The tables. The database is the source of truth for posts, deliveries and who did what."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from publisher.core.clock import column_default
from publisher.core.search_index import Searchable


def storage_name(sha256: str, extension: str) -> str:
    """Where a media file lives under the media folder: by its hash, so one file serves every upload."""
    return f"{sha256[:2]}/{sha256}{extension}"


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite (naive text) and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):  # noqa: ANN001, ANN201
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):  # noqa: ANN001, ANN201
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class User(Searchable, Base):
    __tablename__ = "users"
    SEARCHED = ("name", "display_name", "email")

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # None until the person chooses (the sign-in page's language becomes theirs at their first sign-in).
    locale: Mapped[str | None] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=column_default)

    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(r.role for r in self.role_rows)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=column_default)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")


class Channel(Searchable, Base):
    __tablename__ = "channels"
    SEARCHED = ("name", "kind")

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    config: Mapped[dict] = mapped_column(JSON, default=dict)
    credentials: Mapped[str] = mapped_column(Text, default="")  # Fernet token of a JSON object
    max_concurrency: Mapped[int] = mapped_column(Integer, default=4, server_default="4")
    rate_limited_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # no sends before this
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=column_default)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=column_default, onupdate=column_default)


class ChannelCheck(Base):
    """The last credential check of a channel (publisher.publishing.credential_checks): one row per channel,
    replaced by each check; the audit log keeps the history of outcomes."""

    __tablename__ = "channel_checks"

    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(16))  # ok, refused, unchecked (channels.base.Health.outcome)
    since: Mapped[datetime] = mapped_column(UTCDateTime)  # the first check of a run with this outcome
    message: Mapped[str] = mapped_column(Text, default="")  # the platform's answer, for experts
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the platform says so
    checked_by: Mapped[str] = mapped_column(String(64), default="worker")


class Media(Searchable, Base):
    __tablename__ = "media"
    SEARCHED = ("original_name", "alt_text", "credit")

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    extension: Mapped[str] = mapped_column(String(10))
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    alt_text: Mapped[str] = mapped_column(Text, default="")
    credit: Mapped[str] = mapped_column(String(300), default="")
    original_name: Mapped[str] = mapped_column(String(255), default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=column_default)

    @property
    def storage_name(self) -> str:
        return storage_name(self.sha256, self.extension)


class Post(Searchable, Base):
    __tablename__ = "posts"
    SEARCHED = ("title", "body", "variants", "translations")  # variants: every channel's own text
    # The calendar's week filtered by state: one range scan instead of every post in that state.
    __table_args__ = (Index("ix_posts_status_scheduled_at", "status", "scheduled_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(500), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(16))
    variants: Mapped[dict] = mapped_column(JSON, default=dict)  # channel name -> text
    # The post's other language versions, language -> {"title": ..., "body": ...}; the primary version is
    # title/body/language above (publisher.destinations.languages reads them together).
    translations: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    status: Mapped[str] = mapped_column(String(32), index=True)
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)  # None: once approved
    timezone: Mapped[str] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_hash: Mapped[str | None] = mapped_column(String(64))
    rejected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    rejection_comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=column_default)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=column_default)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    # Why an approved post waits for approval again although nobody edited it (e.g. a library alt text it
    # used changed): {"code": ..., "params": {...}}, shown to its author and approvers; cleared on approval.
    sent_back: Mapped[dict | None] = mapped_column(JSON)

    __mapper_args__ = {"version_id_col": version}  # a racing second writer gets StaleDataError

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined")
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id], lazy="joined")
    rejected_by: Mapped[User | None] = relationship(foreign_keys=[rejected_by_id], lazy="joined")
    channel_links: Mapped[list[PostChannel]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="PostChannel.channel_id"
    )
    media_links: Mapped[list[PostMedia]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="PostMedia.position"
    )
    contributors: Mapped[list[PostContributor]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    deliveries: Mapped[list[Delivery]] = relationship(
        back_populates="post", lazy="selectin", order_by="Delivery.channel_id"
    )

    @property
    def channels(self) -> list[Channel]:
        return [link.channel for link in self.channel_links]

    @property
    def contributor_ids(self) -> set[int]:
        return {c.user_id for c in self.contributors} | {self.author_id}


class PostChannel(Base):
    __tablename__ = "post_channels"

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"), primary_key=True, index=True)

    channel: Mapped[Channel] = relationship(lazy="joined")


class PostMedia(Base):
    __tablename__ = "post_media"

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    media_id: Mapped[int] = mapped_column(ForeignKey("media.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer)
    alt_text: Mapped[str | None] = mapped_column(Text)  # overrides the library's alt text for this post

    media: Mapped[Media] = relationship(lazy="joined")

    @property
    def effective_alt_text(self) -> str:
        return self.alt_text if self.alt_text is not None else self.media.alt_text


class PostApproval(Base):
    """What was approved, as it was: the approvals page diffs the current content against the latest one."""

    __tablename__ = "post_approvals"
    __table_args__ = (Index("ix_post_approvals_post_id_id", "post_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    content_hash: Mapped[str] = mapped_column(String(64))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    content: Mapped[dict] = mapped_column(JSON)  # publisher.posts.approvals.approved_content
    # What every channel receives (publisher.destinations.content.freeze); content_hash is its hash. NULL
    # only for approvals made before migration 0008.
    frozen: Mapped[dict | None] = mapped_column(JSON)

    approved_by: Mapped[User | None] = relationship(lazy="joined")


class PostContributor(Base):
    """Everyone who wrote any of the post: none of them may approve it."""

    __tablename__ = "post_contributors"

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)


class Delivery(Base):
    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("post_id", "channel_id", "language", name="uq_deliveries_post_channel_language"),
        Index("ix_deliveries_status_due_id", "status", "due_at", "id"),  # the claim order
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"), index=True)
    # The language version it publishes ("sr-Latn", "sq", ...); "" for the post as a whole (a channel that takes
    # the post's own language only, or every version in one post): migration 0021.
    language: Mapped[str] = mapped_column(String(16), default="", server_default="")
    # The approved version this delivery publishes (NULL: approved before migration 0008).
    approval_id: Mapped[int | None] = mapped_column(ForeignKey("post_approvals.id"))
    status: Mapped[str] = mapped_column(String(32))
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The claim's fencing token: an outcome is recorded only while the delivery still carries it.
    lease_token: Mapped[str | None] = mapped_column(String(32))
    remote_id: Mapped[str | None] = mapped_column(String(255))
    url: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    error_kind: Mapped[str | None] = mapped_column(String(32))  # retryable, rate_limited, auth, rejected, ...
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=column_default)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=column_default, onupdate=column_default)

    post: Mapped[Post] = relationship(back_populates="deliveries")
    channel: Mapped[Channel] = relationship(lazy="joined")
    attempt_rows: Mapped[list[DeliveryAttempt]] = relationship(
        lazy="select", order_by="DeliveryAttempt.id", cascade="all, delete-orphan", passive_deletes=True
    )


# The history's order (publisher.publishing.history.moment) and its filters: migration 0005.
_MOMENT = func.coalesce(Delivery.sent_at, Delivery.updated_at)
Index("ix_deliveries_moment", _MOMENT, Delivery.id)
Index("ix_deliveries_status_moment", Delivery.status, _MOMENT, Delivery.id)
Index("ix_deliveries_channel_moment", Delivery.channel_id, _MOMENT, Delivery.id)


class DeliveryAttempt(Base):
    """One try at sending a delivery, kept for the history screen and for reckoning afterwards."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    worker_id: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)


class Hold(Base):
    """Nothing goes out while a hold is active: everywhere (channel_id None) or on one channel."""

    __tablename__ = "holds"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channels.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=column_default)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    released_by: Mapped[str | None] = mapped_column(String(64))

    channel: Mapped[Channel | None] = relationship(lazy="joined")


class WorkerBeat(Base):
    """A running worker's heartbeat: the watchdog and /healthz read these."""

    __tablename__ = "workers"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when another worker took its claims for silence; its next heartbeat sees it and re-registers.
    declared_dead_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Alert(Searchable, Base):
    """Something a person must look at. `key` stops one condition from alerting twice."""

    __tablename__ = "alerts"
    SEARCHED = ("message", "resolution_comment", "resolved_by")

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    message: Mapped[str] = mapped_column(Text)
    post_id: Mapped[int | None] = mapped_column(Integer, index=True)
    delivery_id: Mapped[int | None] = mapped_column(Integer)
    channel_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=column_default)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notify_error: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolution_comment: Mapped[str | None] = mapped_column(Text)  # what the person who resolved it did


class AuditEvent(Base):
    """Append-only (database triggers refuse UPDATE and DELETE)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=column_default, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(64), default="")
    via: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(64), index=True)
    post_id: Mapped[int | None] = mapped_column(Integer, index=True)  # no FK: events outlive rows
    subject: Mapped[str] = mapped_column(String(100), default="")
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    detail: Mapped[dict | None] = mapped_column(JSON)
    ip: Mapped[str | None] = mapped_column(String(64))

    actor: Mapped[User | None] = relationship(lazy="joined", viewonly=True)

    @property
    def who(self) -> str:
        """The person's account name as it is now (rows keep only the id), else the process's name."""
        return self.actor.name if self.actor is not None else self.actor_name


class AuditLink(Base):
    """One audit event sealed into the chain (publisher.audit.chain): the hash of the event's canonical
    content and the chain hash over it and the previous link. Append-only, like the events."""

    __tablename__ = "audit_chain"

    event_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # no FK: see chain
    row_hash: Mapped[str] = mapped_column(String(64))
    chain_hash: Mapped[str] = mapped_column(String(64))
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebSession(Base):
    """A signed-in browser. The cookie carries only a random token whose hash is the key here, so signing
    out or going idle ends the session for every copy of the cookie (a signed cookie alone cannot)."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_reason: Mapped[str | None] = mapped_column(String(32))  # sign_out, idle, inactive, password
    ip: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User] = relationship(lazy="joined")


class SignInFailure(Base):
    """One failed sign-in, counted per name and per address; rows, so every web process agrees."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index("ix_sign_in_failures_scope_key_at", "scope", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(16))  # "name" or "address"
    key: Mapped[str] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class RequestCounter(Base):
    """How many requests of one kind (a refused API token, say) came from one address in one window.

    One row per (scope, key, window), incremented in place by a single upsert, so that repeated refusals
    cost one row rather than one row each, and every web process reads the same count.
    """

    __tablename__ = "request_counters"

    scope: Mapped[str] = mapped_column(String(32), primary_key=True)  # "api_refused", ...
    key: Mapped[str] = mapped_column(String(255), primary_key=True)  # the client address
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True, index=True)
    count: Mapped[int] = mapped_column(Integer)


class PublicFormCounter(Base):
    """How many submissions of one public form came from one address in one minute, by outcome.

    Apart from request_counters on purpose: the public site's database role may write this table and no
    other counter (publisher/public/reads.py), so a public host cannot touch the API's rate limits.
    """

    __tablename__ = "public_form_counters"

    form: Mapped[str] = mapped_column(String(64), primary_key=True)
    address: Mapped[str] = mapped_column(String(64), primary_key=True)  # the client address (IPv6 fits)
    outcome: Mapped[str] = mapped_column(String(16), primary_key=True)  # publisher.public.form_guard.Outcome
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True, index=True)
    count: Mapped[int] = mapped_column(Integer)
