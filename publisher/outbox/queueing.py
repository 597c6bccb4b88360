"""Queueing a mail: a message row and one row per recipient, in the caller's transaction, so a change that
is rolled back sends nothing and a change that commits cannot lose its mail."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from sqlalchemy.orm import Session

from publisher.core import clock
from publisher.core.errors import Invalid
from publisher.outbox.models import QUEUED, OutboxMessage, OutboxRecipient

# The right-hand side of every Message-ID we make: stable, ours, never a real mailbox.
MESSAGE_ID_DOMAIN = "publisher.local"
_ADDRESS = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+")
# (file name, content, MIME type such as "application/pdf"); text/* content is UTF-8
Attachment = tuple[str, bytes, str]


def queue_mail(session: Session, *, to: list[str], subject: str, body: str, kind: str, record: str | None = None,
               html: str | None = None, attachments: Iterable[Attachment] = (),
               language: str | None = None) -> OutboxMessage:
    """Queue one message to `to`, each address its own SMTP transaction; the worker sends it after commit.

    Raises Invalid naming the problem (no recipient, a malformed address, an empty subject) and queues
    nothing then. `kind` and `record` say who made it ("alert", "alert:12"), for the outbox page."""
    addresses = _addresses(to)
    subject = " ".join(str(subject or "").split())  # one line: a header never carries a line break
    if not subject:
        raise Invalid("a mail needs a subject", code="mail_subject_required")
    if not kind:
        raise Invalid("a mail needs a kind saying what made it", code="mail_kind_required")
    now = clock.now(session)
    row = OutboxMessage(message_id=f"<outbox.pending.{secrets.token_hex(12)}@{MESSAGE_ID_DOMAIN}>",
                        subject=subject, raw=b"", kind=kind, record=record, language=language, created_at=now)
    session.add(row)
    session.flush()  # the id goes into the Message-ID
    row.message_id = f"<outbox.{row.id}.{secrets.token_hex(8)}@{MESSAGE_ID_DOMAIN}>"
    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = subject
    msg["To"] = ", ".join(addresses)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = row.message_id
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for name, content, mime in attachments:
        maintype, _, subtype = (mime or "application/octet-stream").partition("/")
        # A text attachment (a calendar file) says its charset: without it a mail program reads it as ASCII.
        msg.add_attachment(content, maintype=maintype, subtype=subtype or "octet-stream", filename=name,
                           params={"charset": "utf-8"} if maintype == "text" else None)
    if language:  # after the parts: setting the content clears every Content-* header
        msg["Content-Language"] = language
    row.raw = msg.as_bytes()  # From is added when it is sent: it is the sending server's setting
    session.add_all(OutboxRecipient(message_id=row.id, address=address, state=QUEUED, attempts=0)
                    for address in addresses)
    return row


def _addresses(to: list[str]) -> list[str]:
    """The recipients, each once (case aside), in the order given; Invalid for a missing or malformed one."""
    if isinstance(to, str):
        raise Invalid("recipients must be a list of addresses, not one string", code="mail_recipients")
    seen: dict[str, str] = {}
    for raw in to:
        address = raw.strip() if isinstance(raw, str) else ""
        if not _ADDRESS.fullmatch(address) or not address.isascii() or len(address) > 320:
            raise Invalid(f"not an e-mail address: {raw!r}", code="mail_address_invalid")
        seen.setdefault(address.casefold(), address)
    if not seen:
        raise Invalid("a mail needs at least one recipient", code="mail_recipients")
    return list(seen.values())
