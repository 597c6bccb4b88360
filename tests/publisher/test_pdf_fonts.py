"""The documents' font and whether this machine can make PDFs: DejaVu Serif found through fontconfig with its
Serbian forms (locl for cyrl/SRB), a font without them told apart, and what is missing said by name."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen

from publisher.pdf import fonts, readiness


@pytest.fixture(autouse=True)
def fresh_readiness():
    readiness.missing.cache_clear()
    yield
    readiness.missing.cache_clear()


def font_without_serbian_forms(path: Path) -> Path:
    """A minimal TrueType font with Cyrillic б but no GSUB: what a font without locl looks like."""
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder([".notdef", "be"])
    builder.setupCharacterMap({0x0431: "be"})
    builder.setupGlyf({name: TTGlyphPen(None).glyph() for name in (".notdef", "be")})
    builder.setupHorizontalMetrics({".notdef": (500, 0), "be": (500, 0)})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "Plain", "styleName": "Regular"})
    builder.setupOS2()
    builder.setupPost()
    builder.save(str(path))
    return path


@pytest.mark.parametrize("style", fonts.STYLES)
def test_the_documents_font_is_installed_with_the_serbian_forms(style):
    found = fonts.find(fonts.FAMILY, style)
    assert found is not None, f"{fonts.FAMILY} {style}: run tests/support/install_pdf_deps.sh"
    assert found.path.name.startswith("DejaVuSerif")
    assert fonts.has_serbian_forms(found.path)


def test_a_font_without_serbian_forms_is_told_apart(tmp_path):
    assert not fonts.has_serbian_forms(font_without_serbian_forms(tmp_path / "plain.ttf"))
    (tmp_path / "broken.ttf").write_bytes(b"not a font")
    assert not fonts.has_serbian_forms(tmp_path / "broken.ttf")


def test_fontconfigs_fallback_is_not_the_font_asked_for():
    assert fonts.find("No Such Family Anywhere") is None


def test_this_machine_can_make_documents():
    assert readiness.missing() == ()


def test_missing_libraries_are_said(monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as when cffi cannot load pango
    [missing] = readiness.missing()
    assert missing.what == readiness.LIBRARIES and "WeasyPrint" in missing.detail


def test_a_missing_font_is_said_for_each_style(monkeypatch):
    monkeypatch.setattr(fonts, "FAMILY", "No Such Family Anywhere")
    missing = readiness.missing()
    assert [m.what for m in missing] == [readiness.FONT] * len(fonts.STYLES)
    assert "No Such Family Anywhere Italic: not installed" in missing[1].detail


def test_a_font_without_the_forms_is_said(monkeypatch, tmp_path):
    plain = font_without_serbian_forms(tmp_path / "plain.ttf")
    monkeypatch.setattr(fonts, "find", lambda family, style: fonts.FontFile(family, style, plain))
    assert {m.detail for m in readiness.missing()} == {
        f"{fonts.FAMILY} {style}: {plain} has no Serbian Cyrillic forms" for style in fonts.STYLES}
