"""Whether this machine can make the documents: WeasyPrint's libraries load (pango, harfbuzz, fontconfig through
cffi) and the font with the Serbian forms is installed. Asked lazily, once per process: the first request for a
PDF pays for it (an fc-match and a font's GSUB table), and `make run` keeps working on a machine without them.

tests/support/install_pdf_deps.sh installs both (`make run`, `make test`); a page asking for a PDF on a machine
that lacks them says which is missing instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from publisher.pdf import fonts

LIBRARIES = "libraries"  # WeasyPrint cannot load pango & co.
FONT = "font"  # the family is not installed, or has no Serbian forms


@dataclass(frozen=True)
class Missing:
    what: str  # LIBRARIES or FONT
    detail: str  # for the administrator: the loader's message, the font asked for


@cache
def missing() -> tuple[Missing, ...]:
    """What stops the documents from being made here; empty when they can be. Checked once per process (an
    administrator who installs the packages restarts the server)."""
    out = []
    try:
        import weasyprint  # noqa: F401  (loads pango and its neighbours through cffi at import)
    except (ImportError, OSError) as exc:
        out.append(Missing(LIBRARIES, f"WeasyPrint: {exc}"))
    for style in fonts.STYLES:
        found = fonts.find(fonts.FAMILY, style)
        if found is None:
            out.append(Missing(FONT, f"{fonts.FAMILY} {style}: not installed (fc-match)"))
        elif not fonts.has_serbian_forms(found.path):
            out.append(Missing(FONT, f"{fonts.FAMILY} {style}: {found.path} has no Serbian Cyrillic forms"))
    return tuple(out)
