"""The public site: its landing page, its own headers, no session cookie, and an app with no staff routes."""

from __future__ import annotations

import re

import pytest

from publisher.destinations import channel_store
from tests.factories.people import SYSTEM
from web import create_app
from web.public.headers import CSP
from web.public_app import create_public_app

STAFF_PATHS = ("/login", "/logout", "/account", "/api/", "/admin", "/posts", "/approvals", "/queue", "/media",
               "/audit", "/alerts", "/notifications", "/history", "/calendar")


@pytest.fixture
def feeds(rt, session):
    for name, config in (("Vesti", {"slug": "vesti", "title": "Vesti ministarstva"}),
                         ("Saopštenja", {"slug": "saopstenja"})):  # no title: the channel's name
        channel_store.add_channel(session, rt.box, "feed", name, {**config, "public_url": "https://x.example"},
                                  actor=SYSTEM)
    session.commit()


def test_the_landing_page_lists_every_feed(client, feeds):
    response = client.get("/public/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'href="/feed/vesti.atom"' in page and 'href="/feed/vesti.rss"' in page
    assert 'href="/feed/saopstenja.atom"' in page
    assert page.index("Saopštenja") < page.index("Vesti ministarstva")  # by title
    assert "/login" not in page and "csrf_token" not in page  # no sign-in, no staff navigation


def test_public_pages_carry_their_own_headers_and_no_cookie(client, rt, feeds):
    for path in ("/public/", "/feed/vesti.atom"):
        response = client.get(path)
        assert response.headers["Content-Security-Policy"] == CSP, path
        assert response.headers["Cache-Control"] == f"public, max-age={rt.settings.public_max_age}", path
        assert "Set-Cookie" not in response.headers, path
        assert response.headers["X-Frame-Options"] == "DENY"
    assert "Accept-Language" in client.get("/public/").headers["Vary"]
    assert "frame-ancestors 'none'" in CSP and "form-action 'self'" in CSP and "'unsafe-inline'" not in CSP


def test_the_cache_lifetime_is_a_setting(rt, database_url, feeds):
    import dataclasses

    rt.settings = dataclasses.replace(rt.settings, public_max_age=42)
    client = create_public_app({"RUNTIME": rt, "TESTING": True}).test_client()
    assert client.get("/public/").headers["Cache-Control"] == "public, max-age=42"
    assert client.get("/feed/vesti.atom").headers["Cache-Control"] == "public, max-age=42"


@pytest.mark.parametrize(("lang", "heading"), [("sr-Latn", "Javne informacije"), ("sr-Cyrl", "Јавне информације"),
                                               ("sq", "Informacion publik"), ("en", "Public information")])
def test_the_language_is_chosen_in_the_address(client, lang, heading):
    page = client.get(f"/public/?lang={lang}").get_data(as_text=True)
    assert f'<html lang="{lang}">' in page
    assert f"<h1>{heading}</h1>" in page
    assert 'href="/public/?lang=sq"' in page  # the switch keeps the page and changes only the language


def test_the_browser_language_is_the_default(client):
    page = client.get("/public/", headers={"Accept-Language": "sq-AL,sq;q=0.9"}).get_data(as_text=True)
    assert '<html lang="sq">' in page


def test_the_office_name_is_a_setting(rt, database_url):
    import dataclasses

    rt.settings = dataclasses.replace(rt.settings, office_name="Ministarstvo informisanja")
    page = create_public_app({"RUNTIME": rt}).test_client().get("/public/?lang=en").get_data(as_text=True)
    assert "<title>Public information · Ministarstvo informisanja</title>" in page


def test_the_public_app_has_no_staff_routes(rt, database_url):
    public = create_public_app({"RUNTIME": rt})
    rules = {rule.rule: rule.endpoint for rule in public.url_map.iter_rules()}
    assert not [path for path in rules if path.startswith(STAFF_PATHS)]
    assert {endpoint.split(".")[0] for endpoint in rules.values()} <= {"public", "feed", "agenda", "agenda_ics",
                                                                       "static", "home", "healthz"}
    # The full app serves the same public pages at the same paths.
    full = {rule.rule: rule.endpoint for rule in create_app({"RUNTIME": rt}).url_map.iter_rules()}
    public_pages = {path: endpoint for path, endpoint in rules.items()
                    if endpoint.startswith(("public.", "feed.", "agenda.", "agenda_ics."))}
    assert public_pages and all(full.get(path) == endpoint for path, endpoint in public_pages.items())


def test_the_public_app_answers_staff_addresses_with_its_own_404(rt, database_url):
    client = create_public_app({"RUNTIME": rt}).test_client()
    for path in ("/login", "/api/v1/posts", "/admin/users", "/"):
        response = client.get(path)
        if path == "/":
            assert response.status_code == 302 and response.headers["Location"].endswith("/public/")
            continue
        assert response.status_code == 404, path
        page = response.get_data(as_text=True)
        assert 'href="/public/?lang=' in page and "/login" not in re.sub(r'href="/public/[^"]*"', "", page)
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Content-Security-Policy"] == CSP
    assert client.get("/healthz").json == {"status": "ok"}
    assert client.post("/login").status_code == 404


def test_no_public_get_sets_a_cookie_even_with_a_language_chosen(client, feeds):
    for path in ("/public/?lang=sr-Cyrl", "/public/", "/feed/vesti.rss", "/feed/nema.atom"):
        assert "Set-Cookie" not in client.get(path).headers, path


def test_bad_requests_get_a_clear_answer_never_a_500(client):
    assert client.get("/public/?x=%00").status_code == 400  # a NUL: refused before any view
    assert client.get("/public/?lang=%3Cscript%3E").status_code == 200  # an unknown language: the default
    refused = client.post("/public/", data={"a": "b"})
    assert refused.status_code == 405 and "GET" in refused.headers["Allow"]
    huge = client.post("/public/", data="x" * (600 * 1024), content_type="application/x-www-form-urlencoded")
    assert huge.status_code == 413
    assert client.get("/feed/" + "a" * 3000 + ".rss").status_code == 404
