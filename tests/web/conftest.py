from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient

from tests.factories import Office, make_office
from web import create_app


@pytest.fixture
def app(rt):
    app = create_app({"RUNTIME": rt, "TESTING": True})
    return app


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def office(rt, session) -> Office:
    return make_office(session, rt)


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


@pytest.fixture
def api(client, office):
    """api("ana").post(...): calls as that person with their token."""

    def as_person(name: str) -> Caller:
        return Caller(client, office.tokens[name])

    return as_person
