"""The weekly plan's page as the browser tests show it: a week with a press conference, an internal meeting,
a trip abroad that was cancelled, and the week's plan sent once (its mail still in the outbox)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from publisher.activities import weekly_plan
from publisher.activities.weekly_plan import PlanConfig
from tests.factories.events import make_event, make_official
from tests.factories.office import Office
from web.activities.weekly_plan_words import PRINTING

WEEK = "2026-12-07"


def a_planned_week(session: Session, office: Office) -> None:
    minister = make_official(session)
    ana = office.actor("ana")
    make_event(session, ana, officials=[minister.id], guests=["Петар Гост"])
    make_event(session, ana, kind="working_meeting", visibility="internal", title={"sq": "Takim pune me bashkinë"},
               start="2026-12-08T09:00", end="2026-12-08T10:30", internal_notes="Samo za kabinet.")
    make_event(session, ana, kind="international_meeting", title={"sr-Latn": "Sastanak u Ujedinjenim nacijama"},
               zone="America/New_York", start="2026-12-09T09:00", end="2026-12-09T12:00", place="UN HQ",
               city="New York", country="US", status="cancelled")
    session.flush()
    weekly_plan.send(session, ana, weekly_plan.read_week(WEEK), PlanConfig(to=("kancelarija@vlada.example",)),
                     PRINTING)
