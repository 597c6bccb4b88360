"""Text in several languages, as one value any area can store: a title, a description, a caption, a body.

A person writes some languages; the other Serbian script is derived by transliteration unless it was
written by hand too (a hand-written version always wins, so a name the transliterator gets wrong can be
corrected). The stored form is a plain JSON object of what was written, so a derived version is never
stale: it is computed again from its source whenever it is read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON
from sqlalchemy.types import TypeDecorator

from publisher.core.errors import Invalid
from publisher.text.translit import CYRILLIC, LATIN, derive

# The languages the office publishes in, in the order a page lists them.
LANGUAGES: tuple[str, ...] = (CYRILLIC, LATIN, "sq", "en")
_OTHER_SCRIPT = {CYRILLIC: LATIN, LATIN: CYRILLIC}


def other_script(language: str) -> str | None:
    """The other Serbian script of `language`; None for a language that has no second script."""
    return _OTHER_SCRIPT.get(language)


@dataclass(frozen=True)
class MultilingualText:
    """What was written, per language tag; read any language with `get`, derived ones included."""

    written: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for language, text in self.written.items():
            if language not in LANGUAGES:
                raise Invalid(f"language {language!r} is not one of {', '.join(LANGUAGES)}", code="bad_language",
                              details={"language": language})
            if not isinstance(text, str):
                raise Invalid(f"the {language} text must be a string", code="bad_text", details={"language": language})
        # Empty texts are "not written": a cleared field falls back to the derived version.
        object.__setattr__(self, "written", {lang: self.written[lang] for lang in LANGUAGES
                                             if self.written.get(lang, "").strip()})

    def get(self, language: str) -> str | None:
        """The text in `language`: as written, else derived from the other Serbian script, else None."""
        if language in self.written:
            return self.written[language]
        source = other_script(language)
        if source is not None and source in self.written:
            return derive(self.written[source], language)
        return None

    def is_derived(self, language: str) -> bool:
        return language not in self.written and self.get(language) is not None

    def languages(self) -> tuple[str, ...]:
        """Every language this text can be read in, derived ones included, in LANGUAGES order."""
        return tuple(lang for lang in LANGUAGES if self.get(lang) is not None)

    def missing(self, wanted: Iterable[str]) -> list[str]:
        """Which of `wanted` this text cannot give (a problem at submit for whatever needs them)."""
        return [lang for lang in wanted if self.get(lang) is None]

    def with_text(self, language: str, text: str) -> MultilingualText:
        return MultilingualText({**self.written, language: text})

    def items(self) -> Iterator[tuple[str, str]]:
        for language in self.languages():
            yield language, self.get(language) or ""

    def search_text(self) -> str:
        """Every version, derived ones included, for a search index (publisher.core.search_index)."""
        return "\n".join(text for _, text in self.items())

    def to_json(self) -> dict[str, str]:
        return dict(self.written)

    @classmethod
    def from_json(cls, data: Any) -> MultilingualText:
        """A stored or submitted value; anything but an object of language → text is refused by name."""
        if data is None:
            return cls()
        if isinstance(data, MultilingualText):
            return data
        if not isinstance(data, Mapping):
            raise Invalid("a text in several languages must be an object of language → text", code="bad_text")
        return cls(dict(data))

    def __bool__(self) -> bool:
        return bool(self.written)


class MultilingualColumn(TypeDecorator):
    """A column holding a MultilingualText, stored as the JSON object of what was written."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> dict[str, str] | None:
        if value is None:
            return None
        return MultilingualText.from_json(value).to_json()

    def process_result_value(self, value: Any, dialect: Any) -> MultilingualText | None:
        return None if value is None else MultilingualText.from_json(value)
