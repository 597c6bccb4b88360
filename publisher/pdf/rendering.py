"""A Jinja template rendered in one language and printed to PDF by WeasyPrint, without a request.

The words come from the gettext catalogs handed in (DocumentSetup.catalogs) through Jinja's i18n extension,
so `{{ _("…") }}` reads as in the dashboard's templates and the worker can make a document too: Flask-Babel's
`force_locale` would need the Flask app, Babel's `Translations` needs only the folder. The document says its
language in `<html lang>` (the template writes `lang`), which WeasyPrint also writes as the PDF's /Lang and
Pango uses to pick the Serbian letter forms (publisher.pdf.fonts).

Nothing is fetched from the network: every URL a template names goes through publisher.pdf.fetching, which
hands out only files under DocumentSetup.static.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from publisher.pdf import fonts

LANGUAGES = ("sr-Latn", "sr-Cyrl", "sq", "en")  # as <html lang> writes them (BCP 47)
# One document at a time in a process: WeasyPrint does not promise thread safety, and Pango and fontconfig
# share state across threads (crashes under concurrent use are reported upstream). Waitress serves requests in
# threads; a second request for a PDF waits for the first (bench/pdf.py: about 1.5 s for 20 pages).
_PRINTING = threading.Lock()

@dataclass(frozen=True)
class DocumentSetup:
    """Where a family of documents has its templates and words: the web package owns both (web.printed)."""

    templates: Path  # the folder the template names are relative to
    catalogs: Path  # gettext catalogs: <locale>/LC_MESSAGES/messages.mo, locale as in "sr_Latn"
    static: Path  # the only files a document may load
    # A moment in words: (aware datetime, catalog locale) -> "30. novembra 2026. 14:05"
    format_moment: Callable[[datetime, str], str]


def catalog_locale(language: str) -> str:
    """"sr-Latn" -> "sr_Latn": the catalogs' spelling of a document language."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown document language {language!r}: one of {', '.join(LANGUAGES)}")
    return language.replace("-", "_")


@lru_cache(maxsize=16)
def _environment(setup: DocumentSetup, language: str) -> Environment:
    env = Environment(loader=FileSystemLoader(setup.templates), autoescape=True, undefined=StrictUndefined,
                      extensions=["jinja2.ext.i18n"])
    locale = catalog_locale(language)
    env.install_gettext_translations(Translations.load(str(setup.catalogs), [locale]), newstyle=True)
    env.filters["moment"] = lambda value: setup.format_moment(value, locale) if value else ""
    env.globals.update(language=language, font_family=fonts.FAMILY)
    return env


def render_html(template_name: str, context: Mapping[str, Any], language: str, *, setup: DocumentSetup) -> str:
    return _environment(setup, language).get_template(template_name).render(**context)


def render_pdf(template_name: str, context: Mapping[str, Any], language: str, *, setup: DocumentSetup) -> bytes:
    """The template in `language` as PDF bytes. Raises ImportError/OSError when WeasyPrint's libraries are
    missing (callers ask publisher.pdf.readiness first to say so in words)."""
    # Here, not at import: the product runs (without PDFs) where pango is missing.
    import weasyprint

    from publisher.pdf.fetching import StaticOnly

    html = render_html(template_name, context, language, setup=setup)
    document = weasyprint.HTML(string=html, base_url=setup.static.resolve().as_uri() + "/",
                               url_fetcher=StaticOnly(setup.static))
    with _PRINTING:
        return document.write_pdf()
