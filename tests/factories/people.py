"""The office's people: who they are and the Actor their calls carry."""

from __future__ import annotations

from sqlalchemy.orm import Session

from publisher.core.actor import Actor
from publisher.core.models import User
from publisher.people import accounts

SYSTEM = Actor.system("test")
PEOPLE = {
    "ana": ["officer"],
    "bojan": ["officer"],
    "marko": ["approver"],
    "vesna": ["approver"],
    "olga": ["officer", "approver"],
    "jelena": ["manager"],
    "admin": ["admin"],
}
# One person for each role beyond the first four, added only where a test asks for them (the `staff`
# fixture): the office above stays as it is, so who is told of what does not change under other tests.
STAFF = {
    "dragan": ["head_of_office"],
    "milica": ["cabinet"],
    "sanja": ["info_officer"],
}


def make_user(session: Session, name: str, roles: list[str], locale: str | None = "sr-Latn") -> User:
    """A person who chose Serbian (Latin) long ago, unless told otherwise (None: never chose)."""
    user = accounts.add_user(session, name, roles, actor=SYSTEM)  # API tests use tokens; argon2 is slow
    user.locale = locale
    return user


def actor_for(user: User) -> Actor:
    return Actor(user=user, via="test")
