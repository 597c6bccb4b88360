"""A post's language versions: the primary one (title, body, language) and the others (`Post.translations`),
read together as texts in several languages, with the other Serbian script derived unless written by hand."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from publisher.core import limits
from publisher.core.errors import Invalid
from publisher.core.models import Post
from publisher.core.multilingual import LANGUAGES, MultilingualText


@dataclass(frozen=True)
class PostVersion:
    language: str
    title: str
    body: str
    derived: bool  # transliterated from the other Serbian script, not written by a person


def titles(post: Post) -> MultilingualText:
    return _texts(post, "title")


def bodies(post: Post) -> MultilingualText:
    return _texts(post, "body")


def _texts(post: Post, part: str) -> MultilingualText:
    written = {lang: str(version.get(part, "")) for lang, version in (post.translations or {}).items()}
    written[post.language] = getattr(post, part) or ""
    return MultilingualText(written)


def versions(post: Post) -> dict[str, PostVersion]:
    """Every language the post can be read in, in LANGUAGES order, the primary one first.

    A version exists when its body does (a title alone is not a version); the derived other Serbian script
    exists whenever its source does and nobody wrote it by hand."""
    title, body = titles(post), bodies(post)
    written = set(post.translations or {}) | {post.language}
    out: dict[str, PostVersion] = {}
    for language in (post.language, *[lang for lang in LANGUAGES if lang != post.language]):
        text = body.get(language)
        if text is None:
            continue
        out[language] = PostVersion(language, title.get(language) or "", text, derived=language not in written)
    return out


def clean_translations(value: Any, primary: str) -> dict[str, dict[str, str]]:
    """The `translations` a person submitted, checked: known languages other than the primary one, a title
    and a body each within the post's limits; a version with neither is dropped (cleared on the form)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise Invalid("translations must be an object of language → {title, body}", code="bad_translations")
    out: dict[str, dict[str, str]] = {}
    for language, version in value.items():
        if language not in LANGUAGES:
            raise Invalid(f"language {language!r} is not one of {', '.join(LANGUAGES)}", code="bad_language",
                          details={"language": language})
        if language == primary:
            raise Invalid(f"{language} is the post's own language: write it in the post's title and text",
                          code="translation_is_primary", details={"language": language})
        if not isinstance(version, Mapping) or set(version) - {"title", "body"}:
            raise Invalid(f"the {language} version must be an object with a title and a body",
                          code="bad_translations", details={"language": language})
        title, body = version.get("title", "") or "", version.get("body", "") or ""
        if not isinstance(title, str) or not isinstance(body, str):
            raise Invalid(f"the {language} title and body must be text", code="bad_translations",
                          details={"language": language})
        limits.check_length(title, f"{language} title", limits.TITLE)
        limits.check_length(body, f"{language} text", limits.BODY)
        if title.strip() or body.strip():
            out[language] = {"title": title, "body": body}
    return dict(sorted(out.items()))
