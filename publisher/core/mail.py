"""The office's SMTP server, as the settings name it. Only the outbox (publisher.outbox.sending) talks to it."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass

# What a failed SMTP conversation raises: the outbox keeps it on the recipient's row.
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
