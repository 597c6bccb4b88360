"""The X adapter on the wire, through `responses` (nothing leaves this machine).

The requests asserted here are the ones tweepy 4.17 and the adapter really send: method, host, path,
query, JSON or multipart body part by part, an OAuth 1.0a signature recomputed here with oauthlib, and
the timeout handed to the transport.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import responses
from oauthlib.oauth1.rfc5849 import signature, utils
from PIL import Image
from responses import matchers
from responses.registries import OrderedRegistry

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
from channels.x import ME_URL, METADATA_URL, TWEETS_URL, UPLOAD_URL, X, rate_limit_wait
from tests.support.multipart import parse_multipart
from tests.support.wire_failures import capture_wire_failures

CONSUMER_KEY = "ck0Example0Consumer0Key"
CONSUMER_SECRET = "cs0Example0Consumer0Secret0Never0Shown0Anywhere"
ACCESS_TOKEN = "1234567890-at0Example0Access0Token0Value0abcdef"
TOKEN_SECRET = "ts0Example0Token0Secret0Never0Shown0Anywhere00"
CREDENTIALS = {
    "consumer_key": CONSUMER_KEY,
    "consumer_secret": CONSUMER_SECRET,
    "access_token": ACCESS_TOKEN,
    "access_token_secret": TOKEN_SECRET,
}
SECRETS = (CONSUMER_SECRET, TOKEN_SECRET)
KEY = "p7-c3-0123456789abcdef"
TEXT = "Министарство привреде објављује нови програм подршке. Више: https://www.privreda.gov.rs/vesti"
TWEET_ID = "1880028106020515841"
CREATED = {"data": {"id": TWEET_ID, "text": TEXT, "edit_history_tweet_ids": [TWEET_ID]}}


class CountingSession(requests.Session):
    """Proves every call goes through the session the worker hands in."""

    def __init__(self) -> None:
        super().__init__()
        self.trust_env = False
        self.calls = 0

    def request(self, *args, **kwargs):
        self.calls += 1
        return super().request(*args, **kwargs)


@pytest.fixture
def http():
    session = CountingSession()
    yield session
    session.close()


@pytest.fixture
def x(http):
    return X({}, dict(CREDENTIALS), session=http, name="X")


@pytest.fixture
def mocked():
    with responses.RequestsMock(registry=OrderedRegistry, assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture(scope="module")
def wire():
    return capture_wire_failures()


def png(tmp_path: Path, name: str, alt_text: str, color=(200, 30, 40)) -> MediaItem:
    path = tmp_path / name
    Image.new("RGB", (4, 3), color).save(path, "PNG")
    data = path.read_bytes()
    return MediaItem(path, "image/png", hashlib.sha256(data).hexdigest(), len(data), alt_text, name)


def video(tmp_path: Path, data: bytes = b"\x00\x00\x00\x18ftypmp42") -> MediaItem:
    path = tmp_path / "snimak.mp4"
    path.write_bytes(data)
    return MediaItem(path, "video/mp4", hashlib.sha256(data).hexdigest(), len(data), "", "snimak.mp4")


def fake(name: str, content_type: str, *, size: int = 100, alt_text: str = "opis") -> MediaItem:
    return MediaItem(Path("/nonexistent") / name, content_type, "ab" * 32, size, alt_text, name)


def content(**changes) -> Content:
    return Content(**{"post_id": 7, "title": "Саопштење", "text": TEXT, "language": "sr-Cyrl", **changes})


def outcome(adapter: X, post: Content | None = None) -> Published | ChannelError:
    try:
        return adapter.publish(post or content(), key=KEY)
    except ChannelError as exc:
        return exc


def assert_signed(request) -> None:
    """Recompute the OAuth 1.0a HMAC-SHA1 signature over method, URL and query (JSON and multipart
    bodies are not signed, per RFC 5849 §3.4.1.3) with the consumer and token secrets."""
    header = request.headers["Authorization"]
    oauth = dict(utils.parse_authorization_header(header))
    assert oauth["oauth_consumer_key"] == CONSUMER_KEY
    assert oauth["oauth_token"] == ACCESS_TOKEN
    assert oauth["oauth_signature_method"] == "HMAC-SHA1"
    assert oauth["oauth_version"] == "1.0"
    collected = signature.collect_parameters(
        uri_query=urlsplit(request.url).query, headers={"Authorization": header}, exclude_oauth_signature=True
    )
    base = signature.signature_base_string(
        request.method, signature.base_string_uri(request.url), signature.normalize_parameters(collected)
    )
    key = f"{utils.escape(CONSUMER_SECRET)}&{utils.escape(TOKEN_SECRET)}".encode()
    expected = base64.b64encode(hmac.new(key, base.encode(), hashlib.sha1).digest()).decode()
    assert utils.unescape(oauth["oauth_signature"]) == expected
    for secret in SECRETS:
        assert secret not in header


def assert_timeout(request, read: float = 30.0) -> None:
    assert request.req_kwargs["timeout"] == (5.0, read)


def parts(request) -> list[tuple[str, str | None, str | None, bytes]]:
    return [(p.name, p.filename, p.content_type, p.data)
            for p in parse_multipart(request.headers["Content-Type"], request.body)]


def json_body(request) -> dict:
    assert request.headers["Content-Type"] == "application/json"
    return json.loads(request.body)


# --- the requests ------------------------------------------------------------------------------------


def test_a_text_post(x, mocked, http):
    mocked.add(responses.POST, TWEETS_URL, json=CREATED, status=201)

    assert x.publish(content(), key=KEY) == Published(TWEET_ID, f"https://x.com/i/web/status/{TWEET_ID}")

    (call,) = mocked.calls
    request = call.request
    assert (request.method, request.url) == ("POST", "https://api.twitter.com/2/tweets")
    assert json_body(request) == {"text": TEXT}
    assert request.headers["User-Agent"].endswith("Tweepy/4.17.0")
    assert_signed(request)
    assert_timeout(request)
    assert http.calls == 1


def test_the_read_timeout_is_configurable(http, mocked):
    adapter = X({"timeout": "12.5"}, dict(CREDENTIALS), session=http)
    mocked.add(responses.POST, TWEETS_URL, json=CREATED, status=201)
    adapter.publish(content(), key=KEY)
    assert_timeout(mocked.calls[0].request, read=12.5)


def test_several_images_with_alt_text(x, mocked, tmp_path, http):
    first = png(tmp_path, "ministar.png", "Министар на конференцији за медије")
    second = png(tmp_path, "sala.png", "Сала Владе Србије", color=(10, 20, 30))
    for media_id in ("1880028106020515001", "1880028106020515002"):
        mocked.add(responses.POST, UPLOAD_URL, json={"data": {"id": media_id, "media_key": f"3_{media_id}",
                                                              "size": 71, "expires_after_secs": 86400}})
        mocked.add(responses.POST, METADATA_URL, json={"data": {"associated_metadata": {}}})
    mocked.add(responses.POST, TWEETS_URL, json=CREATED, status=201)

    assert x.publish(content(media=(first, second)), key=KEY).remote_id == TWEET_ID

    upload1, alt1, upload2, alt2, tweet = (c.request for c in mocked.calls)
    for request in (upload1, upload2):
        assert (request.method, request.url) == ("POST", "https://api.x.com/2/media/upload")
    assert parts(upload1) == [
        ("media_category", None, None, b"tweet_image"),
        ("media_type", None, None, b"image/png"),
        ("media", "ministar.png", "image/png", first.read()),
    ]
    assert parts(upload2) == [
        ("media_category", None, None, b"tweet_image"),
        ("media_type", None, None, b"image/png"),
        ("media", "sala.png", "image/png", second.read()),
    ]
    assert (alt1.method, alt1.url) == ("POST", "https://api.x.com/2/media/metadata")
    assert json_body(alt1) == {"id": "1880028106020515001",
                               "metadata": {"alt_text": {"text": "Министар на конференцији за медије"}}}
    assert json_body(alt2) == {"id": "1880028106020515002", "metadata": {"alt_text": {"text": "Сала Владе Србије"}}}
    assert json_body(tweet) == {"text": TEXT, "media": {"media_ids": ["1880028106020515001", "1880028106020515002"]}}
    for request in (upload1, alt1, upload2, alt2, tweet):
        assert_signed(request)
        assert_timeout(request)
    assert upload1.headers["User-Agent"] == "publisher/0.1"
    assert http.calls == 5


def test_an_image_without_text(x, mocked, tmp_path):
    photo = png(tmp_path, "фото 1.png", "Опис")
    mocked.add(responses.POST, UPLOAD_URL, json={"data": {"id": "42"}})
    mocked.add(responses.POST, METADATA_URL, json={})
    mocked.add(responses.POST, TWEETS_URL, json=CREATED, status=201)

    x.publish(content(text="", media=(photo,)), key=KEY)

    upload, _, tweet = (c.request for c in mocked.calls)
    assert parts(upload)[2][1] == "_____1.png"  # a plain ASCII file name; X never shows it
    assert json_body(tweet) == {"media": {"media_ids": ["42"]}}


def test_a_video_in_chunks(x, mocked, tmp_path):
    clip = video(tmp_path)
    x.chunk_size = 5  # 12 bytes: segments of 5, 5 and 2
    media_id = "1880028106020515840"
    mocked.add(responses.POST, UPLOAD_URL, json={"data": {"id": media_id, "media_key": f"7_{media_id}",
                                                          "expires_after_secs": 1295999}})
    for _ in range(3):
        mocked.add(responses.POST, UPLOAD_URL, body="", status=204)
    mocked.add(responses.POST, UPLOAD_URL, json={"data": {"id": media_id, "size": 12, "expires_after_secs": 86400,
                                                          "processing_info": {"state": "pending",
                                                                              "check_after_secs": 1}}})
    mocked.add(responses.GET, UPLOAD_URL, json={"data": {"id": media_id, "processing_info": {
        "state": "succeeded", "progress_percent": 100}}},
        match=[matchers.query_param_matcher({"command": "STATUS", "media_id": media_id})])
    mocked.add(responses.POST, TWEETS_URL, json=CREATED, status=201)

    started = time.monotonic()
    assert x.publish(content(media=(clip,)), key=KEY).remote_id == TWEET_ID
    assert 0.9 < time.monotonic() - started < 4  # it waited the check_after_secs X asked for

    init, a0, a1, a2, finalize, status, tweet = (c.request for c in mocked.calls)
    assert parts(init) == [
        ("command", None, None, b"INIT"),
        ("media_type", None, None, b"video/mp4"),
        ("total_bytes", None, None, b"12"),
        ("media_category", None, None, b"tweet_video"),
    ]
    data = clip.read()
    for index, (request, chunk) in enumerate(zip((a0, a1, a2), (data[:5], data[5:10], data[10:]), strict=True)):
        assert parts(request) == [
            ("command", None, None, b"APPEND"),
            ("media_id", None, None, media_id.encode()),
            ("segment_index", None, None, str(index).encode()),
            ("media", "blob", "application/octet-stream", chunk),
        ]
    assert parts(finalize) == [("command", None, None, b"FINALIZE"), ("media_id", None, None, media_id.encode())]
    assert (status.method, urlsplit(status.url).path) == ("GET", "/2/media/upload")
    assert dict(parse_qsl(urlsplit(status.url).query)) == {"command": "STATUS", "media_id": media_id}
    assert json_body(tweet) == {"text": TEXT, "media": {"media_ids": [media_id]}}
    for request in (init, a0, a1, a2, finalize, status, tweet):
        assert_signed(request)  # the STATUS query is part of the signature
        assert_timeout(request)


def video_until_finalize(mocked, processing_info: dict) -> None:
    mocked.add(responses.POST, UPLOAD_URL, json={"data": {"id": "77"}})
    mocked.add(responses.POST, UPLOAD_URL, body="")
    mocked.add(responses.POST, UPLOAD_URL, json={"data": {"id": "77", "processing_info": processing_info}})


def test_a_video_x_cannot_process_is_rejected(x, mocked, tmp_path):
    video_until_finalize(mocked, {"state": "failed", "error": {"code": 1, "name": "InvalidMedia",
                                                              "message": "Unsupported video codec"}})
    error = outcome(x, content(media=(video(tmp_path),)))
    assert isinstance(error, Rejected)
    assert error.message == "X could not process the video: Unsupported video codec"
    assert TWEETS_URL not in [c.request.url for c in mocked.calls]


def test_a_video_still_processing_is_retried_later(x, mocked, tmp_path):
    x.status_wait_budget = 0
    video_until_finalize(mocked, {"state": "in_progress", "check_after_secs": 5, "progress_percent": 10})
    error = outcome(x, content(media=(video(tmp_path),)))
    assert type(error) is Retryable
    assert error.retry_after == 60.0
    assert "still processing the video" in error.message and "nothing was published" in error.message


def test_an_unreadable_status_answer_is_retried(x, mocked, tmp_path):
    video_until_finalize(mocked, {"state": "pending", "check_after_secs": 1})
    mocked.add(responses.GET, UPLOAD_URL, body="<html>busy</html>")
    error = outcome(x, content(media=(video(tmp_path),)))
    assert type(error) is Retryable and "processing was unreadable" in error.message
    assert TWEETS_URL not in [c.request.url for c in mocked.calls]


def test_a_video_finalized_without_processing_info_is_posted(x, mocked, tmp_path):
    mocked.add(responses.POST, UPLOAD_URL, json={"data": {"id": "77"}})
    mocked.add(responses.POST, UPLOAD_URL, body="")
    mocked.add(responses.POST, UPLOAD_URL, json={"data": {"id": "77", "size": 12}})
    mocked.add(responses.POST, TWEETS_URL, json=CREATED, status=201)
    assert x.publish(content(media=(video(tmp_path),)), key=KEY).remote_id == TWEET_ID


# --- before anything is sent -------------------------------------------------------------------------


def test_a_changed_image_is_never_sent(x, mocked, tmp_path, http):
    photo = png(tmp_path, "foto.png", "Опис")
    photo.path.write_bytes(photo.read() + b"x")
    error = outcome(x, content(media=(photo,)))
    assert isinstance(error, Rejected) and error.message == "foto.png: the media file changed since it was approved"
    assert http.calls == 0


def test_a_changed_video_is_never_sent(x, mocked, tmp_path, http):
    clip = video(tmp_path)
    clip.path.write_bytes(b"other bytes!")
    error = outcome(x, content(media=(clip,)))
    assert isinstance(error, Rejected) and "changed since it was approved" in error.message
    assert http.calls == 0


def test_a_missing_file_is_rejected(x, mocked, tmp_path, http):
    photo = png(tmp_path, "foto.png", "Опис")
    photo.path.unlink()
    error = outcome(x, content(media=(photo,)))
    assert isinstance(error, Rejected) and error.message.startswith("foto.png: the media file cannot be read")
    assert http.calls == 0


def test_images_and_video_together_are_refused_before_sending(x, mocked, tmp_path, http):
    error = outcome(x, content(media=(png(tmp_path, "a.png", "A"), video(tmp_path))))
    assert isinstance(error, Rejected)
    assert http.calls == 0


# --- the failure tables ------------------------------------------------------------------------------

DUPLICATE = {"detail": "You are not allowed to create a Tweet with duplicate content.", "type": "about:blank",
             "title": "Forbidden", "status": 403}
PERMISSIONS = {"title": "Forbidden", "status": 403,
               "detail": "Your client app is not configured with the appropriate oauth1 app permissions for this "
                         "endpoint.",
               "type": "https://api.twitter.com/2/problems/oauth1-permissions"}
NOT_PERMITTED = {"detail": "You are not permitted to perform this action.", "type": "about:blank",
                 "title": "Forbidden", "status": 403}
TOO_LONG = {"errors": [{"parameters": {"text": ["x" * 3]}, "message": "The `text` field is too long."}],
            "title": "Invalid Request", "detail": "One or more parameters to your request was invalid.",
            "type": "https://api.twitter.com/2/problems/invalid-request"}
LIMITED = {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}
UNAUTHORIZED = {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}


def reply(status: int, body: object = None, headers: dict | None = None) -> dict:
    text = body if isinstance(body, str) else json.dumps(body) if body is not None else ""
    return {"status": status, "body": text, "headers": headers or {}, "content_type": "application/json"}


TWEET_TABLE = [
    ("429", reply(429, LIMITED, {"x-rate-limit-reset": "{reset}"}), RateLimited,
     "X is limiting requests (HTTP 429): Too Many Requests"),
    ("429-garbage-reset", reply(429, LIMITED, {"x-rate-limit-reset": "soon"}), RateLimited,
     "X is limiting requests (HTTP 429): Too Many Requests"),
    ("401", reply(401, UNAUTHORIZED), AuthExpired,
     "X refused the credentials (HTTP 401): Unauthorized; generate new tokens for the channel"),
    ("403-duplicate", reply(403, DUPLICATE), OutcomeUnknown, "X says duplicate: it probably went out"),
    ("403-code-187", reply(403, {"errors": [{"code": 187, "message": "Status is a duplicate."}]}), OutcomeUnknown,
     "X says duplicate: it probably went out"),
    ("403-read-only-app", reply(403, PERMISSIONS), AuthExpired,
     "X does not let this app post (HTTP 403): Your client app is not configured with the appropriate oauth1 "
     "app permissions for this endpoint."),
    ("403", reply(403, NOT_PERMITTED), Rejected,
     "X refused the post (HTTP 403): You are not permitted to perform this action."),
    ("400", reply(400, TOO_LONG), Rejected,
     "X rejected the request (HTTP 400): One or more parameters to your request was invalid. "
     "The `text` field is too long."),
    ("500", reply(500, "Internal Server Error"), OutcomeUnknown,
     "X failed (HTTP 500): Internal Server Error; the post may exist"),
    ("503-json-list", reply(503, "[]"), OutcomeUnknown, "X failed (HTTP 503): []; the post may exist"),
    ("200-empty", reply(200, ""), OutcomeUnknown, "X answered HTTP 200 with no readable body; the post may exist"),
    ("201-garbage", reply(201, "<html>ok</html>"), OutcomeUnknown,
     "X answered HTTP 201 with no readable body; the post may exist"),
    ("201-no-id", reply(201, {"data": {}}), OutcomeUnknown,
     "X accepted the post but its answer carried no post id; check the account"),
    ("201-list", reply(201, "[1]"), OutcomeUnknown, "X answered HTTP 201 with no readable body; the post may exist"),
    ("302", reply(302, "", {"Location": "https://x.com/"}), Rejected, "X answered with a redirect (HTTP 302)"),
    ("refused", "refused", Retryable, "could not connect to X (ConnectionError); nothing was sent"),
    ("connect-timeout", "connect-timeout", Retryable, "could not connect to X (ConnectTimeout); nothing was sent"),
    ("read-timeout", "read-timeout", OutcomeUnknown, "X did not answer within 30 s (ReadTimeout); the post may exist"),
    ("aborted", "aborted", OutcomeUnknown, "the connection to X broke (ConnectionError); the post may exist"),
]


def add(mocked, method: str, url: str, behaviour, wire) -> None:
    if isinstance(behaviour, str):
        mocked.add(method, url, body=wire[behaviour])
        return
    behaviour = dict(behaviour, headers={k: v.replace("{reset}", str(int(time.time()) + 90))
                                         for k, v in behaviour["headers"].items()})
    mocked.add(method, url, **behaviour)


@pytest.mark.parametrize(("name", "behaviour", "expected", "message"), TWEET_TABLE, ids=[r[0] for r in TWEET_TABLE])
def test_creating_the_post_fails(x, mocked, wire, name, behaviour, expected, message):
    add(mocked, responses.POST, TWEETS_URL, behaviour, wire)

    error = outcome(x)

    assert type(error) is expected
    assert error.message == message
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)
    if name == "429":
        assert 85 <= error.retry_after <= 90
    if name == "429-garbage-reset":
        assert error.retry_after is None
    if not isinstance(behaviour, str) and behaviour["status"] >= 400:
        assert error.status == behaviour["status"]


MEDIA_TABLE = [
    ("500", reply(500, "Internal Server Error"), Retryable, "X failed (HTTP 500): Internal Server Error"),
    ("503", reply(503, {"title": "Service Unavailable", "detail": "Service Unavailable"}), Retryable,
     "X failed (HTTP 503): Service Unavailable"),
    ("429", reply(429, LIMITED, {"x-rate-limit-reset": "{reset}"}), RateLimited,
     "X is limiting requests (HTTP 429): Too Many Requests"),
    ("401", reply(401, UNAUTHORIZED), AuthExpired,
     "X refused the credentials (HTTP 401): Unauthorized; generate new tokens for the channel"),
    ("400", reply(400, {"errors": [{"message": "media type unrecognized."}], "title": "Invalid Request"}), Rejected,
     "X rejected the request (HTTP 400): media type unrecognized."),
    ("403-duplicate-is-no-post", reply(403, DUPLICATE), Rejected,
     "X refused the post (HTTP 403): You are not allowed to create a Tweet with duplicate content."),
    ("200-empty", reply(200, ""), Retryable, "X's answer to the image upload carried no media id; nothing was published"),
    ("200-garbage", reply(200, "<html/>"), Retryable,
     "X's answer to the image upload carried no media id; nothing was published"),
    ("refused", "refused", Retryable, "could not connect to X (ConnectionError); nothing was sent"),
    ("connect-timeout", "connect-timeout", Retryable, "could not connect to X (ConnectTimeout); nothing was sent"),
    ("read-timeout", "read-timeout", Retryable, "X did not answer within 30 s (ReadTimeout); nothing was published"),
    ("aborted", "aborted", Retryable, "the connection to X broke (ConnectionError); nothing was published"),
]


@pytest.mark.parametrize(("name", "behaviour", "expected", "message"), MEDIA_TABLE, ids=[r[0] for r in MEDIA_TABLE])
def test_uploading_an_image_fails_before_anything_is_public(x, mocked, wire, tmp_path, name, behaviour, expected,
                                                            message):
    add(mocked, responses.POST, UPLOAD_URL, behaviour, wire)

    error = outcome(x, content(media=(png(tmp_path, "foto.png", "Опис"),)))

    assert type(error) is expected
    assert error.message == message
    assert [c.request.url for c in mocked.calls] == [UPLOAD_URL]  # the post was never attempted


def test_alt_text_refused(x, mocked, tmp_path):
    mocked.add(responses.POST, UPLOAD_URL, json={"data": {"id": "42"}})
    mocked.add(responses.POST, METADATA_URL, status=400,
               json={"errors": [{"message": "Alt text exceeds the maximum length."}]})
    error = outcome(x, content(media=(png(tmp_path, "foto.png", "Опис"),)))
    assert type(error) is Rejected
    assert error.message == "X rejected the request (HTTP 400): Alt text exceeds the maximum length."


@pytest.mark.parametrize("stage", ["INIT", "APPEND", "FINALIZE", "STATUS"])
def test_a_video_upload_failing_at_any_step_is_retryable(x, mocked, tmp_path, stage):
    steps = ["INIT", "APPEND", "FINALIZE", "STATUS"]
    good = {
        "INIT": {"json": {"data": {"id": "77"}}},
        "APPEND": {"body": ""},
        "FINALIZE": {"json": {"data": {"id": "77", "processing_info": {"state": "pending", "check_after_secs": 1}}}},
    }
    for step in steps[: steps.index(stage)]:
        mocked.add(responses.POST, UPLOAD_URL, **good[step])
    mocked.add(responses.GET if stage == "STATUS" else responses.POST, UPLOAD_URL, status=503, body="busy")

    error = outcome(x, content(media=(video(tmp_path),)))

    assert type(error) is Retryable and error.message == "X failed (HTTP 503): busy"


def test_secrets_never_reach_errors(x, mocked, wire, tmp_path):
    errors = []
    for behaviour in [reply(401, UNAUTHORIZED), reply(500, "oops"), "read-timeout", "refused", reply(403, DUPLICATE)]:
        add(mocked, responses.POST, TWEETS_URL, behaviour, wire)
        errors.append(outcome(x))
    assert repr(x) == "<X 'X'>"
    for error in errors:
        assert isinstance(error, ChannelError)
        for text in (str(error), repr(error), error.message, error.body or ""):
            for secret in (*SECRETS, CONSUMER_KEY, ACCESS_TOKEN):
                assert secret not in text


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"x-rate-limit-reset": "1090"}, 90.0),
        ({"x-rate-limit-reset": "900"}, 0.0),  # already past
        ({}, None),
        ({"x-rate-limit-reset": "-5"}, None),
        ({"x-rate-limit-reset": "1090", "x-user-limit-24hour-remaining": "0", "x-user-limit-24hour-reset": "50000"},
         49000.0),
        ({"x-rate-limit-reset": "1090", "x-app-limit-24hour-remaining": "0", "x-app-limit-24hour-reset": "20000"},
         19000.0),
        # A daily cap that is not exhausted does not decide the wait.
        ({"x-rate-limit-reset": "1090", "x-user-limit-24hour-remaining": "3", "x-user-limit-24hour-reset": "50000"},
         90.0),
    ],
)
def test_rate_limit_wait(headers, wait):
    assert rate_limit_wait(headers, now=1000.0) == wait


# --- find and check ----------------------------------------------------------------------------------


def test_find_cannot_tell(x, mocked):
    with pytest.raises(OutcomeUnknown, match="X cannot be searched by our key"):
        x.find(KEY)
    assert len(mocked.calls) == 0
    assert not X.capabilities().idempotent


ME = {"data": {"id": "2244994945", "name": "Министарство привреде", "username": "MinPrivredeRS"}}


@pytest.mark.parametrize(
    ("behaviour", "outcome", "message"),
    [
        (dict(reply(200, ME), headers={"x-access-level": "read-write"}), "ok", "signed in as @MinPrivredeRS"),
        (reply(200, ME), "ok", "signed in as @MinPrivredeRS"),
        (dict(reply(200, ME), headers={"x-access-level": "read"}), "refused",
         "signed in as @MinPrivredeRS, but the token can only read (read); give the app Read and write permission "
         "and generate the access token again"),
        (reply(401, UNAUTHORIZED), "refused",
         "X refused the credentials (HTTP 401): Unauthorized; generate new tokens for the channel"),
        (reply(429, LIMITED), "unchecked", "X is limiting requests (HTTP 429): Too Many Requests"),
        ("refused", "unchecked", "could not connect to X (ConnectionError); nothing was sent"),
    ],
)
def test_check(x, mocked, wire, behaviour, outcome, message):
    add(mocked, responses.GET, ME_URL, behaviour, wire)

    health = x.check()

    assert (health.outcome, health.message, health.expires_at) == (outcome, message, None)
    request = mocked.calls[0].request
    assert (request.method, request.url) == ("GET", "https://api.twitter.com/2/users/me")
    assert_signed(request)
    assert_timeout(request)


# --- validate ----------------------------------------------------------------------------------------


def test_valid_content_has_no_problems(x):
    # 280 Cyrillic letters, or 257 and a link of any length, fit.
    assert x.validate(content(text="ж" * 280)) == []
    assert x.validate(content(text="ж" * 256 + " https://www.privreda.gov.rs/" + "a" * 200)) == []
    images = tuple(fake(f"f{n}.jpg", "image/jpeg") for n in range(4))
    assert x.validate(content(media=images)) == []
    assert x.validate(content(text="", media=(fake("v.mp4", "video/mp4", alt_text=""),))) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"text": "ж" * 281}, [Problem("X", "281 of 280 characters", "body")]),
        ({"text": "漢" * 141}, [Problem("X", "282 of 280 characters", "body")]),
        ({"text": " "}, [Problem("X", "the text is empty", "body")]),
        (
            {"media": tuple(fake(f"f{n}.png", "image/png") for n in range(5))},
            [Problem("X", "5 images, at most 4 allowed", "media")],
        ),
        (
            {"media": (fake("a.mp4", "video/mp4"), fake("b.mp4", "video/mp4"))},
            [Problem("X", "2 videos, at most 1 allowed", "media")],
        ),
        (
            {"media": (fake("a.png", "image/png"), fake("b.mp4", "video/mp4"))},
            [Problem("X", "a post takes up to 4 images or one video, not both", "media")],
        ),
        ({"media": (fake("a.png", "image/png", alt_text=" "),)}, [Problem("X", "a.png: an image needs alt text", "media")]),
        (
            {"media": (fake("a.png", "image/png", alt_text="о" * 1001),)},
            [Problem("X", "a.png: alt text 1001 of 1000 characters", "media")],
        ),
        (
            {"media": (fake("a.png", "image/png", size=5 * 1024 * 1024 + 1),)},
            [Problem("X", "a.png: 5242881 bytes, at most 5242880 allowed for an image", "media")],
        ),
        (
            {"media": (fake("a.mp4", "video/mp4", size=512 * 1024 * 1024 + 1),)},
            [Problem("X", "a.mp4: 536870913 bytes, at most 536870912 allowed", "media")],
        ),
        ({"media": (fake("a.gif", "image/gif"),)}, [Problem("X", "a.gif: image/gif files are not accepted", "media")]),
        (
            {"text": "ж" * 281, "media": (fake("a.pdf", "application/pdf"),)},
            [
                Problem("X", "281 of 280 characters", "body"),
                Problem("X", "a.pdf: application/pdf files are not accepted", "media"),
            ],
        ),
    ],
)
def test_validate(x, changes, expected):
    assert x.validate(content(**changes)) == expected


# --- configuration -----------------------------------------------------------------------------------


def test_registered_and_example_settings_construct():
    assert registry.adapter_class("x") is X
    assert registry.kinds()["x"].label == "X"
    adapter = X(*X.split_settings(X.example_settings))
    assert adapter.capabilities().text_counting == "x-weighted"
    assert {f.name for f in X.config_fields if f.secret} == set(CREDENTIALS)


@pytest.mark.parametrize(
    ("credentials", "config", "message"),
    [
        ({**CREDENTIALS, "access_token": ""}, {}, "x: missing required setting(s): access_token"),
        ({**CREDENTIALS, "consumer_secret": "has a space"}, {}, "x: consumer_secret must be the text X shows"),
        ({**CREDENTIALS, "access_token_secret": 12345}, {}, "x: access_token_secret must be the text X shows"),
        (CREDENTIALS, {"timeout": 0}, "x: timeout must be a number of seconds from 1 to 120"),
        (CREDENTIALS, {"timeout": "soon"}, "x: timeout must be a number of seconds from 1 to 120"),
        (CREDENTIALS, {"timeout": True}, "x: timeout must be a number of seconds from 1 to 120"),
        (CREDENTIALS, {"bearer_token": "b"}, "x: unknown setting(s): bearer_token"),
    ],
)
def test_bad_settings_are_refused(credentials, config, message):
    with pytest.raises(ChannelConfigError) as caught:
        X(config, credentials)
    assert message in caught.value.message
    assert "has a space" not in caught.value.message


def test_a_secret_given_as_plain_config_is_refused():
    with pytest.raises(ChannelConfigError, match="must be given as a credential"):
        X({"consumer_secret": CONSUMER_SECRET}, {k: v for k, v in CREDENTIALS.items() if k != "consumer_secret"})
