"""Signing in and out of the dashboard: passwords, lock-outs, idle sessions, CSRF, cookies, the audit log."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from publisher.core.models import AuditEvent, User, WebSession
from tests.web.conftest import PASSWORD, Visitor
from web import create_app

GENERIC_REFUSAL = "The user name or password is not right"


def events(rt, action: str) -> list[AuditEvent]:
    return read_all(rt, select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))


def read_all(rt, query) -> list:
    """In a short reading session: the test's own session would hold SQLite's write lock while it reads."""
    with rt.read_sessions() as reader:
        return list(reader.scalars(query))


def english(visitor: Visitor) -> Visitor:
    visitor.get("/login?lang=en")  # the sign-in page's language switch; messages below are asserted in English
    return visitor


@pytest.fixture
def clock(rt):
    """Stops the runtime's clock; clock(minutes=15) moves it on. Slow argon2 checks then take no time."""
    now = [rt.clock()]
    rt.clock = lambda: now[0]

    def move(**delta) -> None:
        now[0] += timedelta(**delta)

    return move


def test_the_right_password_opens_the_overview_and_is_logged(visitor, people, session, rt):
    response = visitor.sign_in("ana")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = visitor.get("/")
    assert page.status_code == 200
    assert "ana" in page.get_data(as_text=True)
    [event] = events(rt, "auth.sign_in")
    assert (event.who, event.ip) == ("ana", "192.0.2.10")
    row = read_all(rt, select(WebSession))[0]
    assert row.user_id == people.users["ana"].id and row.ended_at is None


@pytest.mark.parametrize("name,password,reason", [
    ("ana", "not-the-password", "wrong_password"),
    ("nobody", PASSWORD, "unknown_name"),
    ("ANA ", "not-the-password", "wrong_password"),
], ids=["wrong-password", "unknown-name", "name-case-and-space"])
def test_a_refused_sign_in_says_the_same_whatever_was_wrong(visitor, people, session, name, password, reason, rt):
    english(visitor)
    response = visitor.sign_in(name, password)
    assert response.status_code == 422
    assert GENERIC_REFUSAL in response.get_data(as_text=True)
    assert visitor.get("/").status_code == 302  # not signed in
    [event] = events(rt, "auth.sign_in_failed")
    assert event.detail["reason"] == reason
    assert password not in str(event.detail)


def test_empty_fields_are_named_next_to_the_fields(visitor, people, session, rt):
    english(visitor)
    response = visitor.post("/login", {"name": "", "password": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'aria-describedby="name-error"' in html and 'id="name-error"' in html
    assert 'aria-describedby="password-error"' in html and "Enter your password." in html
    assert events(rt, "auth.sign_in_failed") == []  # nothing was checked, nothing counted


def test_an_inactive_person_cannot_sign_in(visitor, people, session, rt):
    english(visitor)
    people.users["bojan"].active = False
    session.commit()
    response = visitor.sign_in("bojan")
    assert response.status_code == 422
    assert GENERIC_REFUSAL in response.get_data(as_text=True)
    assert events(rt, "auth.sign_in_failed")[0].detail["reason"] == "inactive"


def test_deactivating_a_person_ends_their_open_session(signed_in, people, session, rt):
    browser = signed_in("bojan")
    assert browser.get("/").status_code == 200
    session.get(User, people.users["bojan"].id).active = False
    session.commit()
    assert browser.get("/").headers["Location"] == "/login"
    assert read_all(rt, select(WebSession))[0].ended_reason == "inactive"


def test_five_failures_lock_the_name_for_fifteen_minutes(visitor, people, session, rt, clock):
    english(visitor)
    for _ in range(4):
        assert visitor.sign_in("ana", "wrong-password-x").status_code == 422
    locked = visitor.sign_in("ana", "wrong-password-x")
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) == 15 * 60
    assert "try again in 15 minutes" in locked.get_data(as_text=True)
    # Even the right password is not checked while the name is locked.
    assert visitor.sign_in("ana").status_code == 429
    [lockout] = events(rt, "auth.lockout")
    assert lockout.detail["scope"] == "name" and "key" not in lockout.detail  # not the name typed
    assert events(rt, "auth.sign_in_refused")[0].detail["reason"] == "locked"
    # Other people at the same address are not affected by one name's lock.
    assert Visitor(visitor.client.application.test_client()).sign_in("bojan").status_code == 302

    clock(minutes=14, seconds=59)
    assert visitor.sign_in("ana").status_code == 429
    clock(seconds=2)
    assert visitor.sign_in("ana").status_code == 302


def test_failures_spread_wider_than_the_window_do_not_lock(visitor, people, rt, clock):
    for _ in range(4):
        visitor.sign_in("ana", "wrong-password-x")
    clock(minutes=16)
    for _ in range(4):
        assert visitor.sign_in("ana", "wrong-password-x").status_code == 422
    assert visitor.sign_in("ana").status_code == 302


def test_signing_in_clears_the_names_earlier_failures(app, visitor, people):
    for _ in range(4):
        visitor.sign_in("ana", "wrong-password-x")
    assert visitor.sign_in("ana").status_code == 302
    other = Visitor(app.test_client())
    for _ in range(4):
        assert other.sign_in("ana", "wrong-password-x").status_code == 422
    assert other.sign_in("ana").status_code == 302


def test_many_failures_from_one_address_lock_that_address(app, people, session, rt):
    guesser = Visitor(app.test_client(), address="198.51.100.7")
    for i in range(20):
        guesser.sign_in(f"guess{i}", "wrong-password-x")
    assert guesser.sign_in("ana").status_code == 429
    assert [e.detail["scope"] for e in events(rt, "auth.lockout")] == ["address"]
    assert Visitor(app.test_client(), address="198.51.100.8").sign_in("ana").status_code == 302


def test_the_session_ends_after_the_idle_time(app, signed_in, rt, session, clock):
    browser = signed_in("ana")
    clock(minutes=29)
    assert browser.get("/").status_code == 200  # activity: the idle time starts again
    clock(minutes=29)
    assert browser.get("/account").status_code == 200
    clock(minutes=30, seconds=1)
    response = browser.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/account"
    # Told in the person's own language (ana's is Serbian Latin), on the sign-in page that follows.
    assert "Odjavljeni ste posle 30 minuta neaktivnosti." in browser.get("/login").get_data(as_text=True)
    [ended] = events(rt, "auth.session_ended")
    assert ended.detail["reason"] == "idle" and ended.who == "ana"
    clock(seconds=1)
    assert browser.get("/").status_code == 302  # it stays ended


def test_the_idle_time_is_a_setting(rt, people, clock):
    rt.settings = replace(rt.settings, session_idle_minutes=5)
    app = create_app({"RUNTIME": rt, "TESTING": True})
    browser = Visitor(app.test_client())
    assert browser.sign_in("ana").status_code == 302
    clock(minutes=4)
    assert browser.get("/").status_code == 200
    clock(minutes=5, seconds=1)
    assert browser.get("/").status_code == 302


def test_signing_out_ends_the_session_for_every_copy_of_the_cookie(app, signed_in, session, rt):
    browser = signed_in("ana")
    stolen = browser.session_cookie()
    browser.get("/")
    response = browser.post("/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert browser.get("/").status_code == 302
    thief = app.test_client()
    thief.set_cookie("publisher_session", stolen)
    assert thief.get("/").status_code == 302
    assert thief.get("/account").status_code == 302
    [event] = events(rt, "auth.sign_out")
    assert event.who == "ana"
    assert read_all(rt, select(WebSession))[0].ended_reason == "sign_out"


def test_signing_out_takes_a_form_not_a_link(signed_in):
    browser = signed_in("ana")
    assert browser.get("/logout").status_code == 405
    assert browser.get("/").status_code == 200


def test_signing_in_starts_a_new_session(visitor, people):
    visitor.get("/login")
    before_cookie, before_token = visitor.session_cookie(), visitor.token
    visitor.sign_in("ana")
    assert visitor.session_cookie() != before_cookie
    visitor.get("/account")
    assert visitor.token != before_token
    # The token from before signing in belongs to a session that no longer exists.
    assert visitor.post("/account/language", {"language": "en", "csrf_token": before_token}).status_code == 400


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/x", "/\\evil.example", "\\\\evil.example", "javascript:alert(1)",
    "http:/evil.example", " //evil.example", "/\t/evil.example", "https:evil.example",
])
def test_next_never_leads_off_the_site(visitor, people, target):
    response = visitor.sign_in("ana", next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_leads_back_to_the_page_asked_for(visitor, people):
    response = visitor.get("/account?tab=password")
    assert response.headers["Location"] == "/login?next=/account?tab%3Dpassword"
    visitor.get(response.headers["Location"])
    response = visitor.post("/login", {"name": "ana", "password": PASSWORD, "next": "/account?tab=password"})
    assert response.headers["Location"] == "/account?tab=password"


def test_a_signed_out_visitor_is_sent_to_sign_in(client, visitor):
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    # A form sent after the session ended leads to the sign-in page, not back to the form's target.
    assert visitor.post("/account/language", {"language": "en"}).headers["Location"] == "/login"


@pytest.mark.parametrize("token", [None, "not-a-token"], ids=["missing", "wrong"])
def test_a_form_without_its_csrf_token_is_refused_with_a_clear_page(visitor, people, session, token, rt):
    english(visitor)
    data = {"name": "ana", "password": PASSWORD}
    if token:
        data["csrf_token"] = token
    response = visitor.post("/login", data, csrf=False)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "without its security token" in response.get_data(as_text=True)
    assert events(rt, "auth.sign_in") == []


def test_sign_out_without_the_token_leaves_the_session_alone(signed_in):
    browser = signed_in("ana")
    assert browser.post("/logout", csrf=False).status_code == 400
    assert browser.get("/").status_code == 200


def test_the_token_api_needs_no_csrf_token(api, office):
    response = api("ana").post("/api/v1/posts", json={"body": "Tekst", "channels": ["archive"]})
    assert response.status_code == 201


def test_the_session_cookie_is_httponly_lax_and_secure(visitor, people):
    response = visitor.sign_in("ana")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("publisher_session="))
    flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "secure"} <= flags
    assert "SameSite=Lax" in cookie


def test_secure_cookies_can_be_turned_off_for_plain_http_on_loopback(rt, people):
    rt.settings = replace(rt.settings, cookie_secure=False)
    app = create_app({"RUNTIME": rt, "TESTING": True})
    response = Visitor(app.test_client()).sign_in("ana")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("publisher_session="))
    assert "Secure" not in cookie and "HttpOnly" in cookie
