"""Per channel, one verdict everyone sees alike (overview, compose, channels page): healthy, expiring,
failing or broken.

- broken: nothing goes out until a person acts: switched off, paused by a person, paused by the worker
  because the platform refused the credentials, or the last credential check was refused;
- failing: it still sends, but not well: deliveries waiting to retry, deliveries that failed (or whose
  outcome is unknown) within RECENT, or a rate limit in force;
- expiring: it sends, but the platform says the credentials stop within the warning period;
- healthy: none of that.

The reason is a code (`REASONS`); the web layer says it in the person's language. `detail` keeps the
platform's or the person's own words for experts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from channels.base import HEALTH_REFUSED
from publisher.core.models import Channel, ChannelCheck, Delivery, Hold
from publisher.core.states import DeliveryStatus
from publisher.destinations.channel_store import list_channels
from publisher.publishing import credential_checks
from publisher.publishing.history import moment

D = DeliveryStatus
RECENT = timedelta(hours=24)  # a failure older than this no longer marks the channel failing
HEALTHY, EXPIRING, FAILING, BROKEN = "healthy", "expiring", "failing", "broken"
REASONS = ("switched_off", "credentials_refused", "check_refused", "paused", "rate_limited", "retrying", "failed",
           "credentials_expiring", "ok")
WORKER = "worker"  # Hold.created_by of a pause the worker made after an auth failure (dispatch._pause_channel)


@dataclass(frozen=True)
class ChannelHealth:
    channel: Channel
    state: str  # HEALTHY | EXPIRING | FAILING | BROKEN
    reason: str  # one of REASONS
    detail: str  # the hold's reason or the last error, as recorded
    retrying: int  # deliveries waiting to retry now
    failed: int  # failed or unknown within RECENT
    at: datetime | None = None  # check_refused: refused since; credentials_expiring: when they expire

    @property
    def healthy(self) -> bool:
        return self.state == HEALTHY


def channel_health(session: Session, now: datetime,
                   warn_before: timedelta = credential_checks.CheckPolicy.warn_before) -> list[ChannelHealth]:
    """Every channel's verdict, by name; four grouped queries whatever the number of channels."""
    channels = list_channels(session)
    holds = {h.channel_id: h for h in session.scalars(
        select(Hold).where(Hold.released_at.is_(None), Hold.channel_id.is_not(None)).order_by(Hold.id))}
    retrying = dict(session.execute(select(Delivery.channel_id, func.count()).where(
        Delivery.status == D.RETRY_WAIT).group_by(Delivery.channel_id)).all())
    # moment() is updated_at for these states (they have no sent_at): the (status, moment) index serves it
    failed = dict(session.execute(select(Delivery.channel_id, func.count()).where(
        Delivery.status.in_([D.FAILED, D.UNKNOWN]), moment() >= now - RECENT)
        .group_by(Delivery.channel_id)).all())
    checks = credential_checks.last_checks(session)
    errors = _last_errors(session, now) if retrying or failed or any(
        c.rate_limited_until is not None and c.rate_limited_until > now for c in channels) else {}
    return [_verdict(c, holds.get(c.id), checks.get(c.id), retrying.get(c.id, 0), failed.get(c.id, 0),
                     errors.get(c.id, ""), now, warn_before) for c in channels]


def _verdict(channel: Channel, hold: Hold | None, check: ChannelCheck | None, retrying: int, failed: int,
             last_error: str, now: datetime, warn_before: timedelta) -> ChannelHealth:
    def made(state: str, reason: str, detail: str = "", at: datetime | None = None) -> ChannelHealth:
        return ChannelHealth(channel, state, reason, detail, retrying, failed, at)

    if not channel.enabled:
        return made(BROKEN, "switched_off")
    if hold is not None:
        return made(BROKEN, "credentials_refused" if hold.created_by == WORKER else "paused", hold.reason)
    if check is not None and check.outcome == HEALTH_REFUSED:
        return made(BROKEN, "check_refused", check.message, check.since)
    if channel.rate_limited_until is not None and channel.rate_limited_until > now:
        return made(FAILING, "rate_limited", last_error)
    if retrying:
        return made(FAILING, "retrying", last_error)
    if failed:
        return made(FAILING, "failed", last_error)
    if check is not None and credential_checks.expiring(check, now, warn_before):
        return made(EXPIRING, "credentials_expiring", check.message, check.expires_at)
    return made(HEALTHY, "ok")


def _last_errors(session: Session, now: datetime) -> dict[int, str]:
    """Each channel's newest error among its deliveries waiting to retry or failed within RECENT. Two range
    reads of the status indexes (what waits to retry, and a day's failures), newest kept per channel here: a
    per-channel ORDER BY walked every delivery the channel ever had when none matched."""
    newest: dict[int, tuple[datetime, int, str]] = {}
    for where in ((Delivery.status == D.RETRY_WAIT,),
                  (Delivery.status.in_([D.FAILED, D.UNKNOWN]), moment() >= now - RECENT)):
        for channel_id, error, at, delivery_id in session.execute(select(
                Delivery.channel_id, Delivery.error, moment(), Delivery.id).where(Delivery.error.is_not(None), *where)):
            if channel_id not in newest or (at, delivery_id) > newest[channel_id][:2]:
                newest[channel_id] = (at, delivery_id, error)
    return {channel_id: error for channel_id, (_, _, error) in newest.items()}


def unhealthy(verdicts: list[ChannelHealth]) -> list[ChannelHealth]:
    return [v for v in verdicts if not v.healthy]
