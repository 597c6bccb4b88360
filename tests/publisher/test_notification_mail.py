"""Notifications by e-mail: queued into the outbox by the worker in the recipient's language, only for the kinds
they chose, once; the outbox sends them, retries a failure and records each."""

from __future__ import annotations

import socket
from datetime import timedelta
from email.header import decode_header, make_header
from functools import partial

import pytest
from sqlalchemy import select, update

from publisher.core.mail import MailSettings
from publisher.core.models import User
from publisher.notifications import choices, mailing
from publisher.notifications.choices import Choice
from publisher.notifications.models import Notification
from publisher.outbox import sending
from publisher.outbox.models import QUEUED, SENT, OutboxMessage, OutboxRecipient
from tests.factories import posts as factories
from tests.support.smtp_sink import SmtpSink
from web.notification_words import mail_words

WORDS = partial(mail_words, base_url="https://objave.ministarstvo.example")


@pytest.fixture(autouse=True)
def addresses(session, office):
    for name in ("ana", "marko", "vesna"):
        office.users[name].email = f"{name}@ministarstvo.example"
    office.users["marko"].locale = "en"
    office.users["vesna"].locale = "sr-Cyrl"
    office.users["ana"].locale = "sr-Latn"
    session.commit()


def subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def send_due(session, mail: MailSettings, words=WORDS) -> int:
    """What the worker's two jobs do: notifications into the outbox, then the outbox out."""
    mailing.queue_due(session, words)
    session.commit()
    return sending.send_due(session, mail, sending.OutboxPolicy())


def mail_rows(session) -> list[Notification]:
    session.expire_all()
    rows = list(session.scalars(select(Notification).where(Notification.kind == "awaiting_approval")
                                .order_by(Notification.id)))
    session.commit()
    return rows


def test_each_person_gets_one_mail_in_their_language(session, rt, office):
    post_id = factories.pending_post(session, rt, office, title="Nova vest")
    with SmtpSink() as sink:
        mail = MailSettings(host="127.0.0.1", port=sink.port, sender="publisher@ministarstvo.example")
        assert send_due(session, mail) == 2
        assert send_due(session, mail) == 0  # never twice
    by_address = {to[0]: message for to, message in sink.messages}
    assert sorted(by_address) == ["marko@ministarstvo.example", "vesna@ministarstvo.example"]
    english = by_address["marko@ministarstvo.example"]
    assert subject(english) == "[Publisher] “Nova vest” waits for your approval (sent by ana)."
    body = english.get_payload(decode=True).decode()
    assert f"https://objave.ministarstvo.example/approvals/{post_id}" in body
    cyrillic = subject(by_address["vesna@ministarstvo.example"])
    assert "Nova vest" in cyrillic and "approval" not in cyrillic and any("а" <= c <= "я" for c in cyrillic)
    assert all(r.mailed_at is not None and not r.mail_due and r.mail_error is None
               for r in mail_rows(session) if r.mail_attempts)


def test_only_the_kinds_a_person_chose_are_mailed(session, rt, office):
    choices.save_choices(session, office.actor("marko"), {"awaiting_approval": Choice(True, False)})
    choices.save_choices(session, office.actor("ana"), {"approved": Choice(True, True)})
    session.commit()
    post_id = factories.approved_post(session, rt, office)  # ana writes, marko approves
    with SmtpSink() as sink:
        send_due(session, MailSettings(host="127.0.0.1", port=sink.port))
    to = sorted(t[0] for t, _ in sink.messages)
    assert to == ["ana@ministarstvo.example", "vesna@ministarstvo.example"]
    ana = next(m for t, m in sink.messages if t == ["ana@ministarstvo.example"])
    assert "marko" in subject(ana) and "Саопштење" in subject(ana) and "approved" not in subject(ana)
    assert f"/posts/{post_id}" in ana.get_payload(decode=True).decode()


def test_a_failed_send_is_recorded_in_the_outbox_and_retried_later(session, rt, office):
    factories.pending_post(session, rt, office)
    assert send_due(session, MailSettings(host="127.0.0.1", port=closed_port(), timeout=2)) == 0
    assert len([r for r in mail_rows(session) if not r.mail_due and r.mailed_at]) == 2  # in the outbox
    outbox = list(session.scalars(select(OutboxRecipient).order_by(OutboxRecipient.id)))
    assert [(r.state, r.attempts) for r in outbox] == [(QUEUED, 1), (QUEUED, 1)]
    assert "ConnectionRefusedError" in outbox[0].last_error and outbox[0].next_attempt_at
    session.commit()
    with SmtpSink() as sink:
        mail = MailSettings(host="127.0.0.1", port=sink.port)
        assert send_due(session, mail) == 0  # they wait for their time
        start = rt.clock()
        rt.clock = lambda: start + timedelta(minutes=2)
        assert send_due(session, mail) == 2
    assert len(sink.messages) == 2
    session.expire_all()
    assert [(r.state, r.attempts) for r in session.scalars(select(OutboxRecipient))] == [(SENT, 2), (SENT, 2)]


def test_a_notification_is_queued_once_with_what_made_it(session, rt, office):
    factories.pending_post(session, rt, office)
    assert mailing.queue_due(session, WORDS) == 2
    session.commit()
    assert mailing.queue_due(session, WORDS) == 0
    rows = {m.record: m for m in session.scalars(select(OutboxMessage))}
    assert sorted(rows) == [f"notification:{n.id}" for n in mail_rows(session) if n.mailed_at]
    assert {m.kind for m in rows.values()} == {"notification"} and {m.language for m in rows.values()} == {"en", "sr-Cyrl"}


def test_a_rolled_back_round_queues_nothing_and_leaves_the_notifications_due(session, rt, office):
    factories.pending_post(session, rt, office)
    due = [r.id for r in mail_rows(session) if r.mail_due]
    assert mailing.queue_due(session, WORDS) == 2
    session.rollback()
    assert session.scalar(select(OutboxMessage)) is None
    assert [r.id for r in mail_rows(session) if r.mail_due] == due and len(due) == 2


def test_a_person_whose_address_was_removed_is_not_mailed(session, rt, office):
    factories.pending_post(session, rt, office)
    session.execute(update(User).where(User.name == "vesna").values(email=None))
    session.commit()
    with SmtpSink() as sink:
        assert send_due(session, MailSettings(host="127.0.0.1", port=sink.port)) == 1
    assert [t for t, _ in sink.messages] == [["marko@ministarstvo.example"]]


def test_the_worker_mails_with_the_words_it_was_handed(session, rt, office):
    from publisher.publishing.worker import Worker, WorkerOptions

    factories.pending_post(session, rt, office)
    with SmtpSink() as sink:
        worker = Worker(rt, WorkerOptions(mail=MailSettings(host="127.0.0.1", port=sink.port)), worker_id="w")
        try:
            worker.mail_notifications()  # without words nothing is mailed: the rows wait
            worker.mail_outbox()
            assert sink.messages == []
            worker.options = WorkerOptions(mail=MailSettings(host="127.0.0.1", port=sink.port),
                                           notification_words=WORDS)
            worker.mail_notifications()
            worker.mail_outbox()
        finally:
            worker.close()
    assert len(sink.messages) == 2
