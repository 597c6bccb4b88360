"""The dashboard's layout and pages: the hold banner everywhere, the overview per role, the account page,
the four interface languages, the security headers and the rule of no inline script or style."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from publisher.core import permissions
from publisher.core.models import AuditEvent, Delivery, Hold, User, WebSession
from publisher.core.states import DeliveryStatus, PostStatus
from publisher.publishing import holds
from publisher.publishing.dispatch import AUTH_PAUSE
from tests.web.conftest import PASSWORD, Visitor
from tests.web.test_posts_api import scheduled_post, submitted_post
from web import catalogs, labels
from web.i18n import language_of

EVIL = "<script>alert(1)</script>"
PAGES = ["/", "/account", "/no-such-page"]


def read_all(rt, query) -> list:
    with rt.read_sessions() as reader:
        return list(reader.scalars(query))


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


def set_locale(session, user: User, locale: str) -> None:
    session.execute(update(User).where(User.id == user.id).values(locale=locale))
    session.commit()


# The hold banner


@pytest.mark.parametrize("path", PAGES)
def test_a_global_hold_shows_on_every_page_escaped(signed_in, people, session, path):
    holds.hold(session, people.actor("admin"), EVIL)
    session.commit()
    browser = signed_in("jelena")
    html = browser.get(path).get_data(as_text=True)
    assert "Objavljivanje je zaustavljeno: &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert EVIL not in html


def test_the_hold_banner_speaks_the_persons_language(signed_in, people, session):
    set_locale(session, people.users["jelena"], "en")
    holds.hold(session, people.actor("admin"), "Dan žalosti")
    session.commit()
    html = signed_in("jelena").get("/").get_data(as_text=True)
    assert "Publishing is on hold: Dan žalosti" in html
    assert 'role="alert"' in html


def test_paused_channels_are_summarised_escaped(signed_in, people, session):
    holds.hold(session, people.actor("admin"), EVIL, people.channels["portal"])
    holds.hold(session, people.actor("admin"), "novi token", people.channels["archive"])
    session.commit()
    for path in PAGES:
        html = signed_in("ana").get(path).get_data(as_text=True)
        assert "Pauzirani kanali (2):" in html
        assert "portal — &lt;script&gt;alert(1)&lt;/script&gt;" in html and "archive — novi token" in html
        assert EVIL not in html
        assert "Objavljivanje je zaustavljeno" not in html  # no global hold


def test_the_workers_own_pause_is_told_in_words_with_the_platforms_answer_kept(signed_in, people, session):
    session.add(Hold(channel_id=people.channels["portal"].id, created_by="worker", created_at=datetime.now(UTC),
                     reason=f"{AUTH_PAUSE}HTTP 401: token revoked"))
    session.commit()
    home = signed_in("ana").get("/").get_data(as_text=True)
    assert ("portal — platforma je odbila pristupne podatke kanala: obnovite ih u podešavanjima kanala, "
            "zatim nastavite kanal") in home
    shown = re.sub(r"<details.*?</details>", "", home, flags=re.S)  # what a reader sees before opening details
    assert "HTTP 401" not in shown and "refused the credentials" not in shown
    channels = signed_in("admin").get("/admin/channels").get_data(as_text=True)
    assert "proces objavljivanja" in channels  # who paused it, in words
    assert "<code>the platform refused the credentials: HTTP 401: token revoked</code>" in channels  # for experts


def test_no_banner_without_a_hold_and_none_before_signing_in(signed_in, people, session, client):
    assert "hold-global" not in signed_in("ana").get("/").get_data(as_text=True)
    holds.hold(session, people.actor("admin"), "Dan žalosti")
    session.commit()
    assert "Dan žalosti" not in client.get("/login").get_data(as_text=True)  # only for the office's people


# The overview


def test_an_approver_sees_what_waits_for_them_but_not_their_own(api, signed_in, people):
    submitted_post(api, title="Saopštenje o konkursu")
    html = signed_in("marko").get("/").get_data(as_text=True)
    assert "Čeka vaše odobrenje" in html and "Saopštenje o konkursu" in html
    olga_post = api("olga").post("/api/v1/posts", json={"title": "Olgin tekst", "body": "Tekst",
                                                        "channels": ["archive"], "language": "sr-Latn"}).json
    assert api("olga").post(f"/api/v1/posts/{olga_post['id']}/submit").status_code == 200
    olga = signed_in("olga").get("/").get_data(as_text=True)
    assert "Saopštenje o konkursu" in olga and "Olgin tekst" not in olga.split("Vaši nacrti")[0]
    assert "Olgin tekst" in signed_in("vesna").get("/").get_data(as_text=True)


def nav_links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', re.search(r'<nav class="main-nav".*?</nav>', html, re.S).group(0))


def test_a_head_of_office_approves_and_the_cabinet_and_information_officer_read(api, signed_in, staff):
    submitted_post(api, title="Saopštenje o konkursu")
    head = signed_in("dragan").get("/").get_data(as_text=True)
    assert "Čeka vaše odobrenje" in head and "Saopštenje o konkursu" in head and "Vaši nacrti" not in head
    assert "(šef kancelarije)" in head
    assert nav_links(head) == ["/", "/approvals", "/calendar", "/events", "/queue", "/media", "/history", "/alerts",
                               "/audit", "/account"]
    for name, role, events in (("milica", "kabinet ministra", ["/events"]),  # the cabinet plans events
                               ("sanja", "ovlašćeno lice za pristup informacijama", [])):
        html = signed_in(name).get("/").get_data(as_text=True)
        assert "Čeka vaše odobrenje" not in html and "Vaši nacrti" not in html and f"({role})" in html
        assert nav_links(html) == ["/", "/calendar", *events, "/queue", "/media", "/history", "/alerts", "/account"]


def test_an_officer_sees_their_drafts_and_what_was_sent_back(api, signed_in, people):
    draft = api("ana").post("/api/v1/posts", json={"title": "Nacrt za sutra", "body": "x", "channels": ["archive"]})
    returned = submitted_post(api, title="Vraćen tekst")
    assert api("marko").post(f"/api/v1/posts/{returned}/reject", json={"comment": "Dodaj <b>izvor</b>"}).status_code == 200
    html = signed_in("ana").get("/").get_data(as_text=True)
    assert "Nacrt za sutra" in html and "nacrt" in html
    assert "Vraćen tekst" in html and "vraćeno" in html
    assert "Dodaj &lt;b&gt;izvor&lt;/b&gt;" in html
    assert "Čeka vaše odobrenje" not in html  # ana is no approver
    assert draft.status_code == 201
    assert "Nacrt za sutra" not in signed_in("bojan").get("/").get_data(as_text=True)


def test_deliveries_that_need_a_person_and_the_health_of_publishing(api, signed_in, people, session, rt):
    post_id = scheduled_post(api, title="Objava koja je zapela", scheduled_at=None)
    session.execute(update(Delivery).where(Delivery.post_id == post_id)
                    .values(status=DeliveryStatus.UNKNOWN, error="read timeout after the request was sent"))
    session.commit()
    html = signed_in("jelena").get("/").get_data(as_text=True)
    section = html.split("Isporuke koje čekaju nečiju odluku")[1]
    assert "Objava koja je zapela" in section and "ishod nepoznat" in section
    assert "read timeout after the request was sent" in section
    assert "Nijedan radni proces se nije javio" in html  # no worker runs in this test
    assert "Čeka vaše odobrenje" not in html and "Vaši nacrti" not in html  # a manager reads, nothing waits


def test_the_navigation_shows_who_is_signed_in_and_only_real_pages(signed_in, people):
    html = signed_in("olga").get("/").get_data(as_text=True)
    nav = re.search(r'<nav class="main-nav".*?</nav>', html, re.S).group(0)
    assert re.findall(r'href="([^"]+)"', nav) == ["/", "/posts/new", "/approvals", "/calendar", "/events", "/queue",
                                                  "/media", "/history", "/alerts", "/account"]
    assert 'aria-current="page">Pregled' in nav
    assert "Prijavljeni ste kao olga" in html and "(odobravalac, službenik)" in html
    assert re.search(r'<form method="post" action="/logout".*?name="csrf_token"', html, re.S)


def test_every_state_and_role_has_words():
    assert set(labels.POST_STATES) == {str(s) for s in PostStatus}
    assert set(labels.DELIVERY_STATES) == {str(s) for s in DeliveryStatus}
    assert set(labels.ROLES) == set(permissions.ROLES)


# The account page


def test_choosing_the_interface_language(signed_in, people, rt):
    browser = signed_in("ana")
    browser.get("/account")
    response = browser.post("/account/language", {"language": "sr-Cyrl"})
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    page = browser.get("/account")
    assert html_lang(page) == "sr-Cyrl"
    assert "Језик интерфејса је сачуван." in page.get_data(as_text=True)
    assert read_all(rt, select(User.locale).where(User.name == "ana")) == ["sr-Cyrl"]
    [event] = read_all(rt, select(AuditEvent).where(AuditEvent.action == "user.locale"))
    assert (event.before, event.after) == ({"locale": "sr-Latn"}, {"locale": "sr-Cyrl"})


@pytest.mark.parametrize("value", ["", "de", "sr_Latn", "<b>x</b>"])
def test_a_language_not_offered_is_refused_and_nothing_changes(signed_in, people, rt, value):
    browser = signed_in("ana")
    browser.get("/account")
    response = browser.post("/account/language", {"language": value})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Izaberite" in html and 'id="language-error"' in html
    assert re.search(r'<fieldset[^>]*aria-describedby="[^"]*language-error', html)
    assert read_all(rt, select(User.locale).where(User.name == "ana")) == ["sr-Latn"]


def password_hash(rt, name: str) -> str:
    return read_all(rt, select(User.password_hash).where(User.name == name))[0]


@pytest.mark.parametrize("form,field,message", [
    ({"current_password": "not-my-password", "new_password": "a-new-password-1",
      "confirm_password": "a-new-password-1"}, "current_password", "Trenutna lozinka nije tačna."),
    ({"current_password": PASSWORD, "new_password": "short", "confirm_password": "short"},
     "new_password", "Nova lozinka je prekratka: upotrebite najmanje 10 znakova."),
    ({"current_password": PASSWORD, "new_password": "a-new-password-1", "confirm_password": "a-new-password-2"},
     "confirm_password", "Dve nove lozinke se ne poklapaju."),
    ({"current_password": PASSWORD, "new_password": PASSWORD, "confirm_password": PASSWORD},
     "new_password", "Nova lozinka mora da se razlikuje od trenutne."),
    ({"current_password": "", "new_password": "", "confirm_password": ""},
     "current_password", "Unesite trenutnu lozinku."),
], ids=["wrong-current", "too-short", "not-the-same", "unchanged", "empty"])
def test_a_bad_password_change_says_why_next_to_the_field_and_changes_nothing(signed_in, people, rt, form, field,
                                                                            message):
    before = password_hash(rt, "ana")
    browser = signed_in("ana")
    browser.get("/account")
    response = browser.post("/account/password", form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'<p class="error" id="{field}-error">' in html and message in html
    assert re.search(rf'<input[^>]*aria-describedby="[^"]*{field}-error"[^>]*aria-invalid="true"[^>]*id="{field}"', html)
    assert f'href="#{field}"' in html  # the summary at the top leads to the field
    assert "not-my-password" not in html and PASSWORD not in html  # passwords are never sent back
    assert password_hash(rt, "ana") == before


def test_wrong_current_passwords_count_like_failed_sign_ins(signed_in, people, rt):
    browser = signed_in("ana")
    browser.get("/account")
    for _ in range(5):
        browser.post("/account/password", {"current_password": "guess-guess-1", "new_password": "a-new-password-1",
                                           "confirm_password": "a-new-password-1"})
    right = browser.post("/account/password", {"current_password": PASSWORD, "new_password": "a-new-password-1",
                                                "confirm_password": "a-new-password-1"})
    assert right.status_code == 422 and "Previše pogrešnih lozinki" in right.get_data(as_text=True)
    assert Visitor(browser.client.application.test_client()).sign_in("ana").status_code == 429


def test_changing_the_password_signs_out_the_other_browsers(app, signed_in, people, rt):
    laptop, phone = signed_in("ana"), signed_in("ana")
    laptop.get("/account")
    response = laptop.post("/account/password", {"current_password": PASSWORD, "new_password": "a-new-password-1",
                                                 "confirm_password": "a-new-password-1"})
    assert response.status_code == 302
    assert "Lozinka je promenjena." in laptop.get("/account").get_data(as_text=True)
    assert phone.get("/").status_code == 302
    assert [r.ended_reason for r in read_all(rt, select(WebSession).order_by(WebSession.id))] == [None, "password"]
    assert Visitor(app.test_client()).sign_in("ana").status_code == 422
    assert Visitor(app.test_client()).sign_in("ana", "a-new-password-1").status_code == 302


# The four languages


@pytest.mark.parametrize("locale,lang,text", [
    ("sr-Latn", "sr-Latn", "Pregled"),
    ("sr-Cyrl", "sr-Cyrl", "Преглед"),
    ("sq", "sq", "Përmbledhje"),
    ("en", "en", "Overview"),
])
def test_each_language_renders_the_overview(signed_in, people, session, locale, lang, text):
    set_locale(session, people.users["ana"], locale)
    response = signed_in("ana").get("/")
    assert html_lang(response) == lang
    assert f"<h1>{text}</h1>" in response.get_data(as_text=True)


@pytest.mark.parametrize("accept,lang,button", [
    ("sq-AL,sq;q=0.9,en;q=0.5", "sq", "Hyni"),
    ("sr-Cyrl-RS", "sr-Cyrl", "Пријавите се"),
    ("sr-RS,sr;q=0.9", "sr-Latn", "Prijavite se"),
    ("en-GB,en;q=0.8", "en", "Sign in"),
    ("de-DE,fr;q=0.5", "sr-Latn", "Prijavite se"),
    ("de-DE,hr;q=0.7,en;q=0.5", "sr-Latn", "Prijavite se"),
    ("", "sr-Latn", "Prijavite se"),
])
def test_before_signing_in_the_browsers_language_is_used(client, accept, lang, button):
    response = client.get("/login", headers={"Accept-Language": accept} if accept else {})
    assert html_lang(response) == lang
    assert f"<h1>{button}</h1>" in response.get_data(as_text=True)


def test_the_language_switch_on_the_sign_in_page_sticks(visitor, people):
    page = visitor.get("/login", headers={"Accept-Language": "en"})
    switch = re.search(r'<nav class="language-switch".*?</nav>', page.get_data(as_text=True), re.S).group(0)
    assert 'href="/login?lang=sq" lang="sq" hreflang="sq"' in switch and 'aria-current="true">English' in switch
    visitor.get("/login?lang=sq")
    refused = visitor.post("/login", {"name": "ana", "password": "wrong-password-x"},
                           headers={"Accept-Language": "en"})
    assert html_lang(refused) == "sq"
    assert "Emri i përdoruesit ose fjalëkalimi nuk është i saktë" in refused.get_data(as_text=True)
    # Signed in, the pick holds for this browser session although ana's own language is Serbian Latin
    # (tests/web/test_sign_in_language.py has the whole story).
    visitor.post("/login", {"name": "ana", "password": PASSWORD})
    assert html_lang(visitor.get("/")) == "sq"


def test_signing_out_leaves_the_sign_in_page_in_the_persons_language(signed_in, people, session):
    set_locale(session, people.users["ana"], "sq")
    browser = signed_in("ana")
    browser.get("/")
    browser.post("/logout")
    page = browser.get("/login")
    assert html_lang(page) == "sq" and "Dolët nga llogaria." in page.get_data(as_text=True)


@pytest.mark.parametrize("tag,language", [
    ("sr", "sr-Latn"), ("sr-Latn-RS", "sr-Latn"), ("SR_cyrl", "sr-Cyrl"), ("sh", "sr-Latn"), ("sq-XK", "sq"),
    ("en-US", "en"), ("de", None), ("", None), ("*", None),
])
def test_language_tags(tag, language):
    assert language_of(tag) == language


def test_the_catalogs_are_complete_and_compiled():
    assert catalogs.stale_files() == [], "run `python -m web.catalogs` after editing a .po file"
    for locale in ("sr_Latn", "sq"):
        missing = [m.id for m in catalogs.read_catalog(locale) if m.id and not all(
            m.string if isinstance(m.string, tuple) else [m.string])]
        assert missing == [], f"{locale} lacks translations"
    for locale in catalogs.LOCALES:
        for message in catalogs.read_catalog(locale):
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            wanted = set(re.findall(r"%\(\w+\)[sd]", " ".join(ids)))
            for string in strings:
                if string:
                    assert set(re.findall(r"%\(\w+\)[sd]", string)) <= wanted | {"%(num)d"}, (locale, string)


def test_the_cyrillic_catalog_is_the_latin_one_transliterated():
    latin = {m.id: m.string for m in catalogs.read_catalog("sr_Latn") if m.id}
    cyrillic = {m.id: m.string for m in catalogs.read_catalog("sr_Cyrl") if m.id}
    assert latin.keys() == cyrillic.keys()
    assert cyrillic["Publishing is on hold: %(reason)s"] == "Објављивање је заустављено: %(reason)s"
    assert catalogs.to_cyrillic("Prijavljeni ste kao %(name)s") == "Пријављени сте као %(name)s"


# Headers and the no-inline rule


def test_pages_send_a_strict_content_security_policy(signed_in, people, client):
    for response in (client.get("/login"), signed_in("ana").get("/"), client.get("/api/v1/openapi.json")):
        csp = response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "script-src 'self'" in csp and "style-src 'self'" in csp
        assert response.headers["X-Frame-Options"] == "DENY"


def test_signed_in_pages_are_not_kept_in_caches(signed_in, people):
    assert signed_in("ana").get("/").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("person", [None, "ana", "marko"])
def test_no_page_has_inline_script_or_style(signed_in, people, session, client, person):
    holds.hold(session, people.actor("admin"), "Dan žalosti")
    session.commit()
    browser = signed_in(person) if person else Visitor(client)
    for path in (["/login"] if person is None else [*PAGES, "/account"]):
        html = browser.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=", html), path
        for field in re.findall(r'<input[^>]*type="(?:text|password|radio)"[^>]*>', html):
            field_id = re.search(r'id="([^"]+)"', field).group(1)
            assert f'for="{field_id}"' in html, (path, field_id)  # every input has its label


def test_the_static_files_are_served(client):
    assert client.get("/static/app.css").status_code == 200
    assert client.get("/static/app.js").status_code == 200


def test_an_unknown_page_is_a_page_and_an_unknown_api_path_stays_json(client, signed_in, people):
    page = signed_in("ana").get("/no-such-page")
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "Ta stranica ne postoji" in page.get_data(as_text=True)
    assert client.get("/api/v1/nothing-here").mimetype == "application/json"


def test_the_demo_turns_secure_cookies_off_unless_told_otherwise(tmp_path):
    from publisher.cli import run_settings

    env = {"PUBLISHER_INSTANCE_DIR": str(tmp_path)}
    assert run_settings(demo=False, env=env).cookie_secure is True
    assert run_settings(demo=True, env=env).cookie_secure is False
    assert run_settings(demo=True, env={**env, "PUBLISHER_COOKIE_SECURE": "true"}).cookie_secure is True


def test_the_dashboard_settings_come_from_the_environment(tmp_path):
    from publisher.core.config import ConfigError, Settings

    env = {"PUBLISHER_INSTANCE_DIR": str(tmp_path)}
    defaults = Settings.from_env(env)
    assert (defaults.session_idle_minutes, defaults.cookie_secure) == (30.0, True)
    chosen = Settings.from_env({**env, "PUBLISHER_SESSION_IDLE_MINUTES": "5", "PUBLISHER_COOKIE_SECURE": "no"})
    assert (chosen.session_idle_minutes, chosen.cookie_secure) == (5.0, False)
    for name, value in (("PUBLISHER_SESSION_IDLE_MINUTES", "0"), ("PUBLISHER_COOKIE_SECURE", "maybe")):
        with pytest.raises(ConfigError, match=name):
            Settings.from_env({**env, name: value})
