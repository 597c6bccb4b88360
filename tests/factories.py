"""Small factories for the office's people, channels, media and posts."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from PIL import Image
from sqlalchemy.orm import Session

from publisher.core.actor import Actor
from publisher.core.models import Channel, User
from publisher.core.runtime import Runtime
from publisher.destinations import channel_store
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
PORTAL_SECRET = "whsec_" + "c2VjcmV0LWZvci10ZXN0cy0xMjM0NTY3ODkw"


def png_bytes(width: int = 8, height: int = 6, color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, "PNG")
    return buf.getvalue()


def jpeg_bytes(width: int = 8, height: int = 6) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 200)).save(buf, "JPEG")
    return buf.getvalue()


def make_user(session: Session, name: str, roles: list[str]) -> User:
    return accounts.add_user(session, name, roles, actor=SYSTEM)  # API tests use tokens; argon2 is slow


def actor_for(user: User) -> Actor:
    return Actor(user=user, via="test")


@dataclass
class Office:
    users: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)

    def actor(self, name: str) -> Actor:
        return actor_for(self.users[name])


def make_office(session: Session, rt: Runtime, portal_url: str = "http://127.0.0.1:9/hook") -> Office:
    office = Office()
    for name, roles in PEOPLE.items():
        user = make_user(session, name, roles)
        office.users[name] = user
        office.tokens[name] = accounts.create_token(session, user, actor=SYSTEM, name="tests")[1]
    office.channels["portal"] = channel_store.add_channel(
        session, rt.box, "state_portal", "portal", {"url": portal_url, "secret": PORTAL_SECRET}, actor=SYSTEM)
    office.channels["archive"] = channel_store.add_channel(
        session, rt.box, "local_folder", "archive", {"path": str(rt.settings.instance_dir / "outbox")},
        actor=SYSTEM)
    session.commit()
    return office
