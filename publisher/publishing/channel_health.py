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
    failed = dict(session.execute(select(Delivery.channel_id, func.count()).where(
        Delivery.status.in_([D.FAILED, D.UNKNOWN]), Delivery.updated_at >= now - RECENT)
        .group_by(Delivery.channel_id)).all())
    checks = credential_checks.last_checks(session)
    return [_verdict(session, c, holds.get(c.id), checks.get(c.id), retrying.get(c.id, 0), failed.get(c.id, 0),
                     now, warn_before) for c in channels]


def _verdict(session: Session, channel: Channel, hold: Hold | None, check: ChannelCheck | None, retrying: int,
             failed: int, now: datetime, warn_before: timedelta) -> ChannelHealth:
    def made(state: str, reason: str, detail: str = "", at: datetime | None = None) -> ChannelHealth:
        return ChannelHealth(channel, state, reason, detail, retrying, failed, at)

    if not channel.enabled:
        return made(BROKEN, "switched_off")
    if hold is not None:
        return made(BROKEN, "credentials_refused" if hold.created_by == WORKER else "paused", hold.reason)
    if check is not None and check.outcome == HEALTH_REFUSED:
        return made(BROKEN, "check_refused", check.message, check.since)
    if channel.rate_limited_until is not None and channel.rate_limited_until > now:
        return made(FAILING, "rate_limited", _last_error(session, channel))
    if retrying:
        return made(FAILING, "retrying", _last_error(session, channel))
    if failed:
        return made(FAILING, "failed", _last_error(session, channel))
    if check is not None and credential_checks.expiring(check, now, warn_before):
        return made(EXPIRING, "credentials_expiring", check.message, check.expires_at)
    return made(HEALTHY, "ok")


def _last_error(session: Session, channel: Channel) -> str:
    return session.scalar(select(Delivery.error).where(
        Delivery.channel_id == channel.id, Delivery.error.is_not(None),
        Delivery.status.in_([D.RETRY_WAIT, D.FAILED, D.UNKNOWN]))
        .order_by(Delivery.updated_at.desc(), Delivery.id.desc()).limit(1)) or ""


def unhealthy(verdicts: list[ChannelHealth]) -> list[ChannelHealth]:
    return [v for v in verdicts if not v.healthy]
