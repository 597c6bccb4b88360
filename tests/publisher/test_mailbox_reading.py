"""The mailbox reader against a real IMAP server (dovecot on loopback): a bounce report read from the server
marks its address, each message is read once across runs, and the limits hold."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from publisher.core.config import MailboxSettings
from publisher.mailbox import addresses, reading
from publisher.mailbox.models import MailAddress, MailBounce, MailboxFolder, MailboxMessage
from publisher.mailbox.reading import Kind, MailboxError, read_once
from publisher.outbox.models import BOUNCED, SENT
from publisher.outbox.queueing import queue_mail
from publisher.publishing.worker import Worker, WorkerOptions, options_from
from tests.conftest import require_service
from tests.publisher import bounce_samples as samples
from tests.support.imap_server import IMAP_PASSWORD, IMAP_USER, ImapServer, ImapUnavailable

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


@pytest.fixture
def imap(tmp_path):
    server = ImapServer(tmp_path / "imap")
    try:
        server.start()
    except ImapUnavailable as exc:
        require_service("dovecot (tests/support/install_dovecot.sh)", exc)
    yield server
    server.stop()


@pytest.fixture
def mailbox(imap) -> MailboxSettings:
    return MailboxSettings(host="127.0.0.1", port=imap.port, user=IMAP_USER, password=IMAP_PASSWORD,
                           security="plain", timeout=10)


def read(rt, mailbox):
    return read_once(rt.sessions, mailbox, rt.clock)


def kinds(session):
    return dict(session.execute(select(MailboxMessage.uid, MailboxMessage.kind)).all())


def test_a_bounce_report_read_from_the_server_marks_its_address(rt, session, imap, mailbox):
    rt.clock = lambda: NOW
    imap.append("INBOX", samples.POSTFIX)
    outcome = read(rt, mailbox)
    assert outcome.kinds == {"report": 1} and outcome.bounces == 1
    state = session.get(MailAddress, "jovana.petrovic@mup.gov.rs")
    assert (state.state, state.status, state.bounces, state.last_bounce_at) == ("bounced", "5.1.1", 1, NOW)
    assert "User unknown" in state.diagnostic
    assert state.original_message_id == samples.ORIGINAL_ID
    assert addresses.undeliverable(session, ["Jovana.Petrovic@MUP.gov.rs", "other@mup.gov.rs"]) == {
        "Jovana.Petrovic@MUP.gov.rs"}
    assert b"\\Seen" in imap.flags(1)  # processed: marked read where it is


def test_every_kind_of_report_and_message_is_told_apart(rt, session, imap, mailbox):
    for raw in (samples.POSTFIX, samples.EXIM, samples.GMAIL, samples.EXCHANGE, samples.delayed(),
                samples.NOT_A_REPORT, samples.MALFORMED):
        imap.append("INBOX", raw)
    outcome = read(rt, mailbox)
    assert outcome.kinds == {"report": 5, "not_report": 1, "malformed": 1}
    assert kinds(session) == {1: "report", 2: "report", 3: "report", 4: "report", 5: "report", 6: "not_report",
                              7: "malformed"}
    assert addresses.undeliverable(session, ["jovana.petrovic@mup.gov.rs", "urednik@rts.rs",
                                             "nepostoji.novinar@gmail.com", "marko.jovanovic@vlada.gov.rs",
                                             "spori@server.rs"]) == {
        "jovana.petrovic@mup.gov.rs", "urednik@rts.rs", "nepostoji.novinar@gmail.com",
        "marko.jovanovic@vlada.gov.rs"}  # one delay is not enough
    assert session.get(MailAddress, "spori@server.rs").state == "ok"
    note = session.scalar(select(MailboxMessage.note).where(MailboxMessage.kind == Kind.MALFORMED))
    assert "no per-recipient fields" in note
    # The person's message and the unreadable report stay unread on the server for whoever reads them next.
    assert imap.uids(criteria="UNSEEN") == [6, 7]


def test_runs_read_only_what_arrived_since_the_last_one(rt, session, imap, mailbox):
    imap.append("INBOX", samples.POSTFIX)
    imap.append("INBOX", samples.NOT_A_REPORT)
    assert read(rt, mailbox).kinds == {"report": 1, "not_report": 1}
    assert read(rt, mailbox).kinds == {}  # nothing new; the unread person's message is not read again
    imap.append("INBOX", samples.EXIM)
    assert read(rt, mailbox).kinds == {"report": 1}
    session.expire_all()
    [cursor] = session.scalars(select(MailboxFolder))
    assert (cursor.folder, cursor.last_uid) == ("INBOX", 3)
    assert session.scalar(select(func.count()).select_from(MailboxMessage)) == 3


def test_the_same_report_seen_twice_counts_once(rt, session, imap, mailbox):
    imap.append("INBOX", samples.delayed())
    imap.append("INBOX", samples.delayed())  # delivered twice: same Message-ID, another UID
    outcome = read(rt, mailbox)
    assert outcome.kinds == {"report": 2} and outcome.bounces == 1
    assert session.get(MailAddress, "spori@server.rs").bounces == 1


def test_a_reader_that_died_before_storing_reads_the_message_again_and_counts_it_once(rt, session, imap, mailbox):
    imap.append("INBOX", samples.POSTFIX)
    read(rt, mailbox)
    # As if the server had renumbered the folder (a new UIDVALIDITY) or the transaction never happened for
    # the cursor: the report is read again, and its bounce is not counted twice.
    session.execute(MailboxFolder.__table__.update().values(last_uid=0))
    session.execute(MailboxMessage.__table__.delete())
    session.commit()
    outcome = read(rt, mailbox)
    assert outcome.kinds == {"report": 1} and outcome.bounces == 0
    assert session.scalar(select(func.count()).select_from(MailBounce)) == 1


def test_soft_bounces_make_an_address_undeliverable_at_the_limit_within_the_window(rt, session, imap, mailbox):
    mailbox = dataclasses.replace(mailbox, soft_bounces=3, soft_bounce_days=7)
    days = [0, 6, 8, 9]
    for n in range(1, 5):
        imap.append("INBOX", samples.delayed(n))
        at = NOW + timedelta(days=days[n - 1])
        rt.clock = lambda at=at: at
        read(rt, mailbox)
        with rt.sessions() as fresh:
            state = fresh.get(MailAddress, "spori@server.rs")
        # 1: one; 2: two in the week; 3: three, but the first is over a week old; 4: three within the week.
        assert state.state == ("bounced" if n == 4 else "ok"), n
    assert state.bounces == 4


def test_a_message_over_the_size_cap_is_recorded_as_too_big_and_not_parsed(rt, session, imap, mailbox):
    big = samples.POSTFIX.replace(b"This is the mail system", b"x" * 4000 + b"\r\nThis is the mail system")
    imap.append("INBOX", big)
    outcome = read(rt, dataclasses.replace(mailbox, max_message_bytes=2048))
    assert outcome.kinds == {"too_big": 1} and outcome.bounces == 0
    row = session.scalar(select(MailboxMessage))
    assert row.size == len(big) and row.message_id == "<20261204091502.4Rk2d81Z5Fz9sWc@mx.mup.gov.rs>"
    assert "over the limit of 2048" in row.note
    assert session.scalar(select(func.count()).select_from(MailAddress)) == 0
    assert imap.uids(criteria="UNSEEN") == [1]


def test_at_most_max_messages_a_run_and_the_rest_next_time(rt, session, imap, mailbox):
    for n in range(1, 6):
        imap.append("INBOX", samples.delayed(n, f"osoba{n}@server.rs"))
    limited = dataclasses.replace(mailbox, max_messages=2)
    assert [(sum(o.kinds.values()), o.more) for o in (read(rt, limited) for _ in range(3))] == [
        (2, True), (2, True), (1, False)]
    assert sorted(kinds(session)) == [1, 2, 3, 4, 5]


def test_processed_reports_move_to_the_configured_folder(rt, session, imap, mailbox):
    imap.append("INBOX", samples.EXIM)
    imap.append("INBOX", samples.NOT_A_REPORT)
    read(rt, dataclasses.replace(mailbox, move_to="Bounces"))
    assert imap.uids("INBOX") == [2]  # the person's message stays
    assert len(imap.uids("Bounces")) == 1


def test_tls_from_the_first_byte_and_starttls_check_the_certificate(rt, session, imap, mailbox):
    imap.append("INBOX", samples.POSTFIX)
    with pytest.raises(MailboxError, match="CERTIFICATE_VERIFY_FAILED"):
        read(rt, dataclasses.replace(mailbox, security="imaps", port=imap.tls_port))
    trusted = dataclasses.replace(mailbox, ca_file=imap.certificate)
    assert read(rt, dataclasses.replace(trusted, security="starttls")).kinds == {"report": 1}
    imap.append("INBOX", samples.EXIM)
    assert read(rt, dataclasses.replace(trusted, security="imaps", port=imap.tls_port)).kinds == {"report": 1}


def test_a_wrong_password_or_folder_is_a_clear_error_and_changes_nothing(rt, session, imap, mailbox):
    imap.append("INBOX", samples.POSTFIX)
    with pytest.raises(MailboxError, match="log in to 127.0.0.1.*AUTHENTICATIONFAILED"):
        read(rt, dataclasses.replace(mailbox, password="wrong"))
    with pytest.raises(MailboxError, match="refused folder 'Nema'"):
        read(rt, dataclasses.replace(mailbox, folder="Nema"))
    assert session.scalar(select(func.count()).select_from(MailboxMessage)) == 0
    assert imap.uids(criteria="UNSEEN") == [1]


def test_a_server_that_is_not_there_is_a_clear_error(rt, mailbox):
    from tests.support.smtp_server import free_port

    with pytest.raises(MailboxError, match="connect to 127.0.0.1"):
        read(rt, dataclasses.replace(mailbox, port=free_port(), timeout=2))


def test_the_worker_reads_the_mailbox_when_one_is_configured(rt, session, imap, mailbox):
    imap.append("INBOX", samples.GMAIL)
    # the message that bounced, as the outbox sent it (the sample names its Message-ID)
    sent = queue_mail(session, to=["nepostoji.novinar@gmail.com", "urednik@rts.example"], subject="Vesti",
                      body="…", kind="newsletter")
    sent.message_id = "<newsletter-9.1733303000@publisher.local>"
    for recipient in sent.recipients:
        recipient.state = SENT
    session.commit()
    worker = Worker(rt, dataclasses.replace(options_from(dataclasses.replace(rt.settings, mailbox=mailbox)),
                                            threads=2), worker_id="mail-reader")
    try:
        worker.start()
        assert worker._scheduler.get_job("read_mailbox").trigger.interval == timedelta(minutes=5)
        worker.stop(grace=5)
        worker.read_mailbox()
    finally:
        worker.close()
    assert addresses.undeliverable(session, ["nepostoji.novinar@gmail.com"]) == {"nepostoji.novinar@gmail.com"}
    session.expire_all()
    assert {r.address: r.state for r in sent.recipients} == {"nepostoji.novinar@gmail.com": BOUNCED,
                                                             "urednik@rts.example": SENT}


def test_without_a_mailbox_the_worker_has_no_mailbox_job(rt):
    worker = Worker(rt, dataclasses.replace(options_from(rt.settings), threads=2), worker_id="no-mail")
    try:
        worker.start()
        assert worker._scheduler.get_job("read_mailbox") is None
        worker.stop(grace=5)
    finally:
        worker.close()


def test_a_worker_whose_mailbox_is_down_logs_it_and_carries_on(rt, mailbox, caplog):
    from tests.support.smtp_server import free_port

    worker = Worker(rt, WorkerOptions(threads=2, mailbox=dataclasses.replace(mailbox, port=free_port(), timeout=2)),
                    worker_id="down")
    try:
        worker.read_mailbox()
    finally:
        worker.close()
    assert "mailbox: connect to 127.0.0.1" in caplog.text and "next round" in caplog.text


def test_a_reader_that_dies_after_storing_and_before_flagging_never_reads_the_message_again(
        rt, session, imap, mailbox, monkeypatch):
    imap.append("INBOX", samples.POSTFIX)

    def killed(*args):
        raise RuntimeError("the worker was killed here")

    monkeypatch.setattr(reading, "_done_with", killed)
    with pytest.raises(RuntimeError, match="killed"):
        read(rt, mailbox)
    monkeypatch.undo()
    assert imap.uids(criteria="UNSEEN") == [1]  # never flagged on the server
    assert read(rt, mailbox).kinds == {}  # but stored: not read again
    assert session.get(MailAddress, "jovana.petrovic@mup.gov.rs").bounces == 1
