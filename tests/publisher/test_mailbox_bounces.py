"""Delivery status notifications are read as the servers that write them mean them."""

from __future__ import annotations

import pytest

from publisher.mailbox import bounces
from tests.publisher import bounce_samples as samples


@pytest.mark.parametrize(("raw", "address", "status", "diagnostic_part", "original"), [
    (samples.POSTFIX, "jovana.petrovic@mup.gov.rs", "5.1.1", "User unknown in virtual mailbox table",
     samples.ORIGINAL_ID),
    (samples.EXIM, "urednik@rts.rs", "5.0.0", "mailbox is full: retry timeout exceeded",
     "<alert-3.1733303000@publisher.local>"),
    (samples.GMAIL, "nepostoji.novinar@gmail.com", "5.1.1", "The email account that you tried to reach does not exist",
     "<newsletter-9.1733303000@publisher.local>"),
    (samples.EXCHANGE, "marko.jovanovic@vlada.gov.rs", "5.1.10", "RESOLVER.ADR.RecipientNotFound",
     "<approval-44.1733304000@publisher.local>"),
], ids=["postfix", "exim", "gmail", "exchange"])
def test_a_permanent_failure_names_the_address_the_reason_and_our_message(raw, address, status, diagnostic_part,
                                                                          original):
    report = bounces.parse(raw)
    assert report is not None
    [recipient] = report.recipients
    assert recipient.address == address
    assert recipient.status == status
    assert recipient.action == "failed" and recipient.permanent
    assert diagnostic_part in recipient.diagnostic
    assert not recipient.diagnostic.startswith(("smtp;", "X-Exim"))
    assert report.original_message_id == original
    assert report.message_id and report.message_id != original


def test_a_delayed_message_is_a_transient_bounce():
    report = bounces.parse(samples.delayed())
    [recipient] = report.recipients
    assert (recipient.address, recipient.action, recipient.status) == ("spori@server.rs", "delayed", "4.4.1")
    assert not recipient.permanent
    assert "Connection timed out" in recipient.diagnostic
    assert report.original_message_id == "<digest-1.1733303000@publisher.local>"


def test_a_persons_message_is_not_a_report():
    assert bounces.parse(samples.NOT_A_REPORT) is None
    assert bounces.message_id(samples.NOT_A_REPORT) == "<CAB+gr1=xyz@mail.gmail.com>"


def test_a_report_without_recipients_is_malformed_and_says_so():
    with pytest.raises(bounces.MalformedReport, match="no per-recipient fields"):
        bounces.parse(samples.MALFORMED)


def test_a_report_naming_no_address_is_malformed_and_says_so():
    with pytest.raises(bounces.MalformedReport, match="'rfc822; not an address' is not an e-mail address"):
        bounces.parse(samples.BAD_RECIPIENT)


def test_delivered_and_relayed_recipients_are_not_bounces():
    raw = samples.POSTFIX.replace(b"Action: failed", b"Action: relayed").replace(b"Status: 5.1.1", b"Status: 2.0.0")
    assert bounces.parse(raw).recipients == ()


def test_a_multipart_report_of_another_kind_is_not_a_delivery_report():
    raw = samples.POSTFIX.replace(b"report-type=delivery-status", b"report-type=disposition-notification")
    assert bounces.parse(raw) is None


def test_garbage_bytes_are_not_a_report():
    assert bounces.parse(b"\x00\xff garbage without a header\r\n") is None
