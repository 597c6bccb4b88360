"""Reading a PDF back in tests without a PDF library: its objects with every Flate stream inflated (the catalog's
/Lang, the metadata, the font names, the glyphs a text operator shows), and its text through poppler's
pdftotext (installed by tests/support/install_pdf_deps.sh --tests)."""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib
from pathlib import Path

from tests.conftest import require_service

_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
PDFTOTEXT_SECONDS = 30


def inflated(pdf: bytes) -> bytes:
    """The file's bytes followed by every stream that inflates (object streams hold the catalog and the info)."""
    parts = [pdf]
    for match in _STREAM.finditer(pdf):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue  # a font file or an image: not Flate, or not text
    return b"\n".join(parts)


def string_values(pdf: bytes, key: str) -> list[str]:
    """Every string value of /key: /Lang (sr-Cyrl), /Title (…); literal or hex, UTF-16 decoded."""
    out = []
    found = re.findall(rb"/" + key.encode() + rb" ?(?:\(((?:\\.|[^\\)])*)\)|<([0-9a-fA-F]*)>)", inflated(pdf), re.S)
    for literal, hexadecimal in found:
        value = bytes.fromhex(hexadecimal.decode()) if hexadecimal else re.sub(rb"\\(.)", rb"\1", literal)
        out.append(value[2:].decode("utf-16-be") if value.startswith(b"\xfe\xff") else value.decode("latin-1"))
    return out


def font_names(pdf: bytes) -> set[str]:
    """The embedded fonts' names, subset prefix and all ("ABCDEF+DejaVu-Serif")."""
    return {name.decode() for name in re.findall(rb"/(?:BaseFont|FontName) ?/([^\s/<>\[\]()]+)", inflated(pdf))}


def glyph_runs(pdf: bytes) -> list[str]:
    """The glyph ids each TJ operator shows, as hex (WeasyPrint writes `[<0cef>0<0cdd>…] TJ`)."""
    return [b"".join(re.findall(rb"<([0-9a-fA-F]+)>", run)).decode()
            for run in re.findall(rb"\[([^\]]*)\]\s*TJ", inflated(pdf))]


def pdftotext(pdf: bytes, tmp_path: Path) -> str:
    """The PDF's text as poppler reads it (layout kept). Fails in CI, skips elsewhere, without pdftotext."""
    program = shutil.which("pdftotext")
    if program is None:
        require_service("pdftotext (poppler-utils)", FileNotFoundError("run tests/support/install_pdf_deps.sh"))
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    done = subprocess.run([program, "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          timeout=PDFTOTEXT_SECONDS, check=True)
    return done.stdout.decode("utf-8")
