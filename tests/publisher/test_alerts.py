"""Alerts reach the author and the approvers by e-mail, once, and a broken mail server loses none."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import select

from publisher.core.models import Alert
from publisher.publishing import alerts
from publisher.publishing.alerts import MailSettings
from tests.factories.posts import post_row
from tests.support.smtp_sink import SmtpSink


@pytest.fixture(autouse=True)
def addresses(session, office):
    """E-mail addresses for the people alerts go to."""
    for name in ("ana", "marko", "vesna", "admin", "jelena"):
        office.users[name].email = f"{name}@ministarstvo.example"
    session.commit()


def a_post(session, office) -> int:
    return post_row(session, office, status="failed").id


def test_a_post_alert_goes_to_the_author_and_the_approvers_once(session, office):
    post_id = a_post(session, office)
    alerts.raise_alert(session, "failed:1", "failed", "Portal nije primio objavu: 422", post_id=post_id)
    alerts.raise_alert(session, "failed:1", "failed", "the same condition seen again", post_id=post_id)
    session.commit()
    with SmtpSink() as sink:
        mail = MailSettings(host="127.0.0.1", port=sink.port, sender="publisher@ministarstvo.example")
        assert alerts.send_pending(session, mail) == 1
        session.commit()
        assert alerts.send_pending(session, mail) == 0
    [(to, message)] = sink.messages
    assert sorted(to) == ["ana@ministarstvo.example", "marko@ministarstvo.example", "vesna@ministarstvo.example"]
    assert message["Subject"] == "[publisher] failed: Portal nije primio objavu: 422"
    assert "Portal nije primio objavu: 422" in message.get_payload(decode=True).decode()


def test_a_channel_alert_also_goes_to_the_admins(session, office):
    alerts.raise_alert(session, "auth:1", "auth", "Channel 'portal' is paused")
    session.commit()
    with SmtpSink() as sink:
        alerts.send_pending(session, MailSettings(host="127.0.0.1", port=sink.port))
    assert "admin@ministarstvo.example" in sink.messages[0][0]


def test_an_unreachable_mail_server_keeps_the_alert_for_later(session, office):
    alerts.raise_alert(session, "stale:9", "stale", "late")
    session.commit()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    assert alerts.send_pending(session, MailSettings(host="127.0.0.1", port=closed_port, timeout=2)) == 0
    session.commit()
    alert = session.scalar(select(Alert))
    assert alert.notified_at is None and "ConnectionRefusedError" in alert.notify_error
    with SmtpSink() as sink:
        assert alerts.send_pending(session, MailSettings(host="127.0.0.1", port=sink.port)) == 1
    session.commit()
    assert session.scalar(select(Alert)).notify_error is None


def test_every_alert_mail_carries_the_audit_head(session, office, rt):
    from publisher.audit import chain

    chain.seal(session, rt.clock())
    session.commit()
    head = chain.head(session)
    assert head is not None  # the office's people were added through the trail
    alerts.raise_alert(session, "auth:1", "auth", "Channel 'portal' is paused")
    session.commit()
    with SmtpSink() as sink:
        alerts.send_pending(session, MailSettings(host="127.0.0.1", port=sink.port))
    assert f"Audit log head: {head}" in sink.messages[0][1].get_payload(decode=True).decode()
