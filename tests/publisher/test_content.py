"""What the core hands an adapter: a Serbian post in both scripts, others as they are."""

from __future__ import annotations

from pathlib import Path

from channels.base import Content, MediaItem, ScriptVersion
from publisher.destinations.content import with_other_script


def test_a_serbian_post_reaches_the_adapter_in_both_scripts():
    photo = MediaItem(path=Path("/nonexistent"), content_type="image/png", sha256="0" * 64, size=1,
                      alt_text="Министар у Нишу")
    content = with_other_script(Content(post_id=1, title="Саопштење", text="Министар је посетио Ниш.",
                                        language="sr-Cyrl", media=(photo,)))
    assert content.other_script == ScriptVersion("sr-Latn", "Saopštenje", "Ministar je posetio Niš.",
                                                 ("Ministar u Nišu",))
    latin = with_other_script(Content(post_id=1, title="Vesti", text="Džon i Ljiljana", language="sr-Latn"))
    assert latin.other_script == ScriptVersion("sr-Cyrl", "Вести", "Џон и Љиљана", ())


def test_other_languages_carry_no_other_script():
    for language in ("en", "sq"):
        content = Content(post_id=1, title="Title", text="Text", language=language)
        assert with_other_script(content) is content


def test_each_delivery_gets_its_version_a_written_script_wins_and_the_variant_reaches_the_derived_one():
    from publisher.core.models import Channel, Post
    from publisher.destinations.content import channel_contents

    post = Post(id=3, title="Vesti", body="Opšti tekst.", language="sr-Latn", variants={"sajt": "Tekst za sajt."},
                translations={"en": {"title": "News", "body": "General text."}})
    x = Channel(name="x", kind="x", config={"languages": ["sr-Latn", "sr-Cyrl", "en"]})
    contents = channel_contents(post, x, [], Path())
    assert [(c.language, c.title, c.text) for c in contents.values()] == [
        ("sr-Latn", "Vesti", "Opšti tekst."), ("sr-Cyrl", "Вести", "Општи текст."), ("en", "News", "General text.")]
    site = Channel(name="sajt", kind="wordpress", config={"languages": "sr-Cyrl sr-Latn"})
    (pair,) = channel_contents(post, site, [], Path()).values()
    assert (pair.language, pair.text, pair.other_script.text) == ("sr-Latn", "Tekst za sajt.", "Текст за сајт.")
    post.translations = {"sr-Cyrl": {"title": "Вијести", "body": "Ручно писан текст."}}
    (pair,) = channel_contents(post, site, [], Path()).values()
    assert (pair.other_script.title, pair.other_script.text) == ("Вијести", "Ручно писан текст.")
    facebook = Channel(name="fb", kind="facebook", config={"languages": ["en", "sr-Latn"], "language_mode": "together"})
    post.translations = {"en": {"title": "News", "body": "General text."}}
    (together,) = channel_contents(post, facebook, [], Path()).values()
    assert [(v.language, v.text) for v in together.versions] == [("en", "General text."), ("sr-Latn", "Opšti tekst.")]
    assert (together.language, together.text) == ("en", "General text.")
