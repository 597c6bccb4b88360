"""The mailbox reader: reads the office's IMAP mailbox, turns delivery status notifications (RFC 3464) into
a mail state per address, and leaves every other message for later readers (the public's messages)."""
