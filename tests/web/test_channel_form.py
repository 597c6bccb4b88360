"""Connecting a channel: every field labelled and explained in the person's language, every refusal shown at
once on its field (and linked from the summary), a secret typed once kept after an error without being
written back into the page, a stored secret kept when its field is left empty, and the platform asked
whether the settings work before they are saved."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from channels import registry
from publisher.core.models import Channel
from publisher.publishing import channel_admin
from tests.factories.office import PORTAL_SECRET
from tests.web.page_helpers import at_home, count, read
from web.channel_fields import SETTINGS, kind_name, setting_help, setting_label

GOOD_SECRET = "tajna-portala-1234567890"
CLOSED = "http://127.0.0.1:9/health"  # a closed port on loopback: the check fails at once


@pytest.fixture
def admin(signed_in):
    return at_home(signed_in)("admin")


def kept_token(html: str) -> str:
    return re.search(r'name="kept_secrets" type="hidden" value="([^"]*)"', html).group(1)


def field_errors(html: str) -> set[str]:
    return set(re.findall(r'<p class="error" id="setting_(\w+)-error">', html))


def test_every_setting_of_every_kind_has_words_in_each_language(app):
    english = {}
    with app.test_request_context(), force_locale("en"):
        for kind, cls in registry.kinds().items():
            for setting in cls.config_fields:
                assert (kind, setting.name) in SETTINGS, f"{kind}.{setting.name} has no words"
                english[kind, setting.name] = (setting_label(kind, setting), setting_help(kind, setting))
        for locale in ("sr_Latn", "sr_Cyrl", "sq"):
            with force_locale(locale):
                for kind, cls in registry.kinds().items():
                    assert kind_name(kind) != "another kind of channel"
                    for setting in cls.config_fields:
                        label, help_text = setting_label(kind, setting), setting_help(kind, setting)
                        assert help_text != english[kind, setting.name][1], (locale, kind, setting.name)
                        assert label != english[kind, setting.name][0] or label in ("Bluesky", "Mastodon"), \
                            (locale, kind, setting.name)
                        assert "%(" not in label + help_text


def test_the_cyrillic_help_keeps_what_the_platform_writes_in_latin(app):
    wordpress = registry.adapter_class("wordpress")
    status = next(f for f in wordpress.config_fields if f.name == "status")
    with app.test_request_context(), force_locale("sr_Cyrl"):
        words = setting_help("wordpress", status)
    assert "„publish“" in words and "„draft“" in words and "објављивање" in words


def test_the_form_speaks_the_persons_language(admin):
    html = admin.get("/admin/channels/new/state_portal").get_data(as_text=True)
    assert '<label for="setting_url">Adresa portala</label>' in html
    assert "Tajna koju je portal dao uz tu adresu" in html
    assert 'lang="en"' not in html and "health_url" not in re.sub(r'(name|id|for|aria-describedby)="[^"]*"', "", html)
    kinds = admin.get("/admin/channels/new").get_data(as_text=True)
    assert ">Lokalna fascikla</a>" in kinds and ">Zvanični sajt (WordPress)</a>" in kinds


def test_every_refusal_shows_at_once_on_its_field(admin, people, rt):
    response = admin.post("/admin/channels/new/state_portal", {
        "name": "", "setting_url": "ftp://portal.example/hook", "setting_secret": "kratko",
        "setting_timeout": "mnogo", "setting_health_url": "nije adresa"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_errors(html) == {"url", "secret", "timeout", "health_url"}
    assert 'id="name-error"' in html or "Dajte kanalu ime." in html
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0)
    for target in ("#name", "#setting_url", "#setting_secret", "#setting_timeout", "#setting_health_url"):
        assert f'href="{target}"' in summary
    assert "„Vreme čekanja (sekunde)“ nije prihvaćeno" in html
    assert "<summary>Tehnički detalji</summary>" in html and "timeout must be a number" in html  # for experts
    assert count(rt, Channel) == 2


def test_a_secret_typed_once_is_kept_after_an_error_without_showing_it(admin, people, rt):
    first = admin.post("/admin/channels/new/state_portal", {
        "name": "Portal 2", "setting_url": "nije adresa", "setting_secret": GOOD_SECRET})
    html = first.get_data(as_text=True)
    assert first.status_code == 422 and GOOD_SECRET not in html
    token = kept_token(html)
    assert token and GOOD_SECRET not in token
    assert "Već ste ga uneli: sačuvan je (ne prikazuje se)" in html
    assert 'id="setting_secret-error"' not in html  # not required again
    second = admin.post("/admin/channels/new/state_portal", {
        "name": "Portal 2", "setting_url": "https://portal.example.gov.rs/hook", "setting_secret": "",
        "kept_secrets": token})
    assert second.status_code == 302
    channel = read(rt, select(Channel).where(Channel.name == "Portal 2"))[0]
    assert rt.box.decrypt(channel.credentials) == {"secret": GOOD_SECRET}
    assert "platforma je potvrdila da rade" in admin.get("/admin/channels").get_data(as_text=True)


@pytest.mark.parametrize("token", ["", "nije-token", "gAAAAA" + "x" * 80])
def test_a_missing_or_forged_token_keeps_nothing(admin, people, rt, token):
    response = admin.post("/admin/channels/new/state_portal", {
        "name": "Portal 2", "setting_url": "https://portal.example.gov.rs/hook", "setting_secret": "",
        "kept_secrets": token})
    assert response.status_code == 422 and 'id="setting_secret-error"' in response.get_data(as_text=True)
    assert count(rt, Channel) == 2


def test_a_kept_secret_belongs_to_its_person_kind_and_hour(rt, people):
    now = rt.clock()
    admin_id = people.users["admin"].id
    token = channel_admin.seal_typed_secrets(rt.box, "state_portal", admin_id, {"secret": GOOD_SECRET}, now)
    assert channel_admin.unseal_typed_secrets(rt.box, token, "state_portal", admin_id, now) == {"secret": GOOD_SECRET}
    assert channel_admin.unseal_typed_secrets(rt.box, token, "state_portal", admin_id + 1, now) == {}
    assert channel_admin.unseal_typed_secrets(rt.box, token, "telegram", admin_id, now) == {}
    later = now + channel_admin.TYPED_SECRETS_LIFETIME + channel_admin.timedelta(seconds=1)
    assert channel_admin.unseal_typed_secrets(rt.box, token, "state_portal", admin_id, later) == {}
    # A channel's stored credentials (the same key) are no kept form.
    stored = people.channels["portal"].credentials
    assert channel_admin.unseal_typed_secrets(rt.box, stored, "state_portal", admin_id, now) == {}


def test_a_new_secret_on_edit_is_kept_after_an_error_and_the_stored_one_when_left_empty(admin, people, rt):
    portal = people.channels["portal"]
    refused = admin.post(f"/admin/channels/{portal.id}", {"setting_url": "nije adresa",
                                                          "setting_secret": GOOD_SECRET})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and GOOD_SECRET not in html and PORTAL_SECRET not in html
    saved = admin.post(f"/admin/channels/{portal.id}", {"setting_url": "https://novi.example.rs/hook",
                                                        "setting_secret": "", "kept_secrets": kept_token(html)})
    assert saved.status_code == 302
    channel = read(rt, select(Channel).where(Channel.id == portal.id))[0]
    assert rt.box.decrypt(channel.credentials) == {"secret": GOOD_SECRET}
    admin.get(f"/admin/channels/{portal.id}")
    again = admin.post(f"/admin/channels/{portal.id}", {"setting_url": "https://treci.example.rs/hook",
                                                        "setting_secret": ""})
    assert again.status_code == 302
    channel = read(rt, select(Channel).where(Channel.id == portal.id))[0]
    assert rt.box.decrypt(channel.credentials) == {"secret": GOOD_SECRET}


def test_credentials_are_checked_on_save_and_a_failed_check_saves_nothing(admin, people, rt):
    form = {"name": "Portal 2", "setting_url": "https://portal.example.gov.rs/hook", "setting_secret": GOOD_SECRET,
            "setting_health_url": CLOSED}
    refused = admin.post("/admin/channels/new/state_portal", form)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and count(rt, Channel) == 2
    assert "Državni portal nije potvrdio da ova podešavanja rade" in html
    assert 'name="save_unchecked"' in html and GOOD_SECRET not in html
    anyway = admin.post("/admin/channels/new/state_portal", {**form, "setting_secret": "",
                                                             "kept_secrets": kept_token(html), "save_unchecked": "y"})
    assert anyway.status_code == 302 and count(rt, Channel) == 3
    assert "sačuvana bez uspešne provere" in admin.get("/admin/channels").get_data(as_text=True)


def test_the_checkbox_to_save_unchecked_appears_only_after_a_failed_check(admin):
    html = admin.get("/admin/channels/new/state_portal").get_data(as_text=True)
    assert 'name="save_unchecked"' not in html


def test_the_adapter_is_asked_again_until_every_refusal_is_known():
    problems = channel_admin.setting_problems("email", {
        "host": "smtp.example.rs", "port": "many", "sender": "not an address", "recipients": "a@example.rs",
        "reply_to": "nobody", "timeout": "-1"})
    assert set(problems.by_setting) == {"port", "sender", "reply_to", "timeout"} and not problems.general
    unnamed = channel_admin.setting_problems("email", {"host": "smtp.example.rs", "sender": "a@example.rs",
                                                       "recipients": "nobody"})
    assert unnamed.general and "not an e-mail address" in unnamed.general[0]
    assert not channel_admin.setting_problems("email", registry.adapter_class("email").example_settings)


def test_the_languages_a_channel_takes_are_chosen_by_name_and_kept(admin, people, rt, tmp_path):
    html = admin.get("/admin/channels/new/local_folder").get_data(as_text=True)
    assert re.search(r"<select [^>]*id=\"setting_languages\" multiple name=\"setting_languages\"", html)
    assert '<option value="sq">albanski</option>' in html and "setting_language_mode" not in html  # one way only
    facebook = admin.get("/admin/channels/new/facebook").get_data(as_text=True)
    assert '<option value="together">' in facebook
    saved = admin.post("/admin/channels/new/local_folder", {"name": "Arhiva 2", "setting_path": str(tmp_path),
                                                             "setting_languages": ["sq", "en"]})
    assert saved.status_code == 302
    with rt.sessions() as session:
        channel = session.scalar(select(Channel).where(Channel.name == "Arhiva 2"))
        assert channel.config["languages"] == ["sq", "en"]
    shown = admin.get(f"/admin/channels/{channel.id}").get_data(as_text=True)
    assert '<option selected value="sq">' in shown and '<option value="sr-Latn">' in shown
    forged = admin.post(f"/admin/channels/{channel.id}", {"setting_path": str(tmp_path), "setting_languages": ["de"]})
    assert forged.status_code == 422
