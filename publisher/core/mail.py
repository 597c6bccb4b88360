"""Sending one e-mail through the office's SMTP server: alerts and notifications both go this way."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

# What a failed send raises: the caller keeps it on its row and tries again later.
MAIL_ERRORS = (OSError, smtplib.SMTPException)


@dataclass(frozen=True)
class MailSettings:
    host: str | None
    port: int = 25
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    sender: str = "publisher@localhost"
    timeout: float = 15.0


def message(mail: MailSettings, to: list[str], subject: str, body: str, *, message_id: str) -> EmailMessage:
    """A plain-text message from the office's sender; `message_id` makes the Message-ID say what it is."""
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = mail.sender
    msg["To"] = ", ".join(to)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(idstring=message_id, domain="publisher.local")
    msg.set_content(body)
    return msg


def send(mail: MailSettings, msg: EmailMessage) -> None:
    """One SMTP conversation; raises one of MAIL_ERRORS when the server or the network says no."""
    with smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout) as smtp:
        if mail.starttls:
            smtp.starttls()
        if mail.user:
            smtp.login(mail.user, mail.password or "")
        smtp.send_message(msg)
