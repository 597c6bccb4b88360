"""Alerts reach the author and the approvers by e-mail through the outbox, once, and a broken mail server
loses none."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import select

from publisher.core.mail import MailSettings
from publisher.core.models import Alert
from publisher.outbox import sending
from publisher.outbox.models import OutboxMessage, OutboxRecipient
from publisher.publishing import alerts
from tests.factories.posts import post_row
from tests.support.smtp_sink import SmtpSink


@pytest.fixture(autouse=True)
def addresses(session, office):
    """E-mail addresses for the people alerts go to."""
    for name in ("ana", "marko", "vesna", "admin", "jelena"):
        office.users[name].email = f"{name}@ministarstvo.example"
    session.commit()


def send_pending(session, mail: MailSettings) -> int:
    """What the worker's two jobs do: alerts into the outbox, then the outbox out (recipients sent)."""
    alerts.queue_pending(session)
    session.commit()
    return sending.send_due(session, mail, sending.OutboxPolicy())


def a_post(session, office) -> int:
    return post_row(session, office, status="failed").id


def test_a_post_alert_goes_to_the_author_and_the_approvers_once(session, office):
    post_id = a_post(session, office)
    alerts.raise_alert(session, "failed:1", "failed", "Portal nije primio objavu: 422", post_id=post_id)
    alerts.raise_alert(session, "failed:1", "failed", "the same condition seen again", post_id=post_id)
    session.commit()
    with SmtpSink() as sink:
        mail = MailSettings(host="127.0.0.1", port=sink.port, sender="publisher@ministarstvo.example")
        assert send_pending(session, mail) == 3  # one transaction per person
        assert send_pending(session, mail) == 0
    assert sorted(to[0] for to, _ in sink.messages) == [
        "ana@ministarstvo.example", "marko@ministarstvo.example", "vesna@ministarstvo.example"]
    assert len({m["Message-ID"] for _, m in sink.messages}) == 1  # the same message to each
    message = sink.messages[0][1]
    assert message["Subject"] == "[publisher] failed: Portal nije primio objavu: 422"
    assert session.scalar(select(OutboxMessage.record)) == f"alert:{session.scalar(select(Alert.id))}"
    assert "Portal nije primio objavu: 422" in message.get_payload(decode=True).decode()


def test_a_channel_alert_also_goes_to_the_admins(session, office):
    alerts.raise_alert(session, "auth:1", "auth", "Channel 'portal' is paused")
    session.commit()
    with SmtpSink() as sink:
        send_pending(session, MailSettings(host="127.0.0.1", port=sink.port))
    assert "admin@ministarstvo.example" in sink.messages[0][0]


def test_an_unreachable_mail_server_keeps_the_alert_mail_in_the_outbox_for_later(session, office, rt):
    from datetime import timedelta

    alerts.raise_alert(session, "stale:9", "stale", "late")
    session.commit()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    assert send_pending(session, MailSettings(host="127.0.0.1", port=closed_port, timeout=2)) == 0
    waiting = list(session.scalars(select(OutboxRecipient)))
    assert waiting and all(r.state == "queued" and "ConnectionRefusedError" in r.last_error for r in waiting)
    assert session.scalar(select(Alert)).notify_error is None  # handed to the outbox, whose page says the rest
    session.commit()
    start = rt.clock()
    rt.clock = lambda: start + timedelta(minutes=2)
    with SmtpSink() as sink:
        assert send_pending(session, MailSettings(host="127.0.0.1", port=sink.port)) == len(waiting)
    session.expire_all()
    assert {r.state for r in session.scalars(select(OutboxRecipient))} == {"sent"}


def test_an_alert_nobody_can_be_mailed_about_says_so(session, office):
    for user in office.users.values():
        user.email = None
    alerts.raise_alert(session, "auth:2", "auth", "Channel 'portal' is paused")
    session.commit()
    assert alerts.queue_pending(session) == 0
    assert "nobody to notify" in session.scalar(select(Alert)).notify_error
    assert session.scalar(select(OutboxMessage)) is None


def test_every_alert_mail_carries_the_audit_head(session, office, rt):
    from publisher.audit import chain

    chain.seal(session, rt.clock())
    session.commit()
    head = chain.head(session)
    assert head is not None  # the office's people were added through the trail
    alerts.raise_alert(session, "auth:1", "auth", "Channel 'portal' is paused")
    session.commit()
    with SmtpSink() as sink:
        send_pending(session, MailSettings(host="127.0.0.1", port=sink.port))
    assert f"Audit log head: {head}" in sink.messages[0][1].get_payload(decode=True).decode()
