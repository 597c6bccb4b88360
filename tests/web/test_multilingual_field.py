"""The multi-language text field (web/multilingual_field.py, _multilingual.html): what a submitted form becomes,
the errors by language with nothing typed lost, and the inputs a page shows, the derived Serbian script included."""

from __future__ import annotations

import re

import pytest
from flask import render_template_string
from flask_babel import force_locale

from publisher.core.multilingual import LANGUAGES, MultilingualText
from web import multilingual_field

RENDER = ('{% from "_multilingual.html" import multilingual %}'
          '{{ multilingual(field, "Caption", multiline=multiline) }}')


@pytest.fixture
def en(app):
    with app.test_request_context(), force_locale("en"):
        yield


def test_reads_every_language_by_its_input_name(en):
    form = {"caption-sr-Latn": "Novi program", "caption-sq": "Program i ri", "caption-en": "A new programme"}
    field = multilingual_field.read(form, "caption", limit=100)
    assert field.valid
    assert field.text == MultilingualText({"sr-Latn": "Novi program", "sq": "Program i ri", "en": "A new programme"})
    assert field.text.get("sr-Cyrl") == "Нови програм"


def test_a_text_over_the_limit_is_refused_by_language_and_kept(en):
    form = {"caption-sr-Latn": "kratko", "caption-en": "x" * 11}
    field = multilingual_field.read(form, "caption", limit=10)
    assert not field.valid
    assert field.errors == {"en": "The English text is 11 characters; at most 10."}
    assert field.submitted["en"] == "x" * 11
    assert field.submitted["sr-Latn"] == "kratko"


def test_a_required_language_may_come_derived_from_the_other_script(en):
    field = multilingual_field.read({"title-sr-Latn": "Vesti"}, "title", limit=50, required=("sr-Cyrl",))
    assert field.valid
    missing = multilingual_field.read({"title-sr-Latn": "Vesti"}, "title", limit=50, required=("sq",))
    assert missing.errors == {"sq": "Write the Albanian text."}


def test_something_other_than_text_in_a_form_counts_as_empty(en):
    field = multilingual_field.read({"title-sq": ["a", "b"]}, "title", limit=50)
    assert field.valid and field.submitted["sq"] == ""


def test_errors_are_in_the_readers_language(app):
    with app.test_request_context(), force_locale("sq"):
        field = multilingual_field.read({"t-en": "x" * 3}, "t", limit=2)
    assert "English" not in field.errors["en"]


@pytest.mark.parametrize("multiline", [False, True])
def test_renders_one_input_per_language_in_order_with_lang_and_label(en, multiline):
    field = multilingual_field.read({"caption-sr-Latn": "Novi program", "caption-en": "A new programme"},
                                    "caption", limit=100)
    html = render_template_string(RENDER, field=field, multiline=multiline)
    tag = "textarea" if multiline else "input"
    ids = re.findall(rf'<{tag}[^>]* id="caption-([^"]+)"', html)
    assert tuple(ids) == LANGUAGES
    for language in LANGUAGES:
        assert re.search(rf'<{tag}[^>]*name="caption-{language}"[^>]*lang="{language}"', html)
        assert f'<label for="caption-{language}">' in html
    assert "<legend>Caption</legend>" in html
    assert '<label for="caption-sr-Cyrl">Serbian (Cyrillic)</label>' in html and ">Albanian</label>" in html


def test_the_other_serbian_script_shows_its_derived_text_and_how_to_replace_it(en):
    field = multilingual_field.read({"caption-sr-Latn": "Novi program"}, "caption", limit=100)
    html = render_template_string(RENDER, field=field, multiline=False)
    assert "Derived from the Latin version — write it here to replace it." in html
    assert '<span class="derived-text" lang="sr-Cyrl">Нови програм</span>' in html
    assert 'aria-describedby="caption-sr-Cyrl-derived"' in html
    # Written by hand: no derived text, the hand-written one is the value.
    by_hand = multilingual_field.read({"caption-sr-Latn": "Novi program", "caption-sr-Cyrl": "Нови Програм"},
                                      "caption", limit=100)
    html = render_template_string(RENDER, field=by_hand, multiline=False)
    assert "Derived from" not in html and 'value="Нови Програм"' in html


def test_an_error_is_shown_at_its_language_with_what_was_typed(en):
    field = multilingual_field.read({"caption-en": "<b>" * 5}, "caption", limit=10)
    html = render_template_string(RENDER, field=field, multiline=True)
    assert 'id="caption-en-error"' in html and 'aria-invalid="true"' in html
    assert "&lt;b&gt;" * 5 in html and "<b><b>" not in html


def test_a_stored_value_fills_the_field(en):
    field = multilingual_field.from_text("t", MultilingualText({"sq": "Lajme"}), limit=50)
    assert field.submitted["sq"] == "Lajme" and field.submitted["en"] == ""
    assert field.valid
