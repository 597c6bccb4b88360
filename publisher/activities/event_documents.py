"""Events carry documents (publisher.documents): the briefing documents before an event (record type "event")
and the signed minutes or report after it (record type "event_followup", shown with the follow-up). They are
internal: who may read events sees them, who may edit events changes them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from publisher.activities.models import Event
from publisher.core import permissions
from publisher.documents import attaching

BRIEFING = "event"
FOLLOWUP = "event_followup"


def _load(session: Session, event_id: int) -> Event | None:
    return session.get(Event, event_id) if 0 < event_id < 2**31 else None


for _record_type in (BRIEFING, FOLLOWUP):
    attaching.register(_record_type, attaching.RecordArea(
        load=_load,
        can_view=lambda user, _event: permissions.may(user, "activities", "read"),
        can_edit=lambda user, _event: permissions.may(user, "activities", "edit"),
    ))
