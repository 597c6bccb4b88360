"""The WordPress adapter on the wire: the exact requests it sends, and every failure class it translates.

WordPress is played by `responses` at the HTTP boundary (nothing of ours is patched); the same adapter
runs against a real WordPress in test_wordpress_real.py.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

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
from channels.wordpress import WordPress, post_slug
from publisher.destinations.content import with_other_script


def core_content(**fields: Any) -> Content:
    """A Content as the core hands it to the adapter: a Serbian one also carries its other script."""
    return with_other_script(Content(**fields))


BASE = "https://www.example.gov.rs"
API = BASE + "/wp-json/wp/v2"
USER = "redakcija"
PASSWORD = "abcd EFGH ijkl MNOP qrst UVWX"
AUTH = "Basic " + base64.b64encode(b"redakcija:abcdEFGHijklMNOPqrstUVWX").decode()
KEY = "p7-c2-0123456789abcdef"
SLUG = "pub-p7-c2-0123456789abcdef"
LOOKUP = {"status": "any", "context": "edit", "per_page": "100", "orderby": "id", "order": "asc"}
ALT1 = "Министар са радницима"
ALT2 = 'Фабрика "Југ" <хала>'
ALT2_LIBRARY = 'Фабрика "Југ" &lt;хала&gt;'  # as WordPress's sanitize_text_field keeps it


# --- a scripted WordPress -----------------------------------------------------------------------------


class Script:
    """Replies in order; each request must be the one expected next (method and path)."""

    def __init__(self, mock: responses.RequestsMock) -> None:
        self.replies: list[tuple[str, str, object]] = []
        mock.add_callback(responses.GET, re.compile(re.escape(BASE) + ".*"), callback=self._reply)
        for method in (responses.POST, responses.DELETE):
            mock.add_callback(method, re.compile(re.escape(BASE) + ".*"), callback=self._reply)
        self.mock = mock

    def then(
        self,
        method: str,
        path: str,
        status: int = 200,
        body: object = None,
        *,
        headers: dict | None = None,
        raw: str | None = None,
    ) -> Script:
        text = raw if raw is not None else json.dumps(body)
        self.replies.append(
            (method, path, (status, {"Content-Type": "application/json", **(headers or {})}, text))
        )
        return self

    def fail(self, method: str, path: str, exc: Exception) -> Script:
        self.replies.append((method, path, exc))
        return self

    def _reply(self, request: requests.PreparedRequest):
        assert self.replies, f"unexpected request {request.method} {request.url}"
        method, path, reply = self.replies.pop(0)
        got = urlsplit(request.url).path
        assert (request.method, got) == (method, "/wp-json/wp/v2" + path), (
            "requests out of the expected order"
        )
        if isinstance(reply, Exception):
            raise reply
        return reply

    @property
    def sent(self) -> list[tuple]:
        """(method, path, query, body) of every request: JSON bodies parsed, raw bodies as bytes."""
        out = []
        for call in self.mock.calls:
            request = call.request
            parts = urlsplit(request.url)
            body = request.body
            if request.headers.get("Content-Type") == "application/json":
                body = json.loads(body)
            out.append(
                (
                    request.method,
                    parts.path.removeprefix("/wp-json/wp/v2"),
                    dict(parse_qsl(parts.query)),
                    body,
                )
            )
        return out


@pytest.fixture
def wire():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield Script(mock)


def make(http: requests.Session, **settings) -> WordPress:
    merged = {"base_url": BASE, "username": USER, "application_password": PASSWORD, **settings}
    return WordPress(*WordPress.split_settings(merged), session=http, name="Sajt")


def media_file(tmp_path: Path, name: str, content_type: str, alt_text: str = "") -> MediaItem:
    path = tmp_path / name
    if content_type == "video/mp4":
        path.write_bytes(b"\x00\x00\x00\x18ftypmp42 a tiny stand-in video")
    else:
        buf = io.BytesIO()
        Image.new("RGB", (4, 3), (200, 30, 40)).save(buf, "PNG" if content_type == "image/png" else "JPEG")
        path.write_bytes(buf.getvalue())
    data = path.read_bytes()
    return MediaItem(path, content_type, hashlib.sha256(data).hexdigest(), len(data), alt_text, name)


def fake_media(name: str, content_type: str, *, size: int = 100, alt_text: str = "opis") -> MediaItem:
    return MediaItem(Path("/nonexistent") / name, content_type, "ab" * 32, size, alt_text, name)


def post(post_id: int, slug: str, raw: str = "", status: str = "publish") -> dict:
    return {
        "id": post_id,
        "slug": slug,
        "status": status,
        "link": f"{BASE}/{slug}/",
        "content": {"raw": raw, "rendered": raw},
        "title": {"raw": "x"},
    }


def medium(media_id: int, slug: str, ext: str, alt: str = "") -> dict:
    return {
        "id": media_id,
        "slug": slug,
        "alt_text": alt,
        "source_url": f"{BASE}/wp-content/uploads/{slug}{ext}",
    }


# --- exact requests -------------------------------------------------------------------------------------


def test_text_post(wire, http):
    wp = make(http)
    content = core_content(
        post_id=7,
        title="Press release <2026>",
        text="Hello & welcome.\nSecond line.\n\n\nNext.",
        language="en",
    )
    html_body = "<p>Hello &amp; welcome.<br />\nSecond line.</p>\n\n<p>Next.</p>"
    wire.then("GET", "/posts", 200, [])
    wire.then("POST", "/posts", 201, post(11, SLUG, html_body))

    assert wp.publish(content, key=KEY) == Published("11", f"{BASE}/{SLUG}/")

    assert wire.sent == [
        ("GET", "/posts", {"slug": SLUG, **LOOKUP}, None),
        (
            "POST",
            "/posts",
            {"context": "edit"},
            {"title": "Press release &lt;2026&gt;", "content": html_body, "status": "publish", "slug": SLUG},
        ),
    ]
    for call in wire.mock.calls:
        assert call.request.headers["Authorization"] == AUTH
        assert call.request.headers["User-Agent"] == "publisher/0.1"


def test_serbian_post_with_images_and_video_in_both_scripts(wire, http, tmp_path):
    wp = make(http, categories=["Вести", 7], tags="саопштење, 12")
    photo = media_file(tmp_path, "фото.png", "image/png", ALT1)
    second = media_file(tmp_path, "хала.jpg", "image/jpeg", ALT2)
    film = media_file(tmp_path, "film.mp4", "video/mp4")
    content = core_content(
        post_id=7,
        title="Министар у Нишу",
        text="Први ред.\nДруги ред.\n\nЏеп & њива.",
        language="sr-Cyrl",
        media=(photo, second, film),
    )
    up = f"{BASE}/wp-content/uploads/"
    cyr_body = (
        "<p>Први ред.<br />\nДруги ред.</p>\n\n<p>Џеп &amp; њива.</p>\n\n"
        f'<figure class="wp-block-image"><img src="{up}{SLUG}-m2.jpg" '
        'alt="Фабрика &quot;Југ&quot; &lt;хала&gt;" '
        'class="wp-image-32" /></figure>\n\n'
        f'<figure class="wp-block-video"><video controls src="{up}{SLUG}-m3.mp4"></video>'
        f'<figcaption><a href="{up}{SLUG}-m3.mp4">film.mp4</a></figcaption></figure>'
    )
    lat_body = (
        "<p>Prvi red.<br />\nDrugi red.</p>\n\n<p>Džep &amp; njiva.</p>\n\n"
        f'<figure class="wp-block-image"><img src="{up}{SLUG}-m2.jpg" '
        'alt="Fabrika &quot;Jug&quot; &lt;hala&gt;" '
        'class="wp-image-32" /></figure>\n\n'
        f'<figure class="wp-block-video"><video controls src="{up}{SLUG}-m3.mp4"></video>'
        f'<figcaption><a href="{up}{SLUG}-m3.mp4">film.mp4</a></figcaption></figure>'
    )
    cyrillic_line = (
        f'\n\n<p class="publisher-twin" lang="sr-Cyrl">Ћирилица: <a href="{BASE}/{SLUG}/" hreflang="sr-Cyrl">'
        f"{BASE}/{SLUG}/</a></p>"
    )
    latin_line = (
        f'\n\n<p class="publisher-twin" lang="sr-Latn">Latinica: <a href="{BASE}/{SLUG}-lat/" '
        f'hreflang="sr-Latn">{BASE}/{SLUG}-lat/</a></p>'
    )
    (
        wire.then("GET", "/posts", 200, [])
        .then("GET", "/categories", 200, [{"id": 7, "name": "Економија", "slug": "ekonomija"}])
        .then(
            "GET",
            "/categories",
            200,
            [
                {"id": 5, "name": "Вести", "slug": "vesti"},
                {"id": 6, "name": "Вести из региона", "slug": "vesti-region"},
            ],
        )
        .then("GET", "/tags", 200, [{"id": 40, "name": "саопштења", "slug": "saopstenja"}])
        .then("POST", "/tags", 201, {"id": 41, "name": "саопштење"})
        .then("GET", "/media", 200, [])
        .then("POST", "/media", 201, medium(31, f"{SLUG}-m1", ".png"))
        .then("POST", "/media/31", 200, medium(31, f"{SLUG}-m1", ".png", ALT1))
        .then("POST", "/media", 201, medium(32, f"{SLUG}-m2", ".jpg"))
        .then("POST", "/media/32", 200, medium(32, f"{SLUG}-m2", ".jpg", ALT2_LIBRARY))
        .then("POST", "/media", 201, medium(33, f"{SLUG}-m3", ".mp4"))
        .then("POST", "/posts", 201, post(101, f"{SLUG}-lat", lat_body))
        .then("POST", "/posts", 201, post(100, SLUG, cyr_body + latin_line))
        .then("POST", "/posts/101", 200, post(101, f"{SLUG}-lat", lat_body + cyrillic_line))
    )

    assert wp.publish(content, key=KEY) == Published("100", f"{BASE}/{SLUG}/")

    sent = wire.sent
    assert sent == [
        ("GET", "/posts", {"slug": f"{SLUG},{SLUG}-lat", **LOOKUP}, None),
        ("GET", "/categories", {"include": "7", "per_page": "100"}, None),
        ("GET", "/categories", {"search": "Вести", "per_page": "100"}, None),
        ("GET", "/tags", {"search": "саопштење", "per_page": "100"}, None),
        ("POST", "/tags", {}, {"name": "саопштење"}),
        (
            "GET",
            "/media",
            {
                "slug": f"{SLUG}-m1,{SLUG}-m2,{SLUG}-m3",
                "context": "edit",
                "per_page": "100",
                "orderby": "id",
                "order": "asc",
            },
            None,
        ),
        ("POST", "/media", {"slug": f"{SLUG}-m1"}, photo.read()),
        ("POST", "/media/31", {}, {"alt_text": ALT1}),
        ("POST", "/media", {"slug": f"{SLUG}-m2"}, second.read()),
        ("POST", "/media/32", {}, {"alt_text": ALT2_LIBRARY}),
        ("POST", "/media", {"slug": f"{SLUG}-m3"}, film.read()),
        (
            "POST",
            "/posts",
            {"context": "edit"},
            {
                "title": "Ministar u Nišu",
                "content": lat_body,
                "status": "publish",
                "slug": f"{SLUG}-lat",
                "featured_media": 31,
                "categories": [7, 5],
                "tags": [12, 41],
            },
        ),
        (
            "POST",
            "/posts",
            {"context": "edit"},
            {
                "title": "Министар у Нишу",
                "content": cyr_body + latin_line,
                "status": "publish",
                "slug": SLUG,
                "featured_media": 31,
                "categories": [7, 5],
                "tags": [12, 41],
            },
        ),
        ("POST", "/posts/101", {"context": "edit"}, {"content": lat_body + cyrillic_line}),
    ]
    uploads = [
        c.request
        for c in wire.mock.calls
        if urlsplit(c.request.url).path.endswith("/media") and c.request.method == "POST"
    ]
    assert [(r.headers["Content-Type"], r.headers["Content-Disposition"]) for r in uploads] == [
        ("image/png", f'attachment; filename="{SLUG}-m1.png"'),
        ("image/jpeg", f'attachment; filename="{SLUG}-m2.jpg"'),
        ("video/mp4", f'attachment; filename="{SLUG}-m3.mp4"'),
    ]


CIR_LINE = (
    f'\n\n<p class="publisher-twin" lang="sr-Cyrl">Ћирилица: <a href="{BASE}/{SLUG}-cir/" '
    f'hreflang="sr-Cyrl">{BASE}/{SLUG}-cir/</a></p>'
)
LAT_LINE = (
    f'\n\n<p class="publisher-twin" lang="sr-Latn">Latinica: <a href="{BASE}/{SLUG}/" '
    f'hreflang="sr-Latn">{BASE}/{SLUG}/</a></p>'
)


def test_a_retry_only_adds_the_missing_links(wire, http):
    wp = make(http)
    content = core_content(post_id=7, title="Naslov", text="Tekst.", language="sr-Latn")
    lat = post(100, SLUG, "<p>Tekst.</p>")
    cyr = post(101, f"{SLUG}-cir", "<p>Текст.</p>")
    (
        wire.then("GET", "/posts", 200, [lat, cyr])
        .then("POST", "/posts/100", 200, post(100, SLUG, "<p>Tekst.</p>" + CIR_LINE))
        .then("POST", "/posts/101", 200, post(101, f"{SLUG}-cir", "<p>Текст.</p>" + LAT_LINE))
    )

    assert wp.publish(content, key=KEY) == Published("100", f"{BASE}/{SLUG}/")

    assert wire.sent == [
        ("GET", "/posts", {"slug": f"{SLUG},{SLUG}-cir", **LOOKUP}, None),
        ("POST", "/posts/100", {"context": "edit"}, {"content": "<p>Tekst.</p>" + CIR_LINE}),
        ("POST", "/posts/101", {"context": "edit"}, {"content": "<p>Текст.</p>" + LAT_LINE}),
    ]


def test_a_retry_after_only_the_twin_went_out(wire, http, tmp_path):
    """The twin is made first; a crash after it leaves no first post, so find(key) says "not there" and
    the retry makes the first post (reusing the upload) and the twin's link back."""
    wp = make(http)
    photo = media_file(tmp_path, "foto.png", "image/png", "Ministar")
    content = core_content(post_id=7, title="Naslov", text="Tekst.", language="sr-Latn", media=(photo,))
    cyr = post(101, f"{SLUG}-cir", "<p>Текст.</p>")
    (
        wire.then("GET", "/posts", 200, [cyr])
        .then("GET", "/media", 200, [medium(31, f"{SLUG}-m1", ".png", "Ministar")])
        .then("POST", "/posts", 201, post(100, SLUG, "<p>Tekst.</p>" + CIR_LINE))
        .then("POST", "/posts/101", 200, post(101, f"{SLUG}-cir", "<p>Текст.</p>" + LAT_LINE))
    )

    assert wp.publish(content, key=KEY) == Published("100", f"{BASE}/{SLUG}/")

    assert wire.sent[2:] == [
        (
            "POST",
            "/posts",
            {"context": "edit"},
            {
                "title": "Naslov",
                "content": "<p>Tekst.</p>" + CIR_LINE,
                "status": "publish",
                "slug": SLUG,
                "featured_media": 31,
            },
        ),
        ("POST", "/posts/101", {"context": "edit"}, {"content": "<p>Текст.</p>" + LAT_LINE}),
    ]


def test_a_retry_after_everything_went_out_sends_only_the_lookup(wire, http):
    wp = make(http)
    content = core_content(post_id=7, title="Naslov", text="Tekst.", language="sr-Latn")
    lat = post(100, SLUG, f'<p>Tekst.</p><a href="{BASE}/{SLUG}-cir/">')
    cyr = post(101, f"{SLUG}-cir", f'<p>Текст.</p><a href="{BASE}/{SLUG}/">')
    wire.then("GET", "/posts", 200, [cyr, lat])

    assert wp.publish(content, key=KEY) == Published("100", f"{BASE}/{SLUG}/")
    assert len(wire.sent) == 1


def test_media_uploaded_by_an_earlier_attempt_get_their_alt_text(wire, http, tmp_path):
    wp = make(http, scripts="latin")
    photo = media_file(tmp_path, "foto.png", "image/png", "Министар")
    content = core_content(post_id=7, title="Наслов", text="Текст.", language="sr-Cyrl", media=(photo,))
    (
        wire.then("GET", "/posts", 200, [])
        .then("GET", "/media", 200, [medium(31, f"{SLUG}-m1", ".png", "")])
        .then("POST", "/media/31", 200, medium(31, f"{SLUG}-m1", ".png", "Ministar"))
        .then("POST", "/posts", 201, post(100, SLUG))
    )

    wp.publish(content, key=KEY)

    assert [s[:2] for s in wire.sent] == [
        ("GET", "/posts"),
        ("GET", "/media"),
        ("POST", "/media/31"),
        ("POST", "/posts"),
    ]
    # scripts=latin: one post, in Latin, under the plain slug, and the featured image's alt text in Latin too.
    assert wire.sent[2][3] == {"alt_text": "Ministar"}
    assert wire.sent[3][3]["title"] == "Naslov" and wire.sent[3][3]["slug"] == SLUG
    assert wire.sent[3][3]["content"] == "<p>Tekst.</p>"


def test_a_published_duplicate_is_deleted_and_the_original_returned(wire, http):
    """The lookup missed the first attempt's post; WordPress gave the new one "<slug>-2"."""
    wp = make(http, scripts="latin")
    content = core_content(post_id=7, title="Naslov", text="Tekst.", language="sr-Latn")
    (
        wire.then("GET", "/posts", 200, [])
        .then("POST", "/posts", 201, post(102, f"{SLUG}-2"))
        .then("DELETE", "/posts/102", 200, {"deleted": True})
        .then("GET", "/posts", 200, [post(100, SLUG)])
    )

    assert wp.publish(content, key=KEY) == Published("100", f"{BASE}/{SLUG}/")
    assert wire.sent[2] == ("DELETE", "/posts/102", {"force": "true"}, None)


def test_a_draft_duplicate_is_found_by_looking_again(wire, http):
    wp = make(http, scripts="latin", status="draft")
    content = core_content(post_id=7, title="Naslov", text="Tekst.", language="sr-Latn")
    (
        wire.then("GET", "/posts", 200, [])
        .then("POST", "/posts", 201, post(102, SLUG, status="draft"))
        .then("GET", "/posts", 200, [post(100, SLUG, status="draft"), post(102, SLUG, status="draft")])
        .then("DELETE", "/posts/102", 200, {"deleted": True})
        .then("GET", "/posts", 200, [post(100, SLUG, status="draft")])
    )

    assert wp.publish(content, key=KEY).remote_id == "100"
    assert wire.sent[1][3]["status"] == "draft"


def test_a_duplicate_that_cannot_be_deleted_is_for_a_person(wire, http):
    wp = make(http, scripts="latin")
    content = core_content(post_id=7, title="Naslov", text="Tekst.", language="sr-Latn")
    (
        wire.then("GET", "/posts", 200, [])
        .then("POST", "/posts", 201, post(102, f"{SLUG}-2"))
        .then(
            "DELETE",
            "/posts/102",
            403,
            {"code": "rest_cannot_delete", "message": "Sorry, you are not allowed"},
        )
    )

    with pytest.raises(OutcomeUnknown, match="post 102 duplicates an earlier attempt's post"):
        wp.publish(content, key=KEY)


def test_an_existing_tag_created_meanwhile_is_used(wire, http):
    wp = make(http, scripts="latin", tags=["vesti"])
    content = core_content(post_id=7, title="Naslov", text="Tekst.", language="sr-Latn")
    (
        wire.then("GET", "/posts", 200, [])
        .then("GET", "/tags", 200, [])
        .then(
            "POST",
            "/tags",
            400,
            {
                "code": "term_exists",
                "message": "A term with the name provided already exists.",
                "data": {"status": 400, "term_id": 77},
            },
        )
        .then("POST", "/posts", 201, post(100, SLUG))
    )

    wp.publish(content, key=KEY)
    assert wire.sent[-1][3]["tags"] == [77]


def test_an_unknown_category_is_refused_before_any_post(wire, http):
    wp = make(http, categories=["Nepostojeća"])
    content = core_content(post_id=7, title="Naslov", text="Tekst.", language="en")
    wire.then("GET", "/posts", 200, []).then("GET", "/categories", 200, [])

    with pytest.raises(Rejected, match="the category «Nepostojeća» does not exist on the site"):
        wp.publish(content, key=KEY)
    assert [s[:2] for s in wire.sent] == [("GET", "/posts"), ("GET", "/categories")]


# --- the failure table ----------------------------------------------------------------------------------


def wp_error(code: str, message: str, status: int, **data) -> dict:
    return {"code": code, "message": message, "data": {"status": status, **data}}


FORBIDDEN_STATUS = wp_error(
    "rest_invalid_param",
    "Invalid parameter(s): status",
    400,
    params={"status": "Status is forbidden."},
    details={
        "status": {
            "code": "rest_forbidden_status",
            "message": "Status is forbidden.",
            "data": {"status": 401},
        }
    },
)

FAILURES = [
    # (reply to the create, expected error, words expected in its message)
    (
        (429, wp_error("too_many", "Slow down", 429), {"Retry-After": "30"}),
        RateLimited,
        "limiting requests (HTTP 429)",
    ),
    (
        (500, wp_error("db_insert_error", "Could not insert post into the database.", 500), {}),
        Retryable,
        "the site failed (HTTP 500): Could not insert post into the database.",
    ),
    ((502, None, {}), Retryable, "HTTP 502"),
    ((503, None, {}), Retryable, "HTTP 503"),
    ((408, None, {}), Retryable, "HTTP 408"),
    (
        (
            401,
            wp_error("incorrect_password", "The provided password is an invalid application password.", 401),
            {},
        ),
        AuthExpired,
        "incorrect_password): The provided password is an invalid application password.",
    ),
    (
        (401, wp_error("rest_not_logged_in", "You are not currently logged in.", 401), {}),
        AuthExpired,
        "rest_not_logged_in",
    ),
    (
        (
            401,
            wp_error("rest_cannot_create", "Sorry, you are not allowed to create posts as this user.", 401),
            {},
        ),
        AuthExpired,
        "rest_cannot_create",
    ),
    (
        (
            403,
            wp_error("rest_cannot_publish", "Sorry, you are not allowed to publish posts as this user.", 403),
            {},
        ),
        AuthExpired,
        "rest_cannot_publish",
    ),
    ((403, None, {}), AuthExpired, "HTTP 403"),  # a firewall in front of the site
    ((400, FORBIDDEN_STATUS, {}), AuthExpired, "Status is forbidden."),
    (
        (
            400,
            wp_error(
                "rest_invalid_param",
                "Invalid parameter(s): featured_media",
                400,
                params={"featured_media": "Invalid featured media ID."},
            ),
            {},
        ),
        Rejected,
        "rest_invalid_param): Invalid parameter(s): featured_media "
        "(featured_media: Invalid featured media ID.)",
    ),
    ((413, None, {}), Rejected, "HTTP 413"),
    (
        (404, wp_error("rest_no_route", "No route was found matching the URL and request method.", 404), {}),
        AuthExpired,
        "no WordPress REST API at this address",
    ),
    (
        (301, None, {"Location": "https://novi.example.gov.rs/wp-json/wp/v2/posts?x=1"}),
        AuthExpired,
        "redirects (HTTP 301) to https://novi.example.gov.rs",
    ),
    ((201, "<html>cache says hi</html>", {}), Retryable, "not JSON"),
    ((201, "", {}), Retryable, "not JSON"),
    ((201, [], {}), Retryable, "not a post"),
    ((201, {"id": "12"}, {}), Retryable, "not a post"),
    ((201, {"id": 12, "link": f"{BASE}/x/"}, {}), Retryable, "not a post"),  # no slug: cannot check for "-2"
]


@pytest.mark.parametrize(
    ("reply", "error", "words"),
    FAILURES,
    ids=[f"{f[0][0]}-{f[1].__name__}-{n}" for n, f in enumerate(FAILURES)],
)
def test_failures_creating_the_post(wire, http, reply, error, words):
    wp = make(http, scripts="latin")
    content = core_content(post_id=7, title="Naslov", text="Tekst.", language="sr-Latn")
    status, body, headers = reply
    wire.then("GET", "/posts", 200, [])
    if isinstance(body, str):
        wire.then("POST", "/posts", status, raw=body, headers=headers)
    else:
        wire.then("POST", "/posts", status, body, headers=headers)

    with pytest.raises(ChannelError) as caught:
        wp.publish(content, key=KEY)

    assert type(caught.value) is error
    assert words in caught.value.message
    if error is RateLimited:
        assert caught.value.retry_after == 30
    assert "abcd" not in str(caught.value) and "EFGH" not in str(caught.value)


@pytest.mark.parametrize(
    ("exc", "error", "words"),
    [
        (requests.ConnectTimeout("timed out"), Retryable, "could not connect to the site within 5 s"),
        (requests.ConnectionError("refused"), Retryable, "the connection to the site failed"),
        # Both may come after WordPress stored the post: safe because the next attempt looks the slug up.
        (requests.ReadTimeout("read timed out"), Retryable, "did not answer within 60 s"),
        (requests.exceptions.ChunkedEncodingError("cut"), Retryable, "the request to the site failed"),
        (requests.exceptions.SSLError("bad certificate"), AuthExpired, "TLS certificate was not accepted"),
    ],
)
def test_transport_failures(wire, http, exc, error, words):
    wp = make(http, scripts="latin")
    content = core_content(post_id=7, title="Naslov", text="Tekst.", language="sr-Latn")
    wire.then("GET", "/posts", 200, []).fail("POST", "/posts", exc)

    with pytest.raises(ChannelError) as caught:
        wp.publish(content, key=KEY)
    assert type(caught.value) is error
    assert words in caught.value.message
    assert BASE not in caught.value.message  # exception texts (with the URL) stay out


def test_a_file_wordpress_will_not_take_is_rejected_not_retried(wire, http, tmp_path):
    wp = make(http)
    photo = media_file(tmp_path, "foto.png", "image/png", "opis")
    content = core_content(post_id=7, title="Naslov", text="Tekst.", language="en", media=(photo,))
    (
        wire.then("GET", "/posts", 200, [])
        .then("GET", "/media", 200, [])
        .then(
            "POST",
            "/media",
            500,
            wp_error(
                "rest_upload_sideload_error", "Sorry, you are not allowed to upload this file type.", 500
            ),
        )
    )

    with pytest.raises(Rejected, match="refused the file .*not allowed to upload this file type"):
        wp.publish(content, key=KEY)


def test_lookup_failures_are_retryable_or_auth(wire, http):
    wp = make(http)
    content = core_content(post_id=7, title="Naslov", text="Tekst.", language="en")
    wire.then("GET", "/posts", 503, raw="<html>maintenance</html>")
    with pytest.raises(
        Retryable, match="could not look for the post: the site failed \\(HTTP 503\\): maintenance"
    ):
        wp.publish(content, key=KEY)
    wire.then("GET", "/posts", 200, {"not": "a list"})
    with pytest.raises(Retryable, match="not a list of posts"):
        wp.publish(content, key=KEY)


def test_media_changed_since_approval_is_never_sent(wire, http, tmp_path):
    wp = make(http)
    photo = media_file(tmp_path, "foto.png", "image/png", "opis")
    photo.path.write_bytes(photo.read() + b"x")
    with pytest.raises(Rejected, match="foto.png: the media file changed since it was approved"):
        wp.publish(core_content(post_id=7, title="N", text="T", language="en", media=(photo,)), key=KEY)
    assert wire.sent == []


# --- find and check -------------------------------------------------------------------------------------


def test_find(wire, http):
    wp = make(http)
    wire.then("GET", "/posts", 200, [post(100, SLUG, status="pending")])
    assert wp.find(KEY) == Published("100", f"{BASE}/{SLUG}/")
    assert wire.sent == [("GET", "/posts", {"slug": SLUG, **LOOKUP}, None)]

    wire.then("GET", "/posts", 200, [post(5, SLUG + "-lat")])  # only the twin: not what find looks for
    assert wp.find(KEY) is None

    wire.then("GET", "/posts", 500, raw="oops")
    with pytest.raises(Retryable):  # the reconciler asks again next round
        wp.find(KEY)

    wire.then("GET", "/posts", 401, wp_error("rest_not_logged_in", "You are not currently logged in.", 401))
    with pytest.raises(AuthExpired):
        wp.find(KEY)


@pytest.mark.parametrize(
    ("status", "body", "settings", "outcome", "message"),
    [
        (
            200,
            {"name": "Редакција", "capabilities": {"publish_posts": True, "upload_files": True}},
            {},
            "ok",
            "signed in as Редакција",
        ),
        (
            200,
            {"name": "Saradnik", "roles": ["contributor"], "capabilities": {"edit_posts": True}},
            {},
            "refused",
            "signed in as Saradnik, but the account lacks upload_files, publish_posts (roles: contributor)",
        ),
        (
            200,
            {"name": "Autor", "capabilities": {"edit_posts": True, "upload_files": True}},
            {"status": "pending"},
            "ok",
            "signed in as Autor",
        ),
        (
            401,
            wp_error("incorrect_password", "The provided password is an invalid application password.", 401),
            {},
            "refused",
            "refused our user or Application Password",
        ),
        (
            401,
            wp_error("rest_not_logged_in", "You are not currently logged in.", 401),
            {"base_url": "http://intranet.example.gov.rs"},
            "refused",
            "over plain http WordPress offers Application",
        ),
        (503, None, {}, "unchecked", "could not ask who we are: the site failed (HTTP 503)"),
    ],
)
def test_check(wire, http, status, body, settings, outcome, message):
    wp = make(http, **settings)
    base = settings.get("base_url", BASE)
    wire.replies.append(
        ("GET", "/users/me", (status, {"Content-Type": "application/json"}, json.dumps(body)))
    )
    if base != BASE:
        wire.mock.add_callback(responses.GET, re.compile(re.escape(base) + ".*"), callback=wire._reply)

    health = wp.check()

    assert health.outcome == outcome
    assert message in health.message
    assert dict(parse_qsl(urlsplit(wire.mock.calls[0].request.url).query)) == {"context": "edit"}


# --- validate -------------------------------------------------------------------------------------------


def test_validate_limits(http):
    wp = make(http, max_media_mb="1")
    ok = core_content(
        post_id=7,
        title="Naslov",
        text="Tekst.",
        language="sr-Latn",
        media=(fake_media("a.png", "image/png"), fake_media("v.mp4", "video/mp4", alt_text="")),
    )
    assert wp.validate(ok) == []
    bad = core_content(
        post_id=7,
        title=" ",
        text="Tekst.",
        language="sr-Latn",
        media=(
            fake_media("a.png", "image/png", alt_text=" "),
            fake_media("b.tiff", "image/tiff"),
            fake_media("c.jpg", "image/jpeg", size=1024 * 1024 + 1),
            *(fake_media(f"{n}.webp", "image/webp") for n in range(18)),
        ),
    )
    assert wp.validate(bad) == [
        Problem("Sajt", "a title is required", "title"),
        Problem("Sajt", "21 images, at most 20 allowed", "media"),
        Problem("Sajt", "a.png: an image needs alt text", "media"),
        Problem("Sajt", "b.tiff: image/tiff files are not accepted", "media"),
        Problem("Sajt", "c.jpg: 1048577 bytes, at most 1048576 allowed", "media"),
    ]


def test_validate_checks_the_categories_on_the_site(wire, http):
    wp = make(http, categories="Вести, Nema je")
    content = core_content(post_id=7, title="Naslov", text="Tekst.", language="sr-Latn")
    (
        wire.then("GET", "/categories", 200, [{"id": 5, "name": "Вести", "slug": "vesti"}]).then(
            "GET", "/categories", 200, [{"id": 9, "name": "Nema je još", "slug": "nema-je-jos"}]
        )
    )

    assert wp.validate(content) == [
        Problem(
            "Sajt",
            "the category «Nema je» does not exist on the site; an admin must create it there or change "
            "this channel's categories",
        )
    ]


def test_validate_does_not_blame_the_content_when_the_site_is_down(wire, http):
    wp = make(http, categories=["Вести"])
    wire.fail("GET", "/categories", requests.ConnectionError("down"))
    assert wp.validate(core_content(post_id=7, title="Naslov", text="Tekst.", language="en")) == []


# --- settings -------------------------------------------------------------------------------------------


def test_example_settings_construct_without_network():
    wp = WordPress(*WordPress.split_settings(WordPress.example_settings))
    assert repr(wp) == "<WordPress 'Official website (WordPress)' host='www.example.gov.rs'>"
    assert registry.adapter_class("wordpress") is WordPress


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"base_url": "ftp://www.example.gov.rs"}, "base_url must be the site's http:// or https:// address"),
        ({"base_url": "https://user:pw@www.example.gov.rs"}, "base_url must be"),
        ({"base_url": "https://www.example.gov.rs/?p=1"}, "base_url must be"),
        ({"base_url": "https://www.example .gov.rs"}, "base_url must be"),
        ({"username": "a:b"}, "username must be"),
        (
            {"application_password": "my-login-password!"},
            "application_password must be the 24 letters and digits",
        ),
        ({"status": "future"}, "status must be one of publish, draft, pending"),
        ({"scripts": "glagolitic"}, "scripts must be one of both, cyrillic, latin"),
        ({"categories": {"a": 1}}, "categories must be a list of names or ids"),
        ({"tags": [True]}, "tags must be a list of names or ids"),
        ({"timeout": 0}, "timeout must be a number from 1 to 300"),
        ({"max_media_mb": "lots"}, "max_media_mb must be a number from 1 to 1024"),
    ],
)
def test_bad_settings(changes, message):
    settings = {"base_url": BASE, "username": USER, "application_password": PASSWORD, **changes}
    with pytest.raises(ChannelConfigError, match=re.escape(message)) as caught:
        WordPress(*WordPress.split_settings(settings))
    assert "my-login-password" not in str(caught.value) and "EFGH" not in str(caught.value)
    assert caught.value.__cause__ is None


def test_settings_are_normalised(http):
    wp = make(http, base_url=BASE + "/wp-json/", categories="Вести, 7, ,Economy", status="Draft")
    assert (wp._base, wp._categories, wp._status, wp._scripts) == (
        BASE,
        ["Вести", 7, "Economy"],
        "draft",
        "both",
    )


@pytest.mark.parametrize(
    ("key", "slug"),
    [
        ("p12-c3-0123456789abcdef", "pub-p12-c3-0123456789abcdef"),
        # Anything outside [a-z0-9-] gets a hash, so two keys never share a slug.
        ("P12-c3", "pub-p12-c3-" + hashlib.sha256(b"P12-c3").hexdigest()[:10]),
        ("p12_c3", "pub-p12-c3-" + hashlib.sha256(b"p12_c3").hexdigest()[:10]),
    ],
)
def test_slugs(key, slug):
    assert post_slug(key) == slug


def test_media_with_their_alt_text_already_set_are_reused_as_they_are(wire, http, tmp_path):
    wp = make(http, scripts="cyrillic")
    photo = media_file(tmp_path, "foto.png", "image/png", "Министар & <гости>")
    content = core_content(post_id=7, title="Наслов", text="Текст.", language="sr-Cyrl", media=(photo,))
    (
        wire.then("GET", "/posts", 200, [])
        .then("GET", "/media", 200, [medium(31, f"{SLUG}-m1", ".png", "Министар &amp; &lt;гости&gt;")])
        .then("POST", "/posts", 201, post(100, SLUG))
    )

    wp.publish(content, key=KEY)

    assert [s[:2] for s in wire.sent] == [("GET", "/posts"), ("GET", "/media"), ("POST", "/posts")]
    assert wire.sent[2][3]["featured_media"] == 31
