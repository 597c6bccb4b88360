"""The catalog check tells a changed meaning from bytes that only the generator decides."""

from __future__ import annotations

import shutil

import pytest

from web import catalogs


@pytest.fixture
def translations(tmp_path, monkeypatch):
    """A private copy of web/translations that the check reads instead of the real one."""
    copy = tmp_path / "translations"
    shutil.copytree(catalogs.TRANSLATIONS, copy)
    monkeypatch.setattr(catalogs, "TRANSLATIONS", copy)
    return copy


def edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def names(paths) -> set[str]:
    return {f"{p.parent.parent.name}/{p.name}" for p in paths}


def test_the_committed_copy_is_up_to_date(translations):
    assert catalogs.stale_files() == []


def test_another_generator_line_or_date_is_not_stale(translations):
    cyrillic = catalogs.po_path("sr_Cyrl")
    edit(cyrillic, '"Generated-By: Babel', '"Generated-By: Babel 99.0 was')
    edit(cyrillic, '"POT-Creation-Date: 20', '"POT-Creation-Date: 19')
    assert catalogs.stale_files() == []


def test_a_changed_latin_translation_makes_its_mo_and_both_cyrillic_files_stale(translations):
    edit(catalogs.po_path("sr_Latn"), 'msgstr "Objavljivanje je zaustavljeno: %(reason)s"',
         'msgstr "Objave su zaustavljene: %(reason)s"')
    assert names(catalogs.stale_files()) == {
        "sr_Latn/messages.mo", "sr_Cyrl/messages.po", "sr_Cyrl/messages.mo"}
    catalogs.main([])
    assert catalogs.stale_files() == []
    assert "Објаве су заустављене: %(reason)s" in catalogs.po_path("sr_Cyrl").read_text(encoding="utf-8")


def test_a_hand_edit_of_the_cyrillic_file_is_stale(translations):
    edit(catalogs.po_path("sr_Cyrl"), 'msgstr "Објављивање је заустављено: %(reason)s"',
         'msgstr "Објављивање је стало: %(reason)s"')
    assert names(catalogs.stale_files()) == {"sr_Cyrl/messages.po"}


def test_a_changed_plural_rule_is_stale(translations):
    edit(catalogs.po_path("sq"), '"Plural-Forms: nplurals=2; plural=(n != 1);', '"Plural-Forms: nplurals=2; plural=(n > 1);')
    assert names(catalogs.stale_files()) == {"sq/messages.mo"}


def test_a_fuzzy_translation_leaves_the_compiled_catalog(translations):
    edit(catalogs.po_path("sq"), '#, python-format\nmsgid "Publishing is on hold: %(reason)s"',
         '#, fuzzy, python-format\nmsgid "Publishing is on hold: %(reason)s"')
    assert names(catalogs.stale_files()) == {"sq/messages.mo"}


def test_a_missing_file_is_stale(translations):
    catalogs.po_path("en").with_suffix(".mo").unlink()
    assert names(catalogs.stale_files()) == {"en/messages.mo"}


@pytest.mark.parametrize(("latin", "cyrillic"), [
    ("Linkovi, @imena i #oznake ostaju kakvi jesu.", "Линкови, @imena и #oznake остају какви јесу."),
    ("(@imena) „#oznake“", "(@imena) „#oznake“"),
    ("Objavio %(name)s: %(count)d od %s, 5%%", "Објавио %(name)s: %(count)d од %s, 5%%"),
])
def test_the_cyrillic_catalog_keeps_handles_hashtags_and_placeholders(latin, cyrillic):
    assert catalogs.to_cyrillic(latin) == cyrillic


def test_the_derived_catalog_keeps_the_words_of_the_hashtag_hint():
    text = catalogs.po_path("sr_Cyrl").read_text(encoding="utf-8")
    assert "@imena и #oznake" in text
