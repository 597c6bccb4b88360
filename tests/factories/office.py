"""The office as most tests need it: its people (with API tokens) and two channels that need no platform."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from publisher.core.actor import Actor
from publisher.core.models import Channel, User
from publisher.core.runtime import Runtime
from publisher.destinations import channel_store
from publisher.people import accounts
from tests.factories.people import PEOPLE, SYSTEM, actor_for, make_user

PORTAL_SECRET = "whsec_" + "c2VjcmV0LWZvci10ZXN0cy0xMjM0NTY3ODkw"


@dataclass
class Office:
    users: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    runtime: Runtime | None = None  # for data that needs the credential box (a browser page's prepare)

    def actor(self, name: str) -> Actor:
        return actor_for(self.users[name])


def make_office(session: Session, rt: Runtime, portal_url: str = "http://127.0.0.1:9/hook") -> Office:
    """PEOPLE with a token each; "portal" (a state portal at `portal_url`) and "archive" (a folder)."""
    office = Office(runtime=rt)
    add_people(session, office, PEOPLE)
    add_channel(session, rt, office, "portal", "state_portal", {"url": portal_url, "secret": PORTAL_SECRET})
    add_channel(session, rt, office, "archive", "local_folder", {"path": str(rt.settings.instance_dir / "outbox")})
    session.commit()
    return office


def add_people(session: Session, office: Office, people: dict[str, list[str]]) -> None:
    """People (name -> roles) with a token each, known afterwards as office.users[name]; the caller commits."""
    for name, roles in people.items():
        user = make_user(session, name, roles)
        office.users[name] = user
        office.tokens[name] = accounts.create_token(session, user, actor=SYSTEM, name="tests")[1]


def add_channel(session: Session, rt: Runtime, office: Office, name: str, kind: str,
                settings: dict[str, Any]) -> Channel:
    """Another channel for the office, known afterwards as office.channels[name]; the caller commits."""
    channel = channel_store.add_channel(session, rt.box, kind, name, settings, actor=SYSTEM)
    office.channels[name] = channel
    return channel
