"""The channels page (admins only): state and health of each channel, adding and changing settings with
secrets that never come back, pausing one channel and holding everything, and checking a channel now."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from publisher.core.models import AuditEvent, Channel, Delivery, Hold
from tests.factories.office import PORTAL_SECRET
from tests.web.page_helpers import at_home, count, read

EVIL = "<script>alert(1)</script>"
NOT_ADMINS = ["ana", "marko", "jelena", "olga"]
ADMIN_GETS = ["/admin/channels", "/admin/channels/new", "/admin/channels/new/state_portal", "/admin/channels/1",
              "/admin/users", "/admin/users/new", "/admin/users/1"]
ADMIN_POSTS = ["/admin/channels/new/local_folder", "/admin/channels/1", "/admin/channels/1/pause",
               "/admin/channels/1/resume", "/admin/channels/1/check", "/admin/hold", "/admin/hold/release",
               "/admin/users/new", "/admin/users/1", "/admin/users/1/password", "/admin/users/1/tokens/1/revoke"]


@pytest.fixture
def signed_in(signed_in):
    return at_home(signed_in)


@pytest.fixture
def admin(signed_in):
    return signed_in("admin")






@pytest.mark.parametrize("person", NOT_ADMINS)
def test_no_one_but_an_admin_reaches_an_admin_page(signed_in, people, rt, person):
    browser = signed_in(person)
    for path in ADMIN_GETS:
        assert browser.get(path).status_code == 403, path
    for path in ADMIN_POSTS:
        assert browser.post(path, {"hold_reason": "x", "pause_reason": "x"}).status_code == 403, path
    assert count(rt, Hold) == 0
    nav = browser.get("/").get_data(as_text=True)
    assert "/admin/channels" not in nav and "/admin/users" not in nav


def test_signed_out_visitors_go_to_the_sign_in_page(client, people):
    for path in ADMIN_GETS:
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), path


def test_the_list_shows_each_channel_its_kind_and_state(admin, people, session, rt):
    html = admin.get("/admin/channels").get_data(as_text=True)
    assert ">portal <span" in html and ">archive <span" in html and "(Lokalna fascikla)" in html
    assert "nije provereno" in html  # not checked yet
    assert "/admin/channels/new" in html


# Adding


def test_adding_a_channel_from_the_adapters_own_fields(admin, people, rt, tmp_path):
    kinds = admin.get("/admin/channels/new").get_data(as_text=True)
    assert "/admin/channels/new/wordpress" in kinds and "/admin/channels/new/local_folder" in kinds
    form = admin.get("/admin/channels/new/state_portal").get_data(as_text=True)
    assert 'name="setting_url"' in form and 'name="setting_secret"' in form and 'type="password"' in form
    response = admin.post("/admin/channels/new/state_portal", {
        "name": "Portal 2", "setting_url": "https://portal.example.gov.rs/hook", "setting_secret": "s3cret-value-1234567890",
        "setting_timeout": "", "setting_health_url": ""})
    assert response.status_code == 302
    channel = read(rt, select(Channel).where(Channel.name == "Portal 2"))[0]
    assert channel.config == {"url": "https://portal.example.gov.rs/hook"}
    assert "s3cret-value-1234567890" not in channel.credentials  # encrypted
    assert rt.box.decrypt(channel.credentials) == {"secret": "s3cret-value-1234567890"}
    event = read(rt, select(AuditEvent).where(AuditEvent.action == "channel.add",
                                              AuditEvent.subject == f"channel:{channel.id}"))[0]
    assert event.who == "admin" and "s3cret-value-1234567890" not in str(event.after)


@pytest.mark.parametrize(("form", "said"), [
    ({"name": "", "setting_url": "https://p.example/hook", "setting_secret": "x"}, "Dajte kanalu ime."),
    ({"name": "p3", "setting_url": "", "setting_secret": "x"}, "Popunite „Adresa portala“."),
    ({"name": "p3", "setting_url": "https://p.example/hook", "setting_secret": ""}, "Popunite „Tajna za potpisivanje“."),
    ({"name": "p3", "setting_url": "ftp://p.example/hook", "setting_secret": "x"}, "„Adresa portala“ nije prihvaćeno"),
    ({"name": "p3", "setting_url": "https://p.example/hook", "setting_secret": "x", "setting_timeout": "abc"},
     "timeout must be a number"),
    ({"name": "portal", "setting_url": "https://p.example/hook", "setting_secret": "x"}, "Kanal s ovim imenom već"),
    ({"name": "ne/valja", "setting_url": "https://p.example/hook", "setting_secret": "x"}, "Koristite slova"),
])
def test_a_bad_channel_is_refused_clearly_and_nothing_is_saved(admin, people, rt, form, said):
    response = admin.post("/admin/channels/new/state_portal", form)
    html = response.get_data(as_text=True)
    assert response.status_code in (409, 422)
    assert said in html and 'class="error-summary"' in html
    assert 'value="x"' not in html  # a secret typed in is not sent back either
    assert count(rt, Channel) == 2


def test_an_unknown_kind_is_404(admin, people):
    assert admin.get("/admin/channels/new/myspace").status_code == 404
    assert admin.post("/admin/channels/new/myspace", {"name": "x"}).status_code == 404


# Editing


def test_a_secret_is_never_shown_and_left_empty_keeps_its_value(admin, people, rt):
    portal = people.channels["portal"]
    html = admin.get(f"/admin/channels/{portal.id}").get_data(as_text=True)
    assert PORTAL_SECRET not in html and 'name="setting_secret"' in html
    assert 'value="http://127.0.0.1:9/hook"' in html  # plain settings are shown
    response = admin.post(f"/admin/channels/{portal.id}", {"setting_url": "https://novi.example.rs/hook",
                                                           "setting_secret": "", "setting_timeout": "10"})
    assert response.status_code == 302
    channel = read(rt, select(Channel).where(Channel.id == portal.id))[0]
    assert channel.config == {"url": "https://novi.example.rs/hook", "timeout": "10"}
    assert rt.box.decrypt(channel.credentials) == {"secret": PORTAL_SECRET}
    event = read(rt, select(AuditEvent).where(AuditEvent.action == "channel.edit"))[0]
    assert event.after["secret_settings_changed"] == [] and PORTAL_SECRET not in str(event.before)
    admin.get(f"/admin/channels/{portal.id}")
    admin.post(f"/admin/channels/{portal.id}", {"setting_url": "https://novi.example.rs/hook",
                                               "setting_secret": "novo-tajno-1234567890"})
    channel = read(rt, select(Channel).where(Channel.id == portal.id))[0]
    assert rt.box.decrypt(channel.credentials) == {"secret": "novo-tajno-1234567890"}
    assert "novo-tajno" not in admin.get(f"/admin/channels/{portal.id}").get_data(as_text=True)


def test_bad_settings_on_edit_change_nothing(admin, people, rt):
    portal = people.channels["portal"]
    response = admin.post(f"/admin/channels/{portal.id}", {"setting_url": "not a url", "setting_secret": ""})
    assert response.status_code == 422 and "„Adresa portala“ nije prihvaćeno" in response.get_data(as_text=True)
    assert read(rt, select(Channel).where(Channel.id == portal.id))[0].config == {"url": "http://127.0.0.1:9/hook"}
    assert admin.get("/admin/channels/999").status_code == 404


# Pausing and holding


def test_pausing_and_resuming_a_channel(admin, people, rt, signed_in):
    archive = people.channels["archive"]
    asked = admin.post(f"/admin/channels/{archive.id}/pause", {"pause_reason": EVIL})
    assert asked.status_code == 200 and count(rt, Hold) == 0  # first the page that asks
    html = asked.get_data(as_text=True)
    assert EVIL not in html and 'name="confirmed" value="yes"' in html and "&lt;script&gt;" in html
    response = admin.post(f"/admin/channels/{archive.id}/pause", {"pause_reason": EVIL, "confirmed": "yes"})
    assert response.status_code == 302
    hold = read(rt, select(Hold))[0]
    assert (hold.channel_id, hold.reason, hold.created_by) == (archive.id, EVIL, "admin")
    html = admin.get("/admin/channels").get_data(as_text=True)
    assert EVIL not in html and "pauziran: &lt;script&gt;" in html and "Nastavi" in html
    assert "archive — &lt;script&gt;" in signed_in("ana").get("/media").get_data(as_text=True)  # every page
    again = admin.post(f"/admin/channels/{archive.id}/pause", {"pause_reason": "opet", "confirmed": "yes"})
    assert again.status_code == 302 and count(rt, Hold) == 1  # already paused: said, not doubled
    assert "Nije urađeno" in admin.get("/admin/channels").get_data(as_text=True)
    assert admin.post(f"/admin/channels/{archive.id}/resume").status_code == 200  # asks first
    assert read(rt, select(Hold))[0].released_by is None
    assert admin.post(f"/admin/channels/{archive.id}/resume", {"confirmed": "yes"}).status_code == 302
    assert read(rt, select(Hold))[0].released_by == "admin"
    actions = [e.action for e in read(rt, select(AuditEvent).where(AuditEvent.action.like("hold.%")))]
    assert actions == ["hold.on", "hold.off"]


def test_a_pause_needs_a_reason(admin, people, rt):
    archive = people.channels["archive"]
    response = admin.post(f"/admin/channels/{archive.id}/pause", {"pause_reason": "  "})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'href="#pause_reason"' in html and 'id="pause_reason"' in html
    assert count(rt, Hold) == 0


def test_holding_and_releasing_all_publishing(admin, people, rt, signed_in):
    assert admin.post("/admin/hold", {"hold_reason": ""}).status_code == 422
    assert admin.post("/admin/hold", {"hold_reason": f"Dan žalosti {EVIL}", "confirmed": "yes"}).status_code == 302
    html = signed_in("jelena").get("/").get_data(as_text=True)
    assert "Objavljivanje je zaustavljeno: Dan žalosti &lt;script&gt;" in html and EVIL not in html
    page = admin.get("/admin/channels").get_data(as_text=True)
    assert "/admin/hold/release" in page and 'name="hold_reason"' not in page
    assert admin.post("/admin/hold/release", {"confirmed": "yes"}).status_code == 302
    assert "/admin/hold/release" not in admin.get("/admin/channels").get_data(as_text=True)
    assert admin.post("/admin/hold/release", {"confirmed": "yes"}).status_code == 302  # nothing to release: said, not an error page
    holds = read(rt, select(Hold))
    assert len(holds) == 1 and holds[0].channel_id is None and holds[0].released_by == "admin"


# Checking


def test_check_now_reports_a_working_channel(admin, people, rt):
    archive = people.channels["archive"]
    response = admin.post(f"/admin/channels/{archive.id}/check")
    assert response.status_code == 302
    html = admin.get("/admin/channels").get_data(as_text=True)
    assert "archive odgovara: writing to" in html and "radi" in html
    event = read(rt, select(AuditEvent).where(AuditEvent.action == "channel.check"))[0]
    assert event.detail["ok"] is True and event.subject == f"channel:{archive.id}"


def test_check_now_reports_a_failing_channel_quickly(admin, people, rt, session):
    # The portal's health address is a closed port on loopback: refused at once, and said so.
    portal = people.channels["portal"]
    admin.post(f"/admin/channels/{portal.id}", {"setting_url": "http://127.0.0.1:9/hook",
                                               "setting_health_url": "http://127.0.0.1:9/health",
                                               "save_unchecked": "y"})  # the check on save fails too
    response = admin.post(f"/admin/channels/{portal.id}/check")
    assert response.status_code == 302
    html = admin.get("/admin/channels").get_data(as_text=True)
    assert "portal ne radi:" in html and "ne radi" in html
    assert read(rt, select(AuditEvent).where(AuditEvent.action == "channel.check"))[0].detail["ok"] is False


def test_the_last_failed_delivery_shows_as_the_last_error(admin, people, rt, session, api):
    from tests.web.test_posts_api import scheduled_post

    post_id = scheduled_post(api)
    delivery = session.scalar(select(Delivery).where(Delivery.post_id == post_id))
    delivery.status, delivery.error = "failed", f"portal said 400: {EVIL}"
    session.commit()
    html = admin.get("/admin/channels").get_data(as_text=True)
    assert "portal said 400: &lt;script&gt;" in html and EVIL not in html


def test_holding_and_releasing_say_first_what_they_stop(admin, people, rt, session, english):
    from datetime import timedelta

    from publisher.core import clock
    from tests.factories.posts import approved_post

    approved_post(session, rt, people, channels=("portal", "archive"),
                  scheduled_at=(clock.system_now() + timedelta(days=1)).isoformat())
    approved_post(session, rt, people, channels=("archive",))  # due now
    english("admin")
    asked = admin.post("/admin/hold", {"hold_reason": "Dan žalosti"})
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and count(rt, Hold) == 0
    assert "3 deliveries will not be sent while this lasts" in html, html
    assert "1 of them is already due and stops now" in html
    assert 'name="hold_reason" value="Dan žalosti"' in html
    paused = admin.post(f"/admin/channels/{people.channels['portal'].id}/pause", {"pause_reason": "token"})
    assert "1 delivery will not be sent while this lasts" in paused.get_data(as_text=True)
    assert admin.post("/admin/hold", {"hold_reason": "Dan žalosti", "confirmed": "yes"}).status_code == 302
    release = admin.post("/admin/hold/release").get_data(as_text=True)
    assert "Release the hold?" in release and "3 deliveries wait for this" in release and count(rt, Hold) == 1
