"""The users page (admins only): adding people with bad input refused clearly, roles, activity and language,
no admin demoting or deactivating themselves, deactivation ending sessions, password resets, API tokens."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from publisher.core.models import ApiToken, AuditEvent, User, WebSession
from tests.web.conftest import PASSWORD, Visitor
from tests.web.page_helpers import at_home, read

EVIL = "<script>alert(1)</script>"
GOOD = {"name": "nina", "display_name": "Nina Nikolić", "email": "nina@ministarstvo.gov.rs", "roles": ["officer"],
        "locale": "sr-Cyrl", "password": "dugacka-lozinka-1", "confirm_password": "dugacka-lozinka-1"}


@pytest.fixture
def admin(signed_in):
    return at_home(signed_in)("admin")





def user(rt, name: str) -> User:
    return read(rt, select(User).where(User.name == name))[0]


def users(rt) -> int:
    with rt.read_sessions() as reader:
        return reader.scalar(select(func.count()).select_from(User))


def details(person: User, **changes) -> dict:
    return {"display_name": person.display_name, "email": person.email or "", "roles": sorted(person.roles),
            "locale": person.locale, "active": "y" if person.active else "", **changes}


def test_the_list_shows_everyone_escaped(admin, people, session, rt):
    people.users["bojan"].display_name = EVIL
    session.commit()
    html = admin.get("/admin/users").get_data(as_text=True)
    assert all(f">{name}</a>" in html for name in people.users)
    assert EVIL not in html and "&lt;script&gt;" in html


def test_adding_a_person_who_can_then_sign_in(admin, people, rt, app):
    response = admin.post("/admin/users/new", GOOD)
    assert response.status_code == 302
    nina = user(rt, "nina")
    assert (nina.display_name, nina.email, nina.roles, nina.locale) == (
        "Nina Nikolić", "nina@ministarstvo.gov.rs", frozenset({"officer"}), "sr-Cyrl")
    assert nina.password_hash.startswith("$argon2")
    assert read(rt, select(AuditEvent).where(AuditEvent.action == "user.add"))[-1].who == "admin"
    browser = Visitor(app.test_client())
    assert browser.sign_in("nina", "dugacka-lozinka-1").status_code == 302


def test_a_person_added_without_a_language_takes_the_sign_in_pages(admin, rt, app):
    page = admin.get("/admin/users/new").get_data(as_text=True)
    assert 'name="locale" id="locale" value="" checked' in page  # "not chosen yet" is the default
    assert admin.post("/admin/users/new", {**GOOD, "locale": ""}).status_code == 302
    assert user(rt, "nina").locale is None
    browser = Visitor(app.test_client())
    browser.get("/login?lang=sq")
    browser.sign_in("nina", "dugacka-lozinka-1")
    assert user(rt, "nina").locale == "sq"


@pytest.mark.parametrize(("changes", "said", "status"), [
    ({"name": "ana"}, "Neko već ima ovo korisničko ime.", 409),
    ({"name": "Nina Nikolić"}, "Koristite do 64 mala slova", 422),
    ({"name": ""}, "Unesite korisničko ime.", 422),
    ({"password": "kratka", "confirm_password": "kratka"}, "Lozinka mora imati od 10 do 1024 znakova.", 422),
    ({"confirm_password": "nesto-drugo-123"}, "Dve lozinke nisu iste.", 422),
    ({"roles": []}, "Izaberite bar jednu ulogu.", 422),
    ({"roles": ["superuser"]}, "Izaberite među ponuđenim ulogama.", 422),
    ({"email": "nije-adresa"}, "Unesite adresu e-pošte", 422),
    ({"locale": "de"}, "Izaberite jedan od ponuđenih jezika.", 422),
])
def test_a_bad_new_person_is_refused_clearly(admin, people, rt, changes, said, status):
    before = users(rt)
    response = admin.post("/admin/users/new", {**GOOD, **changes})
    html = response.get_data(as_text=True)
    assert response.status_code == status
    assert said in html and 'class="error-summary"' in html
    assert "dugacka-lozinka-1" not in html  # a password typed in is not sent back
    assert users(rt) == before


def test_a_display_name_with_script_is_kept_as_text(admin, people, rt):
    admin.post("/admin/users/new", {**GOOD, "display_name": EVIL})
    nina = user(rt, "nina")
    for path in (f"/admin/users/{nina.id}", "/admin/users"):
        html = admin.get(path).get_data(as_text=True)
        assert EVIL not in html and "&lt;script&gt;" in html


def test_changing_roles_language_and_details(admin, people, rt):
    ana = people.users["ana"]
    response = admin.post(f"/admin/users/{ana.id}", details(ana, roles=["officer", "approver"], locale="sq",
                                                            display_name="Ana Anić"))
    assert response.status_code == 302
    saved = user(rt, "ana")
    assert (saved.roles, saved.locale, saved.display_name) == (frozenset({"officer", "approver"}), "sq", "Ana Anić")
    event = read(rt, select(AuditEvent).where(AuditEvent.action == "user.edit"))[0]
    assert event.before["roles"] == ["officer"] and event.after["roles"] == ["approver", "officer"]


def test_an_admin_cannot_demote_or_deactivate_themselves(admin, people, rt):
    me = people.users["admin"]
    response = admin.post(f"/admin/users/{me.id}", details(me, roles=["officer"]))
    assert response.status_code == 422
    assert "Ne možete sebi ukloniti ulogu administratora" in response.get_data(as_text=True)
    response = admin.post(f"/admin/users/{me.id}", details(me, active=""))
    assert response.status_code == 422 and "Ne možete deaktivirati sebe" in response.get_data(as_text=True)
    saved = user(rt, "admin")
    assert saved.roles == frozenset({"admin"}) and saved.active
    assert admin.get("/admin/users").status_code == 200  # still an admin, still signed in
    assert admin.post(f"/admin/users/{me.id}/password", {"new_password": "nova-lozinka-123",
                                                       "confirm_password": "nova-lozinka-123"}).status_code == 422


def test_deactivating_someone_ends_their_sessions_and_tokens(admin, people, rt, app, client, signed_in):
    marko_browser = signed_in("marko")
    assert marko_browser.get("/").status_code == 200
    marko = people.users["marko"]
    response = admin.post(f"/admin/users/{marko.id}", details(marko, active=""))
    assert response.status_code == 302
    assert all(s.ended_at is not None for s in read(rt, select(WebSession).where(WebSession.user_id == marko.id)))
    assert marko_browser.get("/").status_code == 302  # back to the sign-in page
    assert Visitor(app.test_client()).sign_in("marko").status_code == 422
    api = client.get("/api/v1/me", headers={"Authorization": f"Bearer {people.tokens['marko']}"})
    assert api.status_code == 401
    assert "deaktiviran" in admin.get("/admin/users").get_data(as_text=True)


def test_resetting_a_password_signs_the_person_out(admin, people, rt, app, signed_in):
    ana_browser = signed_in("ana")
    ana = people.users["ana"]
    short = admin.post(f"/admin/users/{ana.id}/password", {"new_password": "kratka", "confirm_password": "kratka"})
    assert short.status_code == 422 and ana_browser.get("/").status_code == 200
    response = admin.post(f"/admin/users/{ana.id}/password", {"new_password": "sasvim-nova-123",
                                                            "confirm_password": "sasvim-nova-123"})
    assert response.status_code == 302
    assert ana_browser.get("/").status_code == 302
    assert Visitor(app.test_client()).sign_in("ana", PASSWORD).status_code == 422
    assert Visitor(app.test_client()).sign_in("ana", "sasvim-nova-123").status_code == 302
    assert read(rt, select(AuditEvent).where(AuditEvent.action == "user.password_reset"))[0].who == "admin"


def test_revoking_a_token(admin, people, rt, client):
    ana = people.users["ana"]
    token = read(rt, select(ApiToken).where(ApiToken.user_id == ana.id))[0]
    page = admin.get(f"/admin/users/{ana.id}").get_data(as_text=True)
    assert token.prefix in page and people.tokens["ana"] not in page  # only the start is ever shown
    assert admin.post(f"/admin/users/{ana.id}/tokens/{token.id}/revoke").status_code == 302
    assert read(rt, select(ApiToken).where(ApiToken.id == token.id))[0].revoked_at is not None
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {people.tokens['ana']}"}).status_code == 401
    assert read(rt, select(AuditEvent).where(AuditEvent.action == "token.revoke"))[0].who == "admin"


def test_a_token_is_revoked_only_through_its_owner(admin, people, rt):
    marko_token = read(rt, select(ApiToken).where(ApiToken.user_id == people.users["marko"].id))[0]
    ana = people.users["ana"]
    assert admin.post(f"/admin/users/{ana.id}/tokens/{marko_token.id}/revoke").status_code == 404
    assert read(rt, select(ApiToken).where(ApiToken.id == marko_token.id))[0].revoked_at is None
    assert admin.get("/admin/users/999").status_code == 404


NEWER_ROLES = ["cabinet", "head_of_office", "info_officer"]


def test_the_roles_are_offered_with_what_each_allows(admin, people):
    html = admin.get(f"/admin/users/{people.users['bojan'].id}").get_data(as_text=True)
    for role, words in [("head_of_office", "šef kancelarije"), ("cabinet", "kabinet ministra"),
                        ("info_officer", "ovlašćeno lice za pristup informacijama")]:
        assert f'value="{role}"' in html and words in html
    assert 'id="roles-info_officer-hint"' in html and "slobodan pristup informacijama" in html
    assert "Osoba može imati više uloga" in admin.get("/admin/users/new").get_data(as_text=True)


def test_adding_a_person_with_several_of_the_newer_roles(admin, people, rt):
    response = admin.post("/admin/users/new", {**GOOD, "roles": ["cabinet", "info_officer"]})
    assert response.status_code == 302
    assert user(rt, "nina").roles == frozenset({"cabinet", "info_officer"})
    listed = admin.get("/admin/users").get_data(as_text=True)
    assert "kabinet ministra, ovlašćeno lice za pristup informacijama" in listed


def test_giving_and_taking_away_the_newer_roles(admin, people, rt):
    bojan = people.users["bojan"]
    given = admin.post(f"/admin/users/{bojan.id}", details(bojan, roles=["officer", *NEWER_ROLES]))
    assert given.status_code == 302
    assert user(rt, "bojan").roles == frozenset({"officer", *NEWER_ROLES})
    page = admin.get(f"/admin/users/{bojan.id}").get_data(as_text=True)
    assert all(f'value="{role}" checked' in page for role in ["officer", *NEWER_ROLES])
    taken = admin.post(f"/admin/users/{bojan.id}", details(user(rt, "bojan"), roles=["head_of_office"]))
    assert taken.status_code == 302
    assert user(rt, "bojan").roles == frozenset({"head_of_office"})
    changes = [(e.before["roles"], e.after["roles"])
               for e in read(rt, select(AuditEvent).where(AuditEvent.action == "user.edit").order_by(AuditEvent.id))]
    assert changes == [(["officer"], ["cabinet", "head_of_office", "info_officer", "officer"]),
                       (["cabinet", "head_of_office", "info_officer", "officer"], ["head_of_office"])]


@pytest.mark.parametrize("roles", [["superuser"], ["cabinet", "superuser"], ["head of office"], ["Cabinet"], []])
def test_an_unknown_role_on_the_edit_page_is_refused_and_changes_nothing(admin, people, rt, roles):
    bojan = people.users["bojan"]
    response = admin.post(f"/admin/users/{bojan.id}", details(bojan, roles=roles, display_name="Promenjeno"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'class="error-summary"' in html
    assert ("Izaberite među ponuđenim ulogama." if roles else "Izaberite bar jednu ulogu.") in html
    assert (user(rt, "bojan").roles, user(rt, "bojan").display_name) == (frozenset({"officer"}), bojan.display_name)


def test_an_admin_may_take_a_newer_role_but_not_swap_their_admin_role_for_it(admin, people, rt):
    me = people.users["admin"]
    swapped = admin.post(f"/admin/users/{me.id}", details(me, roles=["head_of_office"]))
    assert swapped.status_code == 422 and "Ne možete sebi ukloniti ulogu administratora" in swapped.get_data(
        as_text=True)
    assert user(rt, "admin").roles == frozenset({"admin"})
    assert admin.post(f"/admin/users/{me.id}", details(me, roles=["admin", "head_of_office"])).status_code == 302
    assert user(rt, "admin").roles == frozenset({"admin", "head_of_office"})
