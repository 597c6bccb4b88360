"""Hostile input never gives a 500: ids and filters beyond 64 bits, NUL bytes, lone surrogates, JSON nested
10,000 deep, Unicode digits, dates in year 1 and 9999, an upload that is already in the library without alt
text. Each answer is a 4xx that names the problem: a JSON error for the API, a page with the message for the
dashboard. Both databases (PostgreSQL refuses NUL in text and overflows on integers beyond 64 bits)."""

from __future__ import annotations

import io
import json

import pytest

from channels import registry
from publisher.posts.compose import LIBRARY_PAGE
from tests.factories.media import png_bytes
from tests.factories.office import add_channel
from tests.web.test_posts_api import new_post, upload

HUGE = str(2**64)  # one past what a 64-bit column holds
HOSTILE_NUMBERS = [HUGE, "9" * 40, str(2**31), str(2**63 - 1), "٣", "²", "１", "-1", "1e3", " 7"]
HOSTILE_DATES = ["0001-01-01", "9999-12-31", "٢٠٢٥-٠١-٠١", "2025-13-01", "20250101"]
NUL, SURROGATE = "a\x00b", "a\ud800b"


def _deep(depth: int = 10_000) -> str:
    return "[" * depth + "]" * depth


def api_refuses(response, *words: str) -> None:
    """A 4xx with a JSON error whose message names the problem."""
    assert 400 <= response.status_code < 500, (response.status_code, response.get_data(as_text=True)[:500])
    error = response.json["error"]
    assert error["code"] and error["message"]
    for word in words:
        assert word in error["message"], error["message"]


def page_refuses(response, *words: str) -> None:
    """A 4xx page (not the 500 page) that says what was wrong."""
    assert 400 <= response.status_code < 500, (response.status_code, response.get_data(as_text=True)[:500])
    html = response.get_data(as_text=True)
    for word in words:
        assert word in html, html[:3000]


# --- the API: ids in the path --------------------------------------------------------------------------

API_ID_ROUTES = [("get", "/api/v1/posts/{}"), ("patch", "/api/v1/posts/{}"), ("post", "/api/v1/posts/{}/submit"),
                 ("post", "/api/v1/posts/{}/approve"), ("post", "/api/v1/posts/{}/cancel"),
                 ("get", "/api/v1/media/{}"), ("get", "/api/v1/media/{}/file"), ("get", "/api/v1/deliveries/{}"),
                 ("post", "/api/v1/alerts/{}/resolve")]


@pytest.mark.parametrize("method,route", API_ID_ROUTES)
def test_api_ids_beyond_64_bits_and_unicode_digits_are_not_found(api, method, route):
    caller = api("admin")
    for number in HOSTILE_NUMBERS:
        kw = {"json": {"body": "x"}} if method == "patch" else {}
        response = getattr(caller, method)(route.format(number), **kw)
        assert response.status_code == 404, (number, response.status_code)
        assert response.json["error"]["code"] == "not_found"


def test_the_id_pattern_takes_exactly_the_ids_that_fit():
    import re

    from publisher.core.parse import MAX_ID
    from web.params import up_to

    pattern = re.compile(up_to(MAX_ID))
    for good in ("1", "9", "10", "999999999", "1999999999", "2147483639", str(MAX_ID)):
        assert pattern.fullmatch(good), good
    for bad in ("0", "007", str(MAX_ID + 1), "2147483650", "2200000000", "9999999999", "٣", "-1"):
        assert not pattern.fullmatch(bad), bad


# --- the API: filters ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["limit", "before"])
def test_api_numeric_filters_take_ascii_digits_within_64_bits(api, name):
    for number in HOSTILE_NUMBERS:
        api_refuses(api("ana").get(f"/api/v1/posts?{name}={number}"), name, "whole number")


def test_api_channel_filter_and_status_filter(api):
    for value in [HUGE, "9" * 40, "٣", NUL]:
        response = api("ana").get("/api/v1/posts", query_string={"channel": value})
        api_refuses(response)
    api_refuses(api("ana").get("/api/v1/posts", query_string={"status": NUL}), "NUL")


# --- the API: bodies -----------------------------------------------------------------------------------

def test_api_json_nested_10000_deep_is_malformed(api):
    for route in ("/api/v1/posts", "/api/v1/transliterate", "/api/v1/channels", "/api/v1/holds"):
        response = api("admin").post(route, data=_deep(), content_type="application/json")
        api_refuses(response, "deep")
        nested = '{"kind": "x", "name": "y", "config": ' + '{"a":' * 200 + "1" + "}" * 200 + "}"
        api_refuses(api("admin").post("/api/v1/channels", data=nested, content_type="application/json"), "deep")


def _json(caller, route: str, body: dict):
    """JSON as a client sends it: escaped ("\\ud800"), which is how a lone surrogate arrives."""
    return caller.post(route, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("text", [NUL, SURROGATE])
def test_api_text_with_nul_or_lone_surrogates_is_refused(api, text):
    what = "NUL" if "\x00" in text else "surrogate"
    post = {"title": "Naslov", "body": "Tekst", "language": "sr-Latn", "channels": ["portal"]}
    api_refuses(_json(api("ana"), "/api/v1/posts", {**post, "title": text}), what)
    api_refuses(_json(api("ana"), "/api/v1/posts", {**post, "body": text}), what)
    api_refuses(_json(api("ana"), "/api/v1/posts", {**post, "variants": {text: "x"}}), what)
    api_refuses(_json(api("admin"), "/api/v1/holds", {"on": True, "reason": text}), what)
    api_refuses(_json(api("admin"), "/api/v1/transliterate", {"text": text, "to": "sr-Latn"}), what)
    api_refuses(_json(api("admin"), "/api/v1/channels", {"kind": "local_folder", "name": text,
                                                          "config": {"path": "/tmp/x"}}), what)
    if what == "NUL":  # a URL or form cannot carry a lone surrogate: its bytes decode to U+FFFD
        api_refuses(api("ana").get("/api/v1/posts", query_string={"channel": text}), what)


def test_api_ids_in_bodies_beyond_64_bits(api):
    for number in (2**31, 2**63, 2**64, 10**40):
        api_refuses(new_post(api("ana"), channels=[number]))
        api_refuses(new_post(api("ana"), media=[number]))
        api_refuses(new_post(api("ana"), media=[{"id": number, "alt_text": "x"}]))
        api_refuses(api("admin").post("/api/v1/holds", json={"on": True, "channel": number}))
    for text in (HUGE, "٣"):
        api_refuses(new_post(api("ana"), channels=[text]))
        api_refuses(api("admin").post("/api/v1/holds", json={"on": True, "channel": text}))


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00", "0001-01-01T00:00:00+01:00", "9999-12-31T23:30:00Z",
                                    "9999-12-31T23:59:59-01:00", "٢٠٣١-٠١-٠١T10:00:00+01:00"])
def test_api_times_at_the_ends_of_the_calendar(api, moment):
    api_refuses(new_post(api("ana"), scheduled_at=moment, timezone="Europe/Belgrade"))


# --- the API: the same lengths as the forms --------------------------------------------------------------

def test_api_enforces_the_forms_lengths(api):
    from publisher.core import limits

    long = "x" * (limits.HOLD_REASON + 1)
    api_refuses(api("admin").post("/api/v1/holds", json={"on": True, "reason": long}), "reason",
                str(limits.HOLD_REASON))
    api_refuses(new_post(api("ana"), title="x" * (limits.TITLE + 1)), "title", str(limits.TITLE))
    api_refuses(new_post(api("ana"), body="x" * (limits.BODY + 1)), "body", str(limits.BODY))
    api_refuses(api("marko").post("/api/v1/posts/1/reject", json={"comment": "x" * (limits.COMMENT + 1)}),
                "comment", str(limits.COMMENT))
    api_refuses(api("admin").post("/api/v1/transliterate", json={"text": "x" * (limits.TRANSLITERATE + 1),
                                                                   "to": "sr-Latn"}), "text")
    api_refuses(api("admin").post("/api/v1/channels", json={"kind": "local_folder", "name": "x" * 101,
                                                              "config": {"path": "/tmp/x"}}), "name")


def test_the_limits_are_published_in_the_document(client):
    from publisher.core import limits

    paths = client.get("/api/v1/openapi.json").json["paths"]
    hold = paths["/api/v1/holds"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert hold["properties"]["reason"]["maxLength"] == limits.HOLD_REASON


# --- names ---------------------------------------------------------------------------------------------

def test_names_with_a_trailing_newline_are_refused(api, session):
    from publisher.people import accounts
    from tests.factories.people import SYSTEM

    response = api("admin").post("/api/v1/channels", json={"kind": "local_folder", "name": "Arhiva\n",
                                                           "config": {"path": "/tmp/arhiva"}})
    api_refuses(response, "name")
    with pytest.raises(Exception, match="name"):
        accounts.add_user(session, "petar\n", ["officer"], actor=SYSTEM)


@pytest.mark.parametrize("name", ["Arhiva\n", "Arhiva\r\n"])
def test_the_channel_form_takes_whole_names_only(signed_in, rt, name):
    from sqlalchemy import func, select

    from publisher.core.models import Channel

    admin = signed_in("admin")
    admin.get("/admin/channels/new/local_folder")
    response = admin.post("/admin/channels/new/local_folder", {"name": name, "setting_path": "/tmp/arhiva"})
    page_refuses(response, "Koristite slova")
    with rt.read_sessions() as reader:
        assert reader.scalar(select(func.count()).select_from(Channel).where(Channel.name.like("Arhiva%"))) == 0


# --- the dashboard -------------------------------------------------------------------------------------

@pytest.fixture
def manager(signed_in):
    return signed_in("jelena")


@pytest.mark.parametrize("route", ["/history", "/history.csv", "/queue", "/calendar"])
def test_dashboard_channel_filters(manager, route):
    for number in [n for n in HOSTILE_NUMBERS if n.strip() != "7"]:
        page_refuses(manager.get(route, query_string={"channel": number}))
    page_refuses(manager.get(route, query_string={"channel": NUL}))


@pytest.mark.parametrize("route,name", [("/history", "from"), ("/history", "to"), ("/history.csv", "from"),
                                        ("/history.csv", "to"), ("/queue", "from"), ("/calendar", "week")])
def test_dashboard_dates_at_the_ends_of_the_calendar(manager, route, name):
    for day in HOSTILE_DATES:
        response = manager.get(route, query_string={name: day})
        page_refuses(response)
        if route == "/history.csv":
            assert response.mimetype == "text/html"  # refused before streaming, not cut off mid-download


def test_history_csv_validates_before_streaming(manager):
    response = manager.get("/history.csv", query_string={"to": "9999-12-31"})
    page_refuses(response, "2999")


def test_dashboard_text_filters_with_nul(manager):
    for route in ("/history", "/history.csv", "/media", "/queue"):
        page_refuses(manager.get(route, query_string={"q": NUL, "status": NUL}), "NUL")


def test_dashboard_page_numbers(manager):
    for number in HOSTILE_NUMBERS:
        response = manager.get("/media", query_string={"page": number})
        assert response.status_code < 500, (number, response.status_code)


@pytest.mark.parametrize("route", ["/posts/{}", "/posts/{}/edit", "/approvals/{}", "/media/{}",
                                   "/media/{}/preview", "/admin/users/{}", "/admin/channels/{}",
                                   "/queue/{}/move"])
def test_dashboard_ids_beyond_64_bits(signed_in, route):
    admin = signed_in("admin")
    officer = signed_in("ana")
    for number in HOSTILE_NUMBERS:
        for browser in (admin, officer):
            response = browser.get(route.format(number))
            assert response.status_code in (403, 404), (number, response.status_code)


def test_sign_in_with_nul_in_the_name(visitor, people):
    page_refuses(visitor.sign_in("ana\x00"), "NUL")
    page_refuses(visitor.sign_in("ana", password="x\x00y"), "NUL")


def test_compose_with_hostile_ids_and_dates(signed_in, office):
    writer = signed_in("ana")
    writer.get("/posts/new")
    portal = str(office.channels["portal"].id)
    base = {"title": "Naslov", "body": "Tekst", "language": "sr-Latn", "when": "approved", "action": "save"}
    for number in HOSTILE_NUMBERS:
        response = writer.post("/posts/new", {**base, "channels": [portal, number], "media": [number]})
        assert response.status_code in (302, 400, 422), (number, response.status_code)
    for day in HOSTILE_DATES:
        response = writer.post("/posts/new", {**base, "channels": [portal], "when": "at", "date": day,
                                              "time": "10:00"})
        assert response.status_code in (302, 422), (day, response.status_code)  # 9999-12-31 10:00 exists
    page_refuses(writer.post("/posts/new", {**base, "channels": [portal], "body": NUL}), "NUL")


def test_compose_upload_of_a_library_file_with_empty_alt_text(api, signed_in, office, rt, session):
    """The same bytes are in the library without alt text, older than the picker's recent items; X requires
    alt text, so the page comes back with that item, which the form had no alt-text field for (KeyError)."""
    add_channel(session, rt, office, "x", "x", registry.adapter_class("x").example_settings)
    session.commit()
    upload(api("bojan"), alt="")  # in the library, without alt text
    for shade in range(LIBRARY_PAGE):  # newer files push it out of the picker's recent items
        assert upload(api("bojan"), png_bytes(color=(shade, 90, 90)), alt="Slika").status_code == 201
    writer = signed_in("ana")
    writer.get("/posts/new")
    fields = {"title": "Naslov", "body": "Tekst", "language": "sr-Latn", "when": "approved", "action": "save",
              "channels": [str(office.channels["x"].id)], "upload": (io.BytesIO(png_bytes()), "slika.png"),
              "upload_alt": ""}
    response = writer.post("/posts/new", fields, content_type="multipart/form-data")
    page_refuses(response, "slika.png")
    assert response.status_code == 422
