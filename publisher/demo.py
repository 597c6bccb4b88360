"""Demo people and channels for `make run`: enough to try the whole flow on one machine.

Two channels need no credentials: an archive folder (local_folder) and the public feed served by this
very site, so "compose once, publish everywhere" can be tried at once. The feed takes a post's language
versions one by one (Serbian in both scripts, Albanian, English), and a demo draft has three written versions
(Serbian Latin, Albanian, English; the Cyrillic one derived) to submit, approve once, and see in the feed.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from publisher.activities import approval as event_approval
from publisher.activities import events, officials
from publisher.activities.input import read_event
from publisher.activities.models import Official
from publisher.approval import service as approval_service
from publisher.core.actor import Actor
from publisher.core.models import Channel, Post, User
from publisher.core.multilingual import MultilingualText
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
# The officials the demo's events are planned for (name, role, position), in the office's order.
DEMO_OFFICIALS = (
    ("Jovana Petrović", "minister", {"sr-Latn": "Ministarka", "sq": "Ministre", "en": "Minister"}),
    ("Nikola Simić", "state_secretary", {"sr-Latn": "Državni sekretar", "en": "State Secretary"}),
    ("Vesna Lukić", "state_secretary", {"sr-Latn": "Državna sekretarka", "en": "State Secretary"}),
    ("Ivan Đorđević", "spokesperson", {"sr-Latn": "Portparol", "en": "Spokesperson"}),
)


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
        if session.scalar(select(Official.id).limit(1)) is None:
            _seed_events(session, rt, actor)
        session.commit()
    feed = f"{public_url.rstrip('/')}/feed/{DEMO_FEED_SLUG}.atom"
    return "\n".join([
        "Demo logins (officer writes, approver approves, manager reads, head of office approves and reads, cabinet and information officer read, admin runs channels):",
        *lines,
        f"Demo channels: {DEMO_CHANNEL!r} (local_folder, writes to {outbox})",
        f"               {DEMO_FEED!r} (feed, read it at {feed}; one entry per language version)",
        f"Demo draft in three languages: {DEMO_POST['title']!r} (written by {DEMO_USERS[0][0]})",
    ]) + "\n"


def _seed_events(session: Session, rt: Runtime, actor: Actor) -> None:
    """The officials and a few events this week and next: a weekly meeting, a public press conference
    (approved, on the public agenda) and an internal trip abroad."""
    people = [officials.save(session, actor, name=name, role=role, position=MultilingualText(position), sort=i)
              for i, (name, role, position) in enumerate(DEMO_OFFICIALS)]
    minister, secretary, _, spokesperson = people
    officer = Actor(user=session.scalar(select(User).where(User.name == "ana")), via="demo")
    approver = Actor(user=session.scalar(select(User).where(User.name == "marko")), via="demo")
    today = rt.clock().astimezone(ZoneInfo(rt.settings.timezone)).date()
    monday = today - timedelta(days=today.weekday())
    zone = rt.settings.timezone
    events.create(session, officer, read_event({
        "kind": "working_meeting", "title": {"sr-Latn": "Kolegijum ministarke"}, "zone": zone,
        "start": f"{monday}T09:00", "end": f"{monday}T10:00", "rule": "FREQ=WEEKLY;COUNT=8",
        "place": "Kabinet ministarke", "officials": [minister.id, secretary.id], "status": "confirmed"}))
    wednesday = monday + timedelta(days=2)
    conference = events.create(session, officer, read_event({
        "kind": "press_conference", "title": {"sr-Latn": "Konferencija za medije o podsticajima",
                                              "sq": "Konferencë për media për nxitjet", "en": "Press conference on incentives"},
        "zone": zone, "start": f"{wednesday}T11:00", "end": f"{wednesday}T12:00", "place": "Sala 1",
        "city": "Beograd", "country": "RS", "officials": [minister.id, spokesperson.id], "status": "confirmed",
        "visibility": "public"}))
    subject = event_approval.subject(conference)
    approval_service.submit(session, officer, subject)
    approval_service.approve(session, approver, subject, approval_service.current_hash(session, subject)[1])
    trip = monday + timedelta(days=8)
    events.create(session, officer, read_event({
        "kind": "visit", "title": {"sr-Latn": "Poseta Briselu"}, "all_day": True, "zone": "Europe/Brussels",
        "start": f"{trip}", "end": f"{trip + timedelta(days=1)}", "city": "Bruxelles", "country": "BE",
        "officials": [secretary.id], "status": "tentative", "internal_notes": "Let u 06:40; smeštaj potvrđen."}))


def save_logins(rt: Runtime, text: str) -> Path:
    """The logins in instance/demo-logins.txt, readable by this user only (they hold passwords and tokens)."""
    path = rt.settings.instance_dir / LOGINS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(path, 0o600)
    return path
