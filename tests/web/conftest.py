from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient
from sqlalchemy import update

from publisher.core.models import User
from publisher.people import accounts
from tests.factories.office import Office
from web import create_app


@pytest.fixture
def app(rt):
    app = create_app({"RUNTIME": rt, "TESTING": True})
    return app


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


@dataclass
class Caller:
    client: FlaskClient
    token: str

    def _headers(self, kw: dict) -> dict:
        return {"Authorization": f"Bearer {self.token}", **kw.pop("headers", {})}

    def get(self, path: str, **kw):
        return self.client.get(path, headers=self._headers(kw), **kw)

    def post(self, path: str, json=None, **kw):
        if json is None and "data" not in kw:
            json = {}
        return self.client.post(path, json=json, headers=self._headers(kw), **kw)

    def patch(self, path: str, json=None, **kw):
        return self.client.patch(path, json=json, headers=self._headers(kw), **kw)

    def edit(self, path: str, json=None):
        """PATCH as a careful client does: read the resource, then change the version read (If-Match)."""
        etag = self.get(path).headers.get("ETag", '"unknown"')
        return self.patch(path, json=json, headers={"If-Match": etag})


@pytest.fixture
def api(client, office):
    """api("ana").post(...): calls as that person with their token."""

    def as_person(name: str) -> Caller:
        return Caller(client, office.tokens[name])

    return as_person


# The dashboard: people who sign in with a password, and a browser-like visitor that sends CSRF tokens.
PASSWORD = "correct-horse-battery-1"
_password_hash: str | None = None
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def _with_password(office: Office, session) -> Office:
    """Everyone in the office with PASSWORD. One argon2 hash serves all: hashing is slow on purpose."""
    global _password_hash
    if _password_hash is None:
        _password_hash = accounts.hash_password(PASSWORD)
    for user in office.users.values():
        user.password_hash = _password_hash
    session.commit()
    return office


@pytest.fixture
def people(office: Office, session) -> Office:
    """The office, everyone with PASSWORD."""
    return _with_password(office, session)


@pytest.fixture
def staff(staff: Office, people: Office, session) -> Office:
    """The office with the newer roles' people (tests/conftest.py), everyone with PASSWORD."""
    return _with_password(staff, session)


class Visitor:
    """A browser: keeps its cookies, reads the CSRF token from the pages it gets, sends it with forms."""

    def __init__(self, client: FlaskClient, address: str = "192.0.2.10") -> None:
        self.client = client
        self.environ = {"REMOTE_ADDR": address}
        self.token: str | None = None

    def get(self, path: str, **kw):
        response = self.client.get(path, environ_base=self.environ, **kw)
        self._note_token(response)
        return response

    def _note_token(self, response) -> None:
        if response.mimetype == "text/html":  # images and downloads carry no form
            found = CSRF_FIELD.search(response.get_data(as_text=True))
            if found:
                self.token = found.group(1)

    def post(self, path: str, data: dict | None = None, *, csrf: bool = True, **kw):
        data = dict(data or {})
        if csrf and "csrf_token" not in data:
            if self.token is None:
                self.get("/login")
            data["csrf_token"] = self.token
        response = self.client.post(path, data=data, environ_base=self.environ, **kw)
        self._note_token(response)
        return response

    def sign_in(self, name: str, password: str = PASSWORD, **data):
        self.get("/login")
        return self.post("/login", {"name": name, "password": password, **data})

    def session_cookie(self) -> str | None:
        cookie = self.client.get_cookie("publisher_session")
        return cookie.value if cookie else None


@pytest.fixture
def visitor(client) -> Visitor:
    return Visitor(client)


@pytest.fixture
def signed_in(app, people):
    """signed_in("ana"): a new browser, signed in as that person."""

    def sign_in(name: str) -> Visitor:
        browser = Visitor(app.test_client())
        response = browser.sign_in(name)
        assert response.status_code == 302, response.get_data(as_text=True)
        return browser

    return sign_in


@pytest.fixture
def english(session, people):
    """english("ana", ...): these people read the pages in English."""
    def switch(*names: str) -> None:
        for name in names:
            session.execute(update(User).where(User.id == people.users[name].id).values(locale="en"))
        session.commit()

    return switch
