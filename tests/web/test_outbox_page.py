"""The outbox page: administrators see every mail and each recipient's state, and decide about one whose fate
is unknown only through a confirmation page."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from publisher.core.models import AuditEvent, User
from publisher.outbox.models import OutboxRecipient
from publisher.outbox.queueing import queue_mail
from tests.web.page_helpers import at_home


@pytest.fixture
def signed_in(signed_in):
    return at_home(signed_in)


@pytest.fixture
def unknown(session, people) -> dict[str, int]:
    session.execute(update(User).values(locale="en"))
    queue_mail(session, to=["ana@ministarstvo.example"], subject="Plan za nedelju", body="…", kind="weekly_plan")
    queue_mail(session, to=["marko@ministarstvo.example", "vesna@ministarstvo.example"], kind="alert",
               subject="[publisher] auth: portal", body="…", record="alert:4")
    session.execute(update(OutboxRecipient).where(OutboxRecipient.address == "vesna@ministarstvo.example")
                    .values(state="unknown", last_error="no answer after the message was sent"))
    session.commit()
    ids = {r.address.split("@")[0]: r.id for r in session.scalars(select(OutboxRecipient))}
    session.commit()  # ends the transaction: SQLite's writer lock is free for the pages
    return ids


def test_admins_read_every_message_and_filter_and_search(signed_in, unknown):
    admin = signed_in("admin")
    html = admin.get("/admin/outbox").get_data(as_text=True)
    assert "Plan za nedelju" in html and "[publisher] auth: portal" in html and 'href="/admin/outbox"' in html
    assert "Unknown: the server may have it (1)" in html
    only = admin.get("/admin/outbox?state=unknown").get_data(as_text=True)
    assert "[publisher] auth: portal" in only and "Plan za nedelju" not in only
    assert "vesna@ministarstvo.example" in only and "marko@ministarstvo.example" not in only
    found = admin.get("/admin/outbox?q=ANA%40").get_data(as_text=True)
    assert "Plan za nedelju" in found and "auth: portal" not in found
    assert "Nothing matches" in admin.get("/admin/outbox?q=nema+toga").get_data(as_text=True)


def test_bad_filters_are_said_not_500(signed_in, unknown):
    admin = signed_in("admin")
    wrong = admin.get("/admin/outbox?state=lost")
    assert wrong.status_code == 422 and "There is no such state" in wrong.get_data(as_text=True)
    assert admin.get("/admin/outbox?q=a%0Ab").status_code == 422
    assert admin.get(f"/admin/outbox/recipients/{unknown['vesna']}/delete").status_code == 404
    assert admin.get("/admin/outbox/recipients/999999/resend").status_code == 404


def test_only_admins_see_the_outbox(signed_in, unknown):
    marko = signed_in("marko")
    assert marko.get("/admin/outbox").status_code == 403
    assert marko.post(f"/admin/outbox/recipients/{unknown['vesna']}/resend", {"confirmed": "yes"}).status_code == 403
    assert 'href="/admin/outbox"' not in marko.get("/").get_data(as_text=True)


def test_resending_asks_first_then_queues_it_again_and_audits(signed_in, unknown, session):
    admin = signed_in("admin")
    path = f"/admin/outbox/recipients/{unknown['vesna']}/resend"
    asked = admin.get(path).get_data(as_text=True)
    assert "Send this message again?" in asked and "may then get it twice" in asked
    unconfirmed = admin.post(path, {})
    assert unconfirmed.status_code == 200 and "Send this message again?" in unconfirmed.get_data(as_text=True)
    session.expire_all()
    assert session.get(OutboxRecipient, unknown["vesna"]).state == "unknown"
    session.commit()
    assert admin.post(path, {"confirmed": "yes"}).status_code == 302
    session.expire_all()
    row = session.get(OutboxRecipient, unknown["vesna"])
    assert (row.state, row.settled_by) == ("queued", "admin")
    assert session.scalar(select(AuditEvent.action).where(AuditEvent.action.like("outbox.%"))) == "outbox.resend"
    session.commit()
    again = admin.post(path, {"confirmed": "yes"})  # a second click, or another admin: nothing more happens
    assert again.status_code == 409 and "no longer unknown" in again.get_data(as_text=True)


def test_marking_sent_records_it_without_sending(signed_in, unknown, session):
    admin = signed_in("admin")
    path = f"/admin/outbox/recipients/{unknown['vesna']}/mark-sent"
    assert "Record this message as sent?" in admin.get(path).get_data(as_text=True)
    assert admin.post(path, {"confirmed": "yes"}).status_code == 302
    session.expire_all()
    row = session.get(OutboxRecipient, unknown["vesna"])
    assert row.state == "sent" and row.sent_at is not None
    session.commit()
    sent = admin.get(f"/admin/outbox/recipients/{unknown['marko']}/mark-sent")
    assert sent.status_code == 409 and "Only a message whose fate is unknown" in sent.get_data(as_text=True)
