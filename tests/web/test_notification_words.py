"""A notification's words are chosen when it is read, in the reader's language, from the facts it stores."""

from __future__ import annotations

import pytest

from publisher.notifications.choices import KINDS
from publisher.notifications.models import Notification
from web.notification_words import mail_words

FAILED = Notification(id=1, kind="failed", post_id=7, data={
    "title": "Saopštenje o radovima", "partial": True, "links": [{"channel": "portal", "url": "https://x.example/1"}],
    "failures": [{"channel": "X", "status": "failed", "error_kind": "rejected", "error": "403: duplicate"}]})


def test_a_partial_failure_names_where_it_went_out_where_not_and_why():
    subject, body = mail_words(FAILED, "en", base_url="https://objave.example")
    assert subject == "[Publisher] “Saopštenje o radovima” was published only in part."
    assert "Where it went out:\n- portal: https://x.example/1" in body
    assert "Where it did not go out:\n- X: the platform refused it (403: duplicate)" in body
    assert "Open it: https://objave.example/posts/7" in body


def test_the_same_facts_read_in_another_language():
    subject, body = mail_words(FAILED, "sr-Latn")
    assert subject == "[Objave] „Saopštenje o radovima“ je objavljena samo delimično."
    assert "- X: platforma ju je odbila (403: duplicate)" in body
    assert "https://" not in body.split("Gde nije objavljeno:")[1]  # no address set: no link to the post


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "alert"])
@pytest.mark.parametrize("language", ["sr-Latn", "sr-Cyrl", "sq", "en"])
def test_every_kind_has_its_own_words_in_every_language(kind, language):
    n = Notification(id=2, kind=kind, post_id=3, data={"title": "Vest", "by": "marko", "comment": "Dopuni."})
    subject, body = mail_words(n, language)
    assert "Vest" in subject and "Something happened" not in subject
    english = mail_words(n, "en")[0]
    assert (subject == english) == (language == "en")


def test_a_channel_that_takes_languages_one_by_one_has_a_line_per_language():
    told = Notification(id=2, kind="failed", post_id=7, data={
        "title": "Konkurs", "partial": True,
        "links": [{"channel": "portal", "language": "sq", "url": "https://x.example/2"},
                  {"channel": "portal", "language": "en", "url": "https://x.example/3"}],
        "failures": [{"channel": "portal", "language": "sr-Cyrl", "status": "failed", "error_kind": "rejected",
                      "error": "422"}]})
    _, body = mail_words(told, "en")
    assert "- portal (sq): https://x.example/2\n- portal (en): https://x.example/3" in body
    assert "- portal (sr-Cyrl): the platform refused it (422)" in body


def test_a_missing_language_version_is_worded_with_the_languages_name(app):
    from flask_babel import force_locale

    from web.labels import language_problem
    with app.test_request_context(), force_locale("sr_Latn"):
        words = language_problem({"language": "sq", "channel": "portal"})
    assert words.startswith("nedostaje verzija na jeziku albanski, a kanal portal je objavljuje")
