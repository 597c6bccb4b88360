"""Addresses whose mail bounced, for the users pages in the browser: one with the long diagnostic Gmail sends
(the narrow screen must wrap it), one transient bounce that has not marked its address."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from publisher.mailbox import addresses
from publisher.mailbox.addresses import BouncePolicy
from tests.factories.office import Office

GMAIL_WORDS = ("550-5.1.1 The email account that you tried to reach does not exist. Please try 550-5.1.1 "
               "double-checking the recipient's email address for typos or unnecessary spaces. "
               "https://support.google.com/mail/?p=NoSuchUser a640c23a62f3a-aa5996c2a1bsi123456766b.412 - gsmtp")


def bounced_addresses(session: Session, office: Office) -> None:
    at = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)
    office.users["ana"].email = "ana.markovic.saradnica.za.odnose.sa.javnoscu@ministarstvo.gov.rs"
    office.users["bojan"].email = "bojan@ministarstvo.gov.rs"
    addresses.record_bounce(session, report="<gmail-1@mx.google.com>", address=office.users["ana"].email,
                            permanent=True, status="5.1.1", diagnostic=GMAIL_WORDS, original_message_id=None,
                            at=at, policy=BouncePolicy())
    addresses.record_bounce(session, report="<delay-1@mx>", address="bojan@ministarstvo.gov.rs", permanent=False,
                            status="4.4.1", diagnostic="connect to mx.ministarstvo.gov.rs: Connection timed out",
                            original_message_id=None, at=at, policy=BouncePolicy())
