"""The public-form guard through a real route: a test-only form registered by the test (there is no public
form in the product yet; the inbox's "write to the office" will be the first), in both apps that serve public
pages, on both databases."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Response, render_template_string
from sqlalchemy import func, select

from publisher.core.models import PublicFormCounter
from publisher.core.runtime import Runtime
from publisher.public import form_guard
from publisher.public.form_guard import FormRules
from web import create_app
from web.context import db
from web.public.forms import form_fields, read_submission
from web.public.headers import CSP, public_blueprint
from web.public_app import create_public_app

RULES = FormRules("contact", {"name": 100, "message": 2000})
T0 = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
FORM_PAGE = """{% from "public/_guard.html" import guard_fields %}<form method="post">
{{ guard_fields(token_field, form_token, honeypot) }}<input name="name"><textarea name="message"></textarea></form>"""
TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def contact_form(received: list[dict[str, str]]):
    """A public form as the inbox will write one: the guard's fields on GET, the guard's verdict on POST."""
    bp = public_blueprint("contact_test", __name__, url_prefix="/test-contact")

    @bp.get("/")
    def show() -> str:
        return render_template_string(FORM_PAGE, **form_fields(RULES))

    @bp.post("/")
    def send() -> Response | str:
        verdict = read_submission(RULES)
        if isinstance(verdict, Response):
            return verdict
        if verdict.accepted:
            received.append(verdict.values)
            db().commit()  # the count, with what a real form would store
        return "thank you"

    return bp


@pytest.fixture
def received() -> list[dict[str, str]]:
    return []


@pytest.fixture
def clock(rt):
    now = [T0]
    rt.clock = lambda: now[0]
    return now


def make_app(kind: str, rt: Runtime, received: list) -> object:
    if kind == "full":
        app = create_app({"RUNTIME": rt, "TESTING": True})
        from web import public

        public.register(app, contact_form(received))
        return app
    return create_public_app({"RUNTIME": rt, "TESTING": True, "PUBLIC_BLUEPRINTS": [contact_form(received)]})


@pytest.fixture(params=["full", "public"])
def app(request, rt, received, clock):
    return make_app(request.param, rt, received)


def shown_form(client, address: str = "192.0.2.10") -> str:
    response = client.get("/test-contact/", environ_base={"REMOTE_ADDR": address})
    assert response.headers["Cache-Control"] == "no-store"  # the token is this copy's: never cached
    assert "Set-Cookie" not in response.headers
    return TOKEN.search(response.get_data(as_text=True)).group(1)


def send(client, token: str, address: str = "192.0.2.10", *, path: str = "/test-contact/", **fields: str):
    data = {"name": "Ana", "message": "Dobar dan", "form_token": token, "website": "", **fields}
    return client.post(path, data=data, environ_base={"REMOTE_ADDR": address})


def outcomes(session) -> dict[str, int]:
    session.expire_all()
    return form_guard.counts(session, RULES.name)


def test_a_person_who_takes_their_time_is_heard(client, clock, received, session):
    token = shown_form(client)
    clock[0] += timedelta(seconds=20)
    response = send(client, token)
    assert response.status_code == 200 and response.get_data(as_text=True) == "thank you"
    assert received == [{"name": "Ana", "message": "Dobar dan"}]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Security-Policy"] == CSP
    assert "Set-Cookie" not in response.headers
    assert outcomes(session) == {"accepted": 1}


def test_a_form_sent_too_fast_is_refused_with_a_page(client, clock, received, session):
    token = shown_form(client)
    clock[0] += timedelta(seconds=1)
    response = send(client, token, path="/test-contact/?lang=en")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "The form was sent too quickly" in page and "less than 3 seconds" in page
    assert 'href="/test-contact/"' in page
    assert received == [] and outcomes(session) == {"too_fast": 1}


def test_an_old_form_is_refused(client, clock, received, session):
    token = shown_form(client)
    clock[0] += timedelta(hours=6, seconds=1)
    response = send(client, token, path="/test-contact/?lang=en")
    assert response.status_code == 400
    assert "The form has expired" in response.get_data(as_text=True)
    assert received == [] and outcomes(session) == {"expired": 1}


@pytest.mark.parametrize("token", ["", "forged.token", form_guard.issue_token("another-secret", RULES, T0),
                                   form_guard.issue_token("test-secret", FormRules("other", {"x": 1}), T0)])
def test_a_missing_forged_or_foreign_token_is_refused(client, clock, received, session, token):
    clock[0] += timedelta(minutes=1)
    response = send(client, token, path="/test-contact/?lang=en")
    assert response.status_code == 400
    assert "The form could not be checked" in response.get_data(as_text=True)
    assert received == [] and outcomes(session) == {"bad_token": 1}


def test_a_filled_honeypot_looks_accepted_and_stores_nothing(client, clock, received, session):
    token = shown_form(client)
    clock[0] += timedelta(seconds=20)
    response = send(client, token, website="https://spam.example")
    assert response.status_code == 200 and response.get_data(as_text=True) == "thank you"
    assert received == []
    assert outcomes(session) == {"honeypot": 1}


def test_too_large_a_body_is_refused_before_it_is_read(client, clock, received, session):
    token = shown_form(client)
    clock[0] += timedelta(seconds=20)
    response = send(client, token, path="/test-contact/?lang=en", message="x" * (64 * 1024))
    assert response.status_code == 413
    assert "At most 64 KB can be sent with this form" in response.get_data(as_text=True)
    assert received == [] and outcomes(session) == {"too_large": 1}


def test_too_long_a_field_is_named(client, clock, received, session):
    token = shown_form(client)
    clock[0] += timedelta(seconds=20)
    response = send(client, token, path="/test-contact/?lang=en", name="x" * 101)
    assert response.status_code == 422
    assert "“name” may have at most 100 characters" in response.get_data(as_text=True)
    assert received == [] and outcomes(session) == {"too_long": 1}


def test_refusals_speak_the_page_language(client, clock):
    token = shown_form(client)
    response = send(client, token, path="/test-contact/?lang=sr-Cyrl")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert '<html lang="sr-Cyrl">' in page and "Образац је послат пребрзо" in page


def test_the_rate_limit_is_shared_by_two_app_instances(settings, clock, received, session, database_url):
    """Two public processes over one database (two runtimes, two apps): the count is the database's."""
    limited = dataclasses.replace(settings, public_form_per_address_hour=3)
    runtimes = [Runtime.from_settings(limited) for _ in range(2)]
    try:
        for rt in runtimes:
            rt.clock = lambda: clock[0]
        clients = [make_app(kind, rt, received).test_client() for kind, rt in zip(("public", "full"), runtimes, strict=True)]
        token = shown_form(clients[0])
        clock[0] += timedelta(seconds=20)
        statuses = [send(clients[i % 2], token, path="/test-contact/?lang=en").status_code for i in range(4)]
        assert statuses == [200, 200, 200, 429]
        refused = send(clients[1], token, path="/test-contact/?lang=en")
        assert refused.status_code == 429
        assert "Too many messages from your address" in refused.get_data(as_text=True)
        assert 0 < int(refused.headers["Retry-After"]) <= 3600
        assert send(clients[0], token, address="198.51.100.7").status_code == 200  # another address
        assert len(received) == 4
        clock[0] += timedelta(hours=1)  # the hour has passed: the address may write again
        assert send(clients[1], token).status_code == 200
        assert len(received) == 5
        session.expire_all()
        assert session.scalar(select(func.sum(PublicFormCounter.count))
                              .where(PublicFormCounter.outcome == "limited")) == 2
    finally:
        for rt in runtimes:
            rt.dispose()


def test_the_form_wide_limit_stops_a_spread_out_flood(rt, settings, clock, received, session, database_url):
    rt.settings = dataclasses.replace(settings, public_form_per_form_hour=3)
    client = make_app("public", rt, received).test_client()
    token = shown_form(client)
    clock[0] += timedelta(seconds=20)
    statuses = [send(client, token, address=f"203.0.113.{i}").status_code for i in range(1, 6)]
    assert statuses == [200, 200, 200, 429, 429]
    assert len(received) == 3


def test_old_counts_are_pruned(session, clock):
    form_guard.count(session, "contact", "192.0.2.1", form_guard.Outcome.ACCEPTED, T0 - timedelta(days=3))
    form_guard.count(session, "contact", "192.0.2.1", form_guard.Outcome.ACCEPTED, T0)
    assert form_guard.prune(session, T0) == 1
    session.commit()
    assert outcomes(session) == {"accepted": 1}
