"""A post in several languages, from the workflow to the platforms: composed with its versions, approved once,
one delivery per channel and language (or one with every version, where the channel takes them together),
published by the worker to each platform in the version it takes."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from channels import registry
from publisher import demo
from publisher.core.errors import Invalid, Unpublishable
from publisher.core.models import Channel, Delivery, Post, PostApproval
from publisher.core.states import DeliveryStatus, PostStatus
from publisher.destinations import channel_languages
from publisher.destinations.content import contents_for, freeze, load_contents, thaw
from publisher.notifications.models import Notification
from publisher.posts import workflow
from publisher.publishing import channel_admin
from publisher.publishing.worker import Worker
from tests.factories.office import PORTAL_SECRET, add_channel
from tests.factories.posts import approve_as_read, draft_post, pending_post
from tests.support.smtp_server import SmtpServer

TRANSLATIONS = {
    "sq": {"title": "Njoftim për konkursin", "body": "Ministria hap konkursin për ndërmarrjet e vogla."},
    "en": {"title": "Call for applications", "body": "The Ministry opens a call for small businesses."},
}
THREE = {"title": "Konkurs za mala preduzeća", "body": "Ministarstvo otvara konkurs za mala preduzeća.",
         "language": "sr-Latn", "translations": TRANSLATIONS}


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


@pytest.fixture
def channels(rt, session, office, portal, smtp):
    """The portal takes Serbian (both scripts), Albanian and English one by one; the press list gets all three
    written versions in one message; the archive keeps the post's own language, as before languages."""
    add_channel(session, rt, office, "portal-lang", "state_portal",
                {"url": portal.url, "secret": PORTAL_SECRET, "languages": "sr-Latn, sr-Cyrl, sq, en"})
    add_channel(session, rt, office, "press", "email",
                {"host": "127.0.0.1", "port": smtp.port, "starttls": "false", "sender": "press@ministarstvo.gov.rs",
                 "recipients": "desk@novine.rs", "timeout": 2, "languages": ["sr-Latn", "sq", "en"],
                 "language_mode": "together"})
    session.commit()


def deliveries(session, post_id: int) -> list[tuple[str, str, str]]:
    session.expire_all()
    rows = sorted((d.channel.name, d.language, d.status) for d in
                  session.scalars(select(Delivery).where(Delivery.post_id == post_id)))
    session.commit()  # read, and let go: SQLite's writers (the worker) wait for no one
    return rows


def test_a_post_in_three_languages_is_approved_once_and_goes_out_in_each(rt, session, office, portal, smtp,
                                                                        channels):
    post_id = pending_post(session, rt, office, channels=("portal-lang", "press", "archive"), **THREE)
    post = approve_as_read(session, rt, office.actor("marko"), post_id)
    session.commit()

    assert session.scalar(select(PostApproval.id).where(PostApproval.post_id == post_id)) is not None
    assert len(session.scalars(select(PostApproval).where(PostApproval.post_id == post_id)).all()) == 1
    assert deliveries(session, post_id) == [
        ("archive", "", "pending"), ("portal-lang", "en", "pending"), ("portal-lang", "sq", "pending"),
        ("portal-lang", "sr-Cyrl", "pending"), ("portal-lang", "sr-Latn", "pending"), ("press", "", "pending")]
    keys = {d.language: d.idempotency_key for d in post.deliveries if d.channel.name == "portal-lang"}
    assert keys["sr-Cyrl"] == f"p{post_id}-c{office.channels['portal-lang'].id}-sr-cyrl-{post.approved_hash[:16]}"
    assert len(set(keys.values())) == 4
    session.commit()

    worker = Worker(rt)
    try:
        worker.run_until_idle()
    finally:
        worker.close()

    assert [status for *_, status in deliveries(session, post_id)] == ["sent"] * 6
    assert session.get(Post, post_id).status == PostStatus.PUBLISHED
    got = sorted((r.json["data"]["language"], r.json["data"]["title"], r.json["data"]["body"])
                 for r in portal.requests if r.method == "POST")
    assert got == [
        ("en", "Call for applications", "The Ministry opens a call for small businesses."),
        ("sq", "Njoftim për konkursin", "Ministria hap konkursin për ndërmarrjet e vogla."),
        ("sr-Cyrl", "Конкурс за мала предузећа", "Министарство отвара конкурс за мала предузећа."),
        ("sr-Latn", "Konkurs za mala preduzeća", "Ministarstvo otvara konkurs za mala preduzeća."),
    ]
    (mail,) = smtp.received
    assert mail.message["Content-Language"] == "sr-Latn, sq, en"
    assert mail.message["Subject"] == "Konkurs za mala preduzeća / Njoftim për konkursin / Call for applications"
    plain = mail.message.get_body(("plain",)).get_content()
    assert [plain.index(TRANSLATIONS["sq"]["body"]) < plain.index(TRANSLATIONS["en"]["body"])] == [True]
    (archived,) = (rt.settings.instance_dir / "outbox").glob(f"p{post_id}-*.json")
    assert json.loads(archived.read_text(encoding="utf-8"))["data"]["language"] == "sr-Latn"

    # The writer is told each language's link.
    session.expire_all()
    (news,) = session.scalars(select(Notification).where(Notification.post_id == post_id,
                                                         Notification.kind == "published"))
    portal_links = [link for link in news.data["links"] if link["channel"] == "portal-lang"]
    assert [link["language"] for link in portal_links] == ["en", "sq", "sr-Cyrl", "sr-Latn"]
    assert all(link["url"] for link in portal_links)


def test_the_worker_reads_each_deliverys_own_language_from_the_approval(rt, session, office, channels):
    post_id = pending_post(session, rt, office, channels=("portal-lang", "press"), **THREE)
    post = approve_as_read(session, rt, office.actor("marko"), post_id)
    session.commit()
    contents = load_contents(session, [(d.id, d.channel_id) for d in post.deliveries], rt.settings.media_dir)
    by_language = {(d.channel.name, d.language): contents[d.id] for d in post.deliveries}
    assert by_language["portal-lang", "sq"].text == TRANSLATIONS["sq"]["body"]
    assert by_language["portal-lang", "sr-Cyrl"].title == "Конкурс за мала предузећа"
    together = by_language["press", ""]
    assert [v.language for v in together.versions] == ["sr-Latn", "sq", "en"]
    # What previews show before approval is what the approval froze.
    for channel_name in ("portal-lang", "press"):
        channel = office.channels[channel_name]
        frozen = {(d.language or c.language): c for d in post.deliveries if d.channel_id == channel.id
                  for c in [contents[d.id]]}
        assert list(frozen.values()) == contents_for(post, channel, rt.settings.media_dir)


def test_a_version_a_channel_needs_but_the_post_lacks_is_a_problem_at_submit(rt, session, office, channels):
    post = draft_post(session, rt, office, channels=("portal-lang", "archive"), title="Konkurs", body="Tekst.",
                      language="sr-Latn", translations={"sq": TRANSLATIONS["sq"]})
    with pytest.raises(Unpublishable) as refused:
        workflow.submit(session, rt, office.actor("ana"), post.id)
    missing = [p for p in refused.value.problems if p.code == "language_missing"]
    assert [(p.channel, dict(p.params)) for p in missing] == [
        ("portal-lang", {"language": "en", "channel": "portal-lang"})]
    assert "archive" not in {p.channel for p in refused.value.problems}  # it takes the post's own language


def test_editing_a_translation_after_approval_sends_the_post_back(rt, session, office, channels):
    post_id = pending_post(session, rt, office, channels=("portal-lang",), **THREE)
    approved = approve_as_read(session, rt, office.actor("marko"), post_id)
    approved_hash = approved.approved_hash
    session.commit()
    changed = {**TRANSLATIONS, "en": {"title": "Call for applications", "body": "The Ministry opens a new call."}}
    post = workflow.edit_post(session, rt, office.actor("ana"), post_id, {"translations": changed})
    session.commit()
    assert post.status == PostStatus.PENDING_APPROVAL
    assert post.content_hash != approved_hash and post.approved_hash is None
    assert deliveries(session, post_id) == []  # none of the old version's deliveries can go out
    with pytest.raises(Exception, match="changed after you opened it"):
        workflow.approve(session, rt, office.actor("marko"), post_id, seen_hash=approved_hash)


def test_a_version_approved_before_language_versions_is_read_as_it_was(rt, session, office):
    """Approvals store their frozen version; those of format 1 (one Content per channel) stay readable."""
    post_id = pending_post(session, rt, office, channels=("archive",), language="sr-Cyrl")
    channel_id = office.channels["archive"].id
    frozen = {"format": 1, "title": "Саопштење", "body": "Министарство објављује.", "language": "sr-Cyrl",
              "variants": {}, "media": [], "scheduled_at": None, "timezone": "Europe/Belgrade",
              "channels": {str(channel_id): {"name": "archive", "text": "Министарство објављује.",
                                             "other_script": {"language": "sr-Latn", "title": "Saopštenje",
                                                              "text": "Ministarstvo objavljuje.", "alt_texts": []}}}}
    content = thaw(frozen, post_id, channel_id, rt.settings.media_dir, "")
    assert (content.language, content.text, content.other_script.text) == (
        "sr-Cyrl", "Министарство објављује.", "Ministarstvo objavljuje.")
    assert content.versions == ()


def test_the_website_pair_is_one_delivery_and_the_other_languages_their_own(rt, session, office):
    site = Channel(name="sajt", kind="wordpress", config={"languages": ["sr-Cyrl", "sr-Latn", "sq", "en"]})
    latin, cyrillic = Post(language="sr-Latn"), Post(language="sr-Cyrl")
    assert channel_languages.delivery_languages(site, latin) == ["sr-Latn", "sq", "en"]
    assert channel_languages.delivery_languages(site, cyrillic) == ["sr-Cyrl", "sq", "en"]
    x = Channel(name="x", kind="x", config={"languages": "sq en"})
    assert channel_languages.delivery_languages(x, latin) == ["sq", "en"]
    assert channel_languages.wanted_languages(Channel(name="a", kind="x", config={}), latin) == ["sr-Latn"]
    assert channel_languages.delivery_languages(Channel(name="a", kind="x", config={}), latin) == [""]
    assert channel_languages.mode(Channel(name="fb", kind="facebook", config={"language_mode": "together"})) == \
        "together"


def test_a_language_setting_the_platform_cannot_do_is_refused_by_name(rt, session, office):
    archive = office.channels["archive"]
    with pytest.raises(Invalid, match="language_mode 'together' is not possible"):
        channel_admin.update_settings(session, rt.box, archive, {**archive.config, "language_mode": "together"},
                                      actor=office.actor("admin"))
    problems = channel_admin.setting_problems("x", {**registry.adapter_class("x").example_settings,
                                                    "languages": "sq, de", "language_mode": "together"})
    assert sorted(problems.by_setting) == ["language_mode", "languages"]
    assert not problems.general


def test_the_demo_has_a_post_in_three_languages_and_a_feed_that_takes_each(rt, session):
    demo.seed(rt, "http://127.0.0.1:5000")
    session.expire_all()
    post = session.scalar(select(Post).where(Post.title == demo.DEMO_POST["title"]))
    assert sorted(post.translations) == ["en", "sq"] and post.language == "sr-Latn"
    feed = session.scalar(select(Channel).where(Channel.name == demo.DEMO_FEED))
    assert channel_languages.delivery_languages(feed, post) == ["sr-Latn", "sr-Cyrl", "sq", "en"]
    session.commit()
    demo.seed(rt, "http://127.0.0.1:5000")  # again: nothing doubles
    assert len(session.scalars(select(Post).where(Post.title == demo.DEMO_POST["title"])).all()) == 1
    from publisher.core.actor import Actor
    from publisher.core.models import User
    people = {u.name: u for u in session.scalars(select(User))}
    workflow.submit(session, rt, Actor(people["ana"], "test"), post.id)
    approve_as_read(session, rt, Actor(people["marko"], "test"), post.id)
    session.commit()
    assert sorted((d.channel.name, d.language) for d in post.deliveries) == [
        ("Arhiva", ""), ("Vesti", "en"), ("Vesti", "sq"), ("Vesti", "sr-Cyrl"), ("Vesti", "sr-Latn")]
    assert {d.status for d in post.deliveries} == {DeliveryStatus.PENDING}


def test_a_post_no_channel_takes_in_languages_freezes_as_before(rt, session, office):
    """Its frozen version, and so its hash, are what they were before language versions: approvals and the
    hashes of posts written before stay valid."""
    post = draft_post(session, rt, office, channels=("portal", "archive"), language="sr-Latn", title="Vesti",
                      body="Tekst.", variants={"archive": "Kraće."})
    frozen = freeze(post)
    assert frozen["format"] == 1
    assert frozen["channels"][str(office.channels["archive"].id)] == {
        "name": "archive", "text": "Kraće.",
        "other_script": {"language": "sr-Cyrl", "title": "Вести", "text": "Краће.", "alt_texts": []}}


def test_changing_a_channels_languages_sends_its_approved_posts_back(rt, session, office, channels):
    post_id = pending_post(session, rt, office, channels=("portal-lang",), **THREE)
    approve_as_read(session, rt, office.actor("marko"), post_id)
    waiting = pending_post(session, rt, office, channels=("portal-lang",), **THREE)
    stale = session.get(Post, waiting).content_hash
    session.commit()
    portal = office.channels["portal-lang"]
    channel_admin.update_settings(session, rt.box, portal, {"url": portal.config["url"], "secret": "",
                                                            "languages": ["sq", "en"]},
                                  actor=office.actor("admin"), rt=rt)
    session.commit()
    post = session.get(Post, post_id)
    assert post.status == PostStatus.PENDING_APPROVAL
    assert post.sent_back == {"code": "channel_languages_changed", "params": {"channel": "portal-lang"}}
    assert deliveries(session, post_id) == []
    assert session.get(Post, waiting).content_hash != stale  # an approver is told what they read changed
    # Approving the version the post has now makes the deliveries of the new settings.
    approve_as_read(session, rt, office.actor("marko"), post_id)
    session.commit()
    assert [lang for _, lang, _ in deliveries(session, post_id)] == ["en", "sq"]
