"""A Telegram channel, posted to by a bot through the Bot API (https://core.telegram.org/bots/api).

One post is one call: `sendMessage` for text, `sendPhoto` / `sendVideo` for one medium with the text as
its caption, `sendMediaGroup` for an album of 2–10 photos and videos with the caption on the first item.
Text goes out as plain text (no `parse_mode`), so nothing the officer wrote is read as markup.

The Bot API has no idempotency key and no way to search a channel, so the rules are strict: anything
after which the message may exist (a read timeout, a 5xx, a connection dropped once the request was
on its way, an answer we cannot read) is OutcomeUnknown and is never resent by itself; only failures
where nothing reached Telegram (connection refused, connect timeout, certificate refused) are
Retryable. The message ids Telegram returns are stored as the remote id.

The bot token is part of every URL (`/bot<token>/<method>`): no message, exception or log line made
here carries it (see `_scrub` and `_TokenFilter`).
"""

from __future__ import annotations

import json
import logging
import mimetypes
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import requests

from channels.adapter_kit import (
    CONNECT_TIMEOUT,
    USER_AGENT,
    nothing_sent,
    parse_retry_after,
    read_limited,
    said,
)
from channels.base import (
    Capabilities,
    Channel,
    ConfigField,
    Content,
    Health,
    HttpWire,
    MediaItem,
    Problem,
    Published,
    media_too_large,
    seconds_setting,
    too_many_attachments,
)
from channels.errors import (
    AuthExpired,
    ChannelConfigError,
    ChannelError,
    OutcomeUnknown,
    RateLimited,
    Rejected,
    Retryable,
)
from channels.outgoing import Outgoing, SentPost, first_link, sent_media
from channels.registry import register

API_BASE = "https://api.telegram.org"
DEFAULT_READ_TIMEOUT = 60.0  # an album of videos is up to 500 MB to upload and process
TIMEOUT_RANGE = (1.0, 300.0)
MAX_TEXT = 4096  # sendMessage: 1-4096 characters after entities parsing
MAX_CAPTION = 1024  # sendPhoto / sendVideo / sendMediaGroup: 0-1024 characters
MAX_GROUP = 10  # sendMediaGroup: 2-10 items
MAX_PHOTO_BYTES = 10 * 1024 * 1024  # "The photo must be at most 10 MB in size"
MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # any other file uploaded as multipart/form-data
MAX_REPLY_BYTES = 1024 * 1024
PHOTO_TYPES = frozenset({"image/jpeg", "image/png"})
VIDEO_TYPES = frozenset({"video/mp4"})

_TOKEN = re.compile(r"[0-9]{1,20}:[A-Za-z0-9_-]{20,100}")
_USERNAME = re.compile(r"@([A-Za-z][A-Za-z0-9_]{3,31})")  # public usernames: 5-32 characters
_NUMERIC_CHAT = re.compile(r"-?[0-9]{1,20}")
_SAFE_FILENAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
# 400 descriptions that mean "this bot may not post in this chat": an admin must act, not the author.
_NO_RIGHTS = (
    "chat not found",
    "not enough rights",
    "have no rights",
    "need administrator rights",
    "chat_write_forbidden",
    "chat_admin_required",
    "bot is not a member",
    "upgraded to a supergroup",
)

log = logging.getLogger(__name__)


class _TokenFilter(logging.Filter):
    """urllib3 logs every request line at DEBUG, URL included, so a bot token would reach the log
    of anyone who turns DEBUG on. This rewrites `/bot<id>:<secret>/` in those records."""

    _IN_URL = re.compile(r"/bot[0-9]{1,20}:[A-Za-z0-9_-]{20,100}")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/bot" in message:
            record.msg, record.args = self._IN_URL.sub("/bot<token>", message), ()
        return True


_urllib3_log = logging.getLogger("urllib3.connectionpool")
if not any(isinstance(f, _TokenFilter) for f in _urllib3_log.filters):
    _urllib3_log.addFilter(_TokenFilter())


@register
class Telegram(Channel):
    kind = "telegram"
    label = "Telegram channel"
    config_fields = (
        ConfigField("bot_token", "The bot's token from @BotFather (123456789:AA…)", secret=True),
        ConfigField("chat_id", "The channel: @username for a public one, or its numeric id (-100…)"),
        ConfigField("api_base", "Bot API server (default https://api.telegram.org)", required=False),
        ConfigField("timeout", "Seconds to wait for Telegram's answer, 1–300 (default 60)", required=False),
    )
    example_settings = {
        "bot_token": "123456789:AAE-example-token-0123456789abcdefgh",
        "chat_id": "@ministarstvo",
    }
    # No idempotency and no search: whatever may have reached Telegram is OutcomeUnknown (module docstring).
    http_wire = HttpWire(client="requests", resend_safe=False)
    read_timeout = (DEFAULT_READ_TIMEOUT, TIMEOUT_RANGE[1])  # longest_request_seconds reads it

    def check_config(self) -> None:
        super().check_config()
        token = self.credentials.get("bot_token")
        if not isinstance(token, str) or not _TOKEN.fullmatch(token):
            # Never echo the value: it is the credential.
            raise ChannelConfigError("telegram: bot_token does not look like a token from @BotFather "
                                     "(digits, a colon, then letters, digits, '-' and '_')")
        self._token = token
        self._chat = _chat_id(self.config.get("chat_id"))
        self._api_base = _api_base(self.config.get("api_base"))
        self._read_timeout = seconds_setting(self.kind, "timeout", self.config.get("timeout"), DEFAULT_READ_TIMEOUT,
                                            TIMEOUT_RANGE)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} chat={self._chat!r}>"

    @classmethod
    def capabilities(cls) -> Capabilities:
        return Capabilities(
            max_text=MAX_TEXT,
            text_counting="characters",
            max_images=MAX_GROUP,
            max_videos=MAX_GROUP,
            media_types=PHOTO_TYPES | VIDEO_TYPES,
            max_media_bytes=MAX_UPLOAD_BYTES,
            alt_text_required=False,  # Telegram has no alt text for photos: nothing would show it
            idempotent=False,
        )

    def validate(self, content: Content) -> list[Problem]:
        problems = super().validate(content)
        return problems + _telegram_problems(self.name, content)

    def outgoing(self, content: Content) -> Outgoing:
        """The message as the channel gets it: the text whole, as a caption (1,024 characters) when media go
        with it; no alt text (the Bot API has none). Telegram shows a preview card of the first link of a
        message without media."""
        caption = bool(content.media)
        text = content.text if not caption or content.text.strip() else ""
        return Outgoing(account=self._chat, posts=(SentPost(text),), used=len(content.text),
                        limit=MAX_CAPTION if caption else MAX_TEXT, counting="characters",
                        media=sent_media(content.media, lambda m: None), crop="natural",
                        card_url=None if caption else first_link(text), caption=caption)

    def publish(self, content: Content, *, key: str) -> Published:
        refused = _telegram_problems(self.name, content)
        if refused:
            raise Rejected("; ".join(p.message for p in refused))
        out = self.outgoing(content)
        uploads = [_upload(n, sent.item) for n, sent in enumerate(out.media)]
        text = out.posts[0].text
        if not uploads:
            result = self._call("sendMessage", json={"chat_id": self._chat, "text": text}, sending=True)
        elif len(uploads) == 1:
            (upload,) = uploads
            fields = {"chat_id": self._chat}
            if text.strip():
                fields["caption"] = text
            if upload.kind == "video":
                fields["supports_streaming"] = "true"
            method = "sendPhoto" if upload.kind == "photo" else "sendVideo"
            result = self._call(method, data=fields, files={upload.kind: upload.part}, sending=True)
        else:
            media: list[dict[str, Any]] = []
            for upload in uploads:
                entry: dict[str, Any] = {"type": upload.kind, "media": f"attach://{upload.field}"}
                if upload.kind == "video":
                    entry["supports_streaming"] = True
                media.append(entry)
            if text.strip():
                media[0]["caption"] = text
            fields = {"chat_id": self._chat, "media": json.dumps(media, ensure_ascii=False)}
            result = self._call("sendMediaGroup", data=fields, files={u.field: u.part for u in uploads},
                                sending=True)
        ids = _message_ids(result)
        return Published(remote_id=",".join(str(i) for i in ids), url=self._message_url(ids[0]))

    def find(self, key: str) -> Published | None:
        """The Bot API cannot read a channel's history or search it, so there is no way to tell."""
        raise OutcomeUnknown("the Telegram Bot API cannot search a channel; look in the channel and decide")

    def check(self) -> Health:
        try:
            me = self._call("getMe", sending=False)
            chat = self._call("getChat", json={"chat_id": self._chat}, sending=False)
            member = self._call("getChatMember", json={"chat_id": self._chat, "user_id": _field(me, "id")},
                                sending=False)
        except ChannelError as exc:
            return Health.from_error(exc)
        bot = f"@{_field(me, 'username')}"
        where = _field(chat, "title") or self._chat
        status = _field(member, "status")
        if _field(chat, "type") == "channel":
            allowed = status == "creator" or (status == "administrator" and _field(member, "can_post_messages"))
        else:
            allowed = status in ("creator", "administrator", "member") or (
                status == "restricted" and _field(member, "can_send_messages"))
        if not allowed:
            return Health.refusal(f"the bot {bot} may not post to {where} (its status there: "
                                            f"{status or 'unknown'}); make it an administrator allowed to post")
        return Health(ok=True, message=f"the bot {bot} can post to {where}")

    # --- one request ---

    def _call(self, method: str, *, sending: bool, **request: Any) -> Any:
        """One Bot API call; the `result` of a successful answer, else the matching channel error."""
        url = f"{self._api_base}/bot{self._token}/{method}"
        headers = {"User-Agent": USER_AGENT}
        if "json" in request:
            # Encoded here so that Cyrillic goes as UTF-8, not as \u escapes three times the size.
            request["data"] = json.dumps(request.pop("json"), ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json"
        try:
            reply = self.session.post(
                url,
                headers=headers,
                timeout=(CONNECT_TIMEOUT, self._read_timeout),
                allow_redirects=False,  # a redirected POST turns into a GET and loses the post
                stream=True,
                **request,
            )
        except requests.RequestException as exc:
            raise _transport_failure(exc, method, sending=sending, read_timeout=self._read_timeout) from None
        with reply:
            text, complete = read_limited(reply, MAX_REPLY_BYTES)
        return reply_outcome(reply.status_code, reply.headers, text, method=method, sending=sending,
                             chat=self._chat, complete=complete, scrub=self._scrub)

    def _scrub(self, text: str) -> str:
        secret = self._token.split(":", 1)[1]
        return text.replace(self._token, "<bot token>").replace(secret, "<bot token>")

    def _message_url(self, message_id: int) -> str | None:
        public = _USERNAME.fullmatch(self._chat)
        return f"https://t.me/{public.group(1)}/{message_id}" if public else None


# --- settings ---------------------------------------------------------------------------------------


def _chat_id(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("https://t.me/"):
            value = "@" + value.removeprefix("https://t.me/").strip("/")
        if _USERNAME.fullmatch(value) or _NUMERIC_CHAT.fullmatch(value):
            return value
    raise ChannelConfigError("telegram: chat_id must be the channel's @username (5–32 letters, digits or '_') "
                             "or its numeric id such as -1001234567890")


def _api_base(value: object) -> str:
    if value in (None, ""):
        return API_BASE
    refusal = ChannelConfigError("telegram: api_base must be an http:// or https:// address without a "
                                 "query, e.g. https://api.telegram.org")
    if not isinstance(value, str) or any(ch <= " " for ch in value):
        raise refusal
    try:
        parts = urlsplit(value)
    except ValueError:
        raise refusal from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise refusal
    return value.rstrip("/")


# --- content ----------------------------------------------------------------------------------------


def _telegram_problems(channel: str, content: Content) -> list[Problem]:
    """What Telegram refuses beyond the shared checks: captions, album size, photo size."""
    problems: list[Problem] = []
    if content.media and len(content.text) > MAX_CAPTION:
        problems.append(Problem(
            channel,
            f"caption {len(content.text)} of {MAX_CAPTION} characters; shorten it or post the text without media",
            "body", "caption_too_long", {"used": len(content.text), "limit": MAX_CAPTION},
        ))
    if len(content.media) > MAX_GROUP:
        problems.append(too_many_attachments(channel, len(content.media), MAX_GROUP,
                                             f"{len(content.media)} photos and videos, at most {MAX_GROUP} in one post"))
    for item in content.media:
        if item.is_image and item.size > MAX_PHOTO_BYTES:
            problems.append(media_too_large(channel, item, MAX_PHOTO_BYTES, "a photo"))
    return problems


class _Upload:
    def __init__(self, number: int, item: MediaItem, data: bytes) -> None:
        self.kind = "photo" if item.content_type in PHOTO_TYPES else "video"
        self.field = f"file{number}"
        extension = mimetypes.guess_extension(item.content_type) or ""
        # The name only labels the part; a plain ASCII one avoids any encoding question.
        name = item.filename if _SAFE_FILENAME.fullmatch(item.filename or "") else f"{self.kind}{number}{extension}"
        self.part = (name, data, item.content_type)


def _upload(number: int, item: MediaItem) -> _Upload:
    if item.content_type not in PHOTO_TYPES | VIDEO_TYPES:
        raise Rejected(f"{item.label}: {item.content_type} files cannot be posted to Telegram")
    # Approval covered these checksums: read_approved refuses bytes that differ from what was approved.
    return _Upload(number, item, item.read_approved())


# --- answers: the one place that decides what a failure means ----------------------------------------


def reply_outcome(
    status: int,
    headers: Mapping[str, str],
    text: str,
    *,
    method: str,
    sending: bool,
    chat: str,
    complete: bool = True,
    scrub: Callable[[str], str] | None = None,
) -> Any:
    """The `result` of a Bot API answer, or the channel error it means.

    `sending` is true for send* calls: there an answer that does not say "ok" or "refused" leaves the
    message possibly posted (Telegram has no idempotency), so it is OutcomeUnknown, never Retryable."""
    clean = scrub or (lambda s: s)
    text = clean(text)
    try:
        answer = json.loads(text) if complete else None
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        answer = None

    if answer is not None and answer.get("ok") is True and "result" in answer and 200 <= status < 300:
        return answer["result"]

    code = status
    if answer is not None and isinstance(answer.get("error_code"), int) and not isinstance(answer["error_code"], bool):
        code = answer["error_code"]
    description = answer.get("description") if answer is not None else None
    words = said(description if isinstance(description, str) else text)
    parameters = answer.get("parameters") if answer is not None else None
    parameters = parameters if isinstance(parameters, dict) else {}
    kw = {"status": status, "body": text}

    if 200 <= code < 300 or answer is None and 200 <= status < 300:
        # 2xx but no readable {"ok": true, "result": …}: the request was taken, we cannot tell how.
        what = f"Telegram answered HTTP {status} to {method} without a readable result{words}"
        if sending:
            raise OutcomeUnknown(f"{what}; the message may have been posted, check {chat} before resending",
                                 **kw)
        raise Retryable(what, **kw)
    if code == 429:
        retry_after = parameters.get("retry_after")
        if not isinstance(retry_after, int | float) or isinstance(retry_after, bool) or retry_after < 0:
            retry_after = parse_retry_after(headers.get("Retry-After"))
        raise RateLimited(f"Telegram is limiting this bot (HTTP 429){words}", retry_after=retry_after, **kw)
    if code == 401:
        raise AuthExpired(f"Telegram refused the bot token (HTTP 401){words}; it was revoked or replaced in "
                          "@BotFather: enter the current token", **kw)
    if code == 403:
        # The bot was removed from the channel or lost its admin rights there. No post can go out until a
        # channel admin restores them, and failing each post for good would lose them: pause the channel
        # (AuthExpired) so that the posts wait and an admin is told.
        raise AuthExpired(f"the bot may not post to {chat} (HTTP 403){words}; a channel admin must add the bot "
                          "as an administrator allowed to post", **kw)
    if code == 400 and any(sign in words.lower() for sign in _NO_RIGHTS):
        moved = parameters.get("migrate_to_chat_id")
        hint = f"; the chat is now {moved}: change chat_id" if moved else (
            "; check chat_id and that the bot is an administrator of the channel allowed to post")
        raise AuthExpired(f"Telegram refused the chat {chat} (HTTP 400){words}{hint}", **kw)
    if code == 404 or 300 <= status < 400:
        # Not Found is what Telegram answers for a malformed token or method path: every post would fail
        # the same way, so the channel is paused for an admin rather than each post failed.
        raise AuthExpired(f"Telegram answered HTTP {code} to {method}{words}; check the bot token and api_base",
                          **kw)
    if code == 408:
        # The server gave up waiting for our request before it was complete: it cannot have acted on it.
        raise Retryable(f"Telegram timed out reading the request (HTTP 408){words}", **kw)
    if code >= 500:
        what = f"Telegram failed (HTTP {code}){words}"
        if sending:
            raise OutcomeUnknown(f"{what}; the message may have been posted, check {chat} before resending",
                                 **kw)
        raise Retryable(what, **kw)
    if code == 413:
        raise Rejected(f"the upload is too large for Telegram (HTTP 413){words}", **kw)
    raise Rejected(f"Telegram rejected the post (HTTP {code}){words}", **kw)


def _message_ids(result: Any) -> list[int]:
    messages = result if isinstance(result, list) else [result]
    ids = [m.get("message_id") if isinstance(m, dict) else None for m in messages]
    if not ids or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise OutcomeUnknown("Telegram answered ok but without message ids; the post was probably published: "
                             "look in the channel and confirm")
    return ids  # type: ignore[return-value]


def _transport_failure(exc: requests.RequestException, method: str, *, sending: bool,
                       read_timeout: float) -> ChannelError:
    """No answer. Retryable only when the request cannot have reached Telegram."""
    name = type(exc).__name__  # never str(exc): it holds the URL, and the URL holds the token
    if nothing_sent(exc):
        if isinstance(exc, requests.ConnectTimeout):
            what = f"could not connect to Telegram within {CONNECT_TIMEOUT:g} s"
        elif isinstance(exc, requests.exceptions.SSLError):
            what = "Telegram's certificate was refused"
        else:
            what = "could not connect to Telegram"
        return Retryable(f"{what} ({name}); nothing was sent")
    if isinstance(exc, requests.ReadTimeout):
        what = f"Telegram did not answer {method} within {read_timeout:g} s"
    elif isinstance(exc, requests.ConnectionError):
        what = f"the connection to Telegram broke during {method}"
    else:
        what = f"the request {method} to Telegram failed"
    if sending:
        return OutcomeUnknown(f"{what} ({name}); the message may have been posted: look in the channel "
                              "before sending again")
    return Retryable(f"{what} ({name})")


def _field(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else None
