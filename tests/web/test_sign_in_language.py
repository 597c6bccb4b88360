"""The sign-in page's language: it becomes the person's own when they have none yet, and otherwise holds
for that browser session until sign-out, while the account page still sets the stored language."""

from __future__ import annotations

import re

from sqlalchemy import select, update

from publisher.core.models import AuditEvent, User
from publisher.people import accounts, users
from tests.factories.people import make_user
from tests.web.conftest import PASSWORD, Visitor


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


def stored_locale(rt, name: str) -> str | None:
    with rt.read_sessions() as reader:
        return reader.scalar(select(User.locale).where(User.name == name))


def newcomer(session, name: str = "nova") -> None:
    """A person an administrator added without a language, who can sign in."""
    user = make_user(session, name, ["officer"], locale=None)
    user.password_hash = accounts.hash_password(PASSWORD)
    session.commit()


def test_a_person_without_a_language_takes_the_one_picked_on_the_sign_in_page(app, session, rt):
    newcomer(session)
    browser = Visitor(app.test_client())
    browser.get("/login?lang=sq")
    assert browser.sign_in("nova").status_code == 302
    assert html_lang(browser.get("/")) == "sq"
    assert stored_locale(rt, "nova") == "sq"
    with rt.read_sessions() as reader:
        [event] = reader.scalars(select(AuditEvent).where(AuditEvent.action == "user.locale")).all()
    assert (event.before, event.after) == ({"locale": None}, {"locale": "sq"})
    # Signed out and in again from another browser that picks nothing: the stored language.
    browser.post("/logout")
    other = Visitor(app.test_client())
    other.sign_in("nova")
    assert html_lang(other.get("/")) == "sq"


def test_without_a_pick_the_browser_language_of_the_sign_in_page_becomes_theirs(app, session, rt):
    newcomer(session)
    browser = Visitor(app.test_client())
    browser.get("/login", headers={"Accept-Language": "en-GB,en;q=0.8"})
    browser.post("/login", {"name": "nova", "password": PASSWORD}, headers={"Accept-Language": "en-GB"})
    assert stored_locale(rt, "nova") == "en"


def test_a_pick_holds_for_the_browser_session_and_leaves_the_stored_language(app, session, people, rt):
    session.execute(update(User).where(User.name == "ana").values(locale="sr-Cyrl"))
    session.commit()
    browser = Visitor(app.test_client())
    browser.get("/login?lang=en")
    browser.sign_in("ana")
    assert html_lang(browser.get("/")) == "en"
    assert html_lang(browser.get("/account")) == "en"
    assert stored_locale(rt, "ana") == "sr-Cyrl"
    # Another browser that picked nothing shows her own language.
    plain = Visitor(app.test_client())
    plain.sign_in("ana")
    assert html_lang(plain.get("/")) == "sr-Cyrl"
    # The pick ends with the sign-out: signing in again without one gives her own language.
    browser.post("/logout")
    browser.sign_in("ana")
    assert html_lang(browser.get("/")) == "sr-Cyrl"


def test_the_account_page_still_sets_the_stored_language_and_ends_the_pick(app, session, people, rt):
    browser = Visitor(app.test_client())
    browser.get("/login?lang=en")
    browser.sign_in("ana")  # ana's own is Serbian Latin: English holds for this session
    browser.get("/account")
    response = browser.post("/account/language", {"language": "sq"})
    assert response.status_code == 302
    assert stored_locale(rt, "ana") == "sq"
    assert html_lang(browser.get("/")) == "sq"


def test_a_person_added_without_a_language_has_none(session, people, rt):
    user = users.create(session, people.actor("admin"), name="bez.jezika", display_name="", email=None,
                        roles=["officer"], password="a-long-enough-password")
    session.commit()
    assert stored_locale(rt, "bez.jezika") is None
    assert user.locale is None
