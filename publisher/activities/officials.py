"""The list the office keeps of who takes part in events: the minister, state secretaries, the spokesperson
and named officials. An official leaves the list by being made inactive (their past events keep them)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from publisher.activities.models import NAME, Official
from publisher.audit import trail
from publisher.core import permissions
from publisher.core.actor import Actor
from publisher.core.errors import Invalid, NotFound
from publisher.core.limits import check_length
from publisher.core.models import User
from publisher.core.multilingual import MultilingualText

ROLES = ("minister", "state_secretary", "spokesperson", "official")


def listed(session: Session, *, active_only: bool = True) -> list[Official]:
    query = select(Official).order_by(Official.sort, Official.name, Official.id)
    if active_only:
        query = query.where(Official.active.is_(True))
    return list(session.scalars(query))


def get(session: Session, official_id: int) -> Official:
    official = session.get(Official, official_id) if 0 < official_id < 2**31 else None
    if official is None:
        raise NotFound(f"no official with id {official_id}")
    return official


def save(session: Session, actor: Actor, *, name: str, role: str, position: MultilingualText | None = None,
         user_id: int | None = None, active: bool = True, sort: int = 0, official_id: int | None = None) -> Official:
    """Add an official, or change one (`official_id`)."""
    permissions.require(actor, "activities", "officials")
    name = check_length((name or "").strip(), "name", NAME)
    if not name:
        raise Invalid("an official needs a name", code="required", details={"field": "name"})
    if role not in ROLES:
        raise Invalid(f"role must be one of {', '.join(ROLES)}", code="bad_choice", details={"field": "role"})
    if user_id is not None and session.get(User, user_id) is None:
        raise Invalid(f"no person with id {user_id}", code="unknown_user", details={"field": "user_id"})
    official = get(session, official_id) if official_id is not None else Official()
    before = _state(official) if official_id is not None else None
    official.name, official.role, official.position = name, role, position or MultilingualText()
    official.user_id, official.active, official.sort = user_id, active, sort
    if official_id is None:
        session.add(official)
    session.flush()
    trail.record(session, actor, "official.save", subject=f"official:{official.id}", before=before,
                 after=_state(official))
    return official


def _state(official: Official) -> dict:
    return {"name": official.name, "role": official.role, "active": official.active, "user_id": official.user_id}
