"""Mailing notifications: the worker's job. Each goes at most once; a failure is kept on it and tried again.

Never twice: a notification is claimed in a committed transaction before the SMTP conversation starts, and
marked mailed right after it. A worker that stops in between leaves the claim; once it is LOST_AFTER old the
mail is given up with a note on the row instead of being sent again (a person may have it already).

The words come from outside (`MailWords`): the catalogs of the person's language live with the dashboard,
which hands the worker its function (publisher.cli).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from publisher.core import clock
from publisher.core.mail import MAIL_ERRORS, MailSettings, message, send
from publisher.core.models import User
from publisher.notifications.models import Notification

# (notification, the recipient's language) -> (subject, body), in that language.
MailWords = Callable[[Notification, str], tuple[str, str]]
MAX_ATTEMPTS = 8
LOST_AFTER = timedelta(minutes=15)  # far longer than one SMTP conversation (MailSettings.timeout)
log = logging.getLogger(__name__)


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 3600))


def send_due(session: Session, mail: MailSettings, words: MailWords, *, limit: int = 50) -> int:
    """Mail what is due, committing as it goes (the claim before sending). Returns how many went out."""
    if not mail.host:
        return 0
    now = clock.now(session)
    _give_up_lost(session, now)
    ids = _claim(session, now, limit)
    session.commit()
    sent = 0
    for position, notification_id in enumerate(ids):
        row = session.get(Notification, notification_id)
        user = session.get(User, row.user_id)
        if user is None or not user.active or not user.email:
            _finish(row, now, error="not mailed: the person has no e-mail address or was switched off")
            session.commit()
            continue
        subject, body = words(row, user.locale)
        try:
            send(mail, message(mail, [user.email], subject, body, message_id=f"notification-{row.id}"))
        except MAIL_ERRORS as exc:
            _failed(row, now, f"{type(exc).__name__}: {exc}"[:500])
            _release(session, ids[position + 1:])  # the server is unhappy: the rest wait for the next round
            session.commit()
            log.warning("notification %s not mailed: %s", row.id, row.mail_error)
            break
        _finish(row, clock.now(session))
        session.commit()
        sent += 1
    return sent


def _claim(session: Session, now: datetime, limit: int) -> list[int]:
    due = (select(Notification.id).where(
        Notification.mail_due.is_(True), Notification.mail_claimed_at.is_(None),
        or_(Notification.mail_next_at.is_(None), Notification.mail_next_at <= now))
        .order_by(Notification.id).limit(limit))
    # Conditional on the claim being free: of two workers claiming at once, each row goes to one.
    return sorted(session.scalars(update(Notification).where(
        Notification.id.in_(list(session.scalars(due))), Notification.mail_claimed_at.is_(None),
        Notification.mail_due.is_(True)).values(mail_claimed_at=now).returning(Notification.id)))


def _release(session: Session, ids: list[int]) -> None:
    if ids:
        session.execute(update(Notification).where(Notification.id.in_(ids)).values(mail_claimed_at=None))


def _finish(row: Notification, now: datetime, *, error: str | None = None) -> None:
    row.mail_due, row.mail_claimed_at = False, None
    row.mail_attempts += 1
    if error is None:
        row.mailed_at, row.mail_error = now, None
    else:
        row.mail_error = error


def _failed(row: Notification, now: datetime, error: str) -> None:
    row.mail_attempts += 1
    row.mail_claimed_at, row.mail_error = None, error
    if row.mail_attempts >= MAX_ATTEMPTS:
        row.mail_due, row.mail_error = False, f"gave up after {row.mail_attempts} attempts: {error}"[:500]
    else:
        row.mail_next_at = now + _backoff(row.mail_attempts)


def _give_up_lost(session: Session, now: datetime) -> None:
    session.execute(update(Notification).where(
        Notification.mail_due.is_(True), Notification.mail_claimed_at < now - LOST_AFTER).values(
        mail_due=False, mail_claimed_at=None,
        mail_error="the worker stopped while mailing it; not sent again, so that nobody gets it twice"))
