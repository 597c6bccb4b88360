"""Before anything reads a request: a body larger than its route accepts is refused 413 from its Content-Length,
only the upload routes accept large bodies, and a form post from another site is refused 403."""

from __future__ import annotations

import io

import pytest

from tests.factories.media import png_bytes

HUGE = 400 * 1024 * 1024
EVIL = "https://evil.example"


class UnreadBody(io.RawIOBase):
    """A request body that must never be read: it remembers any attempt."""

    def __init__(self) -> None:
        super().__init__()
        self.touched = False

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:  # the test client rewinds the body it was given
        return 0

    def readinto(self, buffer) -> int:  # noqa: ANN001
        self.touched = True
        raise AssertionError("the body was read")


def test_a_400_mb_anonymous_sign_in_is_refused_413_without_reading_it(client):
    body = UnreadBody()
    response = client.open("/login", method="POST", input_stream=body,
                           content_type="application/x-www-form-urlencoded",
                           environ_overrides={"CONTENT_LENGTH": str(HUGE)})
    assert response.status_code == 413
    assert "512 KB" in response.get_data(as_text=True)
    assert not body.touched


def test_an_api_call_over_the_form_limit_is_413_in_json(api):
    response = api("ana").post("/api/v1/posts", data=b"{" + b" " * (600 * 1024) + b"}",
                               content_type="application/json")
    assert response.status_code == 413
    assert response.json["error"] == {"code": "too_large",
                                      "message": "the request is larger than 512 KB, the most this route accepts"}


def test_a_large_body_without_content_length_is_cut_off_at_the_limit(app, client):
    app.config["MAX_FORM_BYTES"] = 16 * 1024
    response = client.open("/login", method="POST", input_stream=io.BytesIO(b"name=" + b"a" * (64 * 1024)),
                           content_type="application/x-www-form-urlencoded",
                           environ_base={"wsgi.input_terminated": True})  # as waitress says of a chunked body
    assert response.status_code == 413


def test_the_upload_routes_accept_more_than_the_form_limit(app, api, signed_in, people, office):
    browser = signed_in("ana")
    assert browser.get("/posts/new").status_code == 200
    app.config["MAX_FORM_BYTES"] = 64  # smaller than any of the requests below
    assert api("ana").post("/api/v1/media", data={"file": (io.BytesIO(png_bytes()), "a.png")},
                           content_type="multipart/form-data").status_code == 201
    library = browser.post("/media", {"file": (io.BytesIO(png_bytes(2, 2)), "b.png")},
                           content_type="multipart/form-data")
    assert library.status_code == 302
    compose = browser.post("/posts/new", {
        "title": "Naslov", "body": "Tekst.", "language": "sr-Latn", "when": "approved", "action": "save",
        "channels": [str(office.channels["portal"].id)], "upload": (io.BytesIO(png_bytes(3, 3)), "c.png"),
        "upload_alt": "Grb"}, content_type="multipart/form-data")
    assert compose.status_code == 302, compose.get_data(as_text=True)[:2000]
    assert browser.post("/media/1", {"alt_text": "x"}).status_code == 413  # editing a description is no upload


@pytest.mark.parametrize("header", ["Origin", "Referer"])
def test_a_form_post_from_another_site_is_refused(signed_in, header):
    browser = signed_in("ana")
    browser.get("/")
    response = browser.post("/logout", headers={header: EVIL + "/page"})
    assert response.status_code == 403
    assert "drugog sajta" in response.get_data(as_text=True)
    assert browser.get("/").status_code == 200  # still signed in: the sign-out was refused


def test_a_form_post_from_our_own_pages_passes(signed_in):
    browser = signed_in("ana")
    browser.get("/")  # the signed-in session's CSRF token
    response = browser.post("/logout", headers={"Origin": "http://localhost", "Referer": "http://localhost/"})
    assert response.status_code == 302
    assert browser.get("/").status_code == 302  # signed out


def test_an_anonymous_sign_in_from_another_site_is_refused(visitor, people):
    visitor.get("/login")
    response = visitor.post("/login", {"name": "ana", "password": "x"}, headers={"Origin": "null"})
    assert response.status_code == 403


def test_token_api_calls_are_not_checked_for_origin(api, office):
    response = api("ana").post("/api/v1/posts", json={"body": "Tekst", "channels": ["archive"],
                                                      "language": "sr-Latn"}, headers={"Origin": EVIL})
    assert response.status_code == 201
