"""What the library and admin page tests share: a signed-in browser that has opened a page, and reads."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from tests.web.conftest import Visitor


def at_home(signed_in: Callable[[str], Visitor]) -> Callable[[str], Visitor]:
    """tests/web/conftest.py's signed_in, then a page: the CSRF token of the new session is the one sent."""

    def sign_in(name: str) -> Visitor:
        browser = signed_in(name)
        browser.get("/")
        return browser

    return sign_in


def read(rt, query) -> list:
    with rt.read_sessions() as reader:
        return list(reader.scalars(query))


def count(rt, model) -> int:
    with rt.read_sessions() as reader:
        return reader.scalar(select(func.count()).select_from(model)) or 0
