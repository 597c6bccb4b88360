"""A text in several languages as one form field: read from a submitted form, checked, errors per language.

Any area uses it for a title, a description, a caption or a body: the page renders the macro in
_multilingual.html with the same NAME, and the view calls `read` on the submitted form. Inputs are named
NAME-<language tag> (NAME-sr-Latn, NAME-sq ...), one per language in LANGUAGES order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from flask_babel import gettext

from publisher.core.multilingual import LANGUAGES, MultilingualText, other_script
from web.labels import language_name


@dataclass(frozen=True)
class LanguageInput:
    """One language's input as the macro shows it: what was typed, or what would be derived from the other script."""

    language: str
    name: str  # the input's name and id
    label: str  # the language named in the reader's language
    value: str  # as written (typed or stored); empty when derived or blank
    derived: str | None  # the transliteration shown when nothing was written by hand
    derived_from: str | None  # the language the derived text comes from
    error: str | None


@dataclass
class MultilingualField:
    """What a person submitted for one text in several languages, and what is wrong with it, by language."""

    name: str
    limit: int
    submitted: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    # Texts written elsewhere on the page (a post's primary version) that derived versions may come from.
    around: dict[str, str] = field(default_factory=dict)
    shown: tuple[str, ...] = LANGUAGES  # the languages the page shows as inputs

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def text(self) -> MultilingualText:
        """The checked value; only meaningful when `valid`."""
        return MultilingualText(self.submitted)

    def input_name(self, language: str) -> str:
        return input_name(self.name, language)

    def inputs(self) -> list[LanguageInput]:
        """The inputs to render, in LANGUAGES order, each with its typed value and its derived preview."""
        text = MultilingualText({**self.around, **{lang: value for lang, value in self.submitted.items()
                                                  if lang not in self.errors and value.strip()}})
        out = []
        for language in self.shown:
            value = self.submitted.get(language, "")
            source = other_script(language)
            derived = text.get(language) if not value.strip() and text.is_derived(language) else None
            out.append(LanguageInput(language, self.input_name(language), language_name(language), value,
                                     derived, source if derived is not None else None, self.errors.get(language)))
        return out


def input_name(name: str, language: str) -> str:
    return f"{name}-{language}"


def read(form: Mapping[str, str], name: str, *, limit: int, required: Iterable[str] = (),
         languages: Iterable[str] = LANGUAGES) -> MultilingualField:
    """The field NAME from a submitted form: every language's text (line ends as typed), checked against
    `limit` characters each; a language in `required` must be readable (written, or derived from the
    other Serbian script). Nothing typed is dropped, so a page can show it again next to the errors."""
    result = MultilingualField(name, limit, required=tuple(required))
    for language in languages:
        value = form.get(input_name(name, language), "")
        if not isinstance(value, str):
            value = ""
        result.submitted[language] = value
        if len(value) > limit:
            result.errors[language] = gettext(
                "The %(language)s text is %(length)d characters; at most %(limit)d.",
                language=language_name(language), length=len(value), limit=limit)
    text = MultilingualText({lang: value for lang, value in result.submitted.items() if lang not in result.errors})
    for language in text.missing(result.required):
        result.errors.setdefault(language, gettext("Write the %(language)s text.", language=language_name(language)))
    return result


def from_text(name: str, text: MultilingualText | None, *, limit: int) -> MultilingualField:
    """A field showing a stored value (an edit page's first render)."""
    written = (text or MultilingualText()).written
    return MultilingualField(name, limit, submitted={lang: written.get(lang, "") for lang in LANGUAGES})
