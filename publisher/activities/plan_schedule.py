"""When the weekly plan is made on its own: every week at PUBLISHER_WEEKLY_PLAN_AT (default Friday 12:00, wall time
in the office's zone, so the same hour in summer and in winter) the worker prepares next week's plan. It then
sends it only when the office chose so (PUBLISHER_WEEKLY_PLAN_AUTO_SEND); else it tells the people who may send
it that it waits for them.

A worker that was stopped for weeks prepares only the plan of the latest time it missed, never one per
missed week (publisher.recurrence.due); each week's plan is prepared once: a week that has its row already
(prepared by the schedule, or by a person on the page, or sent) is left alone.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from publisher.activities import weekly_plan
from publisher.activities.plan_models import WeeklyPlan
from publisher.activities.weekly_plan import PlanConfig, PlanPrinting
from publisher.core import permissions
from publisher.core.actor import Actor
from publisher.core.config import WEEKDAYS
from publisher.core.errors import Invalid
from publisher.core.models import User, UserRole
from publisher.notifications import making
from publisher.notifications.choices import WEEKLY_PLAN_WAITING
from publisher.pdf import readiness
from publisher.recurrence.due import due_now
from publisher.recurrence.series import Series

log = logging.getLogger(__name__)
WORKER = Actor.system("worker")


def series(at: str, zone: str, now: datetime) -> Series:
    """The weekly times at `at` ("FRI 12:00") in `zone`, from a few weeks before `now` (a rule must end)."""
    day, _, clock_time = at.partition(" ")
    hours, _, minutes = clock_time.partition(":")
    local = now.astimezone(ZoneInfo(zone)).date() - timedelta(days=21)
    local -= timedelta(days=(local.weekday() - WEEKDAYS.index(day)) % 7)
    start = f"{local.isoformat()}T{int(hours):02d}:{minutes}"
    return Series.from_json({"start": start, "zone": zone, "rule": "FREQ=WEEKLY;COUNT=8", "minutes": 1})


def week_due(config: PlanConfig, now: datetime) -> date | None:
    """The week whose plan is due by now: the Monday after the latest scheduled time that has passed."""
    due = due_now(series(config.at, config.zone, now), None, now)
    if due is None:
        return None
    scheduled = due.occurrence.local_start
    day = scheduled.date() if isinstance(scheduled, datetime) else scheduled
    return weekly_plan.monday_of(day) + timedelta(days=7)


def senders(session: Session) -> set[int]:
    """Active people who may send the weekly plan."""
    roles = permissions.rule("activities", "weekly_plan").roles
    return set(session.scalars(select(User.id).join(UserRole, UserRole.user_id == User.id)
                               .where(UserRole.role.in_(roles), User.active.is_(True))))


def run_due(session: Session, now: datetime, config: PlanConfig, printing: PlanPrinting) -> WeeklyPlan | None:
    """Prepare (and, when the office chose so, send) the plan that is due, once; None when none is due or it
    was made already. Commits nothing: the caller does."""
    week = week_due(config, now)
    if week is None or weekly_plan.get(session, week) is not None:
        return None
    missing = readiness.missing()
    try:
        with session.begin_nested():
            if missing:
                row = weekly_plan.failed(session, WORKER, week, config,
                                         "the PDF cannot be made here: " + "; ".join(m.detail for m in missing))
            elif config.auto_send and config.to:
                row = weekly_plan.send(session, WORKER, week, config, printing)
            else:
                row = weekly_plan.prepare(session, WORKER, week, config, printing)
    except IntegrityError:  # another worker made it a moment ago
        log.info("weekly plan of %s: made by another worker", week)
        return None
    except Invalid as exc:
        log.warning("weekly plan of %s: %s", week, exc)
        return None
    if row.state != "sent":
        making.tell(session, senders(session), WEEKLY_PLAN_WAITING, now,
                    data={"week": week.isoformat(), "state": row.state, "title": week.isoformat()})
    log.info("weekly plan of %s: %s (%d events)", week, row.state, row.event_count)
    return row
