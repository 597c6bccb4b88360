"""The mailbox reader's settings: off unless a host is set, and refused with a message naming the variable."""

from __future__ import annotations

import pytest

from publisher.core.config import ConfigError, MailboxSettings

BASE = {"PUBLISHER_MAILBOX_HOST": "imap.ministarstvo.gov.rs", "PUBLISHER_MAILBOX_USER": "bounces",
        "PUBLISHER_MAILBOX_PASSWORD": "tajna"}


def test_no_host_means_no_mailbox():
    assert MailboxSettings.from_env({}) is None


def test_defaults_are_tls_from_the_first_byte_on_the_usual_port():
    mailbox = MailboxSettings.from_env(BASE)
    assert (mailbox.security, mailbox.port, mailbox.folder, mailbox.move_to) == ("imaps", 993, "INBOX", None)
    assert (mailbox.max_messages, mailbox.max_message_bytes, mailbox.soft_bounces, mailbox.soft_bounce_days,
            mailbox.poll_minutes) == (200, 1024 * 1024, 3, 7.0, 5.0)


def test_every_setting_is_read():
    mailbox = MailboxSettings.from_env({**BASE, "PUBLISHER_MAILBOX_SECURITY": "STARTTLS",
                                        "PUBLISHER_MAILBOX_FOLDER": "Bounces", "PUBLISHER_MAILBOX_MOVE_TO": "Read",
                                        "PUBLISHER_MAILBOX_MAX_MESSAGES": "50",
                                        "PUBLISHER_MAILBOX_MAX_MESSAGE_KB": "256",
                                        "PUBLISHER_MAILBOX_SOFT_BOUNCES": "5",
                                        "PUBLISHER_MAILBOX_SOFT_BOUNCE_DAYS": "14",
                                        "PUBLISHER_MAILBOX_POLL_MINUTES": "1"})
    assert (mailbox.security, mailbox.port, mailbox.folder, mailbox.move_to, mailbox.max_messages,
            mailbox.max_message_bytes, mailbox.soft_bounces, mailbox.soft_bounce_days, mailbox.poll_minutes) == (
        "starttls", 143, "Bounces", "Read", 50, 256 * 1024, 5, 14.0, 1.0)


@pytest.mark.parametrize(("extra", "message"), [
    ({"PUBLISHER_MAILBOX_SECURITY": "ssl"}, "PUBLISHER_MAILBOX_SECURITY='ssl' must be one of imaps, starttls, plain"),
    ({"PUBLISHER_MAILBOX_SECURITY": "plain"}, "only for a server on this machine"),
    ({"PUBLISHER_MAILBOX_PASSWORD": ""}, "PUBLISHER_MAILBOX_PASSWORD are needed too"),
    ({"PUBLISHER_MAILBOX_FOLDER": "Odbijeno/Pošta"}, "PUBLISHER_MAILBOX_FOLDER='Odbijeno/Pošta': folder names"),
    ({"PUBLISHER_MAILBOX_MAX_MESSAGES": "0"}, "PUBLISHER_MAILBOX_MAX_MESSAGES='0' must be at least 1"),
    ({"PUBLISHER_MAILBOX_PORT": "x"}, "PUBLISHER_MAILBOX_PORT='x' is not a number"),
    ({"PUBLISHER_MAILBOX_CA_FILE": "/nema/ca.pem"}, "PUBLISHER_MAILBOX_CA_FILE='/nema/ca.pem' is not a file"),
])
def test_a_setting_that_cannot_be_used_is_refused_by_name(extra, message):
    with pytest.raises(ConfigError, match=message):
        MailboxSettings.from_env({**BASE, **extra})


def test_plain_is_allowed_on_loopback():
    mailbox = MailboxSettings.from_env({**BASE, "PUBLISHER_MAILBOX_HOST": "127.0.0.1",
                                        "PUBLISHER_MAILBOX_SECURITY": "plain"})
    assert (mailbox.security, mailbox.port) == ("plain", 143)
