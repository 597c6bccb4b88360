"""A post's approval record: exactly the version its last approval bound, as a document (PDF) anyone who may
read the post can keep: every language version's title and text, channels (with a channel's own text), media
with their alt texts, the time it goes out in its zone, author, approver, approval time and the content hash.

Read from the approval's frozen version (publisher.destinations.content.freeze), never from the post as it is
now: a post edited after approval still shows what was approved. Approvals made before versions were frozen
(migration 0008) fall back to their snapshot (approvals.approved_content), which has no translations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from publisher.core import permissions
from publisher.core.actor import Actor
from publisher.core.errors import NotFound
from publisher.core.models import Post, User
from publisher.core.multilingual import LANGUAGES
from publisher.pdf.rendering import DocumentSetup, render_pdf
from publisher.posts.approvals import last_approval

TEMPLATE = "approval_record.html"
NEVER_APPROVED = "never_approved"  # NotFound's code for a post that exists but has no approval


@dataclass(frozen=True)
class LanguageVersion:
    language: str  # BCP 47, written as the version's own `lang` in the document
    title: str
    body: str
    primary: bool


@dataclass(frozen=True)
class ChannelEntry:
    name: str
    own_text: str | None  # the channel's own text (a variant), when it does not take the post's


@dataclass(frozen=True)
class MediaEntry:
    name: str
    alt_text: str
    sha256: str


@dataclass(frozen=True)
class ApprovalRecord:
    post_id: int
    approval_id: int
    versions: list[LanguageVersion]
    channels: list[ChannelEntry]
    media: list[MediaEntry]
    scheduled_at: datetime | None  # in `timezone`; None: as soon as approved
    timezone: str
    author: str
    approver: str  # "" when the approver's account is gone
    approved_at: datetime  # in `timezone`
    content_hash: str
    frozen: bool  # False: an approval from before frozen versions (its snapshot)


def _name(user: User | None) -> str:
    return (user.display_name or user.name) if user is not None else ""


def _zone(name: str | None, fallback: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or fallback)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(fallback)


def _versions(version: dict[str, Any]) -> list[LanguageVersion]:
    primary = version["language"]
    out = [LanguageVersion(primary, version["title"] or "", version["body"] or "", True)]
    translations = version.get("translations") or {}
    for language in LANGUAGES:
        if language != primary and language in translations:
            text = translations[language]
            out.append(LanguageVersion(language, text.get("title") or "", text.get("body") or "", False))
    return out


def _channels(version: dict[str, Any]) -> list[ChannelEntry]:
    variants = version.get("variants") or {}
    channels = version["channels"]
    # The frozen version keys channels by id; the older snapshot lists them.
    names = [c["name"] for c in channels.values()] if isinstance(channels, dict) else [c["name"] for c in channels]
    return [ChannelEntry(name, variants.get(name)) for name in names]


def _media(version: dict[str, Any]) -> list[MediaEntry]:
    return [MediaEntry(m.get("original_name") or m.get("name") or m["sha256"][:12], m.get("alt_text") or "",
                       m["sha256"]) for m in version["media"]]


def approval_record(session: Session, actor: Actor, post_id: int, *, office_zone: str) -> ApprovalRecord:
    """The record of the post's last approval. NotFound when there is no such post or it was never approved;
    Forbidden for a reader who may not read the post (the post page's rule)."""
    permissions.require(actor, "posts", "history")
    post = session.get(Post, post_id)
    if post is None:
        raise NotFound(f"there is no post {post_id}")
    approval = last_approval(session, post_id)
    if approval is None:
        raise NotFound(f"post {post_id} was never approved: there is no approval record", code=NEVER_APPROVED)
    version = approval.frozen or approval.content
    zone = _zone(version.get("timezone") or post.timezone, office_zone)
    scheduled = version.get("scheduled_at")
    scheduled_at = datetime.fromisoformat(scheduled) if scheduled else None
    if scheduled_at is not None and scheduled_at.tzinfo is None:
        scheduled_at = scheduled_at.replace(tzinfo=UTC)
    return ApprovalRecord(
        post_id=post.id, approval_id=approval.id, versions=_versions(version), channels=_channels(version),
        media=_media(version), scheduled_at=scheduled_at.astimezone(zone) if scheduled_at else None,
        timezone=zone.key, author=_name(post.author), approver=_name(approval.approved_by),
        approved_at=approval.approved_at.astimezone(zone), content_hash=approval.content_hash,
        frozen=approval.frozen is not None)


def approval_record_pdf(session: Session, actor: Actor, post_id: int, language: str, *,
                        setup: DocumentSetup, office_zone: str) -> bytes:
    """The record as a PDF, its labels in `language` (the reader's), each version in its own."""
    record = approval_record(session, actor, post_id, office_zone=office_zone)
    return render_pdf(TEMPLATE, {"record": record}, language, setup=setup)
