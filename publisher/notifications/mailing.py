"""Mailing notifications: the worker's job hands each due one to the outbox, in the person's language.

Queueing a notification's mail and marking it queued happen in one transaction, so each is queued once; the
outbox (publisher.outbox) sends it, retries it and never sends it twice.

The words come from outside (`MailWords`): the catalogs of the person's language live with the dashboard,
which hands the worker its function (publisher.cli).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from publisher.core import clock
from publisher.core.errors import Invalid
from publisher.core.models import User
from publisher.notifications.models import Notification
from publisher.outbox.queueing import queue_mail

# (notification, the recipient's language) -> (subject, body), in that language.
MailWords = Callable[[Notification, str], tuple[str, str]]
KIND = "notification"


def queue_due(session: Session, words: MailWords, *, limit: int = 200) -> int:
    """Queue the mail of every notification due one (up to `limit`) into the outbox; the caller commits.
    Returns how many were queued."""
    now = clock.now(session)
    queued = 0
    for row in session.scalars(select(Notification).where(Notification.mail_due.is_(True))
                               .order_by(Notification.id).limit(limit)):
        row.mail_due = False
        user = session.get(User, row.user_id)
        if user is None or not user.active or not user.email:
            row.mail_error = "not mailed: the person has no e-mail address or was switched off"
            continue
        subject, body = words(row, user.locale)
        try:  # queue_mail checks everything before it adds a row: a refusal leaves nothing behind
            queue_mail(session, to=[user.email], subject=subject, body=body, kind=KIND,
                       record=f"notification:{row.id}", language=user.locale)
        except Invalid as exc:
            row.mail_error = f"not mailed: {exc}"[:500]
            continue
        row.mailed_at, row.mail_error = now, None  # handed to the outbox: its page says what became of it
        queued += 1
    return queued
