"""The content queue's moves: create, edit, submit, withdraw, approve, reject, cancel, and sending an approved post
back when something it uses changed.

Rules kept here and nowhere else: who may do what, four eyes (no contributor approves), approval bound to
the hash of the version the approver read and frozen as that version (the worker publishes only it), any
change to what an approved post would send sends it back, one delivery per channel.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from channels.base import Problem
from publisher.approval import rules
from publisher.audit import trail
from publisher.core import limits, permissions
from publisher.core.actor import Actor
from publisher.core.errors import Conflict, Forbidden, Invalid, NotFound, Unpublishable
from publisher.core.models import (
    Channel,
    Delivery,
    Media,
    Post,
    PostChannel,
    PostContributor,
    PostMedia,
    User,
)
from publisher.core.runtime import Runtime
from publisher.core.states import DeliveryStatus, PostStatus, next_post_status
from publisher.destinations.channel_store import resolve_targets
from publisher.destinations.content import (
    content_hash,
    file_label,
    freeze,
    frozen_languages,
    thaw_all,
)
from publisher.destinations.languages import clean_translations
from publisher.notifications import making as notify
from publisher.posts import publishable
from publisher.posts.approvals import record_approval
from publisher.posts.schedule_time import ScheduleTimeError, parse_schedule, resolve_zone

LANGUAGES = ("sr-Cyrl", "sr-Latn", "sq", "en")
MAX_TITLE = limits.TITLE
MAX_BODY = limits.BODY
MAX_MEDIA = 20
EDITABLE_FIELDS = ("title", "body", "language", "translations", "channels", "media", "variants", "scheduled_at",
                   "timezone", "dst_choice")


def get_post(session: Session, post_id: int) -> Post:
    post = session.get(Post, post_id)
    if post is None:
        raise NotFound(f"no post with id {post_id}")
    return post


def _lock_post(session: Session, post_id: int) -> Post:
    # Lock the row first (PostgreSQL; SQLite already holds its write lock) so racing moves queue.
    if session.scalar(select(Post.id).where(Post.id == post_id).with_for_update()) is None:
        raise NotFound(f"no post with id {post_id}")
    return session.get(Post, post_id, populate_existing=True)


def create_post(session: Session, rt: Runtime, actor: Actor, fields: dict[str, Any]) -> Post:
    permissions.require(actor, "posts", "write")
    now = rt.clock()
    post = Post(
        title="", body="", language=LANGUAGES[0], variants={}, status=PostStatus.DRAFT,
        timezone=rt.settings.timezone, author_id=actor.user.id, created_at=now, updated_at=now, content_hash="",
    )
    fields = {"language": "sr-Cyrl", **fields}
    _apply_fields(session, rt, post, fields)
    post.content_hash = content_hash(post)
    session.add(post)
    session.flush()
    trail.record(session, actor, "post.create", post_id=post.id, after=_snapshot(post))
    return post


def edit_post(session: Session, rt: Runtime, actor: Actor, post_id: int, fields: dict[str, Any], *,
              base_hash: str | None = None) -> Post:
    """Change a post. `base_hash` is the content hash of the version the editor started from: compared under
    the row lock, so of two people saving the same version at once exactly one wins and the other is told."""
    permissions.require(actor, "posts", "edit")
    post = _lock_post(session, post_id)
    if base_hash is not None and base_hash != post.content_hash:
        raise Conflict("someone else changed the post after you opened it; read it again",
                       code="content_changed", details={"content_hash": post.content_hash})
    next_status = next_post_status(post.status, "edit", record=f"post {post.id}")
    before = _snapshot(post)
    _apply_fields(session, rt, post, fields)
    new_hash = content_hash(post)
    if new_hash == post.content_hash:
        return post  # nothing changed: no new approval needed, no event
    was = post.status
    _changed(session, rt, actor, post, new_hash, next_status)
    trail.record(session, actor, "post.edit", post_id=post.id, before=before, after=_snapshot(post),
                 detail={"sent_back_for_approval": was == PostStatus.SCHEDULED})
    return post


def _changed(session: Session, rt: Runtime, actor: Actor, post: Post, new_hash: str, status: PostStatus) -> None:
    """What any change to a post's content does: a new hash, an approved post back to approval (its
    deliveries were never attempted: it is not publishing yet), and the changer among its contributors."""
    if post.status == PostStatus.SCHEDULED:
        session.execute(delete(Delivery).where(Delivery.post_id == post.id,
                                               Delivery.status == DeliveryStatus.PENDING))
        session.expire(post, ["deliveries"])
    if post.status in (PostStatus.SCHEDULED, PostStatus.PENDING_APPROVAL):
        post.approved_by = post.approved_at = post.approved_hash = None
    back_for_approval = post.status == PostStatus.SCHEDULED and status == PostStatus.PENDING_APPROVAL
    post.content_hash = new_hash
    post.status = status
    post.updated_at = rt.clock()
    if actor.user.id not in post.contributor_ids:
        post.contributors.append(PostContributor(user_id=actor.user.id))
    if back_for_approval:  # approved once, changed since: the approvers have it to decide again
        notify.post_submitted(session, actor, post, rt.clock())


# Posts whose content can still change; a publishing post keeps the version it was approved with.
_CHANGEABLE = (PostStatus.DRAFT, PostStatus.PENDING_APPROVAL, PostStatus.REJECTED, PostStatus.SCHEDULED)


def media_described(session: Session, rt: Runtime, actor: Actor, media_id: int) -> list[int]:
    """A library file's alt text may have changed: every changeable post that takes that text from the
    library is hashed again, and an approved one goes back for approval with the reason (the approver
    approved the old text; the worker would send that frozen version, never the new one unapproved).
    Returns the ids of the posts sent back."""
    ids = session.scalars(select(Post.id).join(PostMedia, PostMedia.post_id == Post.id)
                          .where(PostMedia.media_id == media_id, PostMedia.alt_text.is_(None),
                                 Post.status.in_(_CHANGEABLE)).order_by(Post.id)).all()
    media = session.get(Media, media_id)
    reason = {"code": "media_alt_changed",
              "params": {"file": file_label(media.original_name, media.sha256, media.extension)}}
    return _hash_again(session, rt, actor, ids, reason, {"media_id": media_id})


def channel_changed(session: Session, rt: Runtime, actor: Actor, channel_id: int) -> list[int]:
    """A channel's settings changed which language versions it takes, or how: what its changeable posts
    would send changed with them, so each is hashed again and an approved one goes back for approval (its
    approval froze the deliveries of the old settings). Returns the ids of the posts sent back."""
    ids = session.scalars(select(Post.id).join(PostChannel, PostChannel.post_id == Post.id)
                          .where(PostChannel.channel_id == channel_id, Post.status.in_(_CHANGEABLE))
                          .order_by(Post.id)).all()
    name = session.scalar(select(Channel.name).where(Channel.id == channel_id))
    reason = {"code": "channel_languages_changed", "params": {"channel": name}}
    return _hash_again(session, rt, actor, ids, reason, {"channel_id": channel_id})


def _hash_again(session: Session, rt: Runtime, actor: Actor, ids: list[int], reason: dict[str, Any],
                detail: dict[str, Any]) -> list[int]:
    sent_back = []
    for post_id in ids:
        post = _lock_post(session, post_id)
        new_hash = content_hash(post)
        if post.status not in _CHANGEABLE or new_hash == post.content_hash:
            continue
        if post.status != PostStatus.SCHEDULED:
            post.content_hash = new_hash  # an approver who read the old version is told it changed
            continue
        _changed(session, rt, actor, post, new_hash, next_post_status(post.status, "edit", record=f"post {post.id}"))
        post.sent_back = reason
        trail.record(session, actor, "post.sent_back", post_id=post.id,
                     before={"status": str(PostStatus.SCHEDULED)},
                     after={"status": str(post.status), "content_hash": new_hash},
                     detail={**reason, **detail})
        notify.post_sent_back(session, actor, post, rt.clock(), reason=reason)
        sent_back.append(post.id)
    return sent_back


def submit(session: Session, rt: Runtime, actor: Actor, post_id: int) -> Post:
    permissions.require(actor, "posts", "submit")
    post = _lock_post(session, post_id)
    next_status = next_post_status(post.status, "submit", record=f"post {post.id}")
    _check_publishable(post, rt)
    _move(session, rt, actor, post, next_status, "post.submit", submitted_at=rt.clock())
    notify.post_submitted(session, actor, post, rt.clock())
    return post


def approve(session: Session, rt: Runtime, actor: Actor, post_id: int, *, seen_hash: str) -> Post:
    """Approve exactly the version the approver read (`seen_hash`): it is frozen with the approval, and the
    deliveries publish that version and nothing else."""
    permissions.require(actor, "posts", "approve")
    seen_hash = rules.require_seen_hash(seen_hash)
    post = _lock_post(session, post_id)
    _refuse_contributor(actor, post, "approve")
    next_status = next_post_status(post.status, "approve", record=f"post {post.id}")
    frozen = freeze(post)
    current = rules.frozen_hash(frozen)
    rules.check_seen_hash(seen_hash, current, "the post")
    _check_publishable(post, rt, frozen)
    now = rt.clock()
    approver = _own(session, actor)
    approval = record_approval(session, post, approver, now, frozen, current)
    session.flush()  # the approval's id, which every delivery names
    due = post.scheduled_at or now
    for channel in post.channels:
        for language in frozen_languages(frozen, channel.id):
            post.deliveries.append(Delivery(
                channel=channel, language=language, status=DeliveryStatus.PENDING, due_at=due,
                approval_id=approval.id, idempotency_key=delivery_key(post.id, channel.id, language, current),
            ))
    _move(session, rt, actor, post, next_status, "post.approve", approved_by=approver, approved_at=now,
          approved_hash=current, content_hash=current, sent_back=None)
    notify.post_approved(session, actor, post, now)
    return post


def delivery_key(post_id: int, channel_id: int, language: str, content_hash: str) -> str:
    """A delivery's idempotency key: its post, channel, language and approved version. Lower case letters,
    digits and '-' only, as every platform takes it (a WordPress slug is made of it)."""
    part = f"-{language.lower()}" if language else ""
    return f"p{post_id}-c{channel_id}{part}-{content_hash[:16]}"


def reject(session: Session, rt: Runtime, actor: Actor, post_id: int, comment: str) -> Post:
    permissions.require(actor, "posts", "reject")
    post = _lock_post(session, post_id)
    _refuse_contributor(actor, post, "reject")
    next_status = next_post_status(post.status, "reject", record=f"post {post.id}")
    comment = rules.send_back_comment(comment)
    _move(session, rt, actor, post, next_status, "post.reject", detail={"comment": comment},
          rejected_by=_own(session, actor), rejection_comment=comment)
    notify.post_sent_back(session, actor, post, rt.clock(), comment=comment)
    return post


def withdraw(session: Session, rt: Runtime, actor: Actor, post_id: int) -> Post:
    """A post waiting for approval goes back to draft at the request of someone who wrote or edited it (to
    fix it before anyone approves it); the approvers' list no longer shows it."""
    permissions.require(actor, "posts", "withdraw")
    post = _lock_post(session, post_id)
    if actor.user.id not in post.contributor_ids:
        raise Forbidden(f"only who wrote or edited post {post.id} may withdraw it from approval",
                        code="not_a_contributor")
    next_status = next_post_status(post.status, "withdraw", record=f"post {post.id}")
    return _move(session, rt, actor, post, next_status, "post.withdraw", sent_back=None)


def cancel(session: Session, rt: Runtime, actor: Actor, post_id: int) -> Post:
    permissions.require(actor, "posts", "cancel")
    post = _lock_post(session, post_id)
    next_status = next_post_status(post.status, "cancel", record=f"post {post.id}")
    for delivery in post.deliveries:
        if delivery.status == DeliveryStatus.PENDING:
            delivery.status = DeliveryStatus.CANCELLED
    return _move(session, rt, actor, post, next_status, "post.cancel")


def _move(session: Session, rt: Runtime, actor: Actor, post: Post, status: PostStatus, action: str,
          *, detail: dict | None = None, **changes: Any) -> Post:
    before = post.status
    post.status = status
    post.updated_at = rt.clock()
    for name, value in changes.items():
        setattr(post, name, value)
    session.flush()
    trail.record(session, actor, action, post_id=post.id, before={"status": before},
                 after={"status": str(status), "content_hash": post.content_hash}, detail=detail)
    return post


def _own(session: Session, actor: Actor) -> User:
    """The actor's user as this session knows it (the actor may come from another session)."""
    return session.get(User, actor.user.id)


def _refuse_contributor(actor: Actor, post: Post, verb: str) -> None:
    rules.refuse_contributor(actor.user.id, post.contributor_ids, f"post {post.id}", verb, code="own_post")


def _check_publishable(post: Post, rt: Runtime, frozen: dict[str, Any] | None = None) -> None:
    """Every target channel's own validation of what it would receive, plus the post's time; all at once."""
    frozen = frozen or freeze(post)
    problems: list[Problem] = [] if post.channel_links else [publishable.no_channels()]
    problems += publishable.time_problems(post.scheduled_at, rt.clock())
    for channel in post.channels:
        problems += publishable.language_problems(post, channel)
        for content in thaw_all(frozen, post.id, channel.id, rt.settings.media_dir).values():
            problems += [p for p in publishable.channel_problems(channel, rt, content)[1] if p not in problems]
    if problems:
        raise Unpublishable(problems)


def _apply_fields(session: Session, rt: Runtime, post: Post, fields: dict[str, Any]) -> None:
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise Invalid(f"unknown field(s): {', '.join(unknown)}")
    if "title" in fields:
        post.title = _text(fields["title"] or "", "title", MAX_TITLE)
    if "body" in fields:
        post.body = _text(fields["body"] or "", "body", MAX_BODY)
    if "language" in fields:
        if fields["language"] not in LANGUAGES:
            raise Invalid(f"language {fields['language']!r} is not one of {', '.join(LANGUAGES)}")
        post.language = fields["language"]
    if "translations" in fields or "language" in fields:
        # A version in the language that became the primary one would say the same twice: refused by name.
        post.translations = clean_translations(fields.get("translations", post.translations), post.language)
    if "channels" in fields:
        targets = resolve_targets(session, fields["channels"] or [])
        post.channel_links = [_existing(post.channel_links, "channel_id", c.id) or PostChannel(channel_id=c.id)
                              for c in targets]
        for link, channel in zip(post.channel_links, targets, strict=True):
            link.channel = channel
    if "media" in fields:
        post.media_links = _media_links(session, post, fields["media"] or [])
    if "variants" in fields:
        post.variants = dict(fields["variants"] or {})
    if "variants" in fields or "channels" in fields:
        _check_variants(post)
    if {"scheduled_at", "timezone", "dst_choice"} & set(fields):
        _apply_schedule(post, rt, fields)


def _existing(links: list, attr: str, value: int):  # noqa: ANN202
    return next((link for link in links if getattr(link, attr) == value), None)


def _text(value: Any, field: str, limit: int) -> str:
    if not isinstance(value, str):
        raise Invalid(f"{field} must be text")
    if len(value) > limit:
        raise Invalid(f"{field} is {len(value)} characters; at most {limit}")
    return value


def _media_links(session: Session, post: Post, items: list[Any]) -> list[PostMedia]:
    if len(items) > MAX_MEDIA:
        raise Invalid(f"{len(items)} media items; a post may have at most {MAX_MEDIA}")
    links: list[PostMedia] = []
    seen: set[int] = set()
    for position, item in enumerate(items):
        media_id, alt = (item.get("id"), item.get("alt_text")) if isinstance(item, dict) else (item, None)
        if not isinstance(media_id, int) or isinstance(media_id, bool):
            raise Invalid(f"media item {position + 1}: expected a media id, got {media_id!r}")
        if media_id in seen:
            raise Invalid(f"media {media_id} is attached twice")
        seen.add(media_id)
        media = session.get(Media, media_id)
        if media is None:
            raise Invalid(f"no media with id {media_id}", details={"media": media_id})
        link = _existing(post.media_links, "media_id", media_id) or PostMedia(media_id=media_id)
        link.media, link.position, link.alt_text = media, position, alt
        links.append(link)
    return links


def _check_variants(post: Post) -> None:
    names = {link.channel.name for link in post.channel_links}
    for key, text in post.variants.items():
        if key not in names:
            raise Invalid(f"variant for {key!r}, which is not one of the post's channels",
                          details={"variant": key, "channels": sorted(names)})
        _text(text, f"variant for {key}", MAX_BODY)


def _apply_schedule(post: Post, rt: Runtime, fields: dict[str, Any]) -> None:
    zone = fields.get("timezone")
    try:
        if zone is not None:
            resolve_zone(zone)
            post.timezone = zone
        if "scheduled_at" in fields:
            parsed = parse_schedule(fields["scheduled_at"], zone, dst_choice=fields.get("dst_choice"),
                                    default_timezone=post.timezone or rt.settings.timezone)
            post.scheduled_at = parsed.utc if parsed else None
            if parsed:
                post.timezone = parsed.timezone
    except ScheduleTimeError as exc:
        raise Invalid(exc.message, code=exc.code, details=exc.details) from None
    for problem in publishable.time_problems(post.scheduled_at, rt.clock()):
        raise Invalid(problem.message, code=problem.code)


def _snapshot(post: Post) -> dict[str, Any]:
    return {
        "status": str(post.status),
        "title": post.title,
        "body": post.body,
        "language": post.language,
        "variants": dict(post.variants or {}),
        "translations": dict(post.translations or {}),
        "channels": sorted(link.channel_id for link in post.channel_links),
        "media": [link.media_id for link in post.media_links],
        "scheduled_at": post.scheduled_at.isoformat() if post.scheduled_at else None,
        "timezone": post.timezone,
        "content_hash": post.content_hash,
    }
