"""The Facebook page adapter on the wire, through `responses` (nothing leaves this machine).

The requests asserted here are the ones facebook-sdk 3.1.0 and the adapter really send: method, host,
version, path, query, form fields or multipart parts in order, and the timeout handed to the transport.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import responses
from PIL import Image
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
from channels.facebook import FacebookPage, usage_wait
from tests.support.multipart import parse_multipart
from tests.support.wire_failures import capture_wire_failures

PAGE_ID = "104123456789012"
TOKEN = "EAAGm0PX4ZCpsBATestPageTokenNeverShownZBZCxyz0123456789"
APP_ID = "1234567890123456"
APP_SECRET = "0123456789abcdef0123456789abcdef"
PROOF = hmac.new(APP_SECRET.encode(), TOKEN.encode(), hashlib.sha256).hexdigest()
KEY = "p7-c4-0123456789abcdef"
TITLE = "Саопштење за јавност"
TEXT = "Министарство привреде објављује нови програм подршке. Ćirilica i latinica: čšžđ."
GRAPH = f"https://graph.facebook.com/v21.0/{PAGE_ID}"
FEED = f"{GRAPH}/feed"
PHOTOS = f"{GRAPH}/photos"
VIDEOS = f"https://graph-video.facebook.com/v21.0/{PAGE_ID}/videos"
DEBUG = "https://graph.facebook.com/v21.0/debug_token"
POST_ID = f"{PAGE_ID}_987654321098765"
POST_URL = f"https://www.facebook.com/{PAGE_ID}/posts/987654321098765"


class CountingSession(requests.Session):
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
def page(http):
    return FacebookPage({"page_id": PAGE_ID}, {"page_access_token": TOKEN}, session=http, name="Facebook")


@pytest.fixture
def page_with_app(http):
    return FacebookPage({"page_id": PAGE_ID, "app_id": APP_ID}, {"page_access_token": TOKEN, "app_secret": APP_SECRET},
                        session=http, name="Facebook")


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


def mp4(tmp_path: Path) -> MediaItem:
    path = tmp_path / "snimak.mp4"
    data = b"\x00\x00\x00\x18ftypmp42 a tiny stand-in video"
    path.write_bytes(data)
    return MediaItem(path, "video/mp4", hashlib.sha256(data).hexdigest(), len(data), "", "snimak.mp4")


def fake(name: str, content_type: str, *, size: int = 100, alt_text: str = "opis") -> MediaItem:
    return MediaItem(Path("/nonexistent") / name, content_type, "ab" * 32, size, alt_text, name)


def content(**changes) -> Content:
    return Content(**{"post_id": 7, "title": TITLE, "text": TEXT, "language": "sr-Cyrl", **changes})


def outcome(adapter: FacebookPage, post: Content | None = None) -> Published | ChannelError:
    try:
        return adapter.publish(post or content(), key=KEY)
    except ChannelError as exc:
        return exc


def form(request) -> dict[str, str]:
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    pairs = parse_qsl(request.body, keep_blank_values=True)
    assert len(pairs) == len(dict(pairs))
    return dict(pairs)


def parts(request) -> list[tuple[str, str | None, str | None, bytes]]:
    return [(p.name, p.filename, p.content_type, p.data)
            for p in parse_multipart(request.headers["Content-Type"], request.body)]


def query(request) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(request.url).query))


def assert_sent_well(request, read: float = 30.0) -> None:
    assert request.req_kwargs["timeout"] == (5.0, read)
    assert request.headers["User-Agent"] == "publisher/0.1"
    if request.method == "POST":
        assert TOKEN not in request.url  # the token travels in the body, never in the address


# --- the requests ------------------------------------------------------------------------------------


def test_a_text_post(page, mocked, http):
    mocked.add(responses.POST, FEED, json={"id": POST_ID})

    assert page.publish(content(), key=KEY) == Published(POST_ID, POST_URL)

    (call,) = mocked.calls
    request = call.request
    assert (request.method, request.url) == ("POST", FEED)
    assert form(request) == {"message": TEXT, "access_token": TOKEN}
    assert_sent_well(request)
    assert http.calls == 1


def test_appsecret_proof_goes_with_every_call(page_with_app, mocked):
    mocked.add(responses.POST, FEED, json={"id": POST_ID})
    page_with_app.publish(content(), key=KEY)
    assert form(mocked.calls[0].request) == {"message": TEXT, "appsecret_proof": PROOF, "access_token": TOKEN}


def test_the_graph_version_and_timeout_are_configurable(http, mocked):
    adapter = FacebookPage({"page_id": PAGE_ID, "graph_version": "v23.0", "timeout": "60"},
                           {"page_access_token": TOKEN}, session=http)
    mocked.add(responses.POST, f"https://graph.facebook.com/v23.0/{PAGE_ID}/feed", json={"id": POST_ID})
    adapter.publish(content(), key=KEY)
    assert_sent_well(mocked.calls[0].request, read=60.0)


def test_one_photo_with_caption_and_alt_text(page, mocked, tmp_path):
    photo = png(tmp_path, "ministar.png", "Министар на конференцији за медије")
    mocked.add(responses.POST, PHOTOS, json={"id": "555000111", "post_id": POST_ID})

    assert page.publish(content(media=(photo,)), key=KEY) == Published(POST_ID, POST_URL)

    (call,) = mocked.calls
    request = call.request
    assert (request.method, request.url) == ("POST", PHOTOS)
    assert parts(request) == [
        ("caption", None, None, TEXT.encode()),
        ("alt_text_custom", None, None, "Министар на конференцији за медије".encode()),
        ("access_token", None, None, TOKEN.encode()),
        ("source", "ministar.png", "image/png", photo.read()),
    ]
    assert_sent_well(request)


def test_several_photos_go_up_unpublished_then_into_one_post(page_with_app, mocked, tmp_path, http):
    photos = [png(tmp_path, f"foto{n}.png", f"Опис {n}", color=(n * 40, 10, 10)) for n in range(3)]
    for n in range(3):
        mocked.add(responses.POST, PHOTOS, json={"id": f"55500011{n}"})
    mocked.add(responses.POST, FEED, json={"id": POST_ID})

    assert page_with_app.publish(content(media=tuple(photos)), key=KEY) == Published(POST_ID, POST_URL)

    *uploads, post = (c.request for c in mocked.calls)
    for n, (request, photo) in enumerate(zip(uploads, photos, strict=True)):
        assert (request.method, request.url) == ("POST", PHOTOS)
        assert parts(request) == [
            ("published", None, None, b"false"),
            ("alt_text_custom", None, None, f"Опис {n}".encode()),
            ("appsecret_proof", None, None, PROOF.encode()),
            ("access_token", None, None, TOKEN.encode()),
            ("source", f"foto{n}.png", "image/png", photo.read()),
        ]
        assert_sent_well(request)
    assert (post.method, post.url) == ("POST", FEED)
    assert form(post) == {
        "message": TEXT,
        "attached_media[0]": '{"media_fbid":"555000110"}',
        "attached_media[1]": '{"media_fbid":"555000111"}',
        "attached_media[2]": '{"media_fbid":"555000112"}',
        "appsecret_proof": PROOF,
        "access_token": TOKEN,
    }
    assert http.calls == 4


def test_a_video_through_the_graph_video_host(page, mocked, tmp_path):
    clip = mp4(tmp_path)
    mocked.add(responses.POST, VIDEOS, json={"id": "777000123"})

    published = page.publish(content(media=(clip,)), key=KEY)

    assert published == Published("777000123", f"https://www.facebook.com/{PAGE_ID}/videos/777000123")
    (call,) = mocked.calls
    request = call.request
    assert (request.method, request.url) == ("POST", VIDEOS)
    assert parts(request) == [
        ("title", None, None, TITLE.encode()),
        ("description", None, None, TEXT.encode()),
        ("access_token", None, None, TOKEN.encode()),
        ("source", "snimak.mp4", "video/mp4", clip.read()),
    ]
    assert_sent_well(request)


def test_an_answer_labelled_javascript_or_unlabelled_still_counts(page, mocked):
    # Older Graph answers came as text/javascript, which facebook-sdk 3.1.0 refuses to read, and an
    # answer without a Content-Type makes it raise KeyError: the answer itself decides.
    mocked.add(responses.POST, FEED, body=json.dumps({"id": POST_ID}), content_type="text/javascript; charset=UTF-8")
    mocked.add(responses.POST, FEED, body=json.dumps({"id": POST_ID}), content_type=None)
    assert page.publish(content(), key=KEY).remote_id == POST_ID
    assert page.publish(content(), key=KEY).remote_id == POST_ID


# --- before anything is sent -------------------------------------------------------------------------


def test_a_changed_photo_is_never_sent(page, mocked, tmp_path, http):
    photo = png(tmp_path, "foto.png", "Опис")
    photo.path.write_bytes(photo.read() + b"x")
    error = outcome(page, content(media=(photo,)))
    assert isinstance(error, Rejected) and error.message == "foto.png: the media file changed since it was approved"
    assert http.calls == 0


def test_one_changed_photo_of_several_stops_all_before_sending(page, mocked, tmp_path, http):
    photos = [png(tmp_path, f"f{n}.png", "Опис", color=(n, n, n)) for n in range(3)]
    photos[2].path.unlink()
    error = outcome(page, content(media=tuple(photos)))
    assert isinstance(error, Rejected) and error.message.startswith("f2.png: the media file cannot be read")
    assert http.calls == 0


def test_photos_and_video_together_are_refused_before_sending(page, mocked, tmp_path, http):
    error = outcome(page, content(media=(png(tmp_path, "a.png", "A"), mp4(tmp_path))))
    assert isinstance(error, Rejected)
    assert http.calls == 0


# --- the failure tables ------------------------------------------------------------------------------


def graph_error(code: int, message: str, *, subcode: int | None = None, status: int = 400, **extra) -> dict:
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEf123", **extra}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"status": status, "body": json.dumps({"error": error}), "content_type": "application/json"}


def reply(status: int, body: str, content_type: str = "application/json", headers: dict | None = None) -> dict:
    return {"status": status, "body": body, "content_type": content_type, "headers": headers or {}}


EXPIRED = "Error validating access token: Session has expired on Friday, 07-Mar-25 08:00:00 PST."
BUC = json.dumps({PAGE_ID: [{"type": "pages", "call_count": 100, "total_cputime": 5, "total_time": 5,
                             "estimated_time_to_regain_access": 15}]})
APP_USAGE = json.dumps({"call_count": 100, "total_cputime": 10, "total_time": 20})
SPAM = graph_error(368, "It looks like you were misusing this feature by going too fast.", subcode=1390008,
                   error_user_title="You Can't Use This Feature Right Now",
                   error_user_msg="You've been temporarily blocked from using it.")
PERMISSION = ("(#200) If posting to a page, requires both pages_read_engagement and pages_manage_posts as an admin "
              "with sufficient administrative permission")

PUBLISH_TABLE = [
    ("190-expired", graph_error(190, EXPIRED, subcode=463), AuthExpired,
     f"Facebook refused the page token (code 190, subcode 463): {EXPIRED}; generate a new page access token"),
    ("190-password", graph_error(190, "Error validating access token: The session has been invalidated because "
                                      "the user changed their password.", subcode=460), AuthExpired,
     "Facebook refused the page token (code 190, subcode 460): Error validating access token: The session has "
     "been invalidated because the user changed their password.; generate a new page access token"),
    ("4-app-limit", dict(graph_error(4, "(#4) Application request limit reached", is_transient=True),
                         headers={"x-app-usage": APP_USAGE, "x-business-use-case-usage": BUC}),
     RateLimited, "Facebook is limiting requests (code 4): (#4) Application request limit reached"),
    ("17-user-limit", graph_error(17, "(#17) User request limit reached"), RateLimited,
     "Facebook is limiting requests (code 17): (#17) User request limit reached"),
    ("32-page-limit", graph_error(32, "(#32) Page request limit reached"), RateLimited,
     "Facebook is limiting requests (code 32): (#32) Page request limit reached"),
    ("613", graph_error(613, "Calls to this api have exceeded the rate limit."), RateLimited,
     "Facebook is limiting requests (code 613): Calls to this api have exceeded the rate limit."),
    ("80001-buc", graph_error(80001, "There have been too many calls to this Page account."), RateLimited,
     "Facebook is limiting requests (code 80001): There have been too many calls to this Page account."),
    ("429-plain", reply(429, "Too Many Requests", "text/plain", {"Retry-After": "120"}), RateLimited,
     "Facebook is limiting requests (HTTP 429): Too Many Requests"),
    ("506-duplicate", graph_error(506, "Duplicate status message"), OutcomeUnknown,
     "Facebook says duplicate: it probably went out"),
    ("1-unknown", graph_error(1, "An unknown error has occurred.", status=500, is_transient=True), OutcomeUnknown,
     "Facebook failed (code 1): An unknown error has occurred.; the post may exist"),
    ("2-service", graph_error(2, "Service temporarily unavailable", status=503, is_transient=True), OutcomeUnknown,
     "Facebook failed (code 2): Service temporarily unavailable; the post may exist"),
    ("502-html", reply(502, "<html><body>Bad Gateway</body></html>", "text/html"), OutcomeUnknown,
     "Facebook answered HTTP 502 without a usable result: <html><body>Bad Gateway</body></html>; the post may exist"),
    ("368-spam", SPAM, Rejected,
     "Facebook refused the post (code 368, subcode 1390008): It looks like you were misusing this feature by going "
     "too fast. You Can't Use This Feature Right Now You've been temporarily blocked from using it."),
    ("100-invalid", graph_error(100, "(#100) Invalid parameter"), Rejected,
     "Facebook refused the post (code 100): (#100) Invalid parameter"),
    ("200-permission", graph_error(200, PERMISSION, status=403), Rejected,
     f"Facebook refused the post (code 200): {PERMISSION}"),
    ("200-empty", reply(200, ""), OutcomeUnknown,
     "Facebook answered HTTP 200 without a usable result; the post may exist"),
    ("200-garbage", reply(200, "{not json"), OutcomeUnknown,
     "Facebook answered HTTP 200 without a usable result: {not json; the post may exist"),
    ("200-list", reply(200, "[]"), OutcomeUnknown,
     "Facebook answered HTTP 200 without a usable result: []; the post may exist"),
    ("200-no-id", reply(200, '{"success":true}'), OutcomeUnknown,
     "Facebook accepted the post but its answer carried no post id; check the page"),
    ("302", reply(302, "", "text/html", {"Location": "https://www.facebook.com/"}), Rejected,
     "Facebook answered with a redirect (HTTP 302)"),
    ("refused", "refused", Retryable, "could not connect to Facebook (ConnectionError); nothing was sent"),
    ("connect-timeout", "connect-timeout", Retryable,
     "could not connect to Facebook (ConnectTimeout); nothing was sent"),
    ("read-timeout", "read-timeout", OutcomeUnknown,
     "Facebook did not answer within 30 s (ReadTimeout); the post may exist"),
    ("aborted", "aborted", OutcomeUnknown, "the connection to Facebook broke (ConnectionError); the post may exist"),
]


def add(mocked, method: str, url: str, behaviour, wire) -> None:
    if isinstance(behaviour, str):
        mocked.add(method, url, body=wire[behaviour])
    else:
        mocked.add(method, url, **behaviour)


def check_error(error, expected, message) -> None:
    assert type(error) is expected, error
    assert error.message == message
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)
    for text in (str(error), repr(error), error.message, error.body or ""):
        assert TOKEN not in text and APP_SECRET not in text


@pytest.mark.parametrize(("name", "behaviour", "expected", "message"), PUBLISH_TABLE,
                         ids=[r[0] for r in PUBLISH_TABLE])
def test_a_feed_post_fails(page, mocked, wire, name, behaviour, expected, message):
    add(mocked, responses.POST, FEED, behaviour, wire)

    error = outcome(page)

    check_error(error, expected, message)
    if name == "4-app-limit":
        assert error.retry_after == 15 * 60.0
    if name == "429-plain":
        assert error.retry_after == 120.0
    if name == "17-user-limit":
        assert error.retry_after is None


@pytest.mark.parametrize(("name", "behaviour", "expected", "message"),
                         [r for r in PUBLISH_TABLE if r[0] in ("190-expired", "1-unknown", "506-duplicate",
                                                               "read-timeout", "200-empty", "368-spam")],
                         ids=lambda v: v if isinstance(v, str) and len(v) < 20 else "")
def test_a_single_photo_post_fails_the_same_way(page, mocked, wire, tmp_path, name, behaviour, expected, message):
    add(mocked, responses.POST, PHOTOS, behaviour, wire)
    check_error(outcome(page, content(media=(png(tmp_path, "f.png", "Опис"),))), expected, message)


UPLOAD_TABLE = [
    ("1-unknown", graph_error(1, "An unknown error has occurred.", status=500, is_transient=True), Retryable,
     "Facebook failed (code 1): An unknown error has occurred."),
    ("500-html", reply(500, "<html>Internal Error</html>", "text/html"), Retryable,
     "Facebook answered HTTP 500 without a usable result: <html>Internal Error</html>"),
    ("200-empty", reply(200, ""), Retryable, "Facebook answered HTTP 200 without a usable result"),
    ("200-no-id", reply(200, "{}"), Retryable,
     "Facebook's answer to a photo upload carried no photo id; nothing was published"),
    ("190", graph_error(190, EXPIRED, subcode=463), AuthExpired,
     f"Facebook refused the page token (code 190, subcode 463): {EXPIRED}; generate a new page access token"),
    ("4", graph_error(4, "(#4) Application request limit reached"), RateLimited,
     "Facebook is limiting requests (code 4): (#4) Application request limit reached"),
    ("324-bad-image", graph_error(324, "(#324) Requires upload file"), Rejected,
     "Facebook refused the post (code 324): (#324) Requires upload file"),
    ("read-timeout", "read-timeout", Retryable,
     "Facebook did not answer within 30 s (ReadTimeout); nothing was published"),
    ("aborted", "aborted", Retryable, "the connection to Facebook broke (ConnectionError); nothing was published"),
    ("refused", "refused", Retryable, "could not connect to Facebook (ConnectionError); nothing was sent"),
]


@pytest.mark.parametrize(("name", "behaviour", "expected", "message"), UPLOAD_TABLE, ids=[r[0] for r in UPLOAD_TABLE])
def test_an_unpublished_photo_upload_fails_before_anything_is_public(page, mocked, wire, tmp_path, name, behaviour,
                                                                      expected, message):
    mocked.add(responses.POST, PHOTOS, json={"id": "555000110"})
    add(mocked, responses.POST, PHOTOS, behaviour, wire)

    photos = tuple(png(tmp_path, f"f{n}.png", "Опис", color=(n, 0, 0)) for n in range(3))
    check_error(outcome(page, content(media=photos)), expected, message)
    assert FEED not in [c.request.url for c in mocked.calls]  # the post was never attempted


VIDEO_TABLE = [
    ("1-unknown", graph_error(1, "An unknown error has occurred.", status=500, is_transient=True), OutcomeUnknown,
     "Facebook failed (code 1): An unknown error has occurred.; the post may exist"),
    ("6000-bad-video", graph_error(6000, "There was a problem uploading your video file. Please try again."),
     Rejected, "Facebook refused the post (code 6000): There was a problem uploading your video file. Please try "
               "again."),
    ("200-no-id", reply(200, "{}"), OutcomeUnknown,
     "Facebook accepted the video but its answer carried no video id; check the page"),
    ("read-timeout", "read-timeout", OutcomeUnknown,
     "Facebook did not answer within 30 s (ReadTimeout); the post may exist"),
    ("refused", "refused", Retryable, "could not connect to Facebook (ConnectionError); nothing was sent"),
]


@pytest.mark.parametrize(("name", "behaviour", "expected", "message"), VIDEO_TABLE, ids=[r[0] for r in VIDEO_TABLE])
def test_a_video_upload_fails(page, mocked, wire, tmp_path, name, behaviour, expected, message):
    add(mocked, responses.POST, VIDEOS, behaviour, wire)
    check_error(outcome(page, content(media=(mp4(tmp_path),))), expected, message)


def test_a_token_echoed_by_facebook_is_scrubbed(page, mocked):
    mocked.add(responses.POST, FEED, **graph_error(100, f"Invalid token {TOKEN} given; access_token={TOKEN}x"))
    error = outcome(page)
    check_error(error, Rejected, "Facebook refused the post (code 100): Invalid token *** given; access_token=***")
    assert repr(page) == f"<FacebookPage 'Facebook' page={PAGE_ID}>"


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"x-business-use-case-usage": BUC}, 900.0),
        ({"x-app-usage": APP_USAGE}, None),
        ({"x-page-usage": json.dumps({"call_count": 100, "estimated_time_to_regain_access": 3})}, 180.0),
        ({"x-business-use-case-usage": json.dumps({PAGE_ID: [{"estimated_time_to_regain_access": 0}]})}, None),
        ({"x-business-use-case-usage": "not json", "Retry-After": "30"}, 30.0),
        ({}, None),
    ],
)
def test_usage_wait(headers, wait):
    assert usage_wait(headers) == wait


# --- find and check ----------------------------------------------------------------------------------


def test_find_cannot_tell(page, mocked):
    with pytest.raises(OutcomeUnknown, match="Facebook cannot be searched by our key"):
        page.find(KEY)
    assert len(mocked.calls) == 0
    assert not FacebookPage.capabilities().idempotent


def test_check_without_app_credentials(page, mocked):
    mocked.add(responses.GET, GRAPH, json={"id": PAGE_ID, "name": "Министарство привреде"})

    health = page.check()

    assert (health.ok, health.expires_at) == (True, None)
    assert health.message == ('the token can read the page "Министарство привреде"; give app_id and app_secret to '
                              "see when it expires")
    request = mocked.calls[0].request
    assert (request.method, urlsplit(request.url).path) == ("GET", f"/v21.0/{PAGE_ID}")
    assert query(request) == {"fields": "id,name", "access_token": TOKEN}
    assert_sent_well(request)


def debug(**data) -> dict:
    return {"json": {"data": {"app_id": APP_ID, "type": "PAGE", "application": "Publisher", "is_valid": True,
                              "profile_id": PAGE_ID, "expires_at": 0, "data_access_expires_at": 1767225600,
                              "scopes": ["pages_show_list", "pages_read_engagement", "pages_manage_posts"],
                              **data}}}


@pytest.mark.parametrize(
    ("answer", "outcome", "message", "expires_at"),
    [
        (debug(data_access_expires_at=0), "ok", 'page "Министарство привреде"; the token does not expire', None),
        # A page token that never expires still stops when its data access does (about 90 days after the
        # person who made it last used the app): that is the date the check reports.
        (debug(), "ok", 'page "Министарство привреде"; the token expires 2026-01-01 00:00 UTC',
         datetime(2026, 1, 1, tzinfo=UTC)),
        (debug(expires_at=1764547200), "ok", 'page "Министарство привреде"; the token expires 2025-12-01 00:00 UTC',
         datetime(2025, 12, 1, tzinfo=UTC)),
        (debug(is_valid=False, expires_at=1764547200, data_access_expires_at=0,
               error={"code": 190, "subcode": 463, "message": "Session has expired"}), "refused",
         "Facebook says the page token is not valid: Session has expired", datetime(2025, 12, 1, tzinfo=UTC)),
        (debug(scopes=["pages_show_list", "pages_read_engagement"]), "refused",
         'page "Министарство привреде"; the token lacks pages_manage_posts', datetime(2026, 1, 1, tzinfo=UTC)),
        (debug(profile_id="999"), "refused", "the token belongs to another page (999)",
         datetime(2026, 1, 1, tzinfo=UTC)),
        ({"json": {}}, "unchecked", 'page "Министарство привреде"; Facebook\'s token check gave no answer', None),
        (graph_error(190, "Invalid OAuth access token signature."), "refused",
         'page "Министарство привреде"; the token check failed: Facebook refused app_id/app_secret (code 190): '
         "Invalid OAuth access token signature.", None),
    ],
)
def test_check_with_app_credentials(page_with_app, mocked, answer, outcome, message, expires_at):
    mocked.add(responses.GET, GRAPH, json={"id": PAGE_ID, "name": "Министарство привреде"})
    mocked.add(responses.GET, DEBUG, **answer)

    health = page_with_app.check()

    assert (health.outcome, health.message, health.expires_at) == (outcome, message, expires_at)
    page_request, debug_request = (c.request for c in mocked.calls)
    assert query(page_request) == {"fields": "id,name", "appsecret_proof": PROOF, "access_token": TOKEN}
    assert (debug_request.method, urlsplit(debug_request.url).path) == ("GET", "/v21.0/debug_token")
    assert query(debug_request) == {"input_token": TOKEN, "access_token": f"{APP_ID}|{APP_SECRET}"}
    assert APP_SECRET not in health.message and TOKEN not in health.message


@pytest.mark.parametrize(
    ("behaviour", "outcome", "message"),
    [
        (graph_error(190, EXPIRED, subcode=463), "refused",
         f"Facebook refused the page token (code 190, subcode 463): {EXPIRED}; generate a new page access token"),
        (graph_error(100, "(#100) Object does not exist"), "refused", "Facebook refused the post (code 100): "
                                                                      "(#100) Object does not exist"),
        ("refused", "unchecked", "could not connect to Facebook (ConnectionError); nothing was sent"),
        ("read-timeout", "unchecked", "Facebook did not answer within 30 s (ReadTimeout)"),
    ],
)
def test_check_fails(page, mocked, wire, behaviour, outcome, message):
    add(mocked, responses.GET, GRAPH, behaviour, wire)
    health = page.check()
    assert (health.ok, health.outcome, health.message) == (False, outcome, message)
    assert TOKEN not in health.message


# --- validate ----------------------------------------------------------------------------------------


def test_valid_content_has_no_problems(page):
    assert page.validate(content(text="ж" * 63_206)) == []
    assert page.validate(content(media=tuple(fake(f"f{n}.jpg", "image/jpeg") for n in range(10)))) == []
    assert page.validate(content(text="", media=(fake("v.mp4", "video/mp4", alt_text=""),))) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"text": "ж" * 63_207}, [Problem("Facebook", "63207 of 63206 characters", "body")]),
        ({"text": "  "}, [Problem("Facebook", "the text is empty", "body")]),
        (
            {"media": tuple(fake(f"f{n}.jpg", "image/jpeg") for n in range(11))},
            [Problem("Facebook", "11 images, at most 10 allowed", "media")],
        ),
        (
            {"media": (fake("a.jpg", "image/jpeg"), fake("b.mp4", "video/mp4"))},
            [Problem("Facebook", "a post takes photos or one video, not both", "media")],
        ),
        (
            {"media": (fake("a.mp4", "video/mp4"), fake("b.mp4", "video/mp4"))},
            [Problem("Facebook", "2 videos, at most 1 allowed", "media")],
        ),
        ({"media": (fake("a.jpg", "image/jpeg", alt_text=""),)},
         [Problem("Facebook", "a.jpg: an image needs alt text", "media")]),
        (
            {"media": (fake("a.jpg", "image/jpeg", size=10_000_001),)},
            [Problem("Facebook", "a.jpg: 10000001 bytes, at most 10000000 allowed for a photo", "media")],
        ),
        (
            {"media": (fake("a.mp4", "video/mp4", size=256 * 1024 * 1024 + 1),)},
            [Problem("Facebook", "a.mp4: 268435457 bytes, at most 268435456 allowed", "media")],
        ),
        ({"media": (fake("a.tiff", "image/tiff"),)},
         [Problem("Facebook", "a.tiff: image/tiff files are not accepted", "media")]),
    ],
)
def test_validate(page, changes, expected):
    assert page.validate(content(**changes)) == expected


# --- configuration -----------------------------------------------------------------------------------


def test_registered_and_example_settings_construct():
    assert registry.adapter_class("facebook") is FacebookPage
    assert registry.kinds()["facebook"].label == "Facebook page"
    adapter = FacebookPage(*FacebookPage.split_settings(FacebookPage.example_settings))
    assert adapter.capabilities().max_text == 63_206
    assert {f.name for f in FacebookPage.config_fields if f.secret} == {"page_access_token", "app_secret"}


def test_a_numeric_page_id_from_a_form_is_accepted(http):
    assert repr(FacebookPage({"page_id": int(PAGE_ID)}, {"page_access_token": TOKEN}, session=http)).endswith(
        f"page={PAGE_ID}>")


@pytest.mark.parametrize(
    ("config", "credentials", "message"),
    [
        ({}, {"page_access_token": TOKEN}, "facebook: missing required setting(s): page_id"),
        ({"page_id": "ministarstvo"}, {"page_access_token": TOKEN}, "facebook: page_id must be the page's numeric id"),
        ({"page_id": PAGE_ID}, {"page_access_token": "short"}, "facebook: page_access_token must be the token text"),
        ({"page_id": PAGE_ID}, {"page_access_token": TOKEN + " x"}, "facebook: page_access_token must be the token"),
        ({"page_id": PAGE_ID, "app_id": APP_ID}, {"page_access_token": TOKEN},
         "facebook: app_id and app_secret go together"),
        ({"page_id": PAGE_ID}, {"page_access_token": TOKEN, "app_secret": APP_SECRET},
         "facebook: app_id and app_secret go together"),
        ({"page_id": PAGE_ID, "app_id": "my-app"}, {"page_access_token": TOKEN, "app_secret": APP_SECRET},
         "facebook: app_id must be the app's numeric id"),
        ({"page_id": PAGE_ID, "graph_version": "21"}, {"page_access_token": TOKEN},
         "facebook: graph_version must look like v21.0"),
        ({"page_id": PAGE_ID, "timeout": 301}, {"page_access_token": TOKEN},
         "facebook: timeout must be a number of seconds from 1 to 300"),
        ({"page_id": PAGE_ID, "link": "x"}, {"page_access_token": TOKEN}, "facebook: unknown setting(s): link"),
    ],
)
def test_bad_settings_are_refused(config, credentials, message):
    with pytest.raises(ChannelConfigError) as caught:
        FacebookPage(config, credentials)
    assert message in caught.value.message
    assert TOKEN not in str(caught.value) and APP_SECRET not in str(caught.value)


def test_a_token_given_as_plain_config_is_refused():
    with pytest.raises(ChannelConfigError, match="must be given as a credential"):
        FacebookPage({"page_id": PAGE_ID, "page_access_token": TOKEN}, {})
