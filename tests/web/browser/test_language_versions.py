"""Language versions in real Chromium browsers of two people: Ana writes a post in Serbian (Latin) with an
Albanian and an English version, and sees the Cyrillic one derived; Marko opens its approval page and sees all
the versions, each in its own language, and the preview per channel named by its language."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from publisher.core.models import Post
from tests.web.browser.test_pages import ON_SQLITE, backend, check_page
from tests.web.browser.test_story import as_person  # noqa: F401 (the fixture: each person's own browser)

VERSIONS = {"sq": ("Programi i mbështetjes", "Ministria shpall programin e mbështetjes."),
            "en": ("Support programme", "The ministry announces a support programme.")}


@ON_SQLITE
def test_three_versions_composed_and_approved(as_person, live_server, people, rt, session, database_url) -> None:  # noqa: F811
    for person in people.users.values():
        person.locale = "en"
    session.commit()  # on SQLite an open writer would hold up the server's writes
    db = backend(database_url)

    ana = as_person("ana")
    ana.goto(live_server("/posts/new"))
    ana.locator('input[name="language"][value="sr-Latn"]').check()
    ana.get_by_label("Title", exact=True).fill("Program podrške")
    ana.get_by_label("Text", exact=True).fill("Ministarstvo objavljuje program podrške.")
    ana.get_by_label("portal", exact=True).check()
    for language, (title, body) in VERSIONS.items():
        name = "Albanian" if language == "sq" else "English"
        ana.locator("#version_title summary", has_text=name).click()
        ana.locator(f"#version_title-{language}").fill(title)
        ana.locator("#version_body summary", has_text=name).click()
        ana.locator(f"#version_body-{language}").fill(body)
    with ana.expect_navigation():
        ana.locator('button[name="action"][value="submit"]').click()
    found = re.fullmatch(r"/posts/(\d+)/edit", urlsplit(ana.url).path)
    assert found, ana.url
    post_id = int(found.group(1))
    with rt.read_sessions() as reader:
        post = reader.get(Post, post_id)
        assert (post.status, post.language) == ("pending_approval", "sr-Latn")
        assert post.translations == {lang: {"title": t, "body": b} for lang, (t, b) in sorted(VERSIONS.items())}
    # The Cyrillic version is not written: the page shows it derived, and offers to write it by hand.
    ana.locator("#version_body summary", has_text="Serbian (Cyrillic)").click()
    derived = ana.locator("#version_body-sr-Cyrl-derived")
    assert "Министарство објављује програм подршке." in derived.inner_text()
    assert ana.locator("#version_body-sr-Cyrl").input_value() == ""

    marko = as_person("marko")
    marko.goto(live_server(f"/approvals/{post_id}"))
    versions = marko.locator(".post-versions")
    for language, text in (("sr-Latn", "Ministarstvo objavljuje program podrške."),
                           ("sr-Cyrl", "Министарство објављује програм подршке."),
                           ("sq", VERSIONS["sq"][1]), ("en", VERSIONS["en"][1])):
        assert text in versions.locator(f'div[lang="{language}"]').inner_text()
    previews = marko.locator("#previews .preview")
    assert previews.count() >= 1
    for i in range(previews.count()):  # one per channel and language the channel gets, each named by it
        assert previews.nth(i).locator(".preview-language").inner_text() in (
            "Serbian (Latin)", "Serbian (Cyrillic)", "Albanian", "English")
    check_page(marko, f"language-versions-approval-{db}")
