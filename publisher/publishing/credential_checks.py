"""Whether each channel's credentials still work, asked of the platform every few hours, so that a token about
to expire or already revoked is known days before a post fails on it.

The worker checks every enabled channel whose last check is older than the interval (`check_due`); an
administrator's "check now" on the channels page records the same way. The last outcome per channel is one
row of `channel_checks`; a change of outcome is audited. Alerts: `credentials_refused` while the platform
refuses them, `credentials_expiring` when the platform says they stop within the warning period; both are
resolved by the first later check that finds the credentials fine.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from channels.base import HEALTH_OK, HEALTH_REFUSED, Health
from publisher.audit import trail
from publisher.core.actor import Actor
from publisher.core.config import Settings
from publisher.core.models import Alert, Channel, ChannelCheck
from publisher.publishing import alerts

log = logging.getLogger(__name__)

REFUSED_KIND, EXPIRING_KIND = "credentials_refused", "credentials_expiring"
ALERT_KINDS = (REFUSED_KIND, EXPIRING_KIND)
RESOLVED_BY = "worker"
RESOLVED_COMMENT = "A later check found the credentials working."


@dataclass(frozen=True)
class CheckPolicy:
    every: timedelta = timedelta(hours=6)  # how often each channel is asked
    warn_before: timedelta = timedelta(days=7)  # how long before an expiry the alert is raised


def policy_from(settings: Settings) -> CheckPolicy:
    return CheckPolicy(every=timedelta(hours=settings.credential_check_hours),
                       warn_before=timedelta(days=settings.credential_warn_days))


def expiring(check: ChannelCheck | None, now: datetime, warn_before: timedelta) -> bool:
    """Working credentials that the platform says stop within the warning period."""
    return (check is not None and check.outcome == HEALTH_OK and check.expires_at is not None
            and check.expires_at <= now + warn_before)


def last_checks(session: Session) -> dict[int, ChannelCheck]:
    return {c.channel_id: c for c in session.scalars(select(ChannelCheck))}


def due(session: Session, now: datetime, every: timedelta) -> list[Channel]:
    """Enabled channels never checked, or not checked within `every`."""
    return list(session.scalars(
        select(Channel).outerjoin(ChannelCheck, ChannelCheck.channel_id == Channel.id)
        .where(Channel.enabled.is_(True),
               or_(ChannelCheck.checked_at.is_(None), ChannelCheck.checked_at <= now - every))
        .order_by(Channel.id)))


def record(session: Session, actor: Actor, channel: Channel, health: Health, now: datetime,
           policy: CheckPolicy) -> ChannelCheck:
    """Store what a check found, audit a change of outcome, and raise or resolve the channel's alerts."""
    check = session.get(ChannelCheck, channel.id)
    before = None if check is None else check.outcome
    if check is None:
        check = ChannelCheck(channel_id=channel.id, since=now)
        session.add(check)
    elif before != health.outcome:
        check.since = now
    check.checked_at, check.outcome = now, health.outcome
    check.message, check.expires_at = health.message[:1000], health.expires_at
    check.checked_by = actor.name[:64]
    if before != health.outcome:
        trail.record(session, actor, "channel.credentials", subject=f"channel:{channel.id}",
                     before={"outcome": before} if before else None,
                     after={"outcome": health.outcome,
                            "expires_at": health.expires_at.isoformat() if health.expires_at else None})
    _alert(session, channel, check, now, policy)
    return check


def _alert(session: Session, channel: Channel, check: ChannelCheck, now: datetime, policy: CheckPolicy) -> None:
    """One open credential alert per channel at most, saying the worst that holds; none when all is well.
    A check that could not tell changes nothing."""
    if check.outcome not in (HEALTH_OK, HEALTH_REFUSED):
        return
    wanted: tuple[str, str, str] | None = None  # (key, kind, message)
    if check.outcome == HEALTH_REFUSED:
        wanted = (f"credentials-refused:{channel.id}:{check.since:%Y%m%d%H%M}", REFUSED_KIND,
                  f"Channel {channel.name!r}: the platform refused the credentials: {check.message}")
    elif expiring(check, now, policy.warn_before):
        assert check.expires_at is not None
        wanted = (f"credentials-expiring:{channel.id}:{check.expires_at:%Y%m%d%H%M}", EXPIRING_KIND,
                  f"Channel {channel.name!r}: the credentials expire on {check.expires_at:%Y-%m-%d %H:%M} UTC; "
                  f"renew them before then. {check.message}")
    still_open = False
    for alert in session.scalars(select(Alert).where(Alert.channel_id == channel.id, Alert.kind.in_(ALERT_KINDS),
                                                     Alert.resolved_at.is_(None))):
        # A refusal already alerted stays one alert however often it is seen again; an expiry alert is
        # about one date (a new token with another date is a new alert).
        if wanted is not None and alert.kind == wanted[1] and (alert.kind == REFUSED_KIND or alert.key == wanted[0]):
            still_open = True
            continue
        alert.resolved_at, alert.resolved_by, alert.resolution_comment = now, RESOLVED_BY, RESOLVED_COMMENT
    if wanted is not None and not still_open:
        key, kind, message = wanted
        alerts.raise_alert(session, key, kind, message, channel_id=channel.id)


def check_due(sessions: Callable[[], Session], probe: Callable[[Channel], Health], clock: Callable[[], datetime],
              policy: CheckPolicy) -> dict[str, str]:
    """Check every channel that is due: the list is read in one short transaction, each platform is asked
    with no transaction open, and each answer is stored in a transaction of its own. Returns name -> outcome."""
    with sessions() as session:
        channels = due(session, clock(), policy.every)
        session.expunge_all()
    return dict(_check_each(sessions, channels, probe, clock, policy))


def _check_each(sessions: Callable[[], Session], channels: Iterable[Channel], probe: Callable[[Channel], Health],
                clock: Callable[[], datetime], policy: CheckPolicy) -> Iterable[tuple[str, str]]:
    worker = Actor.system("worker")
    for channel in channels:
        health = probe(channel)
        with sessions() as session:
            current = session.get(Channel, channel.id)
            if current is None or not current.enabled:
                continue  # switched off or gone while the platform was being asked
            record(session, worker, current, health, clock(), policy)
            session.commit()
        if health.outcome != HEALTH_OK:
            log.warning("channel %s: credential check %s: %s", channel.name, health.outcome, health.message)
        yield channel.name, health.outcome
