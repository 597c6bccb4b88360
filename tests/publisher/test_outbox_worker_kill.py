"""A worker killed (SIGKILL, a real process) in the middle of sending one message to several people: the next
worker sends the rest, and nobody gets it twice, counted at the SMTP server."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import replace

from sqlalchemy import select

from publisher.outbox.models import MESSAGE, SENDING, SENT, UNKNOWN, OutboxRecipient
from publisher.outbox.queueing import queue_mail
from tests.support.smtp_server import SmtpServer
from tests.support.worker_process import WorkerProcess

PEOPLE = [f"osoba{i}@ministarstvo.example" for i in range(1, 6)]
LEASE_SECONDS = 3  # the outbox's lease per step: the restarted worker takes over after it
DEADLINE = 40.0  # seconds for each wait below


def rows(session) -> dict[str, OutboxRecipient]:
    session.expire_all()
    found = {r.address: r for r in session.scalars(select(OutboxRecipient))}
    session.commit()
    return found


def wait_for(what, check) -> None:
    deadline = time.monotonic() + DEADLINE
    while not check():
        assert time.monotonic() < deadline, f"not within {DEADLINE:g} s: {what}"
        time.sleep(0.05)


def test_a_worker_killed_mid_send_sends_nobody_twice(rt, session, settings, tmp_path):
    with SmtpServer(hang_seconds=DEADLINE * 2) as smtp:
        smtp.script(["250", "hang"])  # the second person's message arrives and its answer never comes
        queue_mail(session, to=PEOPLE, subject="Saopštenje", body="Tekst saopštenja.", kind="release",
                   record="post:1")
        session.commit()
        worker_settings = replace(settings, smtp_host="127.0.0.1", smtp_port=smtp.port)
        env = {"PUBLISHER_OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS)}
        with WorkerProcess(worker_settings, tmp_path / "logs", name="mailer", extra_env=env) as worker:
            wait_for("the second message at the server", lambda: len(smtp.received) >= 2)
            assert worker.kill() == -9
            before = rows(session)
            assert before[PEOPLE[0]].state == SENT
            assert (before[PEOPLE[1]].state, before[PEOPLE[1]].step) == (SENDING, MESSAGE)
            assert {before[p].state for p in PEOPLE[2:]} == {SENDING}  # claimed, not begun
            worker.start()
            wait_for("every recipient settled", lambda: not {r.state for r in rows(session).values()} & {
                SENDING, "queued"})
            worker.terminate()
        after = rows(session)
    received = Counter(r.rcpt_tos[0] for r in smtp.received)
    assert received == Counter(PEOPLE)  # each person once, the one in doubt included
    assert after[PEOPLE[1]].state == UNKNOWN and "not sent again" in after[PEOPLE[1]].last_error
    assert {after[p].state for p in PEOPLE if p != PEOPLE[1]} == {SENT}
    assert len({r.message["Message-ID"] for r in smtp.received}) == 1
