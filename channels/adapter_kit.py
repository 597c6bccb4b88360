"""What several adapters share, so that each adapter module keeps only its platform's own rules.

No adapter imports another adapter: anything two of them need lives here (or in `channels/base.py`, the
interface). Two groups:

- HTTP plumbing: the user agent and connect timeout every adapter sends with, reading a bounded part of
  an answer, quoting an answer in an error message, the wait a Retry-After header asks for, and whether
  a failed `requests` call can have reached the platform at all (`nothing_sent`). What a status code
  means stays with each adapter: platforms differ there (Telegram's `retry_after` in JSON, Facebook's
  error 190, WordPress's slug lookup that makes resending after a 5xx safe).
- What the channels that carry files as they are take (`ATTACHMENT_TYPES`), and the post event the state
  portal sends and the local folder archives in the same shape (`post_payload`, `media_entry`).
"""

from __future__ import annotations

import re
import ssl
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from urllib3.exceptions import ConnectTimeoutError
from urllib3.exceptions import ProxyError as Urllib3ProxyError

from channels.base import CONNECT_TIMEOUT as CONNECT_TIMEOUT  # the adapters take it from here
from channels.base import Content, MediaItem

USER_AGENT = "publisher/0.1"
MAX_WORDS = 500  # how much of a platform's answer goes into an error message

# Images, MP4 video and PDF: what the state portal, the press e-mail, the archive folder and the feed take.
ATTACHMENT_TYPES = frozenset(
    {"image/jpeg", "image/png", "image/gif", "image/webp", "video/mp4", "application/pdf"}
)


# --- HTTP answers -----------------------------------------------------------------------------------


def read_limited(reply: requests.Response, limit: int, *, chunk_size: int = 8192) -> tuple[str, bool]:
    """(up to `limit` bytes of a streamed answer as text, whether it arrived whole).

    The status line already arrived and decides the outcome, so a body that breaks off is kept as far as
    it came rather than raised; a misbehaving server cannot fill our memory with its answer."""
    chunks: list[bytes] = []
    size = 0
    complete = True
    try:
        for chunk in reply.iter_content(chunk_size=chunk_size):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                complete = False
                break
    except (requests.RequestException, OSError):
        complete = False
    return b"".join(chunks)[:limit].decode("utf-8", errors="replace"), complete


def excerpt(text: str | None, limit: int = MAX_WORDS) -> str:
    """The text on one line (whitespace folded), at most `limit` characters; '' when it says nothing."""
    words = " ".join((text or "").split())
    if len(words) > limit:
        words = words[: limit - 1] + "…"
    return words


def said(text: str | None) -> str:
    """': <excerpt>' to end an error message with what the platform said; '' when it said nothing."""
    words = excerpt(text)
    return f": {words}" if words else ""


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delay-seconds or HTTP-date); None if absent or garbage."""
    if value is None:
        return None
    value = value.strip()
    if re.fullmatch(r"[0-9]+", value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000" dates parse naive; HTTP dates are GMT
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


# --- HTTP failures without an answer ----------------------------------------------------------------


def nothing_sent(exc: requests.RequestException) -> bool:
    """True when the failure happened before a byte of the request could reach the platform: sending
    again cannot make a second post. False when the request may have arrived (a read timeout, a
    connection that broke once it was open): only a platform that dedups makes resending safe then.

    requests wraps urllib3: a refused or unreachable connection arrives as ConnectionError(MaxRetryError
    (reason=NewConnectionError)), NewConnectionError being a ConnectTimeoutError; a proxy that would not
    open the tunnel as ProxyError; a connection that broke later as ConnectionError(ProtocolError). A
    refused certificate is an SSLError around ssl.SSLCertVerificationError; any other SSLError may have
    happened mid-request."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    causes = list(error_causes(exc))
    if isinstance(exc, requests.exceptions.SSLError):
        return any(isinstance(c, ssl.SSLCertVerificationError) for c in causes)
    if isinstance(exc, requests.ConnectionError):  # requests' ProxyError is one too
        return any(isinstance(c, ConnectTimeoutError | Urllib3ProxyError) for c in causes)
    return False


def error_causes(exc: BaseException, depth: int = 0) -> Iterator[BaseException]:
    """The exceptions inside `exc`, however requests and urllib3 nested them (args, reason, cause)."""
    if depth > 6:
        return
    for inner in (*exc.args, getattr(exc, "reason", None), getattr(exc, "original_error", None), exc.__cause__):
        if isinstance(inner, BaseException) and inner is not exc:
            yield inner
            yield from error_causes(inner, depth + 1)


# --- the post event ---------------------------------------------------------------------------------


def iso_utc(moment: datetime) -> str:
    if moment.tzinfo is None:  # Content promises aware UTC; a naive value is taken at its word
        moment = moment.replace(tzinfo=UTC)
    m = moment.astimezone(UTC)
    # Formatted by hand: strftime was a measurable part of the worker's time per send.
    return f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}Z"


def post_payload(content: Content, *, sent_at: datetime, media: list[dict[str, Any]]) -> dict[str, Any]:
    """The event for one post: what the state portal receives and the local folder archives."""
    return {
        "type": "post.published",
        "timestamp": iso_utc(sent_at),
        "data": {
            "id": content.post_id,
            "title": content.title,
            "body": content.text,
            "language": content.language,
            "variants": dict(content.variants),
            "scheduled_at": iso_utc(content.scheduled_at) if content.scheduled_at else None,
            "media": media,
        },
    }


def media_entry(item: MediaItem) -> dict[str, Any]:
    """One medium in the post event; the portal adds its bytes, the folder where it copied them."""
    return {
        "content_type": item.content_type,
        "alt_text": item.alt_text,
        "sha256": item.sha256,
        "size": item.size,
        "filename": item.filename,
    }
