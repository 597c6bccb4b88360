"""The home page's lists: deliveries that need a person, oldest due first, counted up to a cap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from publisher.core.models import Delivery
from publisher.home import overview
from publisher.posts import workflow
from tests.factories.office import make_office
from tests.factories.posts import approve_as_read


def deliveries_needing_a_person(session, rt, statuses: list[str]) -> list[int]:
    office = make_office(session, rt)
    ids = []
    start = datetime(2026, 3, 1, 9, tzinfo=UTC)
    for n, status in enumerate(statuses):
        post = workflow.create_post(session, rt, office.actor("ana"), {
            "title": f"Objava {n}", "body": "Tekst", "language": "sr-Latn", "channels": ["archive"]})
        workflow.submit(session, rt, office.actor("ana"), post.id)
        approve_as_read(session, rt, office.actor("marko"), post.id)
        delivery = post.deliveries[0]
        delivery.status = status
        delivery.due_at = start - timedelta(hours=n)  # the later ones were due earlier
        ids.append(delivery.id)
    session.commit()
    return ids


def test_the_oldest_due_come_first_across_unknown_failed_and_stale(session, rt):
    ids = deliveries_needing_a_person(session, rt, ["failed", "unknown", "stale", "failed", "sent"])
    listing = overview.needs_a_person(session, limit=3)
    assert [d.id for d in listing.items] == [ids[3], ids[2], ids[1]]
    assert (listing.total, listing.capped) == (4, False)
    assert all(isinstance(d, Delivery) and d.post.title for d in listing.items)


def test_past_the_cap_the_count_says_more_than(session, rt, monkeypatch):
    deliveries_needing_a_person(session, rt, ["failed"] * 4)
    monkeypatch.setattr(overview, "COUNT_CAP", 3)
    listing = overview.needs_a_person(session, limit=2)
    assert (len(listing.items), listing.total, listing.capped) == (2, 3, True)
