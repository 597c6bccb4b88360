"""Events for the browser tests' pages, made through the services. Ids are predictable: each test starts with
an empty database. 1: a public press conference of the minister (waiting for approval); 2: an internal weekly
meeting of the minister clashing with it, one occurrence cancelled; 3: an interview abroad."""

from __future__ import annotations

from sqlalchemy.orm import Session

from publisher.activities import events
from tests.factories.events import make_event, make_official
from tests.factories.office import Office


def planned_events(session: Session, office: Office) -> None:
    minister = make_official(session, "Др Јована Петровић", "minister")
    secretary = make_official(session, "Marko Marković", "state_secretary", position={"sr-Latn": "Državni sekretar"},
                              sort=1)
    make_event(session, office.actor("ana"), officials=[minister.id], start="2030-03-04T10:00",
               end="2030-03-04T11:00", organisations=["Udruženje novinara Srbije"], public_from="2030-03-01T08:00")
    weekly = make_event(session, office.actor("ana"), kind="working_meeting", visibility="internal",
                        title={"sr-Latn": "Kolegijum ministarke"}, officials=[minister.id, secretary.id],
                        start="2030-03-04T10:30", end="2030-03-04T11:30", rule="FREQ=WEEKLY;COUNT=10",
                        place="Kabinet ministarke")
    events.cancel_occurrence(session, office.actor("ana"), weekly.id, "2030-03-11T10:30")
    make_event(session, office.actor("ana"), kind="interview", title={"sq": "Intervistë për RTK"},
               zone="Europe/Brussels", start="2030-03-05T18:00", end="2030-03-05T18:30", place="Studio 3",
               city="Bruxelles", country="BE", status="tentative", officials=[secretary.id])
