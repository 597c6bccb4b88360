"""Browser tests: the fixtures of tests/support/browser.py. People who sign in with a password come from
tests/web/conftest.py (`people`, everyone with PASSWORD)."""

from __future__ import annotations

from tests.support.browser import browser, live_server, page  # noqa: F401  (fixtures used by this folder)
