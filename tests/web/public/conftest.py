"""The public pages are tested in both apps that serve them: the full app (beside the dashboard) and the
public app alone (`publisher serve --public`)."""

from __future__ import annotations

import pytest

from web import create_app
from web.public_app import create_public_app


@pytest.fixture(params=["full", "public"])
def app(request: pytest.FixtureRequest, rt):
    make = create_app if request.param == "full" else create_public_app
    return make({"RUNTIME": rt, "TESTING": True})
