"""A message the outbox sent that bounced afterwards: the recipient the report names is no longer shown as
sent (publisher.outbox.bounced), on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

from publisher.mailbox import addresses
from publisher.mailbox.addresses import BouncePolicy
from publisher.outbox import bounced
from publisher.outbox.models import BOUNCED, SENT
from publisher.outbox.queueing import queue_mail

AT = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def sent_message(session, *to: str):
    message = queue_mail(session, to=list(to), subject="Nedeljni plan", body="…", kind="weekly_plan")
    for recipient in message.recipients:
        recipient.state, recipient.sent_at, recipient.reply = SENT, AT, "250 2.0.0 Ok"
    session.flush()
    return message


def report(session, message_id: str | None, address: str, *, permanent: bool, name: str) -> None:
    addresses.record_bounce(session, report=f"<{name}@mx.example>", address=address, permanent=permanent,
                            status="5.1.1" if permanent else "4.2.2", diagnostic="smtp; 550 no such user"
                            if permanent else "smtp; 452 mailbox full", original_message_id=message_id, at=AT,
                            policy=BouncePolicy())


def test_a_permanent_bounce_marks_the_recipient_it_names_and_only_that_one(session):
    message = sent_message(session, "vesna@vlada.example", "goran@vlada.example", "ivana@vlada.example")
    other = sent_message(session, "vesna@vlada.example")
    report(session, message.message_id, "Vesna@Vlada.example", permanent=True, name="r1")  # any case
    report(session, message.message_id, "goran@vlada.example", permanent=False, name="r2")  # still trying
    report(session, "<someone.elses@mail.example>", "ivana@vlada.example", permanent=True, name="r3")
    assert bounced.settle(session) == 1
    states = {r.address: (r.state, r.last_error) for r in message.recipients}
    assert states["vesna@vlada.example"] == (BOUNCED, "bounced after it was sent: 5.1.1 smtp; 550 no such user")
    assert states["goran@vlada.example"][0] == SENT and states["ivana@vlada.example"][0] == SENT
    assert other.recipients[0].state == SENT  # the same address on another message was not reported
    report(session, message.message_id, "vesna@vlada.example", permanent=True, name="r4")  # a second report
    assert bounced.settle(session) == 0
    session.commit()
