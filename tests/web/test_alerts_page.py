"""The alerts page: what needs a person, who was told, and resolving with a comment."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from publisher.core.models import Alert, AuditEvent, User
from publisher.publishing import alerts
from tests.web.page_helpers import at_home


@pytest.fixture
def signed_in(signed_in):
    return at_home(signed_in)


@pytest.fixture
def raised(session, people):
    session.execute(update(User).values(locale="en"))
    session.execute(update(User).where(User.name == "marko").values(email="marko@ministarstvo.example"))
    alerts.raise_alert(session, "auth:1", "auth", "X refused the credentials: 401 Unauthorized",
                       channel_id=people.channels["portal"].id)
    alerts.raise_alert(session, "overdue:7", "overdue", "A delivery due 2031-06-15 10:00 UTC has not gone out.")
    ids = {a.key: a.id for a in session.scalars(select(Alert))}
    session.commit()  # ends the transaction: SQLite's writer lock is free for the pages
    return ids


def test_everyone_signed_in_reads_the_open_alerts_in_words_with_who_is_told(signed_in, raised):
    html = signed_in("jelena").get("/alerts").get_data(as_text=True)
    assert "A channel refused our credentials" in html and "A post is overdue" in html
    assert "X refused the credentials: 401 Unauthorized" in html  # the original, for experts
    told = html.split("People concerned:")[1].split("</p>")[0]
    assert "marko" in told and "ana" not in told  # approvers (and admins for a channel), not the author
    assert "no e-mail address" in html  # vesna has none: the page says she is not told by mail
    assert 'name="alert-' not in html  # a manager reads but does not resolve
    assert 'href="/alerts"' in html  # in the navigation


def test_the_page_says_how_the_mail_about_an_alert_fared_per_recipient(signed_in, raised, session):
    from publisher.outbox.models import OutboxRecipient  # noqa: PLC0415

    assert "No mail about it yet" in signed_in("jelena").get("/alerts").get_data(as_text=True)
    session.execute(update(User).where(User.name == "vesna").values(email="vesna@ministarstvo.example"))
    alerts.queue_pending(session)
    session.execute(update(OutboxRecipient).where(OutboxRecipient.address == "marko@ministarstvo.example")
                    .values(state="sent"))
    session.commit()
    html = signed_in("jelena").get("/alerts").get_data(as_text=True)
    mailed = html.split("Mail about it, handed to the outbox on")[1].split("</p>")[0]
    assert mailed.count("(Sent)") == 1 and mailed.count("(Waiting)") == 1
    assert '<span class="url">marko@ministarstvo.example</span> (Sent)' in mailed
    session.execute(update(Alert).where(Alert.id == raised["overdue:7"]).values(
        notify_error="not mailed: a mail needs a subject"))
    session.commit()
    html = signed_in("jelena").get("/alerts").get_data(as_text=True)
    assert "No mail was sent about this alert." in html and "a mail needs a subject" in html


def test_resolving_needs_a_comment_and_keeps_it(signed_in, raised, session):
    marko = signed_in("marko")
    alert_id = raised["auth:1"]
    refused = marko.post(f"/alerts/{alert_id}/resolve", {f"alert-{alert_id}-comment": "  "})
    assert refused.status_code == 422 and "Write what was done" in refused.get_data(as_text=True)
    done = marko.post(f"/alerts/{alert_id}/resolve", {f"alert-{alert_id}-comment": "Novi token je unet."})
    assert done.status_code == 302
    session.expire_all()
    alert = session.get(Alert, alert_id)
    assert (alert.resolved_by, alert.resolution_comment) == ("marko", "Novi token je unet.")
    assert session.scalar(select(AuditEvent.subject).where(AuditEvent.action == "alert.resolve")) == f"alert:{alert_id}"
    session.commit()
    page = marko.get("/alerts").get_data(as_text=True)
    assert "Resolved by marko" in page and "Novi token je unet." in page
    again = marko.post(f"/alerts/{alert_id}/resolve", {f"alert-{alert_id}-comment": "Opet."})
    assert again.status_code == 302  # someone else was quicker: said, nothing changed
    session.expire_all()
    assert session.get(Alert, alert_id).resolution_comment == "Novi token je unet."
    session.commit()


def test_a_manager_may_not_resolve_and_an_unknown_alert_is_404(signed_in, raised):
    alert_id = raised["overdue:7"]
    assert signed_in("jelena").post(f"/alerts/{alert_id}/resolve", {f"alert-{alert_id}-comment": "x"}).status_code == 403
    assert signed_in("marko").post("/alerts/4242/resolve", {"alert-4242-comment": "x"}).status_code == 404
