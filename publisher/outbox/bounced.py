"""A message the outbox sent that bounced afterwards. The server took it (the recipient is "sent"), then the
recipient's server refused it and a delivery status notification came back to the office's mailbox
(publisher.mailbox marks the address). Such a recipient was not reached: it becomes "bounced", with the
report's status and words, so the outbox page does not show it as sent.

Only a permanent failure (5.x.x) counts: a delay report (4.x.x) means the servers are still trying. The report
names the message by the Message-ID the outbox gave it, and the recipient by address (either case)."""

from __future__ import annotations

import logging

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from publisher.mailbox.models import MailBounce
from publisher.outbox.models import BOUNCED, SENT, OutboxMessage, OutboxRecipient

log = logging.getLogger(__name__)


def settle(session: Session) -> int:
    """Mark each sent recipient that a permanent bounce report names; how many changed. Safe to repeat: a
    recipient already marked is no longer "sent"."""
    found = session.execute(
        select(OutboxRecipient, MailBounce)
        .join(OutboxMessage, OutboxRecipient.message_id == OutboxMessage.id)
        .join(MailBounce, MailBounce.original_message_id == OutboxMessage.message_id)
        .where(OutboxRecipient.state == SENT, MailBounce.permanent.is_(True),
               func.lower(MailBounce.address) == func.lower(OutboxRecipient.address))
        .order_by(OutboxRecipient.id, MailBounce.id)
    ).all()
    changed = 0
    for recipient, bounce in found:
        if recipient.state != SENT:  # two reports for one recipient: the first says it
            continue
        recipient.state = BOUNCED
        recipient.last_error = f"bounced after it was sent: {bounce.status} {bounce.diagnostic}".strip()[:2000]
        changed += 1
        log.info("outbox: recipient %s of message %s bounced (%s)", recipient.id, recipient.message_id,
                 bounce.status)
    session.flush()
    return changed
