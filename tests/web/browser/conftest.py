"""Browser tests: the fixtures of tests/support/browser.py, and people who can sign in with a password."""

from __future__ import annotations

import pytest

from publisher import accounts
from tests.factories import Office
from tests.support.browser import browser, live_server, page  # noqa: F401  (fixtures used by this folder)

PASSWORD = "browser-test-password-1"
_hash: str | None = None


@pytest.fixture
def passwords(office: Office, session) -> dict[str, str]:
    """Every factory person gets PASSWORD (the factory gives none: its API tests use tokens).

    One argon2 hash, computed once per session, serves everyone: hashing is deliberately slow. Committed
    here, so the live server (a writer on SQLite when someone signs in) never waits on this session.
    """
    global _hash
    if _hash is None:
        _hash = accounts.hash_password(PASSWORD)
    for user in office.users.values():
        user.password_hash = _hash
    session.commit()
    return dict.fromkeys(office.users, PASSWORD)
