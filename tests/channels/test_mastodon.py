"""The Mastodon adapter: against mastodon-mock (a stateful Mastodon API on 127.0.0.1 that honours
Idempotency-Key), and on the wire with `responses` for the exact requests and every failure class."""

from __future__ import annotations

import email
import email.policy
import hashlib
import time
from email.utils import formatdate
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
import requests
import responses
from PIL import Image

from channels import registry
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
from channels.mastodon import DEFAULT_LIMITS, MastodonChannel, status_length

BASE = "https://drustvena.mreza.gov.rs"
TOKEN = "tok-3Xq9Vv1yZ4mP8rT2kL6sN0aB5cD7eF"
KEY = "p7-c2-0123456789abcdef"
TEXT = "Министарство привреде објављује нови програм подршке. Ćirilica i latinica: čšžđ."
ALT = "Министар на конференцији за медије"
STATUS = {"id": "109", "url": f"{BASE}/@ministarstvo/109", "uri": f"{BASE}/users/ministarstvo/statuses/109"}


@pytest.fixture
def wire():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


def adapter(http, **config) -> MastodonChannel:
    return MastodonChannel({"api_base_url": BASE, **config}, {"access_token": TOKEN}, session=http, name="Mastodon")


def content(**changes) -> Content:
    fields = {"post_id": 7, "title": "Саопштење", "text": TEXT, "language": "sr-Cyrl"}
    return Content(**{**fields, **changes})


def media_file(tmp_path: Path, name: str, content_type: str = "image/png", *, alt_text: str = ALT) -> MediaItem:
    path = tmp_path / name
    if content_type.startswith("image/"):
        Image.new("RGB", (4, 3), (200, 30, 40)).save(path, "PNG")
    else:
        path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)  # a stand-in MP4
    data = path.read_bytes()
    return MediaItem(path, content_type, hashlib.sha256(data).hexdigest(), len(data), alt_text, name)


def fake_media(name: str, content_type: str, *, size: int = 100, alt_text: str = "opis") -> MediaItem:
    """For validate only: never read."""
    return MediaItem(Path("/nonexistent") / name, content_type, "ab" * 32, size, alt_text, name)


def form(request) -> list[tuple[str, str]]:
    return parse_qsl(request.body, keep_blank_values=True)


def multipart(request) -> dict[str, tuple[str | None, str, bytes]]:
    """{part name: (filename, content type, bytes)} of a multipart/form-data body."""
    head = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode()
    message = email.message_from_bytes(head + request.body, policy=email.policy.HTTP)
    assert message.is_multipart()
    return {
        part.get_param("name", header="content-disposition"): (
            part.get_filename(), part.get_content_type(), part.get_payload(decode=True)
        )
        for part in message.iter_parts()
    }


def expect_status_headers(request, key: str = KEY) -> None:
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Idempotency-Key"] == key
    assert request.headers["User-Agent"] == "publisher/0.1"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"


# --- against mastodon-mock ---------------------------------------------------------------------------


@pytest.fixture
def on_mock(mastodon_mock_server, http):
    """The adapter pointed at a fresh mock instance, signed in as the seeded account alice."""
    return MastodonChannel({"api_base_url": mastodon_mock_server.base_url}, {"access_token": "alice_token"},
                           session=http, name="Mastodon")


def test_text_post_on_the_mock(on_mock, mastodon_mock_server):
    text = "Нови програм подршке: https://privreda.gov.rs/vesti/program-2025 #привреда"

    published = on_mock.publish(content(text=text), key=KEY)

    alice = mastodon_mock_server.client("alice")
    status = alice.status(published.remote_id)
    assert published.url == status.url
    assert "privreda.gov.rs/vesti/program-2025" in status.content and "Нови програм подршке" in status.content
    assert (status.visibility, status.language, status.media_attachments) == ("public", "sr", [])
    assert [str(s.id) for s in alice.account_statuses(alice.me().id)] == [published.remote_id]


def test_image_post_with_alt_text_on_the_mock(on_mock, mastodon_mock_server, tmp_path, http):
    photo = media_file(tmp_path, "foto.png")

    published = on_mock.publish(content(media=(photo,)), key=KEY)

    status = mastodon_mock_server.client("alice").status(published.remote_id)
    (attachment,) = status.media_attachments
    assert (attachment.type, attachment.description) == ("image", ALT)
    assert http.get(attachment.url, timeout=3).content == photo.read()  # the approved bytes, unchanged


def test_the_same_key_twice_makes_one_status_on_the_mock(on_mock, mastodon_mock_server):
    first = on_mock.publish(content(), key=KEY)
    again = on_mock.publish(content(), key=KEY)  # e.g. the retry after a read timeout
    other = on_mock.publish(content(), key="p8-c2-fedcba9876543210")

    assert again == first
    assert other.remote_id != first.remote_id
    alice = mastodon_mock_server.client("alice")
    assert sorted(str(s.id) for s in alice.account_statuses(alice.me().id)) == sorted(
        p.remote_id for p in (first, other))


def test_instance_limits_come_from_the_instance(on_mock):
    limits = on_mock.instance_limits()

    assert limits.from_instance
    assert (limits.max_characters, limits.max_media, limits.url_characters) == (500, 4, 23)
    assert (limits.image_bytes, limits.video_bytes) == (10 * 1024 * 1024, 40 * 1024 * 1024)
    assert "image/webp" in limits.media_types and "video/mp4" in limits.media_types
    assert on_mock.limits().max_images == 4
    # A link counts as 23, however long it is.
    fits = "ж" * 476 + " https://privreda.gov.rs/" + "a" * 300
    assert status_length(fits) == 500 and on_mock.validate(content(text=fits)) == []
    assert on_mock.validate(content(text="ж" * 501)) == [Problem("Mastodon", "501 of 500 characters", "body")]
    five = tuple(fake_media(f"f{n}.png", "image/png") for n in range(5))
    assert on_mock.validate(content(media=five)) == [Problem("Mastodon", "5 images, at most 4 allowed", "media")]


def test_check_on_the_mock(on_mock, mastodon_mock_server, http):
    assert on_mock.check().ok
    assert on_mock.check().message == "signed in as @alice on 127.0.0.1"

    stranger = MastodonChannel({"api_base_url": mastodon_mock_server.base_url}, {"access_token": "revoked"},
                               session=http)
    health = stranger.check()
    assert health.outcome == "refused" and health.message.startswith("credentials refused: ")


# --- the exact requests ------------------------------------------------------------------------------


def test_a_text_post_on_the_wire(wire, http):
    wire.post(f"{BASE}/api/v1/statuses", json=STATUS)

    published = adapter(http, visibility="unlisted").publish(content(), key=KEY)

    assert published == Published("109", f"{BASE}/@ministarstvo/109")
    (call,) = wire.calls
    assert (call.request.method, call.request.url) == ("POST", f"{BASE}/api/v1/statuses")
    expect_status_headers(call.request)
    assert form(call.request) == [("status", TEXT), ("sensitive", "0"), ("visibility", "unlisted"),
                                  ("language", "sr")]


def test_an_image_post_waits_for_processing_then_posts(wire, http, tmp_path):
    photo = media_file(tmp_path, "foto.png")
    second = media_file(tmp_path, "grafikon.png", alt_text="Графикон раста извоза")
    wire.post(f"{BASE}/api/v2/media", json={"id": "41", "url": None}, status=202)
    wire.post(f"{BASE}/api/v2/media", json={"id": "42", "url": f"{BASE}/system/42.png"}, status=200)
    wire.get(f"{BASE}/api/v1/media/41", json={"id": "41", "url": None}, status=206)
    wire.get(f"{BASE}/api/v1/media/41", json={"id": "41", "url": f"{BASE}/system/41.png"}, status=200)
    wire.post(f"{BASE}/api/v1/statuses", json=STATUS)

    started = time.monotonic()
    published = adapter(http).publish(content(media=(photo, second)), key=KEY)

    assert published.remote_id == "109"
    assert time.monotonic() - started < 3  # polled 0.5 s, then 1 s
    upload1, upload2, poll1, poll2, post = wire.calls
    assert [(c.request.method, c.request.url) for c in wire.calls] == [
        ("POST", f"{BASE}/api/v2/media"), ("POST", f"{BASE}/api/v2/media"),
        ("GET", f"{BASE}/api/v1/media/41"), ("GET", f"{BASE}/api/v1/media/41"),
        ("POST", f"{BASE}/api/v1/statuses"),
    ]
    for call, item, name in ((upload1, photo, "media1.png"), (upload2, second, "media2.png")):
        assert call.request.headers["Authorization"] == f"Bearer {TOKEN}"
        assert "Idempotency-Key" not in call.request.headers
        assert multipart(call.request) == {
            "description": (None, "text/plain", item.alt_text.encode()),
            "file": (name, "image/png", item.read()),
        }
    assert poll1.request.headers["Authorization"] == f"Bearer {TOKEN}"
    expect_status_headers(post.request)
    assert form(post.request) == [("status", TEXT), ("sensitive", "0"), ("visibility", "public"),
                                  ("language", "sr"), ("media_ids[]", "41"), ("media_ids[]", "42")]


def test_a_video_post_on_the_wire(wire, http, tmp_path):
    film = media_file(tmp_path, "snimak.mp4", "video/mp4", alt_text="Снимак конференције")
    wire.post(f"{BASE}/api/v2/media", json={"id": "43", "url": None}, status=202)
    wire.get(f"{BASE}/api/v1/media/43", json={"id": "43", "url": f"{BASE}/system/43.mp4"}, status=200)
    wire.post(f"{BASE}/api/v1/statuses", json=STATUS)

    adapter(http).publish(content(text="", media=(film,)), key=KEY)

    assert multipart(wire.calls[0].request) == {
        "description": (None, "text/plain", "Снимак конференције".encode()),
        "file": ("media1.mp4", "video/mp4", film.read()),
    }
    assert form(wire.calls[2].request) == [("status", ""), ("sensitive", "0"), ("visibility", "public"),
                                           ("language", "sr"), ("media_ids[]", "43")]


@pytest.mark.parametrize(("language", "setting", "sent"), [
    ("sq", None, "sq"), ("en", "sr", "en"), ("sr-Latn", None, "sr"), ("", "sr", "sr"), ("", None, None),
])
def test_the_language_is_the_posts_primary_subtag(wire, http, language, setting, sent):
    wire.post(f"{BASE}/api/v1/statuses", json=STATUS)
    config = {"language": setting} if setting else {}

    adapter(http, **config).publish(content(language=language), key=KEY)

    assert dict(form(wire.calls[0].request)).get("language") == sent


# --- the failure table -------------------------------------------------------------------------------

SAFE = "; sending again with the same Idempotency-Key is safe"


def reset_in(seconds: int) -> dict[str, str]:
    when = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() + seconds))
    return {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": when,
            "Date": formatdate(usegmt=True)}


@pytest.mark.parametrize(("reply", "expected", "message"), [
    ({"json": {}}, Retryable, "the instance answered without a status id; sending again with the same "
                              "Idempotency-Key returns the status it made"),
    ({"body": "<html>Bad gateway</html>"}, Retryable, f"posting: the instance's answer could not be read{SAFE}"),
    ({"body": ""}, Retryable, f"posting: the instance's answer could not be read{SAFE}"),
    ({"status": 429, "json": {"error": "Too many requests"}, "headers": reset_in(120)}, RateLimited,
     "posting: the instance is limiting requests (HTTP 429)"),
    ({"status": 500, "json": {"error": "We're sorry, but something went wrong"}}, Retryable,
     "posting: the instance failed (HTTP 500): We're sorry, but something went wrong"),
    ({"status": 502, "body": ""}, Retryable, "posting: the instance failed (HTTP 502)"),
    ({"status": 503, "json": {"error": "Service unavailable"}}, Retryable,
     "posting: the instance failed (HTTP 503): Service unavailable"),
    ({"status": 401, "json": {"error": "The access token is invalid"}}, AuthExpired,
     "posting: the instance refused the access token (HTTP 401): The access token is invalid; "
     "create a new token under Preferences → Development"),
    ({"status": 403, "json": {"error": "This action is outside the authorized scopes"}}, AuthExpired,
     "posting: the instance refused the access token (HTTP 403): This action is outside the authorized scopes; "
     "create a new token under Preferences → Development"),
    ({"status": 422, "json": {"error": "Validation failed: Text character limit of 500 exceeded"}}, Rejected,
     "posting: the instance refused it (HTTP 422): Validation failed: Text character limit of 500 exceeded"),
    ({"status": 422, "json": {"error": "Cannot attach files that have not finished processing. Try again in a "
                                       "moment!"}}, Retryable,
     "posting: the instance is still processing the media (HTTP 422): Cannot attach files that have not "
     "finished processing. Try again in a moment!"),
    ({"status": 404, "json": {"error": "Record not found"}}, Rejected,
     "posting: the instance refused it (HTTP 404): Record not found"),
    ({"body": requests.ConnectTimeout("timed out")}, Retryable,
     f"posting: could not connect to the instance within 5 s (ConnectTimeout){SAFE}"),
    # Sent, and maybe made: the key makes the resend return that status instead of a second one.
    ({"body": requests.ReadTimeout("timed out")}, Retryable,
     f"posting: the instance did not answer within 30 s (ReadTimeout){SAFE}"),
    ({"body": requests.ConnectionError("Connection aborted")}, Retryable,
     f"posting: the connection to the instance failed (ConnectionError){SAFE}"),
])
def test_failure_table(wire, http, reply, expected, message):
    wire.post(f"{BASE}/api/v1/statuses", **reply)

    with pytest.raises(ChannelError) as caught:
        adapter(http).publish(content(), key=KEY)

    error = caught.value
    assert type(error) is expected
    assert error.message == message
    (call,) = wire.calls
    assert (call.request.method, call.request.url) == ("POST", f"{BASE}/api/v1/statuses")
    expect_status_headers(call.request)
    assert TOKEN not in str(error) and TOKEN not in repr(error)
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)


def test_a_rate_limit_carries_the_reset(wire, http):
    wire.post(f"{BASE}/api/v1/statuses", status=429, json={"error": "Too many requests"}, headers=reset_in(120))

    with pytest.raises(RateLimited) as caught:
        adapter(http).publish(content(), key=KEY)

    assert 110 <= caught.value.retry_after <= 121


def test_a_rate_limit_without_a_reset_leaves_the_wait_to_the_dispatcher(wire, http):
    wire.post(f"{BASE}/api/v1/statuses", status=429, json={"error": "Too many requests"})

    with pytest.raises(RateLimited) as caught:
        adapter(http).publish(content(), key=KEY)

    assert caught.value.retry_after is None


@pytest.mark.parametrize(("reply", "expected", "message"), [
    ({"status": 413, "body": "<html>Request Entity Too Large</html>"}, Rejected,
     "uploading foto.png: the file is too large for this instance (HTTP 413)"),
    ({"status": 422, "json": {"error": "Validation failed: File content type is invalid"}}, Rejected,
     "uploading foto.png: the instance refused it (HTTP 422): Validation failed: File content type is invalid"),
    ({"status": 500, "json": {"error": "Internal error"}}, Retryable,
     "uploading foto.png: the instance failed (HTTP 500): Internal error"),
    ({"status": 401, "json": {"error": "The access token was revoked"}}, AuthExpired,
     "uploading foto.png: the instance refused the access token (HTTP 401): The access token was revoked; "
     "create a new token under Preferences → Development"),
    ({"body": requests.ReadTimeout("timed out")}, Retryable,
     "uploading foto.png: the instance did not answer within 30 s (ReadTimeout); nothing was posted yet"),
])
def test_media_failures_post_nothing(wire, http, tmp_path, reply, expected, message):
    wire.post(f"{BASE}/api/v2/media", **reply)

    with pytest.raises(ChannelError) as caught:
        adapter(http).publish(content(media=(media_file(tmp_path, "foto.png"),)), key=KEY)

    assert (type(caught.value), caught.value.message) == (expected, message)
    assert [c.request.url for c in wire.calls] == [f"{BASE}/api/v2/media"]  # no status was attempted


def test_media_still_processing_gives_up_within_the_bound(wire, http, tmp_path):
    wire.post(f"{BASE}/api/v2/media", json={"id": "41", "url": None}, status=202)
    wire.get(f"{BASE}/api/v1/media/41", json={"id": "41", "url": None}, status=206)

    started = time.monotonic()
    with pytest.raises(Retryable) as caught:
        adapter(http, media_timeout=1).publish(content(media=(media_file(tmp_path, "foto.png"),)), key=KEY)

    assert time.monotonic() - started < 2
    assert caught.value.message == "foto.png: the instance was still processing it after 1 s; nothing was posted"
    assert [c.request.method for c in wire.calls] == ["POST", "GET"]


def test_media_that_failed_processing_is_rejected(wire, http, tmp_path):
    wire.post(f"{BASE}/api/v2/media", json={"id": "41", "url": None}, status=202)
    wire.get(f"{BASE}/api/v1/media/41", json={"error": "Error processing thumbnail for uploaded media"},
             status=422)

    with pytest.raises(Rejected, match="uploading foto.png: the instance refused it \\(HTTP 422\\): Error processing"):
        adapter(http).publish(content(media=(media_file(tmp_path, "foto.png"),)), key=KEY)


def test_a_media_file_changed_since_approval_is_never_sent(wire, http, tmp_path):
    photo = media_file(tmp_path, "foto.png")
    photo.path.write_bytes(photo.read() + b"tampered")

    with pytest.raises(Rejected, match="foto.png: the media file changed since it was approved"):
        adapter(http).publish(content(media=(photo,)), key=KEY)
    assert len(wire.calls) == 0


@pytest.mark.parametrize("key", ["bad key", "p7\r\nX-Injected: 1", "", "ключ"])
def test_a_key_that_cannot_be_a_header_is_rejected(wire, http, key):
    with pytest.raises(Rejected, match="Idempotency-Key"):
        adapter(http).publish(content(), key=key)
    assert len(wire.calls) == 0


def test_find_cannot_tell_but_resending_is_safe(http):
    with pytest.raises(OutcomeUnknown, match="resending with the same key is safe for about an hour"):
        adapter(http).find(KEY)
    assert MastodonChannel.capabilities().idempotent


@pytest.mark.parametrize(("reply", "outcome", "message"), [
    ({"json": {"id": "1", "username": "ministarstvo", "acct": "ministarstvo"}}, "ok",
     "signed in as @ministarstvo on drustvena.mreza.gov.rs"),
    ({"status": 401, "json": {"error": "The access token is invalid"}}, "refused",
     "credentials refused: checking the access token: the instance refused the access token (HTTP 401): "
     "The access token is invalid; create a new token under Preferences → Development"),
    ({"status": 503, "body": ""}, "unchecked", "checking the access token: the instance failed (HTTP 503)"),
    ({"body": requests.ConnectionError("refused")}, "unchecked",
     "checking the access token: the connection to the instance failed (ConnectionError)"),
])
def test_check(wire, http, reply, outcome, message):
    wire.get(f"{BASE}/api/v1/accounts/verify_credentials", **reply)

    health = adapter(http).check()

    assert (health.outcome, health.message) == (outcome, message)
    assert wire.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"


# --- the instance's own limits -----------------------------------------------------------------------

INSTANCE = {
    "domain": "drustvena.mreza.gov.rs",
    "configuration": {
        "statuses": {"max_characters": 5000, "max_media_attachments": 6, "characters_reserved_per_url": 23},
        "media_attachments": {"supported_mime_types": ["image/jpeg", "image/png", "video/mp4"],
                              "image_size_limit": 16777216, "video_size_limit": 103809024,
                              "description_limit": 3000},
    },
}


def test_limits_are_asked_once_and_drive_validate(wire, http):
    wire.get(f"{BASE}/api/v2/instance/", json=INSTANCE)
    channel = adapter(http)

    assert channel.validate(content(text="ж" * 5000)) == []
    assert channel.validate(content(text="ж" * 5001)) == [Problem("Mastodon", "5001 of 5000 characters", "body")]
    six = tuple(fake_media(f"f{n}.jpg", "image/jpeg") for n in range(6))
    assert channel.validate(content(media=six)) == []
    assert channel.validate(content(media=(fake_media("a.webp", "image/webp"),))) == [
        Problem("Mastodon", "a.webp: image/webp files are not accepted", "media")]
    assert channel.validate(content(media=(fake_media("a.png", "image/png", alt_text="о" * 3001),))) == [
        Problem("Mastodon", "a.png: alt text 3001 of 3000 characters", "media")]
    assert channel.limits().max_text == 5000
    (call,) = wire.calls  # asked once, then cached
    assert call.request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_an_instance_older_than_4_0_is_asked_on_v1(wire, http):
    wire.get(f"{BASE}/api/v2/instance/", status=404, json={"error": "Record not found"})
    wire.get(f"{BASE}/api/v1/instance/", json={"uri": "old.example", "max_toot_chars": 1000})

    limits = adapter(http).instance_limits()

    assert (limits.max_characters, limits.max_media, limits.from_instance) == (1000, 4, True)


def test_limits_fall_back_to_the_defaults_when_the_instance_cannot_be_asked(wire, http):
    wire.get(f"{BASE}/api/v2/instance/", body=requests.ConnectionError("refused"))

    channel = adapter(http)

    assert channel.instance_limits() == DEFAULT_LIMITS
    assert channel.validate(content()) == []
    assert channel.instance_limits() == DEFAULT_LIMITS  # not asked again at once
    assert len(wire.calls) == 1


# --- validate (the stock limits; a .example host is never asked) -------------------------------------


@pytest.fixture
def offline(http):
    return MastodonChannel({"api_base_url": "https://mastodon.example"}, {"access_token": TOKEN}, session=http,
                           name="Mastodon")


@pytest.mark.parametrize(("changes", "expected"), [
    ({"text": "ж" * 500}, []),
    ({"text": "ж" * 501}, [Problem("Mastodon", "501 of 500 characters", "body")]),
    # 490 letters, a space and a 23-character link: 514
    ({"text": "ж" * 490 + " https://www.mfa.gov.rs/"}, [Problem("Mastodon", "514 of 500 characters", "body")]),
    # graphemes, not code points: a family emoji is one character
    ({"text": "ж" * 499 + "👨‍👩‍👧"}, []),
    ({"text": " "}, [Problem("Mastodon", "the text is empty", "body")]),
    ({"text": "", "media": (fake_media("foto.png", "image/png"),)}, []),
    ({"media": (fake_media("foto.png", "image/png", alt_text=" "),)},
     [Problem("Mastodon", "foto.png: an image needs alt text", "media")]),
    ({"media": (fake_media("foto.png", "image/png", alt_text="о" * 1501),)},
     [Problem("Mastodon", "foto.png: alt text 1501 of 1500 characters", "media")]),
    ({"media": (fake_media("foto.png", "image/png", size=10 * 1024 * 1024 + 1),)},
     [Problem("Mastodon", "foto.png: 10485761 bytes, at most 10485760 allowed", "media")]),
    ({"media": (fake_media("film.mp4", "video/mp4", size=40 * 1024 * 1024),)}, []),
    ({"media": (fake_media("film.mp4", "video/mp4", size=40 * 1024 * 1024 + 1),)},
     [Problem("Mastodon", "film.mp4: 41943041 bytes, at most 41943040 allowed", "media")]),
    ({"media": (fake_media("film.mp4", "video/mp4"), fake_media("foto.png", "image/png"))},
     [Problem("Mastodon", "a video cannot be combined with images in one post", "media")]),
    ({"media": (fake_media("a.mp4", "video/mp4"), fake_media("b.mp4", "video/mp4"))},
     [Problem("Mastodon", "2 videos, at most 1 allowed", "media")]),
    ({"media": (fake_media("izvestaj.pdf", "application/pdf"),)},
     [Problem("Mastodon", "izvestaj.pdf: application/pdf files are not accepted", "media")]),
])
def test_validate(offline, changes, expected):
    assert offline.validate(content(**changes)) == expected


def test_status_length_counts_like_mastodon():
    assert status_length("") == 0
    assert status_length("Погледајте https://www.mfa.gov.rs/vesti/saopstenje-123456789 данас") == 11 + 23 + 6
    assert status_length("cc @novinar@mastodon.social") == len("cc @novinar")
    assert status_length("é") == 1  # e + combining acute: one character


# --- settings ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("config", "message"), [
    ({"api_base_url": "http://drustvena.mreza.gov.rs"}, "api_base_url must be the instance's https:// address"),
    ({"api_base_url": "drustvena.mreza.gov.rs"}, "api_base_url must be the instance's https:// address"),
    ({"api_base_url": "https://x.gov.rs/?access_token=" + TOKEN}, "api_base_url must be the instance's https://"),
    ({"api_base_url": BASE, "visibility": "private"}, "visibility must be public or unlisted"),
    ({"api_base_url": BASE, "language": "Serbian"}, "language must be a two- or three-letter ISO 639 code"),
    ({"api_base_url": BASE, "timeout": 0}, "timeout must be a number of seconds from 1 to 120"),
    ({"api_base_url": BASE, "media_timeout": "forever"}, "media_timeout must be a number of seconds from 1 to 600"),
])
def test_bad_settings_are_refused_without_echoing_the_token(http, config, message):
    with pytest.raises(ChannelConfigError) as caught:
        MastodonChannel(config, {"access_token": TOKEN}, session=http)
    assert message in caught.value.message
    assert TOKEN not in str(caught.value)


def test_a_token_with_spaces_inside_is_refused(http):
    with pytest.raises(ChannelConfigError, match="access_token must be the token text"):
        MastodonChannel({"api_base_url": BASE}, {"access_token": "two words"}, session=http)


def test_plain_http_is_allowed_to_this_machine_only(http):
    assert MastodonChannel({"api_base_url": "http://127.0.0.1:3000/"}, {"access_token": TOKEN}, session=http)
    assert MastodonChannel({"api_base_url": "http://localhost:3000"}, {"access_token": TOKEN}, session=http)


def test_the_token_stays_out_of_repr(http):
    assert repr(adapter(http)) == "<MastodonChannel 'Mastodon' host='drustvena.mreza.gov.rs'>"


def test_registered_under_its_kind():
    assert registry.adapter_class("mastodon") is MastodonChannel
    assert MastodonChannel.label == "Mastodon"
