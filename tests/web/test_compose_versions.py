"""Compose with language versions: the other languages' title and text are saved as the post's translations,
shown again on edit with the other Serbian script derived; a version in the primary language or too long is
told at its language, and nothing typed is lost or saved."""

from __future__ import annotations

import pytest

from tests.web.test_compose import error_for, form, nothing_saved, saved_id, the_post

SQ = {"version_title-sq": "Njoftim", "version_body-sq": "Ministria shpall një program të ri."}
EN = {"version_title-en": "Announcement", "version_body-en": "The ministry announces a new programme."}


@pytest.fixture
def writer(signed_in, office):
    """Ana (an officer) with the compose page open."""
    browser = signed_in("ana")
    assert browser.get("/posts/new").status_code == 200
    return browser


def test_versions_are_saved_as_translations_and_shown_on_edit(writer, office, rt):
    post_id = saved_id(writer.post("/posts/new", form(office, **SQ, **EN)))
    post = the_post(rt, post_id)
    assert post.translations == {
        "en": {"title": "Announcement", "body": "The ministry announces a new programme."},
        "sq": {"title": "Njoftim", "body": "Ministria shpall një program të ri."}}
    page = writer.get(f"/posts/{post_id}/edit").get_data(as_text=True)
    assert 'name="version_body-sq" lang="sq"' in page and "Ministria shpall një program të ri." in page
    # The primary version is sr-Latn: no input for it among the versions, and the Cyrillic one is derived.
    assert 'name="version_body-sr-Latn"' not in page
    assert '<span class="derived-text" lang="sr-Cyrl">Саопштење</span>' in page


def test_a_version_emptied_on_edit_is_removed(writer, office, rt):
    post_id = saved_id(writer.post("/posts/new", form(office, **SQ, **EN)))
    saved_id(writer.post(f"/posts/{post_id}/edit", form(office, **EN, **{"version_title-sq": "", "version_body-sq": ""})))
    assert set(the_post(rt, post_id).translations) == {"en"}


def test_a_version_in_the_primary_language_is_told_there_and_kept(writer, office, rt):
    response = writer.post("/posts/new", form(office, language="sq", **SQ))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Sopstveni jezik objave je sada albanski" in error_for(html, "version_body-sq")
    assert "Ministria shpall një program të ri." in html
    nothing_saved(rt)


def test_a_version_too_long_is_told_at_its_language(writer, office, rt):
    response = writer.post("/posts/new", form(office, **{"version_title-en": "x" * 501}))
    assert response.status_code == 422
    assert "najviše 500" in error_for(response.get_data(as_text=True), "version_title-en")
    nothing_saved(rt)


def test_the_live_counts_and_previews_are_per_language_where_a_channel_posts_each_version(writer, office, session,
                                                                                         rt):
    """A channel that publishes the Albanian and English versions as posts of their own is counted and previewed
    once per version the form holds, and a version it takes that the form lacks is named at once."""
    from publisher.core.models import Channel  # noqa: PLC0415

    portal = session.get(Channel, office.channels["portal"].id)
    portal.config = {**portal.config, "languages": ["sr-Latn", "sq", "en"]}
    session.commit()
    checks = writer.post("/posts/compose/check", form(office, **SQ)).json["channels"]
    assert [(c["name"], c["used"]) for c in checks] == [
        ("portal · srpski (latinica)", len(form(office)["body"])), ("portal · albanski", len(SQ["version_body-sq"]))]
    assert [p["message"] for p in checks[0]["problems"]] == [  # the English version, said once
        "nedostaje verzija na jeziku engleski, a kanal portal je objavljuje: napišite je ili zamolite "
        "administratora da promeni jezičke verzije kanala"]
    assert checks[1]["problems"] == []
    preview = writer.post("/posts/compose/preview", form(office, **SQ, **EN)).get_data(as_text=True)
    assert SQ["version_body-sq"] in preview and EN["version_body-en"] in preview
    assert preview.count('<li class="preview preview-') == 3
    nothing_saved(rt)
