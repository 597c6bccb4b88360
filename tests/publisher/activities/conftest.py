from __future__ import annotations

import pytest

from tests.factories.events import make_official


@pytest.fixture
def minister(session):
    official = make_official(session, "Др Јована Петровић", "minister")
    session.commit()
    return official
