"""A post's approval record: exactly what its last approval bound (every language version, channels with their
own texts, media with alt texts, the time in its zone, author, approver, hash), read from the frozen version
even after the post changed, refused by name for a post that has none, and printed as a PDF."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from publisher.core.actor import Actor
from publisher.core.errors import Forbidden, NotFound
from publisher.core.models import PostApproval
from publisher.media.store import store_upload
from publisher.pdf.rendering import render_html
from publisher.posts import workflow
from publisher.posts.approval_record import (
    NEVER_APPROVED,
    TEMPLATE,
    ChannelEntry,
    LanguageVersion,
    MediaEntry,
    approval_record,
    approval_record_pdf,
)
from tests.factories.media import png_bytes
from tests.factories.posts import approved_post, pending_post
from tests.support.pdf_reading import pdftotext, string_values
from web.printed import SETUP

ZONE = "Europe/Belgrade"
FIELDS = {
    "title": "Министар у Нишу", "body": "Министар је данас посетио Ниш.", "language": "sr-Cyrl",
    "translations": {"sq": {"title": "Ministri në Nish", "body": "Ministri sot vizitoi Nishin."},
                     "en": {"title": "The minister in Niš", "body": "The minister visited Niš today."}},
    "channels": ["portal", "archive"], "variants": {"archive": "Краће за архиву"},
    "scheduled_at": "2031-06-15T10:00:00+02:00",
}


@pytest.fixture
def photo(session, rt, office):
    media, _ = store_upload(session, rt.settings.media_dir, io.BytesIO(png_bytes()), actor=office.actor("ana"),
                            filename="nis.png", alt_text="Министар испред општине")
    session.commit()
    return media


def test_the_record_is_the_approved_version_with_everything_it_bound(session, rt, office, photo):
    post_id = approved_post(session, rt, office, media=[photo.id], **FIELDS)
    post = workflow.get_post(session, post_id)
    record = approval_record(session, office.actor("jelena"), post_id, office_zone=ZONE)
    assert record.versions == [
        LanguageVersion("sr-Cyrl", "Министар у Нишу", "Министар је данас посетио Ниш.", True),
        LanguageVersion("sq", "Ministri në Nish", "Ministri sot vizitoi Nishin.", False),
        LanguageVersion("en", "The minister in Niš", "The minister visited Niš today.", False)]
    assert record.channels == [ChannelEntry("portal", None), ChannelEntry("archive", "Краће за архиву")]
    assert record.media == [MediaEntry("nis.png", "Министар испред општине", photo.sha256)]
    assert (record.scheduled_at.isoformat(), record.timezone) == ("2031-06-15T10:00:00+02:00", ZONE)
    assert (record.author, record.approver) == ("ana", "marko")
    assert record.approved_at == post.approved_at and record.approved_at.tzinfo.key == ZONE
    assert record.content_hash == post.approved_hash == post.content_hash
    assert record.frozen


def test_a_post_changed_after_approval_still_shows_what_was_approved(session, rt, office):
    post_id = approved_post(session, rt, office, **FIELDS)
    approved_hash = workflow.get_post(session, post_id).content_hash
    workflow.edit_post(session, rt, office.actor("bojan"), post_id, {"body": "Нико ово није одобрио."})
    session.commit()
    record = approval_record(session, office.actor("ana"), post_id, office_zone=ZONE)
    assert record.versions[0].body == "Министар је данас посетио Ниш."
    assert record.content_hash == approved_hash != workflow.get_post(session, post_id).content_hash


def test_a_post_never_approved_has_no_record(session, rt, office):
    post_id = pending_post(session, rt, office)
    with pytest.raises(NotFound) as refused:
        approval_record(session, office.actor("ana"), post_id, office_zone=ZONE)
    assert refused.value.code == NEVER_APPROVED


def test_an_unknown_post_is_not_found(session, office):
    with pytest.raises(NotFound) as refused:
        approval_record(session, office.actor("ana"), 2_000_000_000, office_zone=ZONE)
    assert refused.value.code == "not_found"


def test_only_a_person_who_may_read_posts_gets_the_record(session, rt, office):
    post_id = approved_post(session, rt, office)
    with pytest.raises(Forbidden):
        approval_record(session, Actor.system("worker"), post_id, office_zone=ZONE)


def test_the_pdf_holds_every_version_and_the_facts_in_the_readers_language(session, rt, office, photo, tmp_path):
    post_id = approved_post(session, rt, office, media=[photo.id], **FIELDS)
    pdf = approval_record_pdf(session, office.actor("ana"), post_id, "sq", setup=SETUP, office_zone=ZONE)
    assert string_values(pdf, "Lang") == ["sq"]
    text = " ".join(pdftotext(pdf, tmp_path).split())
    for words in ("Министар је данас посетио Ниш.", "Ministri sot vizitoi Nishin.", "The minister visited Niš today.",
                  "Краће за архиву", "nis.png", "Министар испред општине", "Miratoi marko", "Autori ana",
                  "15 qershor 2031, 10:00", "Europe/Belgrade"):
        assert words in text
    hash_text = "".join(text.split())  # the hash may wrap
    assert workflow.get_post(session, post_id).content_hash in hash_text


def test_each_language_version_keeps_its_own_lang_in_a_document_of_the_readers(session, rt, office):
    post_id = approved_post(session, rt, office, **FIELDS)
    record = approval_record(session, office.actor("ana"), post_id, office_zone=ZONE)
    html = render_html(TEMPLATE, {"record": record}, "en", setup=SETUP)
    assert '<html lang="en">' in html
    assert '<section lang="sr-Cyrl">' in html and '<section lang="sq">' in html and '<section lang="en">' in html
    assert '<div class="text" lang="sr-Cyrl">Краће за архиву</div>' in html  # a channel's own text: the primary's


def test_an_approval_from_before_frozen_versions_shows_its_snapshot(session, rt, office):
    post_id = approved_post(session, rt, office, **FIELDS)
    # As such an approval was stored: no frozen version, and a snapshot from before snapshots kept translations.
    approval = session.scalar(select(PostApproval).where(PostApproval.post_id == post_id))
    approval.frozen = None
    approval.content = {k: v for k, v in approval.content.items() if k != "translations"}
    session.commit()
    record = approval_record(session, office.actor("ana"), post_id, office_zone=ZONE)
    assert not record.frozen
    assert [v.language for v in record.versions] == ["sr-Cyrl"]  # the snapshot kept no translations
    assert record.channels == [ChannelEntry("portal", None), ChannelEntry("archive", "Краће за архиву")]
    assert "This approval was made before approvals kept every language version" in \
        render_html(TEMPLATE, {"record": record}, "en", setup=SETUP)
