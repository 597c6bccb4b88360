"""Sending the outbox: the worker's job. Each recipient is its own SMTP transaction on a shared connection.

Never twice: recipients are claimed (a lease, committed) before the connection opens, and the step each one
reached is committed before the step starts. Once the server said 354 to DATA, the step is MESSAGE: from
then on a lost connection, a timeout or a worker that died leaves the recipient "unknown" (the server may
have the message) and only a person resends it. Before that every failure is retried with a backoff, and
a 5xx reply is final for that recipient (RFC 5321: 4yz transient, 5yz permanent).
"""

from __future__ import annotations

import logging
import re
import secrets
import smtplib
from dataclasses import dataclass, field
from datetime import timedelta
from email.policy import SMTP

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session

from publisher.core import clock
from publisher.core.mail import MAIL_ERRORS, MailSettings
from publisher.mailbox import addresses
from publisher.outbox import throttle
from publisher.outbox.models import (
    BOUNCED,
    CONNECT,
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

log = logging.getLogger(__name__)
CRLF = b"\r\n"


@dataclass(frozen=True)
class OutboxPolicy:
    limits: throttle.Limits = field(default_factory=throttle.Limits)
    max_attempts: int = 8  # then the recipient is failed
    lease: timedelta = timedelta(seconds=120)  # per step; renewed at each step
    batch: int = 20  # recipients per connection


class _Refused(Exception):
    """The server answered a command with an error code."""

    def __init__(self, code: int, text: str) -> None:
        super().__init__(f"{code} {text}")
        self.code, self.text = code, text


class _Lost(Exception):
    """Another worker's recovery took the claim (our lease ran out): we stop without sending."""


def server_of(mail: MailSettings) -> str:
    return f"{mail.host}:{mail.port}"


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes, at most an hour."""
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 3600))


def send_due(session: Session, mail: MailSettings, policy: OutboxPolicy, *, rounds: int = 10) -> int:
    """Recover expired claims, then claim and send up to `rounds` connections' worth, committing as it goes.
    Returns how many recipients were sent."""
    if not mail.host:
        return 0
    recover(session, policy)
    session.commit()
    sent = 0
    for _ in range(rounds):
        token = secrets.token_hex(16)
        ids = claim(session, server_of(mail), token, policy)
        session.commit()
        if not ids:
            break
        sent += _send_claimed(session, mail, policy, token, ids)
    return sent


def claim(session: Session, server: str, token: str, policy: OutboxPolicy) -> list[int]:
    """Claim due recipients for one connection to `server`, within its throttle; commit after."""
    now = clock.now(session)
    due = (OutboxRecipient.state == QUEUED,
           (OutboxRecipient.next_attempt_at.is_(None)) | (OutboxRecipient.next_attempt_at <= now))
    if session.scalar(select(OutboxRecipient.id).where(*due).limit(1)) is None:
        return []  # nothing to send: no lock taken
    skip_undeliverable(session, due, policy.batch)
    throttle.lock_server(session, server, now)
    room = min(throttle.room(session, server, now, policy.limits), policy.batch)
    if room <= 0:
        return []
    ids = list(session.scalars(select(OutboxRecipient.id).where(*due).order_by(OutboxRecipient.id).limit(room)))
    # Conditional on the row still being queued: of two workers claiming at once, each row goes to one.
    return sorted(session.scalars(update(OutboxRecipient).where(OutboxRecipient.id.in_(ids), *due).values(
        state=SENDING, lease_token=token, lease_until=now + policy.lease, step=CONNECT, server=server,
        attempt_at=now).returning(OutboxRecipient.id)))


def skip_undeliverable(session: Session, due: tuple, batch: int) -> None:
    """Recipients whose address is known to bounce (publisher.mailbox.addresses, from bounce reports) are not
    sent to: marked bounced, with the reason, until an administrator clears the address."""
    rows = session.execute(select(OutboxRecipient.id, OutboxRecipient.address).where(*due)
                           .order_by(OutboxRecipient.id).limit(batch)).all()
    marked = addresses.undeliverable(session, [row.address for row in rows])
    ids = [row.id for row in rows if row.address in marked]
    if ids:
        session.execute(update(OutboxRecipient).where(OutboxRecipient.id.in_(ids), *due).values(
            state=BOUNCED, last_error="not sent: mail to this address bounced before (see the person's page)"))


def recover(session: Session, policy: OutboxPolicy) -> None:
    """Claims whose lease ran out (their worker died or hung): after MESSAGE the server may have the mail, so
    "unknown"; before it, queued again (failed once out of attempts)."""
    now = clock.now(session)
    expired = and_(OutboxRecipient.state == SENDING, OutboxRecipient.lease_until < now)
    if session.scalar(select(OutboxRecipient.id).where(expired).limit(1)) is None:
        return
    free = {"lease_token": None, "lease_until": None}
    session.execute(update(OutboxRecipient).where(expired, OutboxRecipient.step == MESSAGE).values(
        state=UNKNOWN, **free, last_error="the worker stopped after handing the message to the server, before "
        "its answer: not sent again, so that nobody gets it twice"))
    session.execute(update(OutboxRecipient).where(expired, OutboxRecipient.attempts >= policy.max_attempts)
                    .values(state=FAILED, step=None, **free,
                            last_error=f"gave up after {policy.max_attempts} attempts: the worker stopped"))
    session.execute(update(OutboxRecipient).where(expired).values(
        state=QUEUED, step=None, next_attempt_at=now, **free))


def _send_claimed(session: Session, mail: MailSettings, policy: OutboxPolicy, token: str, ids: list[int]) -> int:
    rows = [session.get(OutboxRecipient, rid) for rid in ids]
    try:
        smtp = _connect(mail)
    except MAIL_ERRORS as exc:
        for row in rows:
            row.attempts += 1
            _retry(session, row, policy, _error(exc))
        session.commit()
        log.warning("outbox: cannot reach %s: %s", server_of(mail), _error(exc))
        return 0
    sent = 0
    try:
        for position, row in enumerate(rows):
            try:
                outcome = _one(session, smtp, mail, policy, token, row)
            except _Lost:
                log.warning("outbox: recipient %s was taken from this worker; stopping", row.id)
                _release(session, token, [r.id for r in rows[position:]])
                session.commit()
                break
            sent += outcome == SENT
            if outcome == "connection":  # the connection is gone: the rest wait for the next claim
                _release(session, token, [r.id for r in rows[position + 1:]])
                session.commit()
                break
    finally:
        _close(smtp)
    return sent


def _one(session: Session, smtp: smtplib.SMTP, mail: MailSettings, policy: OutboxPolicy, token: str,
         row: OutboxRecipient) -> str:
    """One recipient's SMTP transaction; returns its outcome, or "connection" when the connection broke."""
    _step(session, token, row, ENVELOPE, policy, attempt=True)
    raw = session.scalar(select(OutboxMessage.raw).where(OutboxMessage.id == row.message_id))
    try:
        _expect(smtp.mail(mail.sender), 250)
        _expect(smtp.rcpt(row.address), 250, 251)
        _expect(smtp.docmd("DATA"), 354)
    except _Refused as refused:
        _answered(session, row, policy, refused.code, refused.text)
        session.commit()
        return _reset(smtp, row.state)
    except MAIL_ERRORS as exc:
        _retry(session, row, policy, _error(exc))
        session.commit()
        return "connection"
    try:
        _step(session, token, row, MESSAGE, policy)
    except BaseException:
        smtp.close()  # mid-DATA, never QUIT (it would be read as the message): the server drops it unfinished
        raise
    try:
        smtp.send(_dotted(_from(mail.sender) + raw))
        code, text = smtp.getreply()
    except MAIL_ERRORS as exc:
        _unknown(session, row, f"no answer after the message was sent: {_error(exc)}")
        session.commit()
        return "connection"
    _answered(session, row, policy, code, text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text))
    session.commit()
    return row.state


def _answered(session: Session, row: OutboxRecipient, policy: OutboxPolicy, code: int, text: str) -> None:
    """The server's final word on this recipient's transaction."""
    row.reply = f"{code} {text}"[:1000]
    now = clock.now(session)
    if 200 <= code < 300:
        row.state, row.sent_at, row.last_error = SENT, now, None
        _free(row)
    elif 500 <= code < 600:
        row.state, row.last_error = FAILED, f"refused by the server: {code} {text}"[:1000]
        _free(row)
    elif 400 <= code < 500:
        _retry(session, row, policy, f"the server said try later: {code} {text}")
    else:  # a reply that is no reply (smtplib's -1): the server may have the message or not
        _unknown(session, row, f"an answer that is not SMTP: {code} {text}")


def _retry(session: Session, row: OutboxRecipient, policy: OutboxPolicy, error: str) -> None:
    _free(row)
    row.last_error = error[:1000]
    if row.attempts >= policy.max_attempts:
        row.state, row.last_error = FAILED, f"gave up after {row.attempts} attempts: {error}"[:1000]
    else:
        row.state, row.next_attempt_at = QUEUED, clock.now(session) + backoff(row.attempts)


def _unknown(session: Session, row: OutboxRecipient, error: str) -> None:
    _free(row)
    row.state, row.last_error = UNKNOWN, error[:1000]


def _free(row: OutboxRecipient) -> None:
    row.lease_token = row.lease_until = None


def _step(session: Session, token: str, row: OutboxRecipient, step: str, policy: OutboxPolicy, *,
          attempt: bool = False) -> None:
    """Record (committed) the step this recipient is about to take, and renew the claim's lease;
    _Lost if the claim is no longer ours."""
    now = clock.now(session)
    values: dict[str, object] = {"step": step}
    if attempt:
        values["attempts"] = OutboxRecipient.attempts + 1
    mine = and_(OutboxRecipient.lease_token == token, OutboxRecipient.state == SENDING)
    quick = {"synchronize_session": False}  # the row is refreshed below; the others' leases are not read here
    taken = session.execute(update(OutboxRecipient).where(OutboxRecipient.id == row.id, mine).values(**values),
                            execution_options=quick)
    session.execute(update(OutboxRecipient).where(mine).values(lease_until=now + policy.lease),
                    execution_options=quick)
    session.commit()
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        raise _Lost
    session.refresh(row)


def _release(session: Session, token: str, ids: list[int]) -> None:
    """Claimed, never started: back in the queue as they were."""
    if ids:
        session.execute(update(OutboxRecipient).where(
            OutboxRecipient.id.in_(ids), OutboxRecipient.lease_token == token, OutboxRecipient.state == SENDING)
            .values(state=QUEUED, step=None, lease_token=None, lease_until=None))
        session.expire_all()


def _connect(mail: MailSettings) -> smtplib.SMTP:
    smtp = smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout)
    try:
        smtp.ehlo()
        if mail.starttls:
            smtp.starttls()
            smtp.ehlo()
        if mail.user:
            smtp.login(mail.user, mail.password or "")
    except BaseException:
        _close(smtp)
        raise
    return smtp


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except MAIL_ERRORS:
        smtp.close()


def _reset(smtp: smtplib.SMTP, state: str) -> str:
    """After a refused command the transaction is cleared (RSET) for the next recipient."""
    try:
        code, _ = smtp.rset()
    except MAIL_ERRORS:
        return "connection"
    return state if code == 250 else "connection"


def _expect(reply: tuple[int, bytes], *codes: int) -> None:
    code, text = reply
    if code not in codes:
        raise _Refused(code, text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text))


def _from(sender: str) -> bytes:
    return SMTP.header_factory("From", sender).fold(policy=SMTP).encode("ascii")


def _dotted(raw: bytes) -> bytes:
    """The message as DATA carries it (RFC 5321 4.5.2): CRLF lines, leading dots doubled, then <CRLF>.<CRLF>."""
    data = re.sub(rb"(?:\r\n|\n|\r(?![\n]))", CRLF, raw)
    data = re.sub(rb"(?m)^\.", b"..", data)
    if not data.endswith(CRLF):
        data += CRLF
    return data + b"." + CRLF


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


__all__ = ["OutboxPolicy", "backoff", "claim", "recover", "send_due", "server_of"]
