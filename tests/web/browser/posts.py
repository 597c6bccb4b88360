"""Posts for the browser tests' pages, written straight to the database (the pages read them; the workflow's
own tests are elsewhere). Ids are predictable: each test starts with an empty database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from publisher.core.models import Post, PostChannel, PostContributor
from publisher.core.states import PostStatus
from publisher.destinations.content import content_hash, freeze, frozen_hash
from publisher.posts.approvals import record_approval
from tests.factories.office import Office
from tests.factories.posts import post_row

WEEK = datetime(2031, 6, 16, 7, 0, tzinfo=UTC)  # Monday 09:00 in Belgrade


def add_post(session: Session, office: Office, author: str, title: str, body: str, status: str,
             when: datetime | None, channels: tuple[str, ...] = ("portal",)) -> Post:
    return post_row(session, office, status=status, author=author, channels=channels, title=title, body=body,
                    scheduled_at=when)


def approval_queue(session: Session, office: Office) -> None:
    """1: Ana's, never approved; 2: approved by Marko, then edited by Bojan; 3: Olga's own."""
    add_post(session, office, "ana", "Program podrške malim preduzećima",
             "Ministarstvo privrede objavljuje javni poziv za program podrške malim preduzećima.\n"
             "Prijave traju do 30. juna.", PostStatus.PENDING_APPROVAL, WEEK)
    edited = add_post(session, office, "bojan", "Konferencija za medije",
                      "Ministarka će u ponedeljak održati konferenciju za medije.\nPočetak je u 10 časova.",
                      PostStatus.PENDING_APPROVAL, WEEK)
    frozen = freeze(edited)
    record_approval(session, edited, office.users["marko"], datetime.now(UTC) - timedelta(hours=2), frozen,
                    frozen_hash(frozen))
    edited.title = "Konferencija za medije pomerena"
    edited.body = "Ministarka će u utorak održati konferenciju za medije.\nPočetak je u 11 časova."
    edited.scheduled_at = WEEK + timedelta(days=1, hours=1)
    edited.channel_links.append(PostChannel(channel_id=office.channels["archive"].id,
                                            channel=office.channels["archive"]))
    edited.variants = {"archive": "Arhivska verzija saopštenja."}
    edited.content_hash = content_hash(edited)
    edited.contributors.append(PostContributor(user_id=office.users["bojan"].id))
    add_post(session, office, "olga", "Olgina vest", "Tekst koji je napisala Olga.", PostStatus.PENDING_APPROVAL,
             WEEK + timedelta(days=2))


def planned_week(session: Session, office: Office) -> None:
    """A week of posts in every state that has a time, on both channels; 1 is scheduled (approved); 6 waits
    for approval without a time (as soon as approved: the calendar shows it on today)."""
    add_post(session, office, "ana", "Saopštenje o budžetu", "Vlada je usvojila predlog budžeta.",
             PostStatus.SCHEDULED, WEEK, ("portal", "archive"))
    add_post(session, office, "ana", "Najava posete", "Ministar posećuje Niš.", PostStatus.PENDING_APPROVAL,
             WEEK + timedelta(days=1, hours=2))
    add_post(session, office, "bojan", "Nacrt vesti", "Još se piše.", PostStatus.DRAFT,
             WEEK + timedelta(days=2, hours=5), ("archive",))
    add_post(session, office, "bojan", "Objavljeno jutros", "Već je izašlo.", PostStatus.PUBLISHED,
             WEEK + timedelta(days=3, hours=-2))
    add_post(session, office, "ana", "Vikend program", "Dan otvorenih vrata.", PostStatus.SCHEDULED,
             WEEK + timedelta(days=5, hours=3))
    add_post(session, office, "ana", "Hitno saopštenje", "Čim bude odobreno.", PostStatus.PENDING_APPROVAL, None)
