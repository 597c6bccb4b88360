"""A post's language versions (publisher.destinations.languages), on both databases."""

import pytest
from sqlalchemy import select

from publisher.core.errors import Invalid
from publisher.core.models import Post
from publisher.core.search_index import matches
from publisher.destinations import languages
from tests.factories.posts import draft_post


def test_versions_are_the_primary_the_translations_and_the_derived_script(session, rt, office):
    post = draft_post(session, rt, office, title="Vest", body="Ministar u Čačku", language="sr-Latn")
    post.translations = {"sq": {"title": "Lajm", "body": "Ministri në Çaçak"}, "en": {"title": "News", "body": "In Čačak"}}
    session.flush()
    found = languages.versions(post)
    assert list(found) == ["sr-Latn", "sr-Cyrl", "sq", "en"]
    assert found["sr-Cyrl"].body == "Министар у Чачку" and found["sr-Cyrl"].derived
    assert found["sq"] == languages.PostVersion("sq", "Lajm", "Ministri në Çaçak", derived=False)


def test_translations_are_found_by_search_in_any_script(session, rt, office):
    post = draft_post(session, rt, office, title="Вест", body="Текст", language="sr-Cyrl")
    post.translations = {"sq": {"title": "Lajm", "body": "Ministri në Çaçak"}}
    session.commit()
    assert session.scalars(select(Post.id).where(matches(Post.search_text, "caçak"))).all() == [post.id]


@pytest.mark.parametrize("bad, code", [
    ({"de": {"title": "", "body": "x"}}, "bad_language"),
    ({"sr-Latn": {"title": "", "body": "x"}}, "translation_is_primary"),
    ({"sq": "Lajm"}, "bad_translations"),
    ({"sq": {"title": "", "body": "x", "extra": 1}}, "bad_translations"),
    ({"sq": {"title": 3, "body": "x"}}, "bad_translations"),
    (["sq"], "bad_translations"),
])
def test_bad_translations_are_refused_by_name(bad, code):
    with pytest.raises(Invalid) as caught:
        languages.clean_translations(bad, "sr-Latn")
    assert caught.value.code == code


def test_a_cleared_version_is_dropped():
    assert languages.clean_translations({"sq": {"title": " ", "body": ""}, "en": {"title": "", "body": "Hi"}},
                                        "sr-Cyrl") == {"en": {"title": "", "body": "Hi"}}
