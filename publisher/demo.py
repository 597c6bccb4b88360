"""Demo people and channels for `make run`: enough to try the whole flow on one machine.

Two channels need no credentials: an archive folder (local_folder) and the public feed served by this
very site, so "compose once, publish everywhere" can be tried at once. The feed takes a post's language
versions one by one (Serbian in both scripts, Albanian, English), and a demo draft has three written versions
(Serbian Latin, Albanian, English; the Cyrillic one derived) to submit, approve once, and see in the feed.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import select

from publisher.core.actor import Actor
from publisher.core.models import Channel, Post, User
from publisher.core.runtime import Runtime
from publisher.destinations import channel_store
from publisher.people import accounts
from publisher.posts import workflow

DEMO_USERS = (
    ("ana", ["officer"], "Ana Petrović"),
    ("marko", ["approver"], "Marko Jovanović"),
    ("jelena", ["manager"], "Jelena Nikolić"),
    ("dragan", ["head_of_office"], "Dragan Ilić"),
    ("milica", ["cabinet"], "Milica Stojanović"),
    ("sanja", ["info_officer"], "Sanja Marković"),
    ("admin", ["admin"], "Administrator"),
)
DEMO_PASSWORD_SUFFIX = "-demo-2026"
DEMO_CHANNEL = "Arhiva"
DEMO_FEED = "Vesti"
DEMO_FEED_SLUG = "vesti"
DEMO_FEED_LANGUAGES = ["sr-Latn", "sr-Cyrl", "sq", "en"]
DEMO_POST = {
    "title": "Otvoren konkurs za podsticaje malim preduzećima",
    "body": "Ministarstvo otvara konkurs za podsticaje malim i srednjim preduzećima. Prijave traju do kraja meseca.",
    "language": "sr-Latn",
    "translations": {
        "sq": {"title": "Hapet konkursi për mbështetjen e ndërmarrjeve të vogla",
               "body": "Ministria hap konkursin për mbështetjen e ndërmarrjeve të vogla dhe të mesme. Aplikimet "
                       "zgjasin deri në fund të muajit."},
        "en": {"title": "Call opens for small business support",
               "body": "The Ministry opens a call for support to small and medium-sized enterprises. Applications "
                       "are open until the end of the month."},
    },
}
LOGINS_FILE = "demo-logins.txt"


def seed(rt: Runtime, public_url: str) -> str:
    """Creates what is missing (idempotent) and a fresh API token per demo person on every run.

    Returns the text to show: the logins and the channels. `public_url` is where this site answers; the
    demo feed's links point there.
    """
    actor = Actor.system("demo")
    outbox = rt.settings.instance_dir / "outbox"
    with rt.sessions() as session:
        lines = []
        for name, roles, display in DEMO_USERS:
            user = session.scalar(select(User).where(User.name == name))
            if user is None:
                user = accounts.add_user(session, name, roles, actor=actor, password=name + DEMO_PASSWORD_SUFFIX,
                                         display_name=display)
            _, token = accounts.create_token(session, user, actor=actor, name="demo")
            lines.append(f"  {name:<7} {','.join(roles):<14} password {name + DEMO_PASSWORD_SUFFIX:<18} token {token}")
        if session.scalar(select(Channel).where(Channel.name == DEMO_CHANNEL)) is None:
            channel_store.add_channel(session, rt.box, "local_folder", DEMO_CHANNEL, {"path": str(outbox)},
                                      actor=actor)
        if session.scalar(select(Channel).where(Channel.name == DEMO_FEED)) is None:
            channel_store.add_channel(session, rt.box, "feed", DEMO_FEED,
                                      {"slug": DEMO_FEED_SLUG, "public_url": public_url,
                                       "title": "Vesti Ministarstva (demo)", "languages": DEMO_FEED_LANGUAGES},
                                      actor=actor)
        if session.scalar(select(Post.id).where(Post.title == DEMO_POST["title"]).limit(1)) is None:
            officer = session.scalar(select(User).where(User.name == DEMO_USERS[0][0]))
            workflow.create_post(session, rt, Actor(user=officer, via="demo"),
                                 {**DEMO_POST, "channels": [DEMO_CHANNEL, DEMO_FEED]})
        session.commit()
    feed = f"{public_url.rstrip('/')}/feed/{DEMO_FEED_SLUG}.atom"
    return "\n".join([
        "Demo logins (officer writes, approver approves, manager reads, head of office approves and reads, cabinet and information officer read, admin runs channels):",
        *lines,
        f"Demo channels: {DEMO_CHANNEL!r} (local_folder, writes to {outbox})",
        f"               {DEMO_FEED!r} (feed, read it at {feed}; one entry per language version)",
        f"Demo draft in three languages: {DEMO_POST['title']!r} (written by {DEMO_USERS[0][0]})",
    ]) + "\n"


def save_logins(rt: Runtime, text: str) -> Path:
    """The logins in instance/demo-logins.txt, readable by this user only (they hold passwords and tokens)."""
    path = rt.settings.instance_dir / LOGINS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(path, 0o600)
    return path
