"""What was approved is what goes out: approval freezes the version, the worker publishes only it, and a
change to something an approved post uses sends the post back for approval."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select, update

from publisher.core.errors import Conflict, Invalid
from publisher.core.models import AuditEvent, Delivery, Media, PostApproval
from publisher.core.states import DeliveryStatus, PostStatus
from publisher.destinations.content import content_for, load_contents
from publisher.media import library
from publisher.media.store import store_upload
from publisher.posts import workflow
from publisher.publishing import dispatch
from publisher.publishing.worker import Worker
from tests.factories.media import jpeg_bytes, png_bytes
from tests.factories.office import add_channel
from tests.factories.posts import approve_as_read, draft_post, pending_post

LATER = "2031-06-15T10:00:00+02:00"


def library_photo(session, rt, office, *, alt: str = "Министар у Нишу", name: str = "nis.png") -> Media:
    media, _ = store_upload(session, rt.settings.media_dir, io.BytesIO(png_bytes()), actor=office.actor("ana"),
                            filename=name, alt_text=alt)
    session.commit()
    return media


def photo_post(session, rt, office, photo: Media, **fields) -> int:
    """A post on the archive folder using the library's alt text of `photo`, approved by marko."""
    post_id = pending_post(session, rt, office, channels=("archive",), language="sr-Cyrl",
                           media=[photo.id], **fields)
    approve_as_read(session, rt, office.actor("marko"), post_id)
    session.commit()
    return post_id


def archived(rt, post_id: int) -> dict:
    [written] = (rt.settings.instance_dir / "outbox").glob(f"p{post_id}-*.json")
    return json.loads(written.read_text(encoding="utf-8"))


def test_the_worker_publishes_the_frozen_version_even_if_the_library_changes_underneath(rt, session, office):
    photo = library_photo(session, rt, office)
    post_id = photo_post(session, rt, office, photo)
    # Behind every service's back (a raw UPDATE): nothing may make the worker send what nobody approved.
    session.execute(update(Media).where(Media.id == photo.id).values(alt_text="Министар на скијању"))
    session.commit()
    Worker(rt).run_until_idle()
    sent = archived(rt, post_id)["data"]
    assert [m["alt_text"] for m in sent["media"]] == ["Министар у Нишу"]


def test_each_delivery_reads_its_approvals_frozen_version(rt, session, office):
    second, _ = store_upload(session, rt.settings.media_dir, io.BytesIO(jpeg_bytes()), actor=office.actor("ana"),
                             filename="sala.jpg", alt_text="Sala")
    first = library_photo(session, rt, office, alt="Grb")
    post_id = pending_post(session, rt, office, channels=("portal", "archive"), language="sr-Latn",
                           media=[second.id, {"id": first.id, "alt_text": "Grb Srbije, za ovu objavu"}],
                           variants={"archive": "Kraće za arhivu"})
    post = approve_as_read(session, rt, office.actor("marko"), post_id)
    session.commit()
    [approval] = session.scalars(select(PostApproval).where(PostApproval.post_id == post_id))
    assert {d.approval_id for d in post.deliveries} == {approval.id}
    assert approval.content_hash == post.content_hash == post.approved_hash
    contents = load_contents(session, [(d.id, d.channel_id) for d in post.deliveries], rt.settings.media_dir)
    for delivery in post.deliveries:
        assert contents[delivery.id] == content_for(post, delivery.channel, rt.settings.media_dir)
    archive = contents[next(d.id for d in post.deliveries if d.channel.name == "archive")]
    assert archive.text == "Kraće za arhivu" and archive.media[0].path.exists()
    assert [m.alt_text for m in archive.media] == ["Sala", "Grb Srbije, za ovu objavu"]
    assert archive.other_script.text == "Краће за архиву"


def test_a_changed_library_alt_text_sends_an_approved_post_back_with_the_reason(rt, session, office):
    photo = library_photo(session, rt, office)
    post_id = photo_post(session, rt, office, photo, scheduled_at=LATER)
    approved_hash = workflow.get_post(session, post_id).content_hash
    library.describe(session, office.actor("bojan"), photo.id, alt_text="Министар на скијању", credit="")
    assert workflow.media_described(session, rt, office.actor("bojan"), photo.id) == [post_id]
    session.commit()
    post = workflow.get_post(session, post_id)
    assert post.status == PostStatus.PENDING_APPROVAL
    assert post.content_hash != approved_hash and post.approved_hash is None
    assert post.sent_back == {"code": "media_alt_changed", "params": {"file": "nis.png"}}
    assert post.deliveries == []  # never attempted: nothing goes out until approved again
    assert office.users["bojan"].id in post.contributor_ids  # who changed the text may not approve it
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "post.sent_back")).one()
    assert event.post_id == post_id and event.detail["media_id"] == photo.id
    # The next approval freezes the new text and forgets the reason.
    approve_as_read(session, rt, office.actor("marko"), post_id)
    session.commit()
    assert workflow.get_post(session, post_id).sent_back is None
    frozen = session.scalars(select(PostApproval.frozen).where(PostApproval.post_id == post_id)
                             .order_by(PostApproval.id.desc())).first()
    assert [m["alt_text"] for m in frozen["media"]] == ["Министар на скијању"]


def test_a_post_with_its_own_alt_text_or_already_publishing_is_left_alone(rt, session, office):
    photo = library_photo(session, rt, office)
    own_text = pending_post(session, rt, office, channels=("archive",), scheduled_at=LATER,
                            media=[{"id": photo.id, "alt_text": "Свој опис"}])
    approve_as_read(session, rt, office.actor("marko"), own_text)
    publishing = photo_post(session, rt, office, photo)
    claims = dispatch.claim_due(session, "w1", rt.clock(), {office.channels["archive"].id: 10},
                                dispatch.DispatchPolicy())
    assert [c.post_id for c in claims] == [publishing]
    session.commit()
    library.describe(session, office.actor("bojan"), photo.id, alt_text="Нови опис", credit="")
    assert workflow.media_described(session, rt, office.actor("bojan"), photo.id) == []
    session.commit()
    session.expire_all()  # the claim moved the post in SQL, behind this session's back
    assert workflow.get_post(session, own_text).status == PostStatus.SCHEDULED
    assert workflow.get_post(session, publishing).status == PostStatus.PUBLISHING
    [delivery] = session.scalars(select(Delivery).where(Delivery.post_id == publishing))
    assert delivery.status == DeliveryStatus.SENDING
    [content] = load_contents(session, [(delivery.id, delivery.channel_id)], rt.settings.media_dir).values()
    assert [m.alt_text for m in content.media] == ["Министар у Нишу"]


def test_uploading_the_same_file_with_a_first_alt_text_counts_as_a_change(rt, session, office):
    add_channel(session, rt, office, "vesti", "feed", {"slug": "vesti", "title": "Vesti",
                                                     "public_url": "https://press.example"})
    photo = library_photo(session, rt, office, alt="")
    post_id = pending_post(session, rt, office, channels=("vesti",), scheduled_at=LATER, media=[photo.id],
                           title="Без описа")  # a feed needs no alt text
    seen = workflow.get_post(session, post_id).content_hash
    again, created = store_upload(session, rt.settings.media_dir, io.BytesIO(png_bytes()),
                                  actor=office.actor("bojan"), alt_text="Опис који нико није одобрио")
    assert (again.id, created) == (photo.id, False)
    workflow.media_described(session, rt, office.actor("bojan"), photo.id)
    session.commit()
    # The approver read the post without a description: approving that reading is refused.
    with pytest.raises(Conflict) as refused:
        workflow.approve(session, rt, office.actor("marko"), post_id, seen_hash=seen)
    assert refused.value.details["content_hash"] == workflow.get_post(session, post_id).content_hash


def test_approving_needs_the_version_read(rt, session, office):
    post_id = pending_post(session, rt, office)
    with pytest.raises(Invalid) as missing:
        workflow.approve(session, rt, office.actor("marko"), post_id, seen_hash="")
    assert missing.value.code == "content_hash_required"
    with pytest.raises(Conflict):
        workflow.approve(session, rt, office.actor("marko"), post_id, seen_hash="0" * 64)
    assert workflow.get_post(session, post_id).status == PostStatus.PENDING_APPROVAL


def test_the_hash_covers_the_other_script_each_channel_receives(rt, session, office):
    post = draft_post(session, rt, office, channels=("portal", "archive"), language="sr-Cyrl",
                      variants={"archive": "Краће"})
    before = post.content_hash
    workflow.edit_post(session, rt, office.actor("ana"), post.id, {"variants": {"archive": "Краћe"}})  # a Latin e
    assert workflow.get_post(session, post.id).content_hash != before
