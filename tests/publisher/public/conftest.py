"""Data the public site reads, and a PostgreSQL role of the test's own."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import psycopg
import pytest
from sqlalchemy import select, update

from publisher.core.models import Delivery
from publisher.destinations import channel_store
from tests.factories.people import SYSTEM
from tests.factories.posts import approved_post

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


@pytest.fixture
def published(rt, session, office) -> int:
    """One post approved and sent on a feed channel "vesti"; its delivery's id."""
    channel_store.add_channel(session, rt.box, "feed", "Vesti",
                              {"slug": "vesti", "public_url": "https://x.example"}, actor=SYSTEM)
    session.commit()
    post_id = approved_post(session, rt, office, channels=("Vesti",), title="Javno saopštenje")
    delivery_id = session.scalar(select(Delivery.id).where(Delivery.post_id == post_id))
    session.execute(update(Delivery).where(Delivery.id == delivery_id).values(status="sent", sent_at=NOW))
    session.commit()
    return delivery_id


@pytest.fixture
def public_event(session, office) -> int:
    """An approved public press conference on 7 December 2026 (tests.factories.events); its id."""
    from publisher.activities import approval as event_approval  # noqa: PLC0415
    from publisher.approval import service as approval  # noqa: PLC0415
    from tests.factories.events import make_event  # noqa: PLC0415

    event = make_event(session, office.actor("ana"))
    subject = event_approval.subject(event)
    approval.submit(session, office.actor("ana"), subject)
    approval.approve(session, office.actor("marko"), subject, approval.current_hash(session, subject)[1])
    session.commit()
    return event.id


@pytest.fixture
def pg_public_role(database_url):
    """A role name of this test's own, removed afterwards (roles belong to the whole server)."""
    name = f"publisher_public_{uuid.uuid4().hex[:8]}"
    yield name
    with psycopg.connect(database_url, autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone():
            admin.execute(f'DROP OWNED BY "{name}"')
            admin.execute(f'DROP ROLE "{name}"')
