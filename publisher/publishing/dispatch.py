"""Claim due deliveries, record what the platforms said, and keep each post's status in step.

"Never twice, never silently missed" rests on three rules kept here:
- a delivery is claimed in a short transaction committed before any network call, with a lease;
- an outcome the platform may or may not have acted on becomes `unknown`, never an automatic resend;
- a worker that stopped beating for longer than its channel's longest request plus a grace loses its
  claims to reconciliation (`unknown`), as does one whose lease expires (the last resort);
- each claim carries a fencing token, and an outcome is recorded only while the delivery still carries
  it: a worker that lost its claim (declared dead, or only stalled) writes nothing over its successor.
Every function takes `now` from the caller (the worker's clock), never from the database.
"""

from __future__ import annotations

import logging
import random
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import and_, bindparam, exists, func, insert, or_, select, true, update
from sqlalchemy.orm import Session

from channels import registry
from channels.base import Published
from channels.errors import AuthExpired, ChannelError, OutcomeUnknown, RateLimited, Rejected, Retryable
from publisher.audit import trail
from publisher.core.actor import Actor
from publisher.core.models import Channel, Delivery, DeliveryAttempt, Hold, Post, WorkerBeat
from publisher.core.states import (
    OPEN_DELIVERY_STATES,
    DeliveryStatus,
    PostStatus,
    next_delivery_status,
    next_post_status,
)
from publisher.notifications import making as notify
from publisher.publishing import alerts

# The reason of the pause the worker makes when a platform refuses a channel's credentials (English, as stored
# and audited; pages show it in words: web.labels.hold_reason).
AUTH_PAUSE = "the platform refused the credentials: "

D, P = DeliveryStatus, PostStatus
SENDABLE_POST_STATES = (P.SCHEDULED, P.PUBLISHING, P.PARTIALLY_PUBLISHED, P.FAILED)
# unknowns reconciliation will look at
RECONCILABLE = ("lease_expired", "worker_lost", "outcome_unknown", "adapter_error")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DispatchPolicy:
    lease: timedelta = timedelta(minutes=5)  # longer than any adapter's timeouts together
    stale_after: timedelta = timedelta(hours=1)
    max_attempts: int = 10
    backoff_base: float = 5.0  # seconds before the second attempt; doubles each time
    backoff_cap: float = 3600.0
    claim_batch: int = 200


@dataclass(frozen=True)
class Claim:
    delivery_id: int
    post_id: int
    channel_id: int
    key: str
    attempt: int
    lease_expires_at: datetime
    attempt_id: int | None = None  # its delivery_attempts row, finished by primary key when recorded
    token: str | None = None  # the fencing token: recording needs the delivery to carry it still


def _claimable(now: datetime, status: DeliveryStatus):  # noqa: ANN202
    """Due, on an enabled channel that is neither paused nor rate-limited, with no global hold.

    One status at a time: an OR across pending and retry_wait makes SQLite scan the whole channel.
    """
    active_hold = and_(Hold.released_at.is_(None))
    due = Delivery.due_at <= now if status == D.PENDING else Delivery.next_attempt_at <= now
    return and_(
        Delivery.status == status,
        due,
        Channel.enabled.is_(True),
        or_(Channel.rate_limited_until.is_(None), Channel.rate_limited_until <= now),
        ~exists().where(active_hold, or_(Hold.channel_id.is_(None), Hold.channel_id == Delivery.channel_id)),
        Post.status.in_(SENDABLE_POST_STATES),
    )


def _joined(query):  # noqa: ANN001, ANN202
    return query.join(Post, Post.id == Delivery.post_id).join(Channel, Channel.id == Delivery.channel_id)


def mark_stale(session: Session, now: datetime, policy: DispatchPolicy) -> list[int]:
    """Deliveries that could go now but were due longer ago than the staleness window wait for a person."""
    cutoff = now - policy.stale_after
    ids = list(session.scalars(_joined(select(Delivery.id)).where(
        _claimable(now, D.PENDING), Delivery.due_at < cutoff).limit(policy.claim_batch)))
    if not ids:
        return []
    rows = session.execute(
        update(Delivery).where(Delivery.id.in_(ids), Delivery.status == D.PENDING)
        .values(status=D.STALE, error_kind="stale", updated_at=now,
                error=f"due more than {_span(policy.stale_after)} ago when it could first be sent; "
                      "send it now or cancel it")
        .returning(Delivery.id, Delivery.post_id, Delivery.due_at)
    ).all()
    worker = Actor.system("worker")
    for delivery_id, post_id, due_at in rows:
        trail.record(session, worker, "delivery.stale", post_id=post_id, subject=f"delivery:{delivery_id}",
                     before={"status": "pending"}, after={"status": "stale"})
        alerts.raise_alert(session, f"stale:{delivery_id}", "stale",
                           f"A delivery due {due_at:%Y-%m-%d %H:%M} UTC was not sent in time (more than "
                           f"{_span(policy.stale_after)} late). Decide: send now, or cancel.",
                           post_id=post_id, delivery_id=delivery_id)
    _settle_posts(session, {post_id for _, post_id, _ in rows}, now)
    return [r[0] for r in rows]


@cache
def _claim_statements() -> tuple:  # noqa: ANN202 - built once: the claim runs hundreds of times a second
    """The claim's statements with bound parameters, so that each pass only binds values."""
    now = bindparam("now")
    picks = {}
    for status, order in ((D.RETRY_WAIT, Delivery.next_attempt_at), (D.PENDING, Delivery.due_at)):
        # A pending delivery past the staleness window is never claimed: it waits for a person.
        fresh = Delivery.due_at >= bindparam("fresh_after") if status == D.PENDING else true()
        picks[status] = (
            _joined(select(Delivery.id))
            .where(_claimable(now, status), fresh, Delivery.channel_id == bindparam("channel_id"))
            .order_by(order, Delivery.id).limit(bindparam("room"))
            .with_for_update(skip_locked=True, of=[Delivery, Post]))
    deliveries = Delivery.__table__
    take = (
        deliveries.update()
        .where(deliveries.c.id.in_(bindparam("ids", expanding=True)),
               deliveries.c.status.in_([D.PENDING, D.RETRY_WAIT]))
        .values(status=D.SENDING, lease_owner=bindparam("worker"), lease_expires_at=bindparam("expires"),
                lease_token=bindparam("token"), attempts=deliveries.c.attempts + 1, last_attempt_at=now,
                next_attempt_at=None, updated_at=now)
        .returning(deliveries.c.id, deliveries.c.post_id, deliveries.c.idempotency_key, deliveries.c.attempts))
    posts = Post.__table__
    start = (
        posts.update()
        .where(posts.c.id.in_(bindparam("ids", expanding=True)), posts.c.status.in_(SENDABLE_POST_STATES),
               posts.c.status != P.PUBLISHING)
        .values(status=P.PUBLISHING, version=posts.c.version + 1, updated_at=now)
        .returning(posts.c.id))
    return picks, take, start


def claim_due(session: Session, worker_id: str, now: datetime, slots: Mapping[int, int],
              policy: DispatchPolicy) -> list[Claim]:
    """Claim up to `slots[channel_id]` due deliveries per channel. The caller commits before sending.

    PostgreSQL: FOR UPDATE SKIP LOCKED over the delivery and its post, so workers never wait on each
    other and an officer editing the post at this moment is skipped rather than raced.
    SQLite: the writer lock (BEGIN IMMEDIATE) serialises claims; the status is re-checked on update.
    The delivery attempt row is the record of the claim (who, when); no separate audit event.
    One fencing token per pass: a delivery is claimed at most once in a pass, so the token is still
    new for each claim of it (and binding one value costs nothing).
    """
    picks, take, start = _claim_statements()
    conn = session.connection()
    claims: list[Claim] = []
    expires = now + policy.lease
    token = secrets.token_hex(16)
    for channel_id, free in slots.items():
        ids: list[int] = []
        for status in (D.RETRY_WAIT, D.PENDING):
            room = min(free, policy.claim_batch) - len(ids)
            if room <= 0:
                break
            ids += conn.execute(picks[status], {"now": now, "fresh_after": now - policy.stale_after,
                                                "channel_id": channel_id, "room": room}).scalars()
        if not ids:
            continue
        rows = conn.execute(take, {"ids": ids, "now": now, "worker": worker_id, "expires": expires,
                                   "token": token}).all()
        claims.extend(Claim(r[0], r[1], channel_id, r[2], r[3], expires, token=token) for r in rows)
    if not claims:
        return []
    attempts = DeliveryAttempt.__table__
    attempt_ids = conn.execute(insert(attempts).returning(attempts.c.id, sort_by_parameter_order=True), [
        {"delivery_id": c.delivery_id, "number": c.attempt, "worker_id": worker_id, "started_at": now}
        for c in claims]).scalars().all()
    claims = [replace(c, attempt_id=attempt_id) for c, attempt_id in zip(claims, attempt_ids, strict=True)]
    moved = conn.execute(start, {"ids": sorted({c.post_id for c in claims}), "now": now}).scalars().all()
    if moved:
        trail.record_batch(conn, Actor.system(f"worker:{worker_id}"), now, [
            {"action": "post.publishing", "post_id": pid, "subject": f"post:{pid}", "after": {"status": "publishing"}}
            for pid in moved])
    return claims


def next_due(session: Session, now: datetime) -> datetime | None:
    """When something next becomes sendable (ignoring holds: a release wakes the worker anyway)."""
    pending = session.scalar(select(func.min(Delivery.due_at)).where(Delivery.status == D.PENDING))
    retry = session.scalar(select(func.min(Delivery.next_attempt_at)).where(Delivery.status == D.RETRY_WAIT))
    times = [t for t in (pending, retry) if t is not None]
    return min(times) if times else None


def lock_delivery(session: Session, delivery_id: int) -> Delivery | None:
    """Lock the row (PostgreSQL; SQLite holds its write lock already), then load it fresh."""
    if session.scalar(select(Delivery.id).where(Delivery.id == delivery_id).with_for_update()) is None:
        return None
    return session.get(Delivery, delivery_id, populate_existing=True)


def record_outcome(session: Session, claim: Claim, worker_id: str, now: datetime,
                   result: Published | BaseException, policy: DispatchPolicy) -> str:
    """Store what happened to one send. Returns the delivery's new status."""
    status = _record_one(session, claim, worker_id, now, result, policy)
    _settle_posts(session, {claim.post_id}, now)
    return status


@cache
def _record_statements() -> tuple:  # noqa: ANN202 - built once, like the claim's
    deliveries, attempts = Delivery.__table__, DeliveryAttempt.__table__
    now = bindparam("now")
    ours = (select(deliveries.c.id, deliveries.c.lease_token)
            .where(deliveries.c.id.in_(bindparam("ids", expanding=True)), deliveries.c.status == D.SENDING)
            .order_by(deliveries.c.id).with_for_update())
    # Conditional on the token as well, although the rows are locked: the fence is in the statement.
    sent = deliveries.update().where(deliveries.c.id == bindparam("row_id"),
                                     deliveries.c.lease_token == bindparam("b_token")).values(
        status=D.SENT, remote_id=bindparam("b_remote_id"), url=bindparam("b_url"), sent_at=now, error=None,
        error_kind=None, lease_owner=None, lease_expires_at=None, lease_token=None, updated_at=now)
    # One statement for the whole batch: every sent attempt finishes alike.
    finished = (attempts.update().where(attempts.c.id.in_(bindparam("attempt_ids", expanding=True)))
                .values(finished_at=now, outcome="sent"))
    return ours, sent, finished


def record_outcomes(session: Session, outcomes: list[tuple[Claim, Published | BaseException]], worker_id: str,
                    now: datetime, policy: DispatchPolicy) -> None:
    """Store many outcomes in one transaction: the common case (sent, claim still ours) as a few
    set-based statements, anything else through the one-by-one path."""
    find_ours, mark_sent, finish_attempt = _record_statements()
    conn = session.connection()
    published = {c.delivery_id: (c, r) for c, r in outcomes if isinstance(r, Published)}
    rows = conn.execute(find_ours, {"ids": sorted(published)}).all() if published else []
    ours = {i for i, token in rows if token is not None and token == published[i][0].token}
    sent = [published[i] for i in sorted(ours)]
    slow = [(c, r) for c, r in outcomes if c.delivery_id not in ours]
    if sent:
        conn.execute(mark_sent, [{"row_id": c.delivery_id, "b_token": c.token, "b_remote_id": r.remote_id,
                                  "b_url": r.url, "now": now} for c, r in sent])
        conn.execute(finish_attempt, {"attempt_ids": [c.attempt_id for c, _ in sent], "now": now})
        trail.record_batch(conn, Actor.system(f"worker:{worker_id}"), now, [
            {"action": "delivery.sent", "post_id": c.post_id, "subject": f"delivery:{c.delivery_id}",
             "before": {"status": "sending"}, "after": {"status": "sent", "attempt": c.attempt}} for c, _ in sent])
    for claim, result in slow:
        _record_one(session, claim, worker_id, now, result, policy)
    _settle_posts(session, {claim.post_id for claim, _ in outcomes}, now)


def _record_one(session: Session, claim: Claim, worker_id: str, now: datetime,
                result: Published | BaseException, policy: DispatchPolicy) -> str:
    delivery = lock_delivery(session, claim.delivery_id)
    if delivery is None:
        return "gone"
    if delivery.status != D.SENDING or claim.token is None or delivery.lease_token != claim.token:
        # Fenced: the claim was taken from us (we were declared dead, or our lease expired) and the
        # delivery is reconciliation's, a person's or another worker's now. Write nothing, not even the
        # attempt row (it says how the claim ended); the log keeps what we heard, a link included.
        log.warning("worker %s no longer holds delivery %s (attempt %s; it is %s now): not recording %s",
                    worker_id, claim.delivery_id, claim.attempt, delivery.status, _describe(result, link=True))
        return "fenced"
    attempt = session.scalar(select(DeliveryAttempt).where(
        DeliveryAttempt.delivery_id == claim.delivery_id, DeliveryAttempt.number == claim.attempt))
    before = delivery.status
    outcome, status = _apply(session, delivery, result, now, policy)
    _finish_attempt(attempt, now, outcome, None if status == D.SENT else delivery.error)
    delivery.lease_owner = delivery.lease_expires_at = delivery.lease_token = None
    delivery.updated_at = now
    trail.record(session, Actor.system(f"worker:{worker_id}"), f"delivery.{outcome}", post_id=delivery.post_id,
                 subject=f"delivery:{delivery.id}", before={"status": before},
                 after={"status": delivery.status, "attempt": claim.attempt},
                 detail={"error": delivery.error} if delivery.error and status != D.SENT else None)
    return delivery.status


def _apply(session: Session, delivery: Delivery, result: Published | BaseException, now: datetime,
           policy: DispatchPolicy) -> tuple[str, str]:
    channel = delivery.channel
    if isinstance(result, Published):
        mark_sent(delivery, result, now)
        return "sent", D.SENT
    message = _describe(result)
    if isinstance(result, AuthExpired):
        # Nothing was accepted. Pause the channel for an admin; this delivery goes when it is released.
        _pause_channel(session, channel, now, f"{AUTH_PAUSE}{message}")
        return _retry(delivery, now, now, "auth", message)
    if isinstance(result, RateLimited):
        wait = result.retry_after if result.retry_after is not None else _backoff(delivery.attempts, policy)
        until = now + timedelta(seconds=max(wait, 1.0))
        channel.rate_limited_until = max(channel.rate_limited_until or until, until)
        if delivery.attempts >= policy.max_attempts:
            return _fail(session, delivery, now, f"gave up after {delivery.attempts} attempts: {message}")
        return _retry(delivery, now, until, "rate_limited", message)
    if isinstance(result, Retryable):
        if delivery.attempts >= policy.max_attempts:
            return _fail(session, delivery, now, f"gave up after {delivery.attempts} attempts: {message}")
        wait = result.retry_after if result.retry_after is not None else _backoff(delivery.attempts, policy)
        return _retry(delivery, now, now + timedelta(seconds=wait), "retryable", message)
    if isinstance(result, Rejected):
        return _fail(session, delivery, now, message)
    # OutcomeUnknown, or anything else an adapter let slip (a bug): the platform may have the post.
    kind = "outcome_unknown" if isinstance(result, OutcomeUnknown) else "adapter_error"
    return _unknown(session, delivery, now, message, kind)


def mark_sent(delivery: Delivery, published: Published, now: datetime, *, action: str = "sent",
              record: str = "the delivery") -> None:
    """The one way a delivery becomes sent, one row at a time: by the worker ("sent"), by reconciliation or a
    person ("confirm_sent"). `record_outcomes` writes the same columns for a whole batch in one statement."""
    delivery.status = next_delivery_status(delivery.status, action, record=record)
    delivery.remote_id, delivery.url = published.remote_id, published.url
    delivery.sent_at = now
    delivery.error = delivery.error_kind = None


def _retry(delivery: Delivery, now: datetime, at: datetime, kind: str, message: str) -> tuple[str, str]:
    delivery.status = next_delivery_status(delivery.status, "retry_later")
    delivery.next_attempt_at = at
    delivery.error, delivery.error_kind = message, kind
    return "retry", D.RETRY_WAIT


def _fail(session: Session, delivery: Delivery, now: datetime, message: str) -> tuple[str, str]:
    delivery.status = next_delivery_status(delivery.status, "fail")
    delivery.error, delivery.error_kind = message, "rejected"
    alerts.raise_alert(session, f"failed:{delivery.id}:{delivery.attempts}", "failed",
                       f"{delivery.channel.name} did not take post {delivery.post_id}: {message}",
                       post_id=delivery.post_id, delivery_id=delivery.id, channel_id=delivery.channel_id)
    return "failed", D.FAILED


def _unknown(session: Session, delivery: Delivery, now: datetime, message: str, kind: str) -> tuple[str, str]:
    delivery.status = next_delivery_status(delivery.status, "outcome_unknown")
    delivery.error, delivery.error_kind = message, kind
    alerts.raise_alert(session, f"unknown:{delivery.id}:{delivery.attempts}", "unknown",
                       f"{delivery.channel.name} may or may not have post {delivery.post_id}: {message}. "
                       "Publisher is checking; if it cannot tell, say whether it went out.",
                       post_id=delivery.post_id, delivery_id=delivery.id, channel_id=delivery.channel_id)
    return "unknown", D.UNKNOWN


def _pause_channel(session: Session, channel: Channel, now: datetime, reason: str) -> None:
    already = session.scalar(select(Hold.id).where(Hold.channel_id == channel.id, Hold.released_at.is_(None)))
    if already is None:
        session.add(Hold(channel_id=channel.id, reason=reason, created_by="worker", created_at=now))
        trail.record(session, Actor.system("worker"), "hold.on", subject=f"channel:{channel.id}",
                     after={"reason": reason})
    alerts.raise_alert(session, f"auth:{channel.id}:{now:%Y%m%d%H%M}", "auth",
                       f"Channel {channel.name!r} is paused: {reason}. Renew its credentials, then release it.",
                       channel_id=channel.id)


def _finish_attempt(attempt: DeliveryAttempt | None, now: datetime, outcome: str, error: str | None) -> None:
    if attempt is not None:
        attempt.finished_at, attempt.outcome, attempt.error = now, outcome, error


def _backoff(attempts: int, policy: DispatchPolicy) -> float:
    delay = min(policy.backoff_cap, policy.backoff_base * 2 ** max(attempts - 1, 0))
    return delay * random.uniform(0.8, 1.2)  # jitter: workers that failed together do not retry together


def _describe(result: object, *, link: bool = False) -> str:
    if isinstance(result, Published):
        return f"published as {result.remote_id}" + (f" ({result.url})" if link and result.url else "")
    if isinstance(result, ChannelError):
        return result.message
    return f"{type(result).__name__}: {result}"


def _span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60} h" if minutes % 60 == 0 and minutes >= 60 else f"{minutes} min"


def settle_post(session: Session, post_id: int, now: datetime, *, actor: Actor | None = None) -> None:
    """`actor`: the person whose decision settles it, who is not notified of it."""
    _settle_posts(session, {post_id}, now, actor)


@cache
def _settle_statements() -> tuple:  # noqa: ANN202 - built once, like the claim's
    posts, deliveries = Post.__table__, Delivery.__table__
    ids = bindparam("ids", expanding=True)
    lock = select(posts.c.id, posts.c.status).where(posts.c.id.in_(ids)).order_by(posts.c.id).with_for_update()
    # Cancelled deliveries count: a channel cancelled after failing did not get the post (issue 11).
    states = select(deliveries.c.post_id, deliveries.c.status, deliveries.c.error_kind).where(
        deliveries.c.post_id.in_(ids))
    move = posts.update().where(posts.c.id.in_(bindparam("moving", expanding=True))).values(
        status=bindparam("target"), version=posts.c.version + 1, updated_at=bindparam("now"))
    return lock, states, move


def _settle_posts(session: Session, post_ids: Iterable[int], now: datetime, actor: Actor | None = None) -> None:
    """A post's status follows its deliveries once none of them is still with the worker.

    The post rows are locked first (in id order, so two settlers never deadlock): two deliveries of
    one post finishing at the same moment in two transactions must not each see the other still
    `sending` and leave the post in `publishing` for good.
    """
    ids = sorted(set(post_ids))
    if not ids:
        return
    session.flush()  # the statements below go to the connection, past the session's autoflush
    lock, states, move = _settle_statements()
    conn = session.connection()
    current = dict(conn.execute(lock, {"ids": ids}).all())
    rows: dict[int, list[tuple[str, str | None]]] = {pid: [] for pid in ids}
    for post_id, status, kind in conn.execute(states, {"ids": ids}):
        rows[post_id].append((status, kind))
    moves = []
    for post_id in ids:
        before = current.get(post_id)
        if before not in (P.PUBLISHING, P.PARTIALLY_PUBLISHED, P.FAILED):
            continue
        target, action = _post_outcome(rows[post_id])
        if before == target:
            continue
        next_post_status(before, action, record=f"post {post_id}")  # the move table still rules
        moves.append({"action": f"post.{target}", "post_id": post_id, "subject": f"post:{post_id}",
                      "before": {"status": str(before)}, "after": {"status": str(target)}})
    if moves:
        by_target: dict[str, list[int]] = {}
        for m in moves:
            by_target.setdefault(m["after"]["status"], []).append(m["post_id"])
        for target, moving in by_target.items():  # one statement per new status, not one per post
            conn.execute(move, {"moving": moving, "target": target, "now": now})
        trail.record_batch(conn, Actor.system("worker"), now, moves)
        for post_id in (m["post_id"] for m in moves):
            post = session.identity_map.get(session.identity_key(Post, post_id))  # keep loaded copies true
            if post is not None:
                session.expire(post, ["status", "version", "updated_at"])
        # In this transaction: a post is never published without its people being told, nor told twice.
        notify.posts_settled(session, {m["post_id"]: m["after"]["status"] for m in moves}, now, actor)


def _post_outcome(rows: list[tuple[str, str | None]]) -> tuple[PostStatus, str]:
    """Published only when every channel got it: a cancelled delivery is a channel the post missed, so
    some sent and some cancelled (or failed) is "partially published", none sent is "failed"."""
    statuses = [s for s, _ in rows]
    # An unknown that reconciliation has not looked at yet is still the worker's business: the
    # post must not show "failed" for the seconds before it is found or sent again.
    if any(s in OPEN_DELIVERY_STATES or (s == D.UNKNOWN and kind in RECONCILABLE) for s, kind in rows):
        return P.PUBLISHING, "resume_publishing"
    if statuses and all(s == D.SENT for s in statuses):
        return P.PUBLISHED, "finish_published"
    if any(s == D.SENT for s in statuses):
        return P.PARTIALLY_PUBLISHED, "finish_partially"
    return P.FAILED, "finish_failed"


def reap_expired_leases(session: Session, now: datetime) -> list[int]:
    """A `sending` delivery whose lease ran out lost its worker mid-send: its outcome is unknown.

    The last resort: a worker that stopped beating loses its claims sooner (`reap_dead_workers`)."""
    rows = session.execute(
        update(Delivery).where(Delivery.status == D.SENDING, Delivery.lease_expires_at < now)
        .values(status=D.UNKNOWN, error_kind="lease_expired", lease_token=None, updated_at=now,
                error="the worker stopped during the send (its lease expired); checking with the platform")
        .returning(Delivery.id, Delivery.post_id, Delivery.lease_owner, Delivery.attempts)
    ).all()
    _to_reconciliation(session, rows, now, "lease_expired")
    return [r[0] for r in rows]


def reap_dead_workers(session: Session, now: datetime, grace: timedelta) -> list[int]:
    """Claims of a worker silent for longer than its channel's longest request plus `grace` go to
    reconciliation (`unknown`, exactly as an expired lease), and the worker is marked declared dead.

    Why the wait covers the request: a worker that only stalled (a long pause, a lost database
    connection) may still have a request on the wire, and reconciliation must not look before it
    has landed, or a platform without our key could get the post twice. The worker itself starts no
    request once its last heartbeat is half the grace old (publisher.publishing.worker), so anything
    it still has on the wire started within that time and ended within its timeout.

    The silent workers' rows are locked first (PostgreSQL; SQLite holds the write lock already): a
    heartbeat landing at this moment either comes first, and the worker is not silent, or comes
    after, and finds itself declared dead. A claim without a token (made before the upgrade that
    added them) is left to its lease.
    """
    holders = select(Delivery.lease_owner).where(Delivery.status == D.SENDING)  # not every worker that ever ran
    silent = list(session.scalars(select(WorkerBeat.id).where(WorkerBeat.heartbeat_at < now - grace,
                                                              WorkerBeat.id.in_(holders))
                                  .order_by(WorkerBeat.id).with_for_update()))
    if not silent:
        return []
    candidates = session.execute(
        select(Delivery.id, Delivery.lease_token, Delivery.channel_id, WorkerBeat.heartbeat_at)
        .join(WorkerBeat, WorkerBeat.id == Delivery.lease_owner)
        .where(Delivery.status == D.SENDING, Delivery.lease_owner.in_(silent),
               Delivery.lease_token.is_not(None))).all()
    if not candidates:
        return []
    longest = _longest_requests(session, {cid for _, _, cid, _ in candidates})
    due = [(did, token) for did, token, cid, beat in candidates
           if cid in longest and beat < now - timedelta(seconds=longest[cid]) - grace]
    if not due:
        return []
    rows = session.execute(
        update(Delivery).where(Delivery.id.in_([d for d, _ in due]), Delivery.status == D.SENDING,
                               Delivery.lease_token.in_({t for _, t in due}))
        .values(status=D.UNKNOWN, error_kind="worker_lost", lease_token=None, updated_at=now,
                error="the worker stopped answering during the send; checking with the platform")
        .returning(Delivery.id, Delivery.post_id, Delivery.lease_owner, Delivery.attempts)
    ).all()
    owners = sorted({owner for _, _, owner, _ in rows})
    if owners:
        session.execute(update(WorkerBeat).where(WorkerBeat.id.in_(owners), WorkerBeat.declared_dead_at.is_(None))
                        .values(declared_dead_at=now))
    _to_reconciliation(session, rows, now, "worker_lost")
    return [r[0] for r in rows]


def _longest_requests(session: Session, channel_ids: set[int]) -> dict[int, float]:
    """Seconds one request of each channel's adapter can take; a kind this process does not know is
    left to the lease (it is missing from the answer)."""
    kinds = registry.kinds()
    rows = session.execute(select(Channel.id, Channel.kind, Channel.config).where(Channel.id.in_(channel_ids)))
    return {cid: kinds[kind].longest_request_seconds(config or {}) for cid, kind, config in rows if kind in kinds}


def _to_reconciliation(session: Session, rows: list, now: datetime, outcome: str) -> None:
    """Finish the attempts of deliveries just made `unknown` under a lost worker, with an audit row each."""
    worker = Actor.system("reaper")
    for delivery_id, post_id, owner, attempts in rows:
        session.execute(update(DeliveryAttempt).where(
            DeliveryAttempt.delivery_id == delivery_id, DeliveryAttempt.number == attempts,
            DeliveryAttempt.finished_at.is_(None)).values(finished_at=now, outcome=outcome))
        trail.record(session, worker, f"delivery.{outcome}", post_id=post_id, subject=f"delivery:{delivery_id}",
                     before={"status": "sending", "worker": owner}, after={"status": "unknown"})
    _settle_posts(session, {r[1] for r in rows}, now)
