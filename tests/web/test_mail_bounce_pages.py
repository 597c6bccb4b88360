"""The users pages show an address whose mail bounced, and an administrator clears the mark after a
confirmation page; senders then mail it again."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from publisher.core.models import AuditEvent
from publisher.mailbox import addresses
from publisher.mailbox.addresses import BouncePolicy
from tests.web.page_helpers import at_home, read

AT = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)
EVIL = "<script>alert(1)</script>"


@pytest.fixture
def admin(signed_in, english):
    english("admin")  # the words below in English; the languages test covers the other three
    return at_home(signed_in)("admin")


@pytest.fixture
def bojan(people, session):
    person = people.users["bojan"]
    person.email = "Bojan.Ilic@Ministarstvo.gov.rs"
    addresses.record_bounce(session, report="<r1@mx>", address="bojan.ilic@ministarstvo.gov.rs", permanent=True,
                            status="5.1.1", diagnostic=f"550 5.1.1 User unknown {EVIL}", original_message_id=None,
                            at=AT, policy=BouncePolicy())
    plain = SimpleNamespace(id=person.id, email=person.email)  # no lazy load later: SQLite's one writer
    session.commit()
    return plain


def test_the_list_and_the_person_page_say_that_mail_bounced_and_why(admin, bojan):
    listing = admin.get("/admin/users").get_data(as_text=True)
    page = admin.get(f"/admin/users/{bojan.id}").get_data(as_text=True)
    for html in (listing, page):
        assert "Mail to this address bounced: 5.1.1 550 5.1.1 User unknown &lt;script&gt;" in html
        assert EVIL not in html
    assert listing.count("Mail to this address bounced") == 1  # only bojan's
    assert "1 bounce so far. Nothing is mailed to Bojan.Ilic@Ministarstvo.gov.rs" in page


@pytest.mark.parametrize(("locale", "words"), [
    ("sr-Latn", "Pošta na ovu adresu je vraćena: 5.1.1"),
    ("sr-Cyrl", "Пошта на ову адресу је враћена: 5.1.1"),
    ("sq", "Posta në këtë adresë u kthye: 5.1.1"),
])
def test_the_pages_speak_the_administrators_language(admin, bojan, people, session, locale, words):
    people.users["admin"].locale = locale
    session.commit()
    for path in ("/admin/users", f"/admin/users/{bojan.id}"):
        assert words in admin.get(path).get_data(as_text=True)


def test_clearing_asks_first_then_mail_goes_there_again(admin, bojan, rt, session):
    asked = admin.post(f"/admin/users/{bojan.id}/mail-bounce/clear")
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and 'name="confirmed" value="yes"' in html
    assert "Clear the bounce mark of Bojan.Ilic@Ministarstvo.gov.rs?" in html
    assert addresses.undeliverable(session, [bojan.email]) == {bojan.email}  # nothing changed yet
    session.rollback()  # the page writes next: SQLite has one writer

    done = admin.post(f"/admin/users/{bojan.id}/mail-bounce/clear", {"confirmed": "yes"})
    assert done.status_code == 302, done.get_data(as_text=True)
    session.expire_all()
    assert addresses.undeliverable(session, [bojan.email]) == set()
    state = addresses.state_of(session, bojan.email)
    assert (state.state, state.cleared_by, state.bounces) == ("ok", "admin", 1)
    [event] = read(rt, select(AuditEvent).where(AuditEvent.action == "mail_address.clear"))
    assert event.subject == "mail:bojan.ilic@ministarstvo.gov.rs"
    page = admin.get(f"/admin/users/{bojan.id}").get_data(as_text=True)
    assert "Mail to this address bounced" not in page and "Mail goes to Bojan.Ilic@Ministarstvo.gov.rs again." in page


def test_clearing_an_address_that_is_not_marked_says_so(admin, bojan, people):
    response = admin.post(f"/admin/users/{people.users['ana'].id}/mail-bounce/clear", {"confirmed": "yes"},
                          follow_redirects=True)
    assert response.status_code == 200
    assert "is not marked as bouncing" in response.get_data(as_text=True)


def test_only_administrators_clear_a_mark(signed_in, bojan, session):
    officer = at_home(signed_in)("ana")
    response = officer.post(f"/admin/users/{bojan.id}/mail-bounce/clear", {"confirmed": "yes"})
    assert response.status_code in (403, 404)
    session.expire_all()
    assert addresses.undeliverable(session, [bojan.email]) == {bojan.email}
