"""Reading the office's mailbox over IMAP: the messages that arrived since the last run, each once.

Per folder and UIDVALIDITY the database keeps the highest UID whose outcome it stored. A run asks the server
for the UIDs above it (at most `max_messages`), reads each one (only its size first: bigger than
`max_message_bytes` is recorded as too big and not downloaded), and stores the outcome, the bounces and the
new highest UID in one transaction. Only then does it move or flag the message on the server, so a reader
that dies in between reads nothing twice, and one that dies before has stored nothing. A report also counts
once per address by its own Message-ID (addresses.record_bounce), should it arrive again in another place.

Messages that are not delivery status reports are recorded as such and left unread on the server, for the
readers that come later (the public's messages). Fetching uses BODY.PEEK, which leaves the \\Seen flag alone.
"""

from __future__ import annotations

import imaplib
import logging
import re
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from publisher.core.clock import Clock
from publisher.core.config import MailboxSettings
from publisher.mailbox import addresses, bounces
from publisher.mailbox.addresses import BouncePolicy
from publisher.mailbox.models import MailboxFolder, MailboxMessage

log = logging.getLogger(__name__)
MAILBOX_ERRORS = (OSError, imaplib.IMAP4.error, ssl.SSLError)
_UID = re.compile(rb"\bUID (\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")


class Kind(StrEnum):
    REPORT = "report"  # a delivery status notification; its bounces are counted
    NOT_REPORT = "not_report"  # anything else: left on the server as it was
    TOO_BIG = "too_big"  # over the size cap: not downloaded
    MALFORMED = "malformed"  # said it was a report and could not be read


class MailboxError(RuntimeError):
    """The mailbox could not be read (connection, TLS, login, folder); the message says which step failed."""


@dataclass
class ReadOutcome:
    kinds: dict[str, int] = field(default_factory=dict)
    bounces: int = 0  # recipients counted (a report read again counts none)
    more: bool = False  # messages were left for the next run (max_messages)

    def __str__(self) -> str:
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(self.kinds.items())) or "nothing new"
        return f"{kinds}; {self.bounces} bounce(s) counted" + ("; more waiting" if self.more else "")


def policy_from(settings: MailboxSettings) -> BouncePolicy:
    return BouncePolicy(soft_limit=settings.soft_bounces, soft_window=timedelta(days=settings.soft_bounce_days))


def connect(settings: MailboxSettings) -> imaplib.IMAP4:
    """A logged-in connection: TLS from the first byte (imaps), upgraded (starttls), or plain (loopback only,
    which the settings enforce)."""
    step = "connect"
    try:
        if settings.security == "imaps":
            imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(settings.host, settings.port, ssl_context=_tls(settings),
                                                    timeout=settings.timeout)
        else:
            imap = imaplib.IMAP4(settings.host, settings.port, timeout=settings.timeout)
            if settings.security == "starttls":
                step = "STARTTLS"
                imap.starttls(_tls(settings))
        step = "log in"
        imap.login(settings.user, settings.password)
        return imap
    except MAILBOX_ERRORS as exc:
        raise MailboxError(f"{step} to {settings.host}:{settings.port} ({settings.security}) failed: "
                           f"{_reason(exc)}") from exc


def read_once(sessions: Callable[[], Session], settings: MailboxSettings, clock: Clock) -> ReadOutcome:
    """One run over the configured folder; raises MailboxError when the server cannot be read."""
    imap = connect(settings)
    try:
        return _read_folder(imap, sessions, settings, clock)
    except MAILBOX_ERRORS as exc:
        raise MailboxError(f"reading {settings.folder!r} on {settings.host} failed: {_reason(exc)}") from exc
    finally:
        try:
            imap.logout()
        except MAILBOX_ERRORS:
            pass


def _read_folder(imap: imaplib.IMAP4, sessions: Callable[[], Session], settings: MailboxSettings,
                 clock: Clock) -> ReadOutcome:
    kind, data = imap.select(_quoted(settings.folder))
    if kind != "OK":
        raise MailboxError(f"the server refused folder {settings.folder!r}: {_text(data)}")
    validity = int(imap.response("UIDVALIDITY")[1][0])
    with sessions() as session:
        last_uid = _cursor(session, settings.folder, validity, clock).last_uid
        session.commit()
    kind, data = imap.uid("SEARCH", f"UID {last_uid + 1}:*")
    # "n:*" always includes the highest UID, even one below n: only those above the cursor are new.
    uids = sorted(u for u in (int(x) for x in (data[0] or b"").split()) if u > last_uid)
    outcome = ReadOutcome(more=len(uids) > settings.max_messages)
    uids = uids[:settings.max_messages]
    sizes = _sizes(imap, uids)
    policy = policy_from(settings)
    for uid in uids:
        size = sizes.get(uid)
        if size is None:  # expunged by someone else since the search
            continue
        if size > settings.max_message_bytes:
            raw, found = _header(imap, uid), Kind.TOO_BIG
        else:
            raw, found = _body(imap, uid), None
        stored = _store(sessions, settings, validity, uid, size, raw, found, clock, policy)
        if stored is None:
            continue
        outcome.kinds[stored.kind] = outcome.kinds.get(stored.kind, 0) + 1
        outcome.bounces += stored.counted
        if stored.kind == Kind.REPORT:
            _done_with(imap, uid, settings)
    return outcome


@dataclass(frozen=True)
class _Stored:
    kind: Kind
    counted: int


def _store(sessions: Callable[[], Session], settings: MailboxSettings, validity: int, uid: int, size: int,
           raw: bytes, kind: Kind | None, clock: Clock, policy: BouncePolicy) -> _Stored | None:
    """The message's outcome, its bounces and the folder's new cursor in one transaction; None when another
    reader stored this UID first."""
    report, note = None, ""
    if kind is None:
        try:
            report = bounces.parse(raw)
            kind = Kind.NOT_REPORT if report is None else Kind.REPORT
        except bounces.MalformedReport as exc:
            kind, note = Kind.MALFORMED, str(exc)
    elif kind == Kind.TOO_BIG:
        note = f"{size} bytes, over the limit of {settings.max_message_bytes}"
    message_id = bounces.message_id(raw)
    now = clock()
    counted = 0
    with sessions() as session:
        session.add(MailboxMessage(folder=settings.folder, uidvalidity=validity, uid=uid, message_id=message_id,
                                   kind=kind, size=size, note=note[:2000], read_at=now))
        if report is not None:
            key = report.message_id or f"{settings.folder}/{validity}/{uid}"
            for recipient in report.recipients:
                counted += addresses.record_bounce(
                    session, report=key, address=recipient.address, permanent=recipient.permanent,
                    status=recipient.status, diagnostic=recipient.diagnostic,
                    original_message_id=report.original_message_id, at=now, policy=policy)
        cursor = _cursor(session, settings.folder, validity, clock)
        cursor.last_uid = max(cursor.last_uid, uid)
        cursor.read_at = now
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            log.info("mailbox: UID %s of %s was stored by another reader", uid, settings.folder)
            return None
    return _Stored(kind=kind, counted=counted)


def _cursor(session: Session, folder: str, validity: int, clock: Clock) -> MailboxFolder:
    row = session.scalar(select(MailboxFolder).where(MailboxFolder.folder == folder,
                                                     MailboxFolder.uidvalidity == validity))
    if row is None:
        row = MailboxFolder(folder=folder, uidvalidity=validity, last_uid=0, read_at=clock())
        session.add(row)
        session.flush()
    return row


def _sizes(imap: imaplib.IMAP4, uids: list[int]) -> dict[int, int]:
    if not uids:
        return {}
    kind, data = imap.uid("FETCH", ",".join(map(str, uids)), "(RFC822.SIZE)")
    sizes = {}
    for line in data:
        line = line[0] if isinstance(line, tuple) else line
        uid, size = _UID.search(line or b""), _SIZE.search(line or b"")
        if uid and size:
            sizes[int(uid.group(1))] = int(size.group(1))
    return sizes


def _body(imap: imaplib.IMAP4, uid: int) -> bytes:
    return _literal(imap.uid("FETCH", str(uid), "(BODY.PEEK[])"))


def _header(imap: imaplib.IMAP4, uid: int) -> bytes:
    return _literal(imap.uid("FETCH", str(uid), "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])"))


def _literal(answer: tuple[str, list]) -> bytes:
    kind, data = answer
    for item in data:
        if isinstance(item, tuple):
            return item[1]
    return b""


def _done_with(imap: imaplib.IMAP4, uid: int, settings: MailboxSettings) -> None:
    """Move the report out of the way, or mark it read; a failure here loses nothing (the cursor moved on)."""
    try:
        if settings.move_to:
            kind, data = imap.uid("MOVE", str(uid), _quoted(settings.move_to))
            if kind != "OK" and "TRYCREATE" in _text(data):  # the folder does not exist yet
                imap.create(_quoted(settings.move_to))
                kind, data = imap.uid("MOVE", str(uid), _quoted(settings.move_to))
            if kind == "OK":
                return
            log.warning("mailbox: could not move UID %s to %r: %s; marking it read", uid, settings.move_to,
                        _text(data))
        imap.uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Seen)")
    except MAILBOX_ERRORS as exc:
        log.warning("mailbox: could not move or flag UID %s: %s", uid, _reason(exc))


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(data: list) -> str:
    return " ".join(d.decode("utf-8", "replace") if isinstance(d, bytes) else str(d) for d in data or [])


def _reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def _tls(settings: MailboxSettings) -> ssl.SSLContext:
    """Certificate and host name checked, against the system's CAs or the one the settings name."""
    return ssl.create_default_context(cafile=str(settings.ca_file) if settings.ca_file else None)
