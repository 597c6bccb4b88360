"""The outbox: every mail queued in the caller's transaction, sent one SMTP transaction per recipient with
a Message-ID made once, retried on 4xx, failed on 5xx, never resent once the server may have it."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from publisher.core.errors import Conflict, Invalid
from publisher.core.mail import MailSettings
from publisher.outbox import sending, status
from publisher.outbox.models import (
    BOUNCED,
    ENVELOPE,
    FAILED,
    MESSAGE,
    QUEUED,
    SENDING,
    SENT,
    UNKNOWN,
    OutboxMessage,
    OutboxRecipient,
)
from publisher.outbox.queueing import queue_mail
from publisher.outbox.sending import OutboxPolicy
from publisher.outbox.throttle import Limits
from tests.support.smtp_server import SmtpServer, free_port

POLICY = OutboxPolicy(limits=Limits(per_minute=1000, connections=5))
PEOPLE = ["ana@ministarstvo.example", "marko@ministarstvo.example", "vesna@ministarstvo.example"]


def mail_to(server: SmtpServer | None, timeout: float = 5.0) -> MailSettings:
    return MailSettings(host="127.0.0.1", port=server.port if server else free_port(), timeout=timeout,
                        sender="Ministarstvo <publisher@ministarstvo.example>")


def queued(session, to=PEOPLE, **kw) -> OutboxMessage:
    message = queue_mail(session, to=list(to), subject=kw.pop("subject", "Nedeljni plan"),
                         body=kw.pop("body", "Plan objava za sledeću nedelju.\n.tačka na početku reda\n"),
                         kind=kw.pop("kind", "weekly_plan"), record=kw.pop("record", "plan:7"), **kw)
    session.commit()
    return message


def states(session) -> dict[str, str]:
    session.expire_all()
    found = dict(session.execute(select(OutboxRecipient.address, OutboxRecipient.state)).all())
    session.commit()
    return found


def recipient(session, address: str) -> OutboxRecipient:
    session.expire_all()
    return session.scalar(select(OutboxRecipient).where(OutboxRecipient.address == address))


def later(rt, **delta) -> None:
    start = rt.clock()
    rt.clock = lambda: start + timedelta(**delta)


def test_an_address_known_to_bounce_is_not_sent_to(session):
    """A bounce report marked the address (publisher.mailbox): the outbox skips it, says why, sends the rest."""
    from publisher.core import clock
    from publisher.mailbox.addresses import BouncePolicy, normalise, record_bounce

    record_bounce(session, report="<dsn.1@mx.example>", address=normalise("Marko@Ministarstvo.example"), permanent=True,
                  status="5.1.1", diagnostic="550 5.1.1 no such user", original_message_id=None,
                  at=clock.now(session), policy=BouncePolicy())
    queued(session)
    with SmtpServer() as smtp:
        assert sending.send_due(session, mail_to(smtp), POLICY) == 2
    assert [r.rcpt_tos for r in smtp.received] == [[PEOPLE[0]], [PEOPLE[2]]]
    assert states(session)[PEOPLE[1]] == BOUNCED
    assert "bounced before" in recipient(session, PEOPLE[1]).last_error


def test_each_recipient_gets_its_own_transaction_of_the_same_message(session):
    message = queued(session)
    with SmtpServer() as smtp:
        assert sending.send_due(session, mail_to(smtp), POLICY) == 3
        assert sending.send_due(session, mail_to(smtp), POLICY) == 0  # never twice
    assert [r.rcpt_tos for r in smtp.received] == [[p] for p in PEOPLE]
    assert {r.message["Message-ID"] for r in smtp.received} == {message.message_id}
    first = smtp.received[0]
    assert first.mail_from == "publisher@ministarstvo.example"
    assert first.message["From"] == "Ministarstvo <publisher@ministarstvo.example>"
    assert first.message["To"] == ", ".join(PEOPLE) and first.message["Subject"] == "Nedeljni plan"
    # on the wire every line ends in CRLF, and the line starting with a dot arrives whole
    assert first.message.get_content().replace("\r\n", "\n") == "Plan objava za sledeću nedelju.\n.tačka na početku reda\n"
    assert states(session) == dict.fromkeys(PEOPLE, SENT)
    row = recipient(session, PEOPLE[0])
    assert (row.attempts, row.sent_at is not None, row.reply.startswith("250"), row.lease_token) == (1, True, True, None)


def test_html_and_attachments_travel_in_the_one_message(session):
    queued(session, to=PEOPLE[:1], html="<p>Plan</p>", attachments=[("plan.pdf", b"%PDF-1.7 plan", "application/pdf")],
           language="sr-Latn")
    with SmtpServer() as smtp:
        sending.send_due(session, mail_to(smtp), POLICY)
    [received] = smtp.received
    assert received.message["Content-Language"] == "sr-Latn"
    assert received.message.get_body(("html",)).get_content().strip() == "<p>Plan</p>"
    [attachment] = received.message.iter_attachments()
    assert (attachment.get_filename(), attachment.get_content()) == ("plan.pdf", b"%PDF-1.7 plan")


def test_a_temporary_refusal_is_retried_later_with_the_same_message_id(session, rt):
    message = queued(session, to=PEOPLE[:1])
    with SmtpServer() as smtp:
        smtp.script(["451"])
        assert sending.send_due(session, mail_to(smtp), POLICY) == 0
        row = recipient(session, PEOPLE[0])
        assert (row.state, row.attempts, row.reply) == (QUEUED, 1, "451 4.3.0 Temporary local problem, try again later")
        assert sending.send_due(session, mail_to(smtp), POLICY) == 0  # its time has not come
        later(rt, minutes=1, seconds=1)
        assert sending.send_due(session, mail_to(smtp), POLICY) == 1
    assert [r.message["Message-ID"] for r in smtp.received] == [message.message_id] * 2
    row = recipient(session, PEOPLE[0])
    assert (row.state, row.attempts, row.last_error) == (SENT, 2, None)


def test_a_permanent_refusal_fails_that_recipient_only(session, rt):
    queued(session)
    with SmtpServer() as smtp:
        smtp.refuse[PEOPLE[1]] = "550 5.1.1 no such user"
        smtp.script(["554"])  # the first message that gets to DATA: ana's
        assert sending.send_due(session, mail_to(smtp), POLICY) == 1
        later(rt, hours=5)
        assert sending.send_due(session, mail_to(smtp), POLICY) == 0
    assert states(session) == {PEOPLE[0]: FAILED, PEOPLE[1]: FAILED, PEOPLE[2]: SENT}
    assert recipient(session, PEOPLE[1]).reply == "550 5.1.1 no such user"
    assert [r.rcpt_tos for r in smtp.received] == [[PEOPLE[0]], [PEOPLE[2]]]


def test_a_temporary_refusal_of_the_sender_is_retried_for_each_recipient(session):
    queued(session, to=PEOPLE[:2])
    with SmtpServer() as smtp:
        smtp.mail_reply = "451 4.7.1 Greylisted, try again in 5 minutes"
        assert sending.send_due(session, mail_to(smtp), POLICY) == 0
    assert smtp.received == []
    rows = [recipient(session, p) for p in PEOPLE[:2]]
    assert [(r.state, r.attempts, r.reply) for r in rows] == [
        (QUEUED, 1, "451 4.7.1 Greylisted, try again in 5 minutes")] * 2


def test_an_unreachable_server_is_retried_and_given_up_after_the_maximum(session, rt):
    queued(session, to=PEOPLE[:1])
    policy = OutboxPolicy(max_attempts=3)
    for _attempt in range(3):
        assert sending.send_due(session, mail_to(None, timeout=2), policy) == 0
        later(rt, hours=2)
    row = recipient(session, PEOPLE[0])
    assert row.state == FAILED and row.attempts == 3
    assert row.last_error.startswith("gave up after 3 attempts: ConnectionRefusedError")


def test_a_connection_lost_after_the_message_is_unknown_and_never_resent_by_the_worker(session, rt):
    queued(session, to=PEOPLE[:2])
    with SmtpServer() as smtp:
        smtp.script(["drop"])
        assert sending.send_due(session, mail_to(smtp), POLICY) == 1  # marko's on a new connection
        assert states(session) == {PEOPLE[0]: UNKNOWN, PEOPLE[1]: SENT}
        assert "no answer after the message was sent" in recipient(session, PEOPLE[0]).last_error
        later(rt, days=2)
        assert sending.send_due(session, mail_to(smtp), POLICY) == 0
        assert states(session) == {PEOPLE[0]: UNKNOWN, PEOPLE[1]: SENT}
        assert [r.rcpt_tos for r in smtp.received] == [[PEOPLE[0]], [PEOPLE[1]]]


def test_a_timeout_waiting_for_the_final_reply_is_unknown(session):
    queued(session, to=PEOPLE[:1])
    with SmtpServer(hang_seconds=3) as smtp:
        smtp.script(["hang"])
        assert sending.send_due(session, mail_to(smtp, timeout=1), POLICY) == 0
    row = recipient(session, PEOPLE[0])
    assert row.state == UNKNOWN and "timed out" in row.last_error


def test_an_admin_resends_an_unknown_one_or_marks_it_sent(session, office):
    message = queued(session, to=PEOPLE[:2])
    session.execute(update(OutboxRecipient).values(state=UNKNOWN))
    session.commit()
    ana, marko = recipient(session, PEOPLE[0]), recipient(session, PEOPLE[1])
    with pytest.raises(Exception, match="managing the outbox"):
        status.settle(session, office.actor("ana"), ana.id, status.RESEND)
    status.settle(session, office.actor("admin"), ana.id, status.RESEND)
    status.settle(session, office.actor("admin"), marko.id, status.MARK_SENT)
    session.commit()
    with pytest.raises(Conflict):
        status.settle(session, office.actor("admin"), marko.id, status.RESEND)
    with pytest.raises(Invalid):
        status.settle(session, office.actor("admin"), marko.id, "delete")
    with SmtpServer() as smtp:
        assert sending.send_due(session, mail_to(smtp), POLICY) == 1
    assert [(r.rcpt_tos, r.message["Message-ID"]) for r in smtp.received] == [([PEOPLE[0]], message.message_id)]
    assert recipient(session, PEOPLE[1]).settled_by == "admin"


def test_at_most_n_messages_a_minute_per_server(session, rt):
    queued(session)
    policy = OutboxPolicy(limits=Limits(per_minute=2, connections=5))
    with SmtpServer() as smtp:
        assert sending.send_due(session, mail_to(smtp), policy) == 2
        assert sending.send_due(session, mail_to(smtp), policy) == 0
        later(rt, seconds=61)
        assert sending.send_due(session, mail_to(smtp), policy) == 1
    assert len(smtp.received) == 3


def test_at_most_m_connections_at_once_per_server_across_workers(session, rt):
    queued(session)
    with SmtpServer() as smtp:
        server = sending.server_of(mail_to(smtp))
        policy = OutboxPolicy(limits=Limits(per_minute=1000, connections=1), batch=1)
        assert sending.claim(session, server, "another-worker", policy)  # another worker is on the wire
        session.commit()
        assert sending.send_due(session, mail_to(smtp), policy) == 0
        assert smtp.received == []
        later(rt, seconds=policy.lease.total_seconds() + 1)  # that worker died before it began: retried
        assert sending.send_due(session, mail_to(smtp), policy) == 3
    assert sorted(r.rcpt_tos[0] for r in smtp.received) == PEOPLE


def test_a_lease_that_ran_out_after_the_message_step_is_unknown_before_it_retried(session, rt):
    queued(session, to=PEOPLE[:2])
    server = "127.0.0.1:25"
    assert sending.claim(session, server, "dead-worker", POLICY)
    session.execute(update(OutboxRecipient).where(OutboxRecipient.address == PEOPLE[0]).values(step=MESSAGE,
                                                                                               attempts=1))
    session.execute(update(OutboxRecipient).where(OutboxRecipient.address == PEOPLE[1]).values(step=ENVELOPE,
                                                                                               attempts=1))
    session.commit()
    sending.recover(session, POLICY)
    assert states(session) == dict.fromkeys(PEOPLE[:2], SENDING)  # the lease still runs
    later(rt, seconds=POLICY.lease.total_seconds() + 1)
    sending.recover(session, POLICY)
    session.commit()
    assert states(session) == {PEOPLE[0]: UNKNOWN, PEOPLE[1]: QUEUED}
    assert "not sent again" in recipient(session, PEOPLE[0]).last_error


def test_racing_workers_never_send_a_recipient_twice(rt, session):
    addresses = [f"osoba{i}@ministarstvo.example" for i in range(24)]
    queued(session, to=addresses)
    policy = OutboxPolicy(limits=Limits(per_minute=1000, connections=4), batch=3)
    with SmtpServer() as smtp:
        def worker() -> None:
            with rt.sessions() as own:
                sending.send_due(own, mail_to(smtp), policy, rounds=20)

        threads = [threading.Thread(target=worker) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not any(t.is_alive() for t in threads)
        sending.send_due(session, mail_to(smtp), policy, rounds=20)  # what a busy throttle left for later
    received = sorted(r.rcpt_tos[0] for r in smtp.received)
    assert received == sorted(addresses)
    assert set(states(session).values()) == {SENT}


def test_a_rolled_back_transaction_queues_nothing(session):
    queue_mail(session, to=PEOPLE, subject="Nikad", body="x", kind="weekly_plan")
    session.rollback()
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert session.scalar(select(func.count()).select_from(OutboxRecipient)) == 0


@pytest.mark.parametrize(("to", "subject", "problem"), [
    ([], "Plan", "at least one recipient"),
    (["ana@ministarstvo.example", "nije adresa"], "Plan", "not an e-mail address: 'nije adresa'"),
    (["ana@ministarstvo.example\r\nBcc: svi@example.org"], "Plan", "not an e-mail address"),
    ("ana@ministarstvo.example", "Plan", "a list of addresses"),
    (["ana@ministarstvo.example"], " \n ", "needs a subject"),
])
def test_bad_input_is_refused_by_name_and_queues_nothing(session, to, subject, problem):
    with pytest.raises(Invalid, match=problem):
        queue_mail(session, to=to, subject=subject, body="x", kind="weekly_plan")
    session.commit()
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_a_subject_with_a_line_break_is_one_line(session):
    message = queued(session, to=PEOPLE[:1], subject="Prvi red\r\nBcc: svi@example.org")
    assert message.subject == "Prvi red Bcc: svi@example.org"
    assert b"\r\nBcc:" not in message.raw


def test_the_listing_filters_by_state_and_finds_by_address_or_subject(session):
    queued(session, to=PEOPLE[:1], subject="Nedeljni plan")
    queued(session, to=PEOPLE[1:], subject="Upozorenje: portal", kind="alert", record="alert:3")
    session.execute(update(OutboxRecipient).where(OutboxRecipient.address == PEOPLE[2]).values(state=UNKNOWN))
    session.commit()
    assert [m.subject for m in status.listing(session, state=UNKNOWN).messages] == ["Upozorenje: portal"]
    assert [m.subject for m in status.listing(session, text="ANA@").messages] == ["Nedeljni plan"]
    assert [m.subject for m in status.listing(session, text="alert:3").messages] == ["Upozorenje: portal"]
    assert status.listing(session, text="100%_").messages == []
    assert status.listing(session).counts[UNKNOWN] == 1 and status.listing(session).counts[QUEUED] == 2
    with pytest.raises(Invalid):
        status.listing(session, state="lost")


def test_the_outbox_settings_reach_the_worker_and_nonsense_is_refused(tmp_path):
    from publisher.core.config import ConfigError, Settings
    from publisher.publishing.worker import options_from

    env = {"PUBLISHER_INSTANCE_DIR": str(tmp_path), "PUBLISHER_OUTBOX_PER_MINUTE": "30",
           "PUBLISHER_OUTBOX_CONNECTIONS": "1", "PUBLISHER_OUTBOX_MAX_ATTEMPTS": "4",
           "PUBLISHER_OUTBOX_LEASE_SECONDS": "90"}
    policy = options_from(Settings.from_env(env)).outbox
    assert policy == OutboxPolicy(limits=Limits(per_minute=30, connections=1), max_attempts=4,
                                  lease=timedelta(seconds=90))
    for name, value in (("PUBLISHER_OUTBOX_PER_MINUTE", "0"), ("PUBLISHER_OUTBOX_CONNECTIONS", "many")):
        with pytest.raises(ConfigError, match=name):
            Settings.from_env({**env, name: value})
