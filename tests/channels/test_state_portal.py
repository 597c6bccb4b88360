"""The state portal adapter on the wire, against a loopback portal (tests/support/portal_receiver.py)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
import requests
from PIL import Image

from channels import registry
from channels.adapter_kit import parse_retry_after
from channels.base import Content, MediaItem, Problem, Published
from channels.errors import (
    AuthExpired,
    ChannelConfigError,
    ChannelError,
    OutcomeUnknown,
    RateLimited,
    Rejected,
    Retryable,
)
from channels.state_portal import StatePortal, reply_outcome
from tests.support.portal_receiver import PortalReceiver

RAW_KEY = b"k3y-for-the-state-portal-tests!!"  # 32 bytes
SECRET = "whsec_" + base64.b64encode(RAW_KEY).decode()
KEY = "p7-c2-0123456789abcdef"
TITLE = "Саопштење за јавност"
TEXT = "Министарство привреде објављује нови програм подршке. Ćirilica i latinica: čšžđ."


@pytest.fixture
def portal_server():
    with PortalReceiver(SECRET) as receiver:
        yield receiver


@pytest.fixture
def portal(portal_server, http):
    return StatePortal({"url": portal_server.url}, {"secret": SECRET}, session=http, name="Portal")


def media_file(tmp_path: Path, name: str, content_type: str, *, alt_text: str = "", fmt: str = "PNG") -> MediaItem:
    path = tmp_path / name
    if content_type.startswith("image/"):
        Image.new("RGB", (4, 3), (200, 30, 40)).save(path, fmt)
    else:
        path.write_bytes(b"%PDF-1.4\n% a tiny stand-in document\n%%EOF\n")
    data = path.read_bytes()
    return MediaItem(
        path=path,
        content_type=content_type,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        alt_text=alt_text,
        filename=name,
    )


def fake_media(name: str, content_type: str, *, size: int = 100, alt_text: str = "opis") -> MediaItem:
    """For validate only: never read, so no file behind it."""
    return MediaItem(Path("/nonexistent") / name, content_type, "ab" * 32, size, alt_text, name)


def content(**changes) -> Content:
    fields = {"post_id": 7, "title": TITLE, "text": TEXT, "language": "sr-Cyrl"}
    return Content(**{**fields, **changes})


def outcome(portal: StatePortal, key: str = KEY) -> Published | ChannelError:
    try:
        return portal.publish(content(), key=key)
    except ChannelError as exc:
        return exc


# --- the request -------------------------------------------------------------------------------------


def test_the_request_is_a_signed_standard_webhook(portal, portal_server, tmp_path):
    photo = media_file(tmp_path, "foto.png", "image/png", alt_text="Министар на конференцији")
    report = media_file(tmp_path, "izvestaj.pdf", "application/pdf")
    post = content(
        media=(photo, report),
        variants={"sr-Latn": "Ministarstvo privrede objavljuje novi program podrške."},
        scheduled_at=datetime(2025, 3, 1, 9, 30, tzinfo=UTC),
    )

    published = portal.publish(post, key=KEY)

    assert published == Published("portal-1", f"{portal_server.base_url}/vesti/1")
    (request,) = portal_server.requests
    assert (request.method, request.path) == ("POST", "/webhooks/posts")
    headers = request.headers
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"] == "publisher/0.1"
    assert headers["webhook-id"] == KEY
    timestamp = int(headers["webhook-timestamp"])
    assert abs(time.time() - timestamp) < 5

    # An HMAC computed here, not with the adapter's code, over the exact bytes that arrived.
    signed = f"{KEY}.{timestamp}.".encode() + request.body
    expected = base64.b64encode(hmac.new(RAW_KEY, signed, hashlib.sha256).digest()).decode()
    assert headers["webhook-signature"] == f"v1,{expected}"
    assert request.signature_valid

    assert request.json == {
        "type": "post.published",
        "timestamp": datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "data": {
            "id": 7,
            "title": TITLE,
            "body": TEXT,
            "language": "sr-Cyrl",
            "variants": {"sr-Latn": "Ministarstvo privrede objavljuje novi program podrške."},
            "scheduled_at": "2025-03-01T09:30:00Z",
            "media": [
                {
                    "content_type": "image/png",
                    "alt_text": "Министар на конференцији",
                    "sha256": photo.sha256,
                    "size": photo.size,
                    "filename": "foto.png",
                    "data_base64": base64.b64encode(photo.read()).decode(),
                },
                {
                    "content_type": "application/pdf",
                    "alt_text": "",
                    "sha256": report.sha256,
                    "size": report.size,
                    "filename": "izvestaj.pdf",
                    "data_base64": base64.b64encode(report.read()).decode(),
                },
            ],
        },
    }
    # Compact UTF-8, not \u escapes.
    assert request.body == json.dumps(request.json, ensure_ascii=False, separators=(",", ":")).encode()
    assert TITLE.encode() in request.body
    assert headers["content-length"] == str(len(request.body))


def test_unscheduled_post_without_media_sends_null_and_empty_list(portal, portal_server):
    portal.publish(content(), key=KEY)

    data = portal_server.requests[0].json["data"]
    assert (data["scheduled_at"], data["media"], data["variants"]) == (None, [], {})


def test_a_plain_text_secret_signs_with_its_utf8_bytes(http):
    secret = "обична лозинка без префикса"
    with PortalReceiver(secret) as receiver:
        adapter = StatePortal({"url": receiver.url}, {"secret": secret}, session=http)
        assert adapter.publish(content(), key=KEY).remote_id == "portal-1"
        assert receiver.requests[0].signature_valid


# --- the failure table -------------------------------------------------------------------------------

SAFE = "; sending again with the same webhook-id is safe"


@pytest.mark.parametrize(
    ("behaviour", "expected", "words"),
    [
        ("200", Published("portal-1", "{base}/vesti/1"), None),
        ("200-empty", Published(KEY, None), None),
        ("409", Published(KEY, None), None),  # a 409 for an id the portal knows is below
        ("429", RateLimited, 'the portal is limiting requests (HTTP 429): {"error":"too many requests"}'),
        ("500", Retryable, "the portal failed (HTTP 500): Internal Server Error"),
        ("503", Retryable, "the portal failed (HTTP 503): portal under maintenance"),
        (
            "401",
            AuthExpired,
            'the portal refused our signature (HTTP 401): {"error":"invalid signature"};'
            " check the secret and this server's clock",
        ),
        (
            "422",
            Rejected,
            'the portal rejected the post (HTTP 422): {"error":"unprocessable","detail":"title must not be empty"}',
        ),
        ("drop-before-body", Retryable, f"the connection to the portal failed (ConnectionError){SAFE}"),
        ("drop-after-body", Retryable, f"the connection to the portal failed (ConnectionError){SAFE}"),
        ("hang", Retryable, f"the portal did not answer within 1 s (ReadTimeout){SAFE}"),
    ],
)
def test_each_portal_behaviour_maps_to_one_outcome(portal_server, http, behaviour, expected, words):
    adapter = StatePortal({"url": portal_server.url, "timeout": 1}, {"secret": SECRET}, session=http)
    portal_server.script([behaviour])

    started = time.monotonic()
    result = outcome(adapter)

    assert time.monotonic() - started < 3
    if isinstance(expected, Published):
        url = expected.url.format(base=portal_server.base_url) if expected.url else None
        assert result == Published(expected.remote_id, url)
    else:
        assert type(result) is expected, result
        assert result.message == words


def test_429_carries_retry_after(portal, portal_server):
    portal_server.script(["429"])

    error = outcome(portal)

    assert isinstance(error, RateLimited)
    assert (error.retry_after, error.status) == (7.0, 429)


@pytest.mark.parametrize(
    ("lost_answer", "stored_the_first_time"),
    [("hang", True), ("drop-after-body", True), ("500", False)],
)
def test_resending_after_a_lost_answer_never_makes_a_second_post(
    portal_server, http, lost_answer, stored_the_first_time
):
    adapter = StatePortal({"url": portal_server.url, "timeout": 1}, {"secret": SECRET}, session=http)
    portal_server.script([lost_answer])

    assert type(outcome(adapter)) is Retryable
    assert (KEY in portal_server.accepted) is stored_the_first_time
    again = adapter.publish(content(), key=KEY)  # the portal answers 409 when it stored the first one

    assert again == Published("portal-1", f"{portal_server.base_url}/vesti/1")
    assert list(portal_server.accepted) == [KEY]
    assert len(portal_server.requests) == 2


def test_a_second_key_is_a_second_post(portal, portal_server):
    first = portal.publish(content(), key=KEY)
    second = portal.publish(content(), key=KEY + "-2")

    assert (first.remote_id, second.remote_id) == ("portal-1", "portal-2")


def test_nobody_listening_is_retryable(http):
    with socket.socket() as probe:  # a port that was free a moment ago: the connection is refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    adapter = StatePortal({"url": f"http://127.0.0.1:{port}/hook"}, {"secret": SECRET}, session=http)

    error = outcome(adapter)

    assert type(error) is Retryable
    assert error.message == (
        "the connection to the portal failed (ConnectionError); sending again with the same webhook-id is safe"
    )


def test_any_other_requests_error_is_retryable(portal, monkeypatch):
    def explode(*args, **kwargs):
        raise requests.exceptions.ChunkedEncodingError("boom")

    monkeypatch.setattr(portal.session, "post", explode)

    error = outcome(portal)

    assert type(error) is Retryable
    assert "ChunkedEncodingError" in error.message


# --- answers, without a server (apprise-style table) ---------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (200, '{"id":"n-1","url":"https://portal.example/n-1"}', Published("n-1", "https://portal.example/n-1")),
        (201, '{"id":42}', Published("42", None)),
        (202, "OK", Published(KEY, None)),
        (200, '["not", "an", "object"]', Published(KEY, None)),
        (200, '{"id":"","url":""}', Published(KEY, None)),
        (204, "", Published(KEY, None)),
        (409, '{"id":"n-1","url":"https://portal.example/n-1"}', Published("n-1", "https://portal.example/n-1")),
        (409, "duplicate", Published(KEY, None)),
        (400, "bad json", Rejected),
        (403, "account disabled", AuthExpired),
        (404, "", Rejected),
        (408, "", Retryable),
        (410, "gone", Rejected),
        (413, "too large", Rejected),
        (415, "", Rejected),
        (418, "", Rejected),
        (301, "", Rejected),
        (502, "<html>Bad Gateway</html>", Retryable),
        (504, "", Retryable),
        (599, "", Retryable),
    ],
)
def test_reply_outcome(status, body, expected):
    try:
        result = reply_outcome(status, {}, body, KEY)
    except ChannelError as exc:
        result = exc
    if isinstance(expected, Published):
        assert result == expected
    else:
        assert type(result) is expected
        assert f"HTTP {status}" in result.message
        assert result.status == status


def test_the_portals_words_are_cut_to_500_characters():
    with pytest.raises(AuthExpired) as caught:
        reply_outcome(401, {}, "x" * 5000, KEY)

    message = caught.value.message
    words = message.split(": ", 1)[1].split(";")[0]
    assert message.startswith("the portal refused our signature (HTTP 401): xxx")
    assert len(words) == 500 and words.endswith("…")


NOW = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("7", 7.0),
        (" 120 ", 120.0),
        ("0", 0.0),
        (format_datetime(NOW + timedelta(seconds=90), usegmt=True), 90.0),
        ("Sat, 01 Mar 2025 12:00:30 -0000", 30.0),
        (format_datetime(NOW - timedelta(hours=1), usegmt=True), 0.0),
        (None, None),
        ("", None),
        ("soon", None),
        ("-5", None),
        ("1.5", None),
        ("Sat, 99 Foo 2025", None),
    ],
)
def test_retry_after(header, seconds):
    assert parse_retry_after(header, now=NOW) == seconds


# --- configuration -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"secret": SECRET}, "state_portal: missing required setting(s): url"),
        ({"url": "https://portal.example/hook"}, "state_portal: missing required setting(s): secret"),
        ({"url": "https://portal.example/hook", "secret": SECRET, "token": "x"}, "state_portal: unknown setting(s): token"),
    ],
)
def test_split_settings_refuses_missing_and_unknown(settings, message):
    with pytest.raises(ChannelConfigError) as caught:
        StatePortal.split_settings(settings)
    assert caught.value.message == message


@pytest.mark.parametrize(
    ("config", "secret", "message"),
    [
        ({"url": "ftp://portal.example/hook"}, SECRET, "state_portal: url must be an http:// or https:// address"),
        ({"url": "portal.example/hook"}, SECRET, "state_portal: url must be an http:// or https:// address"),
        ({"url": "https://"}, SECRET, "state_portal: url must be an http:// or https:// address"),
        ({"url": "https://[::1/hook"}, SECRET, "state_portal: url must be an http:// or https:// address"),
        ({"url": "https://portal example/hook"}, SECRET, "state_portal: url must be an http:// or https:// address"),
        ({"url": 42}, SECRET, "state_portal: url must be an http:// or https:// address"),
        (
            {"url": "https://portal.example/hook", "health_url": "file:///etc/passwd"},
            SECRET,
            "state_portal: health_url must be an http:// or https:// address",
        ),
        (
            {"url": "https://portal.example/hook"},
            "whsec_" + base64.b64encode(b"8 bytes!").decode(),
            "state_portal: secret is too short (at least 16 bytes)",
        ),
        ({"url": "https://portal.example/hook"}, "tooshort", "state_portal: secret is too short (at least 16 bytes)"),
        (
            {"url": "https://portal.example/hook"},
            "whsec_not*base64*at*all!",
            "state_portal: secret after 'whsec_' is not valid base64",
        ),
        ({"url": "https://portal.example/hook", "timeout": 0.5}, SECRET, "timeout must be a number of seconds from 1 to 120"),
        ({"url": "https://portal.example/hook", "timeout": 121}, SECRET, "timeout must be a number of seconds from 1 to 120"),
        ({"url": "https://portal.example/hook", "timeout": "soon"}, SECRET, "timeout must be a number of seconds from 1 to 120"),
        ({"url": "https://portal.example/hook", "timeout": True}, SECRET, "timeout must be a number of seconds from 1 to 120"),
    ],
)
def test_bad_settings_are_refused_without_echoing_the_secret(config, secret, message):
    with pytest.raises(ChannelConfigError) as caught:
        StatePortal(config, {"secret": secret})

    error = caught.value
    assert message in error.message
    secret_part = secret.removeprefix("whsec_")
    assert secret_part not in str(error) and secret_part not in repr(error)
    # No chained exception (whose text could hold the secret) reaches a traceback.
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)


def test_missing_url_is_refused_by_the_constructor_too():
    with pytest.raises(ChannelConfigError, match="missing required setting"):
        StatePortal({}, {"secret": SECRET})


def test_a_secret_given_as_plain_config_is_refused():
    with pytest.raises(ChannelConfigError, match="secret must be given as a credential"):
        StatePortal({"url": "https://portal.example/hook", "secret": SECRET}, {})


def test_timeout_as_text_from_a_form_is_accepted(http):
    adapter = StatePortal({"url": "https://portal.example/hook", "timeout": "15"}, {"secret": SECRET}, session=http)
    assert adapter._read_timeout == 15.0


def test_the_secret_stays_out_of_repr_and_errors(portal_server, http):
    adapter = StatePortal({"url": portal_server.url, "timeout": 1}, {"secret": SECRET}, session=http, name="Portal")
    assert repr(adapter) == "<StatePortal 'Portal' host='127.0.0.1'>"

    portal_server.script(["401", "422", "500", "429", "hang"])
    errors = [outcome(adapter) for _ in range(5)]

    for error in errors:
        assert isinstance(error, ChannelError)
        for text in (str(error), repr(error), error.message, error.body or ""):
            assert SECRET not in text
            assert RAW_KEY.decode() not in text
            assert SECRET.removeprefix("whsec_") not in text


def test_registered_under_its_kind():
    assert registry.adapter_class("state_portal") is StatePortal
    assert registry.kinds()["state_portal"].label == "State portal"


# --- validate ----------------------------------------------------------------------------------------


def problems(portal: StatePortal, **changes) -> list[Problem]:
    return portal.validate(content(**changes))


def test_valid_content_has_no_problems(portal, tmp_path):
    photo = media_file(tmp_path, "foto.png", "image/png", alt_text="Министар")
    assert problems(portal, media=(photo, fake_media("prilog.pdf", "application/pdf", alt_text=""))) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"title": "  "}, [Problem("Portal", "a title is required", "title")]),
        ({"title": "Н" * 251}, [Problem("Portal", "title 251 of 250 characters", "title")]),
        ({"text": "ж" * 100_001}, [Problem("Portal", "100001 of 100000 characters", "body")]),
        ({"text": " "}, [Problem("Portal", "the text is empty", "body")]),
        (
            {"media": (fake_media("foto.png", "image/png", alt_text=" "),)},
            [Problem("Portal", "foto.png: an image needs alt text", "media")],
        ),
        (
            {"media": (fake_media("scan.tiff", "image/tiff"),)},
            [Problem("Portal", "scan.tiff: image/tiff files are not accepted", "media")],
        ),
        (
            {"media": (fake_media("film.mp4", "video/mp4", size=20 * 1024 * 1024 + 1),)},
            [Problem("Portal", "film.mp4: 20971521 bytes, at most 20971520 allowed", "media")],
        ),
        (
            {"media": tuple(fake_media(f"v{n}.mp4", "video/mp4") for n in range(3))},
            [Problem("Portal", "3 videos, at most 2 allowed", "media")],
        ),
        (
            {"media": tuple(fake_media(f"f{n}.jpg", "image/jpeg") for n in range(21))},
            [
                Problem("Portal", "21 images, at most 20 allowed", "media"),
                Problem("Portal", "21 attachments, at most 20 allowed", "media"),
            ],
        ),
        (
            # Documents are neither images nor videos: only the attachment count stops them.
            {"media": tuple(fake_media(f"d{n}.pdf", "application/pdf") for n in range(21))},
            [Problem("Portal", "21 attachments, at most 20 allowed", "media")],
        ),
    ],
)
def test_validate(portal, changes, expected):
    assert problems(portal, **changes) == expected


# --- before sending ----------------------------------------------------------------------------------


def test_a_media_file_changed_since_approval_is_never_sent(portal, portal_server, tmp_path):
    photo = media_file(tmp_path, "foto.png", "image/png", alt_text="Министар")
    photo.path.write_bytes(photo.read() + b"tampered")

    with pytest.raises(Rejected, match="foto.png: the media file changed since it was approved"):
        portal.publish(content(media=(photo,)), key=KEY)
    assert portal_server.requests == []


def test_a_missing_media_file_is_rejected_before_sending(portal, portal_server, tmp_path):
    photo = media_file(tmp_path, "foto.png", "image/png", alt_text="Министар")
    photo.path.unlink()

    with pytest.raises(Rejected, match="foto.png: the media file cannot be read"):
        portal.publish(content(media=(photo,)), key=KEY)
    assert portal_server.requests == []


@pytest.mark.parametrize("key", ["bad key", "p7\r\nX-Injected: 1", "p7-c2\n", "", "ключ"])
def test_a_key_that_cannot_be_a_header_is_rejected(portal, portal_server, key):
    with pytest.raises(Rejected, match="webhook-id"):
        portal.publish(content(), key=key)
    assert portal_server.requests == []


# --- find and check ----------------------------------------------------------------------------------


def test_find_cannot_confirm_so_reconciliation_resends(portal, portal_server):
    portal.publish(content(), key=KEY)

    with pytest.raises(OutcomeUnknown, match="no lookup"):
        portal.find(KEY)
    assert StatePortal.capabilities().idempotent  # which is what makes resending the answer
    assert portal.publish(content(), key=KEY).remote_id == "portal-1"  # via 409


def test_check_without_health_url(portal):
    health = portal.check()
    assert health.ok
    assert health.message == "no health endpoint configured; signatures are checked on each delivery"


@pytest.mark.parametrize(
    ("behaviour", "outcome", "message"),
    [
        ("200", "ok", "the portal answers"),
        ("401", "refused", "credentials refused"),
        ("503", "unchecked", "the portal's health check answered HTTP 503: portal under maintenance"),
        ("drop-before-body", "unchecked", "the portal did not answer (ConnectionError)"),
    ],
)
def test_check_with_health_url(portal_server, http, behaviour, outcome, message):
    adapter = StatePortal(
        {"url": portal_server.url, "health_url": portal_server.health_url}, {"secret": SECRET}, session=http
    )
    portal_server.script([behaviour])

    health = adapter.check()

    assert (health.outcome, health.message) == (outcome, message)
    (request,) = portal_server.requests
    assert (request.method, request.path, request.signature_valid) == ("GET", "/health", True)


# --- the receiver itself (later worker tests lean on it) ---------------------------------------------


def signed_post(http, receiver: PortalReceiver, *, timestamp: int, key: bytes = RAW_KEY) -> requests.Response:
    body = b'{"type":"post.published"}'
    signature = base64.b64encode(hmac.new(key, f"m1.{timestamp}.".encode() + body, hashlib.sha256).digest())
    headers = {
        "webhook-id": "m1",
        "webhook-timestamp": str(timestamp),
        "webhook-signature": "v1," + signature.decode(),
    }
    return http.post(receiver.url, data=body, headers=headers, timeout=3)


def test_receiver_refuses_stale_timestamps_and_bad_signatures(portal_server, http):
    now = int(time.time())

    assert signed_post(http, portal_server, timestamp=now - 301).status_code == 401
    assert signed_post(http, portal_server, timestamp=now + 301).status_code == 401
    assert signed_post(http, portal_server, timestamp=now, key=b"another-key-of-16-bytes").status_code == 401
    assert portal_server.accepted == {}
    assert signed_post(http, portal_server, timestamp=now).status_code == 200
    assert [r.signature_valid for r in portal_server.requests] == [True, True, False, True]


def test_receiver_refuses_unknown_behaviours(portal_server):
    with pytest.raises(ValueError, match="unknown behaviour"):
        portal_server.script(["200", "teapot"])
