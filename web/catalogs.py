"""The dashboard's translation catalogs (web/translations): derive Serbian Cyrillic, compile the .mo files.

The Serbian Cyrillic catalog is never edited by hand: it is the Latin one run through publisher.text.translit,
so the two scripts always say the same thing. The compiled .mo files are committed, so a fresh clone runs
and tests without a build step; a test fails when they fall behind the .po files.

"Behind" means what a reader of the catalog would see: a message, its translation, its flags or the plural
rule differ. Bytes that only the generator decides (its "Generated-By" line, header order, dates, the hash
table inside a .mo) are not compared, so a new Babel release does not make committed catalogs stale.

After changing a user-facing string:

    pybabel extract -F web/babel.cfg -k _l -k lazy_gettext --no-location --sort-output \\
        --project publisher --version 0.1 -o web/translations/messages.pot .
    pybabel update -i web/translations/messages.pot -d web/translations --no-wrap --ignore-obsolete
    # translate the new entries in sr_Latn and sq (en needs none), then:
    python -m web.catalogs            # writes sr_Cyrl from sr_Latn and compiles every catalog
    python -m web.catalogs --check    # exit 1 if anything is out of date (what the test asks)
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

from publisher.text import translit

TRANSLATIONS = Path(__file__).parent / "translations"
LATIN, CYRILLIC = "sr_Latn", "sr_Cyrl"
LOCALES = (LATIN, CYRILLIC, "sq", "en")
# Kept as written: placeholders ("%(name)s" must not become "%(наме)s") and words that start with @ or #,
# which name handles and hashtags ("@imena i #oznake" stays Latin in a Cyrillic sentence). The catalog has its
# own rule rather than trusting the content transliterator's heuristics for links and handles.
_PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif%]|(?<![\w@#])[@#]\w+")


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def to_cyrillic(text: str) -> str:
    parts = _PLACEHOLDER.split(text)
    kept = _PLACEHOLDER.findall(text)
    out = [translit.to_cyrillic(parts[0])]
    for placeholder, rest in zip(kept, parts[1:], strict=True):
        out += [placeholder, translit.to_cyrillic(rest)]
    return "".join(out)


def read_catalog(locale: str) -> Catalog:
    with po_path(locale).open("rb") as fh:
        return read_po(fh, locale=locale)


def cyrillic_catalog(latin: Catalog) -> Catalog:
    """The Latin catalog, every translation transliterated; same dates, so the output is reproducible."""
    catalog = Catalog(locale=CYRILLIC, project=latin.project, version=latin.version,
                      creation_date=latin.creation_date, revision_date=latin.revision_date,
                      language_team="sr_Cyrl (derived from sr_Latn by web/catalogs.py)",
                      last_translator=latin.last_translator, fuzzy=False,
                      header_comment="# Serbian (Cyrillic) translations for publisher.\n"
                                     "# Generated from sr_Latn by `python -m web.catalogs`: do not edit by hand.")
    # The same language in another script has the same plural rule: take it from the Latin file, not from
    # whichever CLDR release the installed Babel carries.
    catalog.mime_headers = [("Plural-Forms", latin.plural_forms)]
    for message in latin:
        if not message.id:
            continue
        string = (tuple(to_cyrillic(s) for s in message.string) if isinstance(message.string, tuple)
                  else to_cyrillic(message.string))
        catalog.add(message.id, string, flags=message.flags, auto_comments=message.auto_comments,
                    context=message.context)
    return catalog


def po_bytes(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_po(buf, catalog, width=0)
    return buf.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_mo(buf, catalog)
    return buf.getvalue()


def generated() -> list[tuple[Path, Catalog]]:
    """Every generated file and the catalog it must hold, from the hand-edited .po files: the Cyrillic .po,
    then a .mo per locale."""
    cyrillic = cyrillic_catalog(read_catalog(LATIN))
    return [(po_path(CYRILLIC), cyrillic)] + [
        (po_path(locale).with_suffix(".mo"), cyrillic if locale == CYRILLIC else read_catalog(locale))
        for locale in LOCALES]


def wanted_files() -> dict[Path, bytes]:
    """Every generated file and the bytes it should hold."""
    return {path: mo_bytes(catalog) if path.suffix == ".mo" else po_bytes(catalog) for path, catalog in generated()}


Meaning = tuple[str, frozenset]


def meaning(catalog: Catalog, *, compiled: bool = False) -> Meaning:
    """What a catalog says: its plural rule and every message with its translation (and, in a .po, flags).

    A compiled catalog holds only translated, non-fuzzy messages and no flags, so `compiled=True` reads a
    .po catalog the way its .mo must say it.
    """
    entries = set()
    for message in catalog:
        if not message.id:
            continue
        # A compiled catalog reads plural forms back as lists.
        ids = tuple(message.id) if isinstance(message.id, list | tuple) else message.id
        string = tuple(message.string) if isinstance(message.string, list | tuple) else message.string
        if compiled:
            if message.fuzzy or not string:
                continue
            if isinstance(string, tuple):  # an untranslated plural form falls back to the English one
                string = tuple(s or ids[min(i, 1)] for i, s in enumerate(string))
            entries.add((message.context, ids, string))
        else:
            # Babel adds the format flags itself from the text; only flags a person set are compared.
            flags = frozenset(message.flags - {"python-format", "python-brace-format"})
            entries.add((message.context, ids, string, flags))
    return catalog.plural_forms, frozenset(entries)


def _file_meaning(path: Path) -> Meaning | None:
    if not path.exists():
        return None
    with path.open("rb") as fh:
        if path.suffix == ".mo":
            return meaning(read_mo(fh), compiled=True)
        return meaning(read_po(fh, locale=CYRILLIC))


def stale_files() -> list[Path]:
    """Generated files whose content differs in meaning from what the hand-edited .po files make."""
    return [path for path, catalog in generated()
            if _file_meaning(path) != meaning(catalog, compiled=path.suffix == ".mo")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m web.catalogs", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only report files that are out of date")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files()
        for path in stale:
            print(f"out of date: {path.relative_to(TRANSLATIONS.parent.parent)}", file=sys.stderr)
        return 1 if stale else 0
    stale = set(stale_files())
    for path, data in wanted_files().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if path in stale:
            path.write_bytes(data)
            print(f"wrote {path.relative_to(TRANSLATIONS.parent.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
