"""The press list: each post is one e-mail to the office's media contacts, over SMTP (smtplib).

The contacts are envelope recipients only (Bcc): the To: header says "undisclosed-recipients:;", so no
journalist sees the others' addresses. The message is multipart: text/plain and a simple text/html of
the same text, then the post's images, videos and PDFs as attachments. Its Message-ID is derived from
the delivery key (`<key@sender's domain>`), so a message sent twice is recognisable as one by mail
clients and by anyone looking at the headers.

SMTP has no idempotency, so the conversation is driven step by step (not `sendmail`) to know exactly
how far it got when it fails: everything up to the end of the message body is safe to retry (a server
never delivers a message whose final "." it did not receive), while a failure waiting for the answer
to that final "." is OutcomeUnknown: the server may have queued the message.
"""

from __future__ import annotations

import hashlib
import html
import ipaddress
import logging
import mimetypes
import re
import smtplib
import socket
import ssl
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, getaddresses
from typing import Any

from channels.adapter_kit import ATTACHMENT_TYPES, CONNECT_TIMEOUT, excerpt
from channels.base import (
    SEPARATE,
    TOGETHER,
    Capabilities,
    Channel,
    ConfigField,
    Content,
    Health,
    LanguageVersion,
    MediaItem,
    Problem,
    Published,
    too_many_attachments,
)
from channels.errors import (
    AuthExpired,
    ChannelConfigError,
    ChannelError,
    OutcomeUnknown,
    Rejected,
    Retryable,
)
from channels.language_versions import as_one, languages_of, together_text
from channels.outgoing import Outgoing, SentPost, sent_media
from channels.registry import register

DEFAULT_READ_TIMEOUT = 60.0
TIMEOUT_RANGE = (1.0, 300.0)
DEFAULT_ATTACHMENTS_MB = 20
ATTACHMENTS_MB_RANGE = (1, 100)
MAX_ATTACHMENTS = 20
MAX_RECIPIENTS = 500
MB = 1024 * 1024
# 7bit: every part is encoded (base64 or quoted-printable, whichever is shorter), so the message
# passes any server, with or without 8BITMIME. Headers are RFC 2047 encoded; lines end in CRLF.
POLICY = SMTP_POLICY.clone(cte_type="7bit")

# Message-ID left part (dot-atom-text); the core's keys look like "p12-c3-0123456789abcdef".
_KEY = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN = re.compile(rf"{_LABEL}(?:\.{_LABEL})+")
_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off", ""}

log = logging.getLogger(__name__)


@register
class Email(Channel):
    kind = "email"
    read_timeout = (DEFAULT_READ_TIMEOUT, TIMEOUT_RANGE[1])  # longest_request_seconds reads it
    label = "Press list (e-mail)"
    config_fields = (
        ConfigField("host", "SMTP server name, e.g. smtp.office365.com or the ministry's relay"),
        ConfigField("port", "SMTP port (default 587; 465 with ssl)", required=False),
        ConfigField("username", "Login on the SMTP server (leave empty for a relay without login)", required=False),
        ConfigField("password", "Password (or app password) for that login", required=False, secret=True),
        ConfigField("starttls", "Upgrade the connection with STARTTLS (default true, false with ssl)",
                    required=False),
        ConfigField("ssl", "TLS from the first byte, usually port 465 (default false)", required=False),
        ConfigField("ca_file", "PEM file of the CA that signed the server's certificate (internal relays)",
                    required=False),
        ConfigField("sender", "From: e.g. Ministarstvo <press@ministarstvo.gov.rs>"),
        ConfigField("recipients", "The media list: addresses, as a list or separated by commas or new lines"),
        ConfigField("reply_to", "Reply-To address (optional)", required=False),
        ConfigField("max_attachments_mb", "Total size of a post's attachments in MB, 1–100 (default 20)",
                    required=False),
        ConfigField("timeout", "Seconds to wait for each answer of the server, 1–300 (default 60)", required=False),
    )
    example_settings = {
        "host": "smtp.ministarstvo.gov.rs",
        "username": "press",
        "password": "example-app-password",
        "sender": "Министарство привреде <press@ministarstvo.gov.rs>",
        "recipients": ["desk@novine.rs", "vesti@radio.rs"],
        "reply_to": "kabinet@ministarstvo.gov.rs",
    }

    def check_config(self) -> None:
        super().check_config()
        c = self.config
        host = c.get("host")
        if not isinstance(host, str) or not host.strip() or any(ch <= " " for ch in host.strip()):
            raise ChannelConfigError("email: host must be a server name or address")
        self._host = host.strip()
        self._ssl = _flag(c.get("ssl"), "ssl", default=False)
        self._starttls = _flag(c.get("starttls"), "starttls", default=not self._ssl)
        if self._ssl and self._starttls:
            raise ChannelConfigError("email: choose ssl (usually port 465) or starttls (usually port 587), not both")
        self._port = _number(c.get("port"), "port", 465 if self._ssl else 587, (1, 65535), whole=True)
        self._read_timeout = _number(c.get("timeout"), "timeout", DEFAULT_READ_TIMEOUT, TIMEOUT_RANGE)
        self._max_attachments = int(_number(c.get("max_attachments_mb"), "max_attachments_mb",
                                            DEFAULT_ATTACHMENTS_MB, ATTACHMENTS_MB_RANGE, whole=True)) * MB
        ca_file = c.get("ca_file")
        if ca_file not in (None, "") and not isinstance(ca_file, str):
            raise ChannelConfigError("email: ca_file must be a file path")
        self._ca_file = ca_file or None

        username = c.get("username")
        password = self.credentials.get("password")
        if username in (None, ""):
            username = None
        elif not isinstance(username, str):
            raise ChannelConfigError("email: username must be text")
        if password in (None, ""):
            password = None
        elif not isinstance(password, str):
            raise ChannelConfigError("email: password must be text")
        if (username is None) != (password is None):
            raise ChannelConfigError("email: give both username and password, or neither (a relay without login)")
        if username is not None and not (self._ssl or self._starttls) and not _is_loopback(self._host):
            # The password would cross the network in clear text.
            raise ChannelConfigError("email: a login needs starttls or ssl, except to a server on this machine")
        self._username, self._password = username, password

        self._sender = _address(c.get("sender"), "sender")
        self._reply_to = _address(c.get("reply_to"), "reply_to") if c.get("reply_to") not in (None, "") else None
        self._recipients = _recipients(c.get("recipients"))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} server={self._host}:{self._port}>"

    @classmethod
    def capabilities(cls) -> Capabilities:
        return Capabilities(
            max_text=100_000,
            text_counting="characters",
            title_required=True,  # the subject line
            max_images=MAX_ATTACHMENTS,
            max_videos=5,
            media_types=ATTACHMENT_TYPES,
            max_media_bytes=None,  # the limit is on all attachments together: see validate()
            alt_text_required=False,  # attachments: a mail client shows no alt text
            idempotent=False,
            language_modes=frozenset({SEPARATE, TOGETHER}),  # one message per language, or one with every version
        )

    def validate(self, content: Content) -> list[Problem]:
        # Every language version in one message: the limits are for the message as it goes out.
        return super().validate(as_one(content, titles=True)) + self._size_problems(content.media)

    def _size_problems(self, media: Iterable[MediaItem]) -> list[Problem]:
        media = list(media)
        problems = []
        if len(media) > MAX_ATTACHMENTS:
            problems.append(too_many_attachments(self.name, len(media), MAX_ATTACHMENTS))
        total = sum(item.size for item in media)
        if total > self._max_attachments:
            problems.append(Problem(self.name, f"attachments {total / MB:.1f} MB in total, at most "
                                               f"{self._max_attachments // MB} MB", "media", "attachments_too_large",
                                    {"used": f"{total / MB:.1f}", "limit": self._max_attachments // MB}))
        return problems

    def outgoing(self, content: Content) -> Outgoing:
        """The message as the press list gets it: the title as the subject on one line, the text with its
        line ends as "\n", the files as attachments (a mail client shows no alt text). With language versions
        together, one message: every version under its title, the subject every title, the languages all named."""
        caps = self.capabilities()
        text = together_text(content, titles=True)
        subject = " / ".join(" ".join(v.title.split()) for v in content.versions if v.title.strip()) \
            if content.versions else " ".join(content.title.split())
        post = SentPost(_lines(text), subject, ", ".join(languages_of(content)))
        return Outgoing(account=self._sender.addr_spec, posts=(post,), used=len(text), limit=caps.max_text,
                        counting="characters", media=sent_media(content.media, lambda m: None), crop="files")

    def message_id(self, key: str) -> str:
        return f"<{key}@{self._sender.domain.lower()}>"

    def publish(self, content: Content, *, key: str) -> Published:
        if not _KEY.fullmatch(key) or len(key) > 200:
            raise Rejected("the delivery key cannot be used in a Message-ID (letters, digits, '-', '_', '.')")
        refused = self._size_problems(content.media)
        if refused:
            raise Rejected("; ".join(p.message for p in refused))
        if not content.title.strip():
            raise Rejected("a title is required (it is the subject line)")
        out = self.outgoing(content)
        attachments = [_attachment(sent.item) for sent in out.media]
        message = build_message(out.posts[0], attachments, message_id=self.message_id(key), sender=self._sender,
                                reply_to=self._reply_to, now=datetime.now(UTC), versions=content.versions)
        data = message.as_bytes(policy=POLICY)
        not_delivered = self._transmit(data)
        if not_delivered:
            # Published has no place for these yet; they go to the log (addresses and the server's words only).
            log.warning("%s: %s sent, but the server refused %d of %d recipients: %s", self.name,
                        self.message_id(key), len(not_delivered), len(self._recipients),
                        self._scrub("; ".join(f"{addr} ({code} {' '.join(words.split())})"
                                              for addr, (code, words) in not_delivered.items())))
        return Published(remote_id=self.message_id(key), url=None)

    def find(self, key: str) -> Published | None:
        """An SMTP server cannot be asked what it delivered."""
        raise OutcomeUnknown("an SMTP server cannot be asked whether it delivered a message; "
                             f"look for Message-ID {self.message_id(key)} in the sent mail or a recipient's inbox")

    def check(self) -> Health:
        step = _Step()
        try:
            smtp = self._open(step)
        except (smtplib.SMTPException, OSError) as exc:
            return Health.from_error(self._failure(exc, step.now))
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()
        how = "SSL" if self._ssl else "STARTTLS" if self._starttls else "no encryption"
        who = f"logged in as {self._username}" if self._username else "no login"
        return Health(ok=True, message=f"{self._host}:{self._port} answers ({how}, {who})")

    # --- the SMTP conversation ---

    def _open(self, step: _Step) -> smtplib.SMTP:
        """Connected, greeted, encrypted and logged in, as configured."""
        context = ssl.create_default_context(cafile=self._ca_file) if (self._ssl or self._starttls) else None
        step.now = "connect"
        # Constructed with the host so that smtplib connects, reads the greeting (SMTPConnectError unless
        # 220) and keeps the name for checking the certificate on STARTTLS.
        if self._ssl:
            smtp: smtplib.SMTP = _SMTPS(self._host, self._port, read_timeout=self._read_timeout, context=context)
        else:
            smtp = _SMTP(self._host, self._port, read_timeout=self._read_timeout)
        try:
            step.now = "ehlo"
            smtp.ehlo_or_helo_if_needed()
            if self._starttls:
                step.now = "starttls"
                smtp.starttls(context=context)
                step.now = "ehlo"
                smtp.ehlo()
            if self._username:
                step.now = "login"
                smtp.login(self._username, self._password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _transmit(self, data: bytes) -> dict[str, tuple[int, str]]:
        """Send one message to every recipient; the recipients the server refused (when not all)."""
        step = _Step()
        smtp = None
        try:
            smtp = self._open(step)
            step.now = "mail"
            options = [f"SIZE={len(data)}"] if smtp.has_extn("size") else []
            code, reply = smtp.mail(self._sender.addr_spec, options)
            if code != 250:
                raise smtplib.SMTPSenderRefused(code, reply, self._sender.addr_spec)
            step.now = "rcpt"
            refused: dict[str, tuple[int, str]] = {}
            for address in self._recipients:
                code, reply = smtp.rcpt(address)
                if code not in (250, 251):
                    refused[address] = (code, _text(reply))
            if len(refused) == len(self._recipients):
                raise smtplib.SMTPRecipientsRefused(refused)  # type: ignore[arg-type]
            step.now = "data"
            code, reply = smtp.docmd("DATA")
            if code != 354:
                raise smtplib.SMTPDataError(code, reply)
            step.now = "body"
            smtp.send(_dot_stuffed(data))
            # From here the server has the whole message: it may queue it whatever we hear next.
            step.now = "reply"
            code, reply = smtp.getreply()
            if code != 250:
                raise smtplib.SMTPDataError(code, reply)
            step.now = "done"
        except (smtplib.SMTPException, OSError) as exc:
            if smtp is not None:
                smtp.close()
            raise self._failure(exc, step.now) from None
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()  # the message is queued; a QUIT that goes wrong changes nothing
        return refused

    # --- the one place that decides what a failure means ---

    def _failure(self, exc: BaseException, step: str) -> ChannelError:
        """`step` is how far the conversation got: connect, ehlo, starttls, login, mail, rcpt, data, body
        (sending the message), reply (waiting for the answer to the final ".")."""
        server = f"{self._host}:{self._port}"
        code = exc.smtp_code if isinstance(exc, smtplib.SMTPResponseException) else None
        said = f" ({code}{self._words(exc.smtp_error)})" if isinstance(exc, smtplib.SMTPResponseException) else ""
        name = type(exc).__name__

        if step == "reply":
            if code is not None and code >= 500:
                return Rejected(f"the mail server refused the message{said}", status=code)
            if code is not None and code >= 400:
                # A 4xx answer to the final "." means the server did not take the message: resending is safe.
                return Retryable(f"the mail server could not take the message now{said}", status=code)
            return OutcomeUnknown(
                f"the connection to {server} broke while waiting for its answer to the whole message ({name}); "
                "it may have gone to the press list: check the sent mail or a recipient before sending again")
        if isinstance(exc, ssl.SSLCertVerificationError):
            return AuthExpired(f"the certificate of {server} could not be verified ({exc.verify_message}); "
                               "check host and ca_file")
        if isinstance(exc, smtplib.SMTPRecipientsRefused):
            refusals = _refusals(exc)
            every = self._scrub("; ".join(f"{addr} ({c} {' '.join(w.split())})" for addr, (c, w) in refusals))
            if all(c >= 500 for _, (c, _w) in refusals):
                return Rejected(f"the mail server refused every recipient: {every}")
            return Retryable(f"the mail server refused every recipient, some only for now: {every}")
        if code is not None and 400 <= code < 500:
            return Retryable(f"the mail server answered a temporary failure at {step.upper()}{said}", status=code)
        if code is not None and code >= 500 or step in ("starttls", "login") and not isinstance(
                exc, smtplib.SMTPServerDisconnected) and isinstance(exc, smtplib.SMTPException):
            if step in ("connect", "ehlo", "starttls"):
                # The server will not talk to this publisher (or not securely): every post would fail the same
                # way, so the channel is paused for an admin instead of failing each post for good.
                what = "does not offer STARTTLS; turn on ssl or use another port" if isinstance(
                    exc, smtplib.SMTPNotSupportedError) else f"refuses this publisher{said}"
                return AuthExpired(f"{server} {what}", status=code)
            if step == "login":
                return AuthExpired(f"{server} refused the login of {self._username}{said or f' ({name})'}; "
                                   "check username and password", status=code)
            if step == "mail" and code != 552:  # 552: the message is too large, a property of this post
                # The sender is not allowed for this login: the settings are wrong, not the post.
                return AuthExpired(f"{server} refuses the sender {self._sender.addr_spec}{said}; check sender",
                                   status=code)
            return Rejected(f"the mail server refused the message at {step.upper()}{said}", status=code)
        # No answer (refused, timed out, dropped) before the message was complete: nothing was sent.
        if isinstance(exc, ConnectionRefusedError):
            what = f"{server} refused the connection"
        elif isinstance(exc, socket.gaierror):
            what = f"the name {self._host} could not be resolved"
        elif isinstance(exc, TimeoutError) or "timed out" in str(exc):
            what = f"{server} did not answer in time"
        else:
            what = f"the connection to {server} failed"
        return Retryable(f"{what} at {step.upper()} ({name}); nothing was sent")

    def _words(self, raw: object) -> str:
        words = excerpt(self._scrub(_text(raw)))
        return f" {words}" if words else ""

    def _scrub(self, text: str) -> str:
        return text.replace(self._password, "<password>") if self._password else text


class _Step:
    now = "connect"


class _SMTP(smtplib.SMTP):
    """smtplib has one timeout for everything; this one connects within CONNECT_TIMEOUT and then waits
    `read_timeout` for each answer (the greeting included)."""

    def __init__(self, host: str, port: int, *, read_timeout: float, **kw: Any) -> None:
        self._read_timeout = read_timeout
        super().__init__(host, port, timeout=CONNECT_TIMEOUT, **kw)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock = super()._get_socket(host, port, timeout)
        sock.settimeout(self._read_timeout)
        return sock


class _SMTPS(smtplib.SMTP_SSL):
    def __init__(self, host: str, port: int, *, read_timeout: float, **kw: Any) -> None:
        self._read_timeout = read_timeout
        super().__init__(host, port, timeout=CONNECT_TIMEOUT, **kw)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock = super()._get_socket(host, port, timeout)  # connected and TLS-wrapped
        sock.settimeout(self._read_timeout)
        return sock


# --- the message ------------------------------------------------------------------------------------


def build_message(
    post: SentPost,
    attachments: list[tuple[MediaItem, bytes]],
    *,
    message_id: str,
    sender: Address,
    reply_to: Address | None,
    now: datetime,
    versions: tuple[LanguageVersion, ...] = (),
) -> EmailMessage:
    """The message for one post as `Email.outgoing` shaped it (subject on one line, line ends as "\n"). With
    language versions together, the HTML part has one section per version, marked with its language, and
    Content-Language names them all (RFC 3282 takes a list)."""
    text = post.text
    subject = post.title or ""  # a line break in a header would end it: outgoing folded it
    language = post.language or ""
    msg = EmailMessage(policy=POLICY)
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = "undisclosed-recipients:;"  # the press list goes in the envelope only (Bcc)
    if reply_to is not None:
        msg["Reply-To"] = reply_to
    msg["Date"] = format_datetime(now.astimezone(UTC))
    msg["Message-ID"] = message_id
    msg.set_content(text, subtype="plain", charset="utf-8")
    html_part = html_versions(versions, title=subject) if versions else html_body(text, title=subject,
                                                                                   language=language)
    msg.add_alternative(html_part, subtype="html", charset="utf-8")
    for item, data in attachments:
        maintype, _, subtype = item.content_type.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=_filename(item))
    # Last: set_content and add_* clear or move the Content-* headers of the message they change.
    msg["Content-Language"] = language
    return msg


def html_body(text: str, *, title: str, language: str) -> str:
    """The text as HTML: every character escaped, paragraphs at blank lines, line breaks kept."""
    return _html_page(_paragraphs(text), title=title, language=language)


def html_versions(versions: tuple[LanguageVersion, ...], *, title: str) -> str:
    """Every language version in one page, each a section in its own language under its title."""
    sections = "\n".join(f'<section lang="{html.escape(v.language)}">\n<h2>{html.escape(" ".join(v.title.split()))}'
                         f"</h2>\n{_paragraphs(v.text)}\n</section>" for v in versions)
    return _html_page(sections, title=title, language=versions[0].language)


def _paragraphs(text: str) -> str:
    paragraphs = [p for p in re.split(r"\n[ \t]*\n", _lines(text).strip()) if p.strip()]
    return "\n".join("<p>" + "<br>\n".join(html.escape(line) for line in p.strip().split("\n")) + "</p>"
                     for p in paragraphs)


def _html_page(body: str, *, title: str, language: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="{html.escape(language)}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)}</title>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _filename(item: MediaItem) -> str:
    name = (item.filename or "").replace("/", "_").replace("\\", "_").strip()
    return name or f"{item.sha256[:12]}{mimetypes.guess_extension(item.content_type) or ''}"


def _attachment(item: MediaItem) -> tuple[MediaItem, bytes]:
    label = item.filename or item.sha256[:12]
    try:
        data = item.read()
    except OSError as exc:
        raise Rejected(f"{label}: the media file cannot be read ({exc.strerror or type(exc).__name__})") from None
    if hashlib.sha256(data).hexdigest() != item.sha256 or len(data) != item.size:
        raise Rejected(f"{label}: the media file changed since it was approved")
    return item, data


def _dot_stuffed(data: bytes) -> bytes:
    """The DATA payload as smtplib.SMTP.data sends it: CRLF line ends, leading dots doubled, then
    the terminating CRLF.CRLF."""
    data = re.sub(rb"\r\n|\n|\r", b"\r\n", data)
    data = re.sub(rb"(?m)^\.", b"..", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


# --- settings ---------------------------------------------------------------------------------------


def _flag(value: object, name: str, *, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        word = value.strip().lower()
        return default if word == "" else word in _TRUE
    raise ChannelConfigError(f"email: {name} must be true or false")


def _number(value: object, name: str, default: float, bounds: tuple[float, float], *, whole: bool = False) -> float:
    if value in (None, ""):
        return default
    low, high = bounds
    try:
        if isinstance(value, bool):
            raise ValueError
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = float("nan")
    if not low <= number <= high or (whole and number != int(number)):
        kind = "a whole number" if whole else "a number"
        raise ChannelConfigError(f"email: {name} must be {kind} from {low:g} to {high:g}")
    return int(number) if whole else number


def _address(value: object, name: str) -> Address:
    refusal = ChannelConfigError(f"email: {name} must be one address, e.g. Ministarstvo <press@ministarstvo.gov.rs>")
    if not isinstance(value, str) or "\n" in value or "\r" in value:
        raise refusal
    parsed = getaddresses([value])
    if len(parsed) != 1:
        raise refusal
    display, addr = parsed[0]
    if not _valid_addr(addr):
        raise refusal
    local, _, domain = addr.rpartition("@")
    return Address(display_name=display.strip(), username=local, domain=domain)


def _recipients(value: object) -> list[str]:
    if isinstance(value, str):
        entries = re.split(r"[,;\n]", value)
    elif isinstance(value, list | tuple) and all(isinstance(e, str) for e in value):
        entries = list(value)
    else:
        raise ChannelConfigError("email: recipients must be a list of addresses")
    found: dict[str, str] = {}
    bad: list[str] = []
    for entry in (e.strip() for e in entries):
        if not entry:
            continue
        parsed = getaddresses([entry])
        addr = parsed[0][1] if len(parsed) == 1 else ""
        if not _valid_addr(addr):
            bad.append(entry)
            continue
        found.setdefault(addr.lower(), addr)
    if bad:
        shown = ", ".join(bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
        raise ChannelConfigError(f"email: not an e-mail address: {shown}")
    if not found:
        raise ChannelConfigError("email: recipients must hold at least one address")
    if len(found) > MAX_RECIPIENTS:
        raise ChannelConfigError(f"email: {len(found)} recipients, at most {MAX_RECIPIENTS} in one press list")
    return list(found.values())


def _valid_addr(addr: str) -> bool:
    local, at, domain = addr.rpartition("@")
    return bool(at) and len(addr) <= 254 and bool(_LOCAL.fullmatch(local)) and bool(_DOMAIN.fullmatch(domain))


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _text(raw: object) -> str:
    if isinstance(raw, bytes):
        return raw.decode("utf-8", errors="replace")
    return str(raw) if raw is not None else ""


def _refusals(exc: BaseException) -> list[tuple[str, tuple[int, str]]]:
    recipients: Mapping[str, Any] = getattr(exc, "recipients", {}) or {}
    return [(addr, (int(code), _text(words))) for addr, (code, words) in recipients.items()]
