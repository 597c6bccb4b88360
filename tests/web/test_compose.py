"""The compose page (/posts/new, /posts/<id>/edit): writing, saving, sending for approval, editing; the live
counters and the script conversion; every refusal, with nothing saved; who may use it."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from channels import registry
from channels.base import Problem
from publisher.core.models import AuditEvent, Media, Post, PostMedia
from publisher.core.states import PostStatus
from tests.factories.media import png_bytes
from tests.factories.office import add_channel
from tests.web.conftest import Visitor
from tests.web.test_posts_api import scheduled_post, submitted_post, upload

EVIL = "<script>alert(1)</script>"
BODY = "Ministarstvo privrede objavljuje novi program podrške malim preduzećima."


@pytest.fixture(autouse=True)
def counting_channels(rt, session, office):
    """An X and a Bluesky channel besides the office's: the counting rules that differ from plain characters."""
    for kind in ("x", "bluesky"):
        add_channel(session, rt, office, kind, kind, registry.adapter_class(kind).example_settings)
    session.commit()


@pytest.fixture
def writer(signed_in, office):
    """Ana (an officer) with the compose page open: her browser holds the page's CSRF token."""
    browser = signed_in("ana")
    assert browser.get("/posts/new").status_code == 200
    return browser


def channel_id(office, name: str) -> str:
    return str(office.channels[name].id)


def form(office, *, channels=("portal",), **fields) -> dict:
    data = {"title": "Saopštenje", "body": BODY, "language": "sr-Latn", "when": "approved", "action": "save",
            "channels": [channel_id(office, name) for name in channels]}
    data.update(fields)
    return data


def read(rt, query) -> list:
    with rt.read_sessions() as reader:
        return list(reader.scalars(query))


def the_post(rt, post_id: int) -> Post:
    with rt.read_sessions() as reader:
        post = reader.get(Post, post_id)
        _ = (post.channels, post.media_links and post.media_links[0].media)
        reader.expunge_all()
        return post


def saved_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return int(re.fullmatch(r"/posts/(\d+)/edit", response.location).group(1))


def nothing_saved(rt) -> None:
    assert read(rt, select(func.count()).select_from(Post)) == [0]
    assert read(rt, select(AuditEvent.action).where(AuditEvent.action.like("post.%"))) == []


def media_files(rt) -> list[Path]:
    root = rt.settings.media_dir
    return [p for p in root.rglob("*") if p.is_file() and ".incoming" not in p.parts] if root.exists() else []


def error_for(html: str, field_id: str) -> str:
    """The error message tied to a field, after checking that the field points at it (aria-describedby)."""
    found = re.search(rf'<p class="error" id="{re.escape(field_id)}-error">(.*?)</p>', html, re.S)
    assert found, f"no error shown for {field_id}"
    tag = re.search(rf'<(?:input|textarea|fieldset)[^>]*(?:id="{re.escape(field_id)}"|aria-describedby="[^"]*'
                    rf'{re.escape(field_id)}-error)[^>]*>', html)
    assert tag and f"{field_id}-error" in tag.group(0), f"{field_id} is not described by its error"
    return re.sub(r"<[^>]+>|\s+", " ", found.group(1)).replace("Greška:", "").strip()


# Who may use it


def test_the_page_is_for_officers(signed_in, office, client):
    assert signed_in("ana").get("/posts/new").status_code == 200
    assert signed_in("olga").get("/posts/new").status_code == 200  # officer and approver
    for person in ("marko", "jelena", "admin"):  # approver only, manager, administrator
        browser = signed_in(person)
        assert browser.get("/posts/new").status_code == 403
        assert browser.post("/posts/new", form(office)).status_code == 403
    response = Visitor(client).get("/posts/new")
    assert response.status_code == 302 and response.location.startswith("/login?next=/posts/new")


def test_the_navigation_offers_it_to_officers_only(signed_in, office):
    nav = re.compile(r'<nav class="main-nav".*?</nav>', re.S)
    assert 'href="/posts/new"' in nav.search(signed_in("ana").get("/").get_data(as_text=True)).group(0)
    assert 'href="/posts/new"' not in nav.search(signed_in("marko").get("/").get_data(as_text=True)).group(0)


def test_editing_is_refused_by_role_and_by_state(api, signed_in, office, session, rt):
    post_id = submitted_post(api)
    assert signed_in("marko").get(f"/posts/{post_id}/edit").status_code == 403
    manager = signed_in("jelena")
    manager.get("/")
    assert manager.post(f"/posts/{post_id}/edit", form(office)).status_code == 403
    assert signed_in("ana").get("/posts/999999/edit").status_code == 404
    api("ana").post(f"/api/v1/posts/{post_id}/cancel")
    browser = signed_in("bojan")
    assert browser.get(f"/posts/{post_id}/edit").status_code == 409  # cancelled: nothing to edit
    browser.get("/posts/new")
    assert browser.post(f"/posts/{post_id}/edit", form(office)).status_code == 409
    assert the_post(rt, post_id).status == PostStatus.CANCELLED


def test_a_form_without_its_token_is_refused(writer, office, rt):
    assert writer.post("/posts/new", form(office), csrf=False).status_code == 400
    assert writer.post("/posts/compose/check", form(office), csrf=False).status_code == 400
    nothing_saved(rt)


# Writing, saving, sending


def test_save_a_draft(writer, office, rt):
    post_id = saved_id(writer.post("/posts/new", form(office, channels=("portal", "archive"))))
    post = the_post(rt, post_id)
    assert (post.status, post.title, post.body, post.language) == ("draft", "Saopštenje", BODY, "sr-Latn")
    assert sorted(c.name for c in post.channels) == ["archive", "portal"]
    assert post.scheduled_at is None and post.timezone == "Europe/Belgrade"
    page = writer.get(f"/posts/{post_id}/edit").get_data(as_text=True)
    assert "Nacrt je sačuvan" in page and BODY in page and "Izmena objave" in page


def test_send_for_approval(writer, office, rt):
    post_id = saved_id(writer.post("/posts/new", form(office, action="submit")))
    assert the_post(rt, post_id).status == PostStatus.PENDING_APPROVAL
    assert "poslato na odobrenje" in writer.get(f"/posts/{post_id}/edit").get_data(as_text=True)


def test_edit_a_draft_then_send_it(writer, office, rt):
    post_id = saved_id(writer.post("/posts/new", form(office)))
    saved_id(writer.post(f"/posts/{post_id}/edit", form(office, body="Izmenjen tekst.", action="submit")))
    post = the_post(rt, post_id)
    assert (post.body, post.status) == ("Izmenjen tekst.", PostStatus.PENDING_APPROVAL)


def test_editing_an_approved_post_says_it_goes_back_to_approval_and_does(api, signed_in, office, rt):
    post_id = scheduled_post(api)
    browser = signed_in("bojan")
    page = browser.get(f"/posts/{post_id}/edit").get_data(as_text=True)
    assert "Ova objava je odobrena. Ako sačuvate izmenu, vraća se na odobrenje" in page
    assert "Sačuvaj i ponovo pošalji na odobrenje" in page
    assert 'value="2031-06-15"' in page and 'value="10:00"' in page  # the API's time, in local time
    fields = form(office, body="Ispravljen tekst.", title="Саопштење", when="at", date="2031-06-15", time="10:00")
    saved_id(browser.post(f"/posts/{post_id}/edit", fields))
    post = the_post(rt, post_id)
    assert post.status == PostStatus.PENDING_APPROVAL and post.approved_by_id is None
    assert post.scheduled_at == datetime(2031, 6, 15, 8, tzinfo=UTC)


def test_a_save_over_someone_elses_change_is_refused_once(api, signed_in, office, rt):
    browser = signed_in("ana")
    browser.get("/posts/new")
    post_id = saved_id(browser.post("/posts/new", form(office)))
    page = browser.get(f"/posts/{post_id}/edit").get_data(as_text=True)
    opened = re.search(r'name="base_hash" type="hidden" value="([0-9a-f]+)"', page).group(1)
    api("bojan").edit(f"/api/v1/posts/{post_id}", json={"body": "Bojanova verzija."})
    refused = browser.post(f"/posts/{post_id}/edit", form(office, body="Anina verzija.", base_hash=opened))
    assert refused.status_code == 409 and "Neko drugi je izmenio ovu objavu" in refused.get_data(as_text=True)
    assert the_post(rt, post_id).body == "Bojanova verzija."
    current = re.search(r'name="base_hash" type="hidden" value="([0-9a-f]+)"', refused.get_data(as_text=True))
    saved_id(browser.post(f"/posts/{post_id}/edit", form(office, body="Anina verzija.", base_hash=current.group(1))))
    assert the_post(rt, post_id).body == "Anina verzija."


def test_own_text_per_channel(writer, office, rt):
    fields = form(office, channels=("portal", "x"), **{f"variant_{channel_id(office, 'x')}": "Kratko za X."})
    post_id = saved_id(writer.post("/posts/new", fields))
    assert the_post(rt, post_id).variants == {"x": "Kratko za X."}
    page = writer.get(f"/posts/{post_id}/edit").get_data(as_text=True)
    assert "Kratko za X." in page and "vlastiti tekst" in page


def test_own_text_for_a_channel_not_chosen_is_not_dropped_silently(writer, office, rt):
    variant = f"variant_{channel_id(office, 'x')}"
    response = writer.post("/posts/new", form(office, **{variant: "Kratko za X."}))
    assert response.status_code == 422
    assert "kanal nije izabran" in error_for(response.get_data(as_text=True), variant)
    nothing_saved(rt)


def test_upload_an_image_in_place_with_its_alt_text(writer, office, rt):
    fields = form(office, channels=("portal", "archive"), upload=(io.BytesIO(png_bytes()), "ministar.png"),
                  upload_alt="Ministar na konferenciji za medije")
    post_id = saved_id(writer.post("/posts/new", fields, content_type="multipart/form-data"))
    post = the_post(rt, post_id)
    assert [(link.media.original_name, link.effective_alt_text) for link in post.media_links] == [
        ("ministar.png", "Ministar na konferenciji za medije")]
    assert len(media_files(rt)) == 1
    page = writer.get(f"/posts/{post_id}/edit").get_data(as_text=True)
    media_id = post.media_links[0].media_id
    assert f'src="/media/{media_id}/preview"' in page  # the media library's previews
    assert writer.client.get(f"/media/{media_id}/preview").mimetype == "image/jpeg"


def test_pick_from_the_library_with_alt_text_for_this_post(api, writer, office, rt):
    media_id = upload(api("bojan")).json["id"]  # in the library, with Cyrillic alt text
    page = writer.get("/posts/new").get_data(as_text=True)
    assert f'name="media" value="{media_id}"' in page
    fields = form(office, channels=("x",), media=[str(media_id)], **{f"alt_{media_id}": "Ministar govori"})
    post_id = saved_id(writer.post("/posts/new", fields))
    links = read(rt, select(PostMedia).where(PostMedia.post_id == post_id))
    assert [(link.media_id, link.alt_text) for link in links] == [(media_id, "Ministar govori")]
    assert read(rt, select(Media.alt_text).where(Media.id == media_id)) == ["Министар на конференцији"]


# The time: local, across the clock changes


@pytest.mark.parametrize(("date", "time", "utc"), [
    ("2031-06-15", "10:00", datetime(2031, 6, 15, 8, tzinfo=UTC)),  # summer: UTC+2
    ("2031-12-15", "10:00", datetime(2031, 12, 15, 9, tzinfo=UTC)),  # winter: UTC+1
    ("2031-03-30", "01:30", datetime(2031, 3, 30, 0, 30, tzinfo=UTC)),  # last Sunday of March, before the jump
    ("2031-03-30", "03:00", datetime(2031, 3, 30, 1, tzinfo=UTC)),  # ... and just after it
    ("2031-10-26", "03:30", datetime(2031, 10, 26, 2, 30, tzinfo=UTC)),  # last Sunday of October, after
])
def test_a_local_time_is_kept_as_the_right_moment(writer, office, rt, date, time, utc):
    post_id = saved_id(writer.post("/posts/new", form(office, when="at", date=date, time=time)))
    post = the_post(rt, post_id)
    assert (post.scheduled_at, post.timezone) == (utc, "Europe/Belgrade")
    page = writer.get(f"/posts/{post_id}/edit").get_data(as_text=True)
    assert f'value="{date}"' in page and f'value="{time}"' in page


def test_a_time_that_does_not_exist_when_clocks_jump_forward(writer, office, rt):
    response = writer.post("/posts/new", form(office, when="at", date="2031-03-30", time="02:30"))
    assert response.status_code == 422
    message = error_for(response.get_data(as_text=True), "time")
    assert message == ("02:30 ne postoji 2031-03-30 u zoni Europe/Belgrade: te noći se sat pomera sa 02:00 "
                       "na 03:00. Izaberite vreme pre 02:00 ili od 03:00 nadalje.")
    nothing_saved(rt)


@pytest.mark.parametrize(("choice", "utc"), [("earlier", datetime(2031, 10, 26, 0, 30, tzinfo=UTC)),
                                              ("later", datetime(2031, 10, 26, 1, 30, tzinfo=UTC))])
def test_a_time_that_happens_twice_when_clocks_go_back(writer, office, rt, choice, utc):
    fields = form(office, when="at", date="2031-10-26", time="02:30")
    response = writer.post("/posts/new", fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "dešava dva puta" in error_for(html, "dst_choice")
    assert "02:30 CEST (UTC+02:00), prvi put" in html and "02:30 CET (UTC+01:00), drugi put" in html
    nothing_saved(rt)
    post_id = saved_id(writer.post("/posts/new", {**fields, "dst_choice": choice}))
    assert the_post(rt, post_id).scheduled_at == utc


def test_a_time_in_the_past_is_refused(writer, office, rt):
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    response = writer.post("/posts/new", form(office, when="at", date=yesterday, time="10:00"))
    assert response.status_code == 422
    assert "već prošlo" in error_for(response.get_data(as_text=True), "time")
    nothing_saved(rt)


def test_every_problem_is_told_at_once(writer, office, rt):
    response = writer.post("/posts/new", form(office, body="", channels=(), when="at", date="2031-03-30",
                                              time="02:30"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and error_for(html, "body") and error_for(html, "channels")
    assert "ne postoji 2031-03-30" in error_for(html, "time")
    nothing_saved(rt)


def test_a_set_time_needs_a_date_and_a_time(writer, office, rt):
    html = writer.post("/posts/new", form(office, when="at", date="", time="9")).get_data(as_text=True)
    assert "Unesite datum" in error_for(html, "date") and "Unesite vreme" in error_for(html, "time")
    nothing_saved(rt)


# Bad input: told next to the field, nothing saved


def test_empty_text_and_no_channel(writer, office, rt):
    response = writer.post("/posts/new", form(office, body="  ", channels=()))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_for(html, "body") == "Napišite tekst objave."
    assert error_for(html, "channels") == "Izaberite bar jedan kanal."
    assert '<div class="error-summary" role="alert"' in html and 'href="#body"' in html
    nothing_saved(rt)


def test_too_long_for_a_channel(writer, office, rt):
    long_text = "Ministarstvo " * 30  # 390 characters: fine for the portal, too long for X and Bluesky
    response = writer.post("/posts/new", form(office, body=long_text, channels=("portal", "x", "bluesky")))
    assert response.status_code == 422
    message = error_for(response.get_data(as_text=True), "body")
    assert "x: tekst ima 390 znakova; staje najviše 280" in message
    assert "bluesky: tekst ima 390 znakova; staje najviše 300" in message
    assert "portal" not in message
    nothing_saved(rt)


def test_too_long_in_a_channels_own_text_is_told_there(writer, office, rt):
    variant = f"variant_{channel_id(office, 'x')}"
    response = writer.post("/posts/new", form(office, channels=("portal", "x"), **{variant: "x" * 281}))
    assert "x: tekst ima 281 znakova" in error_for(response.get_data(as_text=True), variant)
    nothing_saved(rt)


def test_a_file_that_is_not_an_image_is_refused_and_not_kept(writer, office, rt):
    fields = form(office, upload=(io.BytesIO(b"MZ\x90\x00 this is a program, not a photo"), "slika.png"),
                  upload_alt="Slika")
    response = writer.post("/posts/new", fields, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "nije slika" in error_for(response.get_data(as_text=True), "upload")
    nothing_saved(rt)
    assert read(rt, select(Media)) == [] and media_files(rt) == []


def test_missing_alt_text_where_a_channel_requires_it_keeps_no_file(writer, office, rt):
    fields = form(office, channels=("archive", "bluesky"), upload=(io.BytesIO(png_bytes()), "bez-opisa.png"))
    response = writer.post("/posts/new", fields, content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    message = error_for(html, "upload_alt")
    assert "archive: bez-opisa.png: napišite njen alternativni tekst" in message and "bluesky:" in message
    assert "nije sačuvana, jer ništa nije sačuvano" in error_for(html, "upload")
    nothing_saved(rt)
    assert read(rt, select(Media)) == [] and media_files(rt) == []  # the upload went with the rollback


def test_missing_alt_text_on_a_library_item_is_told_at_its_field(api, writer, office, rt):
    media_id = upload(api("bojan"), alt="").json["id"]
    response = writer.post("/posts/new", form(office, channels=("x",), media=[str(media_id)],
                                              **{f"alt_{media_id}": ""}))
    assert response.status_code == 422
    assert "x: slika.png: napišite njen alternativni tekst" in error_for(response.get_data(as_text=True),
                                                                          f"alt_{media_id}")
    nothing_saved(rt)


def test_a_refused_edit_changes_nothing(api, signed_in, office, rt):
    post_id = scheduled_post(api)
    browser = signed_in("bojan")
    browser.get(f"/posts/{post_id}/edit")
    response = browser.post(f"/posts/{post_id}/edit", form(office, body="x" * 300, channels=("x",)))
    assert response.status_code == 422
    post = the_post(rt, post_id)
    assert post.status == PostStatus.SCHEDULED and post.body.startswith("Министарство")


# The live counters


def test_each_channel_counts_its_own_way(writer, office):
    text = "Čestitamo! 👨‍👩‍👧 https://www.privreda.gov.rs/vesti/2031/program-podrske-malim-preduzecima"
    response = writer.post("/posts/compose/check", form(office, body=text, channels=("portal", "x", "bluesky")))
    assert response.status_code == 200
    counts = {c["name"]: (c["used"], c["limit"], c["count"]) for c in response.json["channels"]}
    assert counts["portal"] == (len(text), 100_000, f"{len(text)} od 100000")
    assert counts["x"][0] == 11 + 2 + 1 + 23  # the family emoji weighs 2, any link 23
    assert counts["bluesky"][0] == 11 + 1 + 1 + len(text.split()[-1])  # the family is one grapheme
    assert all(c["problems"] == [] for c in response.json["channels"])


def test_the_counters_show_each_channels_problems(api, writer, office):
    media_id = upload(api("bojan"), alt="").json["id"]
    variant = f"variant_{channel_id(office, 'x')}"
    fields = form(office, title="", channels=("portal", "x"), media=[str(media_id)], **{variant: "é" * 281})
    result = writer.post("/posts/compose/check", fields).json
    problems = {c["name"]: [(p["message"], p["target"]) for p in c["problems"]] for c in result["channels"]}
    assert problems["portal"][0] == ("portal: potreban je naslov", "title")
    assert ("x: tekst ima 281 znakova; staje najviše 280", variant) in problems["x"]
    assert ("x: slika.png: napišite njen alternativni tekst (šta slika prikazuje, za one koji je ne vide)",
            f"alt_{media_id}") in problems["x"]
    assert [c["own_text"] for c in result["channels"]] == [False, True]


def test_the_counters_without_channels_and_refusals(writer, signed_in, office, rt):
    assert writer.post("/posts/compose/check", form(office, channels=())).json["channels"] == []
    marko = signed_in("marko")
    marko.get("/")
    assert marko.post("/posts/compose/check", form(office)).status_code == 403
    nothing_saved(rt)


def test_the_page_shows_the_counts_without_script_too(writer, office):
    html = writer.post("/posts/new", form(office, action="check", channels=("x",))).get_data(as_text=True)
    assert f"{len(BODY)} od 280" in html and "Staje, nema problema." in html
    assert "Ponovo proveri kanale" in html


# Latin and Cyrillic


def test_convert_to_cyrillic_without_script(writer, office, rt):
    variant = f"variant_{channel_id(office, 'x')}"
    response = writer.post("/posts/new", form(office, action="to-cyrl", title="Njegoš i džem", body="Ljubav, @vlada",
                                              channels=("portal", "x"), **{variant: "Đurđevdan"}))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'value="Његош и џем"' in html and "\nЉубав, @vlada</textarea>" in html and "\nЂурђевдан</textarea>" in html
    assert re.search(r'name="language" id="language-?\d*" value="sr-Cyrl" checked', html)
    nothing_saved(rt)


def test_convert_with_the_script_endpoint(writer, office):
    response = writer.post("/posts/compose/transliterate?to=sr-Latn",
                           form(office, title="Саопштење", body="Министарство, https://мин.срб"))
    assert response.json == {"language": "sr-Latn", "fields": {
        "title": "Saopštenje", "body": "Ministarstvo, https://мин.срб",
        **{f"variant_{c.id}": "" for c in sorted(office.channels.values(), key=lambda c: c.name)}}}
    assert writer.post("/posts/compose/transliterate?to=en", form(office)).status_code == 400


# What the page shows


def test_script_in_title_and_text_is_shown_as_text(writer, office, rt):
    post_id = saved_id(writer.post("/posts/new", form(office, title=EVIL, body=EVIL)))
    html = writer.get(f"/posts/{post_id}/edit").get_data(as_text=True)
    assert EVIL not in html
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in html
    assert "\n&lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in html
    refused = writer.post("/posts/new", form(office, title=EVIL, body=EVIL, channels=()))
    assert EVIL not in refused.get_data(as_text=True)


def test_no_inline_script_and_every_field_has_its_label(api, writer, office):
    upload(api("bojan"))
    for html in (writer.get("/posts/new").get_data(as_text=True),
                 writer.post("/posts/new", form(office, channels=(), body="")).get_data(as_text=True)):
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=", html)
        for field in re.findall(r"<(?:input|textarea)(?![^>]*type=\"(?:hidden|submit)\")[^>]*>", html):
            field_id = re.search(r'\sid="([^"]+)"', field).group(1)
            assert f'for="{field_id}"' in html, field_id
        assert '<script src="/static/compose.js" defer></script>' in html


@pytest.mark.parametrize(("problem", "latin", "albanian"), [
    (Problem("X", "a post takes up to 4 images or one video, not both", "media", "images_and_video"),
     "X: objava može imati slike ili jedan video, ne oboje", "X: një postim merr imazhe ose një video, jo të dyja"),
    (Problem("Mastodon", "a.png: alt text 1600 of 1500 characters", "media", "alt_text_too_long",
             {"used": 1600, "limit": 1500}, "a.png"),
     "Mastodon: a.png: alternativni tekst ima 1600 znakova; staje najviše 1500",
     "Mastodon: a.png: teksti alternativ ka 1600 shenja; përshtaten më së shumti 1500"),
    (Problem("Portal", "something only this platform says", None, "other"),
     "Portal: something only this platform says", "Portal: something only this platform says"),
])
def test_a_problem_is_told_in_the_readers_language_by_its_code(app, problem, latin, albanian):
    from web.compose import problem_text

    for language, expected in (("sr-Latn", latin), ("sq", albanian)):
        with app.test_request_context("/", headers={"Accept-Language": language}):
            assert problem_text(problem) == expected


def test_text_in_the_other_serbian_script_is_warned_about_not_refused(english, signed_in, office, rt):
    english("ana")
    browser = signed_in("ana")
    assert browser.get("/posts/new").status_code == 200
    cyrillic = form(office, title="Саопштење", body="Министарство саопштава да је састанак одложен.")
    post_id = saved_id(browser.post("/posts/new", cyrillic))  # saved all the same
    page = browser.get(f"/posts/{post_id}/edit").get_data(as_text=True)
    assert "The text is written in Cyrillic, but the post&#39;s language is Serbian (Latin)." in page
    checked = browser.post("/posts/new", form(office, language="sr-Cyrl", action="check")).get_data(as_text=True)
    assert "The text is written in Latin script, but the post&#39;s language is Serbian (Cyrillic)." in checked
    assert "The text is written in" not in browser.post("/posts/new", form(office, action="check")).get_data(as_text=True)
    live = browser.post("/posts/compose/check", form(office, language="sr-Cyrl")).json
    assert live["script_warning"].startswith("The text is written in Latin script")
    assert browser.post("/posts/compose/check", form(office, language="sq")).json["script_warning"] is None
