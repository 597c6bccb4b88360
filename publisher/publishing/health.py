"""What /healthz tells about publishing: workers alive, holds, overdue deliveries, open alerts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from publisher.core.models import Alert, Delivery, Hold, WorkerBeat
from publisher.core.states import DeliveryStatus

WORKER_SILENCE = timedelta(seconds=60)  # the watchdog's default too (WorkerOptions.silent_worker)


def publishing_state(session: Session, now: datetime, *, overdue_after: timedelta) -> dict[str, Any]:
    """`overdue_after` is the watchdog's PUBLISHER_OVERDUE_ALERT_MINUTES: both must call the same thing late."""
    live = session.scalar(select(func.count()).select_from(WorkerBeat).where(
        WorkerBeat.stopped_at.is_(None), WorkerBeat.heartbeat_at >= now - WORKER_SILENCE)) or 0
    last_beat = session.scalar(select(func.max(WorkerBeat.heartbeat_at)))
    waiting = session.scalar(select(func.count()).select_from(Delivery).where(
        Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.RETRY_WAIT]), Delivery.due_at <= now)) or 0
    overdue = session.scalar(select(func.count()).select_from(Delivery).where(
        Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.RETRY_WAIT]),
        Delivery.due_at < now - overdue_after)) or 0
    by_kind = dict(session.execute(select(Alert.kind, func.count()).where(Alert.resolved_at.is_(None))
                                   .group_by(Alert.kind)).all())
    holds = [{"channel_id": h.channel_id, "reason": h.reason, "since": h.created_at.isoformat()}
             for h in session.scalars(select(Hold).where(Hold.released_at.is_(None)))]
    problems = []
    if live == 0:
        problems.append("no worker has sent a heartbeat in the last minute")
    if overdue:
        problems.append(f"{overdue} deliveries are more than {int(overdue_after.total_seconds() // 60)} min overdue")
    if by_kind:
        problems.append(f"{sum(by_kind.values())} open alerts")
    return {"workers_alive": live, "last_heartbeat": last_beat.isoformat() if last_beat else None,
            "due_now": waiting, "overdue": overdue, "holds": holds, "open_alerts": by_kind, "problems": problems}
