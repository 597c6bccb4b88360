"""Demo people and a local channel for `make run`: enough to try the whole flow on one machine."""

from __future__ import annotations

from typing import TextIO

from sqlalchemy import select

from publisher import accounts, channel_store
from publisher.audit import Actor
from publisher.models import Channel, User
from publisher.runtime import Runtime

DEMO_USERS = (
    ("ana", ["officer"], "Ana Petrović"),
    ("marko", ["approver"], "Marko Jovanović"),
    ("jelena", ["manager"], "Jelena Nikolić"),
    ("admin", ["admin"], "Administrator"),
)
DEMO_PASSWORD_SUFFIX = "-demo-2026"
DEMO_CHANNEL = "Arhiva"


def seed(rt: Runtime, out: TextIO) -> None:
    """Idempotent: creates what is missing, and a fresh API token per demo user on every run."""
    actor = Actor.system("demo")
    with rt.sessions() as session:
        lines = []
        for name, roles, display in DEMO_USERS:
            user = session.scalar(select(User).where(User.name == name))
            if user is None:
                user = accounts.add_user(session, name, roles, actor=actor, password=name + DEMO_PASSWORD_SUFFIX,
                                         display_name=display)
            _, token = accounts.create_token(session, user, actor=actor, name="demo")
            lines.append(f"  {name:<7} {','.join(roles):<9} password {name + DEMO_PASSWORD_SUFFIX:<18} token {token}")
        if session.scalar(select(Channel).where(Channel.name == DEMO_CHANNEL)) is None:
            outbox = rt.settings.instance_dir / "outbox"
            channel_store.add_channel(session, rt.box, "local_folder", DEMO_CHANNEL, {"path": str(outbox)},
                                      actor=actor)
        session.commit()
    out.write("Demo logins (officer writes, approver approves, manager reads, admin runs channels):\n")
    out.write("\n".join(lines) + "\n")
    out.write(f"Demo channel: {DEMO_CHANNEL!r} (local_folder, writes to {rt.settings.instance_dir / 'outbox'})\n")
    out.flush()
