"""The approval page and the post's page with language versions: the approver sees every version, each in its
own language, and what changed per version since the last approval; the post's page shows them too."""

from __future__ import annotations

import re

from tests.web.test_approvals import approver  # noqa: F401  (the fixture)
from tests.web.test_compose import form, saved_id
from tests.web.test_posts_api import approve

BODY = "Ministarstvo objavljuje program."
VERSIONS = {"version_title-sq": "Njoftim", "version_body-sq": "Ministria shpall programin.",
            "version_title-en": "Announcement", "version_body-en": "The ministry announces the programme."}


def composed(signed_in, office, **fields) -> int:
    """Ana writes the post with its versions on the compose page and sends it for approval."""
    ana = signed_in("ana")
    ana.get("/posts/new")
    return saved_id(ana.post("/posts/new", form(office, body=BODY, action="submit", **VERSIONS, **fields)))


def plain(html: str) -> str:
    return re.sub(r'<span class="visually-hidden">([^<]*)</span>', r"\1", html)


def test_the_approver_sees_every_version_in_its_language(signed_in, office, approver):  # noqa: F811
    post_id = composed(signed_in, office)
    page = approver("marko").get(f"/approvals/{post_id}").get_data(as_text=True)
    versions = page.split('id="versions-title"')[1]
    assert '<div lang="sr-Latn">' in versions and '<div lang="sq">' in versions and '<div lang="en">' in versions
    assert "Министарство објављује програм." in versions  # the Cyrillic one, derived
    assert versions.index('lang="sr-Latn"') < versions.index('lang="sr-Cyrl"') < versions.index('lang="sq"')
    assert re.search(r'<dd class="diff-text" lang="sq">\s*Ministria shpall programin.', page)


def test_the_diff_shows_what_changed_per_version(api, signed_in, office, approver):  # noqa: F811
    post_id = composed(signed_in, office)
    assert approve(api, "marko", post_id).status_code == 200
    ana = signed_in("ana")
    ana.get(f"/posts/{post_id}/edit")
    saved_id(ana.post(f"/posts/{post_id}/edit", form(office, body=BODY, action="submit", **{
        "version_title-sq": "Njoftim", "version_body-sq": "Ministria sot shpall programin.",
        "version_title-sr-Cyrl": "Саопштење", "version_body-sr-Cyrl": "Министарство објављује Програм."})))
    text = plain(approver("vesna").get(f"/approvals/{post_id}").get_data(as_text=True))
    assert "Ministria<ins>[added:  sot end of addition]</ins> shpall programin." in text
    assert "<del>[removed: The ministry announces the programme. end of removal]</del>" in text  # en removed
    assert re.search(r'<dd class="diff-text" lang="sr-Cyrl">\s*<ins>\[added: Министарство објављује Програм.', text)


def test_the_post_page_shows_its_versions(signed_in, office):
    post_id = composed(signed_in, office)
    page = signed_in("ana").get(f"/posts/{post_id}").get_data(as_text=True)
    assert 'id="versions-title"' in page and '<div lang="en">' in page
    assert "The ministry announces the programme." in page


def preview_cards(page: str) -> list[tuple[str, str, str]]:
    """(channel, language named, text) of each preview card, in page order."""
    cards = re.findall(r'<li class="preview preview-[a-z_]+">(.*?)</article>', page, re.S)
    return [(re.search(r'-name">(.*?)</strong>', c).group(1),
             re.search(r'<span class="preview-language">(.*?)</span>', c).group(1),
             re.search(r'<p class="preview-text"[^>]*>(.*?)</p>', c, re.S).group(1)) for c in cards]


def test_each_preview_names_its_language(signed_in, office, approver):  # noqa: F811
    post_id = composed(signed_in, office)
    page = approver("marko").get(f"/approvals/{post_id}").get_data(as_text=True)
    assert preview_cards(page) == [("portal", "Serbian (Latin)", BODY)]


def test_one_preview_per_delivery_the_channel_gets(session, signed_in, office, approver):  # noqa: F811
    """Where a channel gets one delivery per language (its `languages` setting), the approver sees one preview
    of the channel per language, each in its language, exactly as the version to be approved freezes it."""
    from publisher.core.models import Channel

    portal = session.get(Channel, office.channels["portal"].id)
    portal.config = {**portal.config, "languages": ["sr-Latn", "sq", "en"]}
    session.commit()
    post_id = composed(signed_in, office)
    page = approver("marko").get(f"/approvals/{post_id}").get_data(as_text=True)
    assert preview_cards(page) == [("portal", "Serbian (Latin)", BODY), ("portal", "Albanian", "Ministria shpall programin."),
                                   ("portal", "English", "The ministry announces the programme.")]
    assert 'id="preview-' in page and len(set(re.findall(r'id="(preview-[^"]+-name)"', page))) == 3
    assert re.search(r'<p class="preview-text" lang="sq">', page)
