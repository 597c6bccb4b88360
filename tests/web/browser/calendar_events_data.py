"""The week of posts (posts.planned_week) with events beside them, for the calendar's pages: a weekly meeting
with one occurrence cancelled, a press conference that clashes with a visit (the minister in two places), a
meeting in New York (shown at the Belgrade time with its own), a tentative interview, and a two-day summit."""

from __future__ import annotations

from sqlalchemy.orm import Session

from publisher.activities import events
from tests.factories.events import make_event, make_official
from tests.factories.office import Office
from tests.web.browser.posts import planned_week


def planned_week_with_events(session: Session, office: Office) -> None:
    planned_week(session, office)
    ana = office.actor("ana")
    minister = make_official(session, "Др Јована Петровић", "minister")
    secretary = make_official(session, "Marko Marković", "state_secretary")
    meeting = make_event(session, ana, kind="working_meeting", title={"sr-Latn": "Kolegijum ministarke"},
                         start="2031-06-02T08:30", end="2031-06-02T09:30", rule="FREQ=WEEKLY;BYDAY=MO;COUNT=12",
                         visibility="internal", officials=[minister.id, secretary.id])
    events.cancel_occurrence(session, ana, meeting.id, "2031-06-23T08:30")
    make_event(session, ana, start="2031-06-17T10:00", end="2031-06-17T11:00", officials=[minister.id])
    make_event(session, ana, kind="visit", title={"sr-Cyrl": "Посета Клиничком центру Ниш"},
               start="2031-06-17T10:30", end="2031-06-17T13:00", city="Ниш", officials=[minister.id])
    make_event(session, ana, kind="international_meeting",
               title={"en": "United Nations: high-level meeting on digital government", "sq": "Kombet e Bashkuara"},
               zone="America/New_York", start="2031-06-19T09:00", end="2031-06-19T11:00", city="New York",
               country="US", officials=[secretary.id])
    make_event(session, ana, kind="interview", status="tentative", title={"sr-Latn": "Intervju za RTS"},
               start="2031-06-18T18:00", end="2031-06-18T18:30", officials=[minister.id])
    make_event(session, ana, kind="visit", all_day=True, title={"sr-Latn": "Samit Zapadnog Balkana, Brisel"},
               start="2031-06-20", end="2031-06-21", city="Brisel", country="BE", officials=[minister.id])
