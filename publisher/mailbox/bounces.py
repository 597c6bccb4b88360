"""Delivery status notifications (RFC 3464) read from a message's bytes: who could not be reached, for good or
for now, and which of our messages it was about.

A report is multipart/report; report-type=delivery-status with a message/delivery-status part: one block of
per-message fields, then one block per recipient (Final-Recipient, Action, Status, Diagnostic-Code), blocks
separated by blank lines. The original message comes back as message/rfc822 or text/rfc822-headers; its
Message-ID tells which of our mails bounced. Anything else is not a report and is left for other readers.
"""

from __future__ import annotations

import email
import re
from dataclasses import dataclass
from email.message import Message
from email.policy import compat32

from publisher.mailbox.addresses import normalise

# RFC 3463: class.subject.detail; class 2 (success), 4 (persistent transient) or 5 (permanent).
_STATUS = re.compile(r"^\s*([245])\.(\d{1,3})\.(\d{1,3})\b")
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
FAILED_ACTIONS = frozenset({"failed", "delayed"})  # "delivered", "relayed", "expanded" are not bounces


class MalformedReport(ValueError):
    """A message that says it is a delivery status report and is not a readable one; the message says why."""


@dataclass(frozen=True)
class Recipient:
    address: str  # normalised: lowercase, without the address type
    action: str  # failed or delayed
    status: str  # 5.1.1, 4.4.7...
    diagnostic: str  # the remote server's words, when the report has them

    @property
    def permanent(self) -> bool:
        return self.action == "failed" and self.status.startswith("5.")


@dataclass(frozen=True)
class Report:
    message_id: str | None  # the report's own
    original_message_id: str | None  # the bounced message's, when the report carries it
    recipients: tuple[Recipient, ...]  # failed or delayed only


def message_id(raw: bytes) -> str | None:
    """The Message-ID of a message's header, or None; reads the header only."""
    return _first_id(email.message_from_bytes(raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0] + b"\n\n",
                                              policy=compat32).get("Message-ID"))


def parse(raw: bytes) -> Report | None:
    """The report in `raw`, None when `raw` is not a delivery status report (a person's message, an
    auto-reply); raises MalformedReport when it says it is one and cannot be read."""
    msg = email.message_from_bytes(raw, policy=compat32)
    if msg.get_content_type() != "multipart/report" or \
            (msg.get_param("report-type") or "").lower() != "delivery-status":
        return None
    parts = msg.get_payload()
    if not isinstance(parts, list):
        raise MalformedReport("multipart/report without parts")
    status_part = next((p for p in parts if p.get_content_type() in ("message/delivery-status",
                                                                      "message/global-delivery-status")), None)
    if status_part is None:
        raise MalformedReport("no message/delivery-status part")
    blocks = _field_blocks(status_part)
    if len(blocks) < 2:
        raise MalformedReport("the delivery-status part has no per-recipient fields")
    recipients = tuple(r for r in (_recipient(block) for block in blocks[1:]) if r is not None)
    if not recipients and not any(block.get("action") for block in blocks[1:]):
        raise MalformedReport("no recipient in the delivery-status part says what happened")
    return Report(message_id=_first_id(msg.get("Message-ID")), original_message_id=_original_id(parts),
                  recipients=recipients)


def _field_blocks(part: Message) -> list[dict[str, str]]:
    """The delivery-status part's blocks, each as lowercase field name -> value (continuation lines joined).

    Python's email package parses message/delivery-status into a list of header blocks when the part is
    well-formed; raw text is split by hand, which also catches reports whose blank lines carry spaces."""
    payload = part.get_payload()
    if isinstance(payload, list) and payload and all(isinstance(p, Message) for p in payload):
        return [{k.lower(): _unfold(v) for k, v in p.items()} for p in payload]
    text = part.get_payload(decode=True) or b""
    blocks: list[dict[str, str]] = []
    for chunk in re.split(r"\r?\n[ \t]*\r?\n", text.decode("utf-8", "replace")):
        fields: dict[str, str] = {}
        name = None
        for line in chunk.splitlines():
            if line[:1] in (" ", "\t") and name:
                fields[name] += " " + line.strip()
            elif ":" in line:
                name, value = line.split(":", 1)
                name = name.strip().lower()
                fields[name] = value.strip()
        if fields:
            blocks.append(fields)
    return blocks


def _recipient(fields: dict[str, str]) -> Recipient | None:
    action = fields.get("action", "").strip().lower().split()[0] if fields.get("action", "").strip() else ""
    if action not in FAILED_ACTIONS:
        return None
    raw_address = fields.get("final-recipient") or fields.get("original-recipient") or ""
    address = normalise(raw_address.split(";", 1)[-1])
    if address is None:
        raise MalformedReport(f"recipient {raw_address[:100]!r} is not an e-mail address")
    found = _STATUS.match(fields.get("status", ""))
    if found is None:
        raise MalformedReport(f"status {fields.get('status', '')[:40]!r} of {address} is not class.subject.detail")
    status = ".".join(found.groups())
    if (action == "failed") != (status[0] == "5") and status[0] == "2":
        raise MalformedReport(f"{address}: action {action} with success status {status}")
    diagnostic = fields.get("diagnostic-code", "")
    if ";" in diagnostic:  # "smtp; 550 5.1.1 ...": the type is ours to drop
        diagnostic = diagnostic.split(";", 1)[1].strip()
    return Recipient(address=address, action=action, status=status, diagnostic=diagnostic[:2000])


def _original_id(parts: list[Message]) -> str | None:
    for part in parts:
        kind = part.get_content_type()
        if kind in ("message/rfc822", "message/global"):
            inner = part.get_payload()
            if isinstance(inner, list) and inner:
                return _first_id(inner[0].get("Message-ID"))
        if kind in ("text/rfc822-headers", "message/global-headers"):
            headers = email.message_from_bytes((part.get_payload(decode=True) or b"").lstrip() + b"\n\n",
                                               policy=compat32)
            return _first_id(headers.get("Message-ID"))
    return None


def _first_id(value: object) -> str | None:
    found = _MESSAGE_ID.search(_unfold(value)) if value else None
    return found.group(0)[:998] if found else None


def _unfold(value: object) -> str:
    return re.sub(r"\r?\n[ \t]+", " ", str(value)).strip()
