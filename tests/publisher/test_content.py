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
