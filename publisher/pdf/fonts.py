"""The documents' font: one whose Cyrillic has the Serbian forms, found through fontconfig, checked with fontTools.

Serbian and Russian share Unicode's Cyrillic letters but not all their shapes: Serbian б has its stem at the top
and the italic г д п т look like Latin italic ǵ g ū m (ш-shaped т). A font carries these as OpenType `locl`
substitutions for the script 'cyrl' and language system 'SRB ', applied when the text's language is Serbian
(WeasyPrint hands the html `lang` to Pango, and Pango to HarfBuzz). DejaVu Serif has them upright and italic
(Debian's fonts-dejavu-core, fonts-dejavu-extra for the italic); DejaVu Sans only for б; Noto Sans
(fonts-noto-core) would do too, but is a much larger package.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTFont, TTLibError

FAMILY = "DejaVu Serif"
# Regular and italic: the italic is where most of the Serbian forms are (fontconfig style names).
STYLES = ("Book", "Italic")
SERBIAN = ("cyrl", "SRB ")  # OpenType script and language system tags
FC_MATCH_SECONDS = 10


@dataclass(frozen=True)
class FontFile:
    family: str
    style: str
    path: Path


def find(family: str = FAMILY, style: str = "Book") -> FontFile | None:
    """The file fontconfig gives for `family` in `style`, or None when it has no such family (fc-match falls back
    to any font it has: a fallback is not the font asked for)."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    try:
        done = subprocess.run([fc_match, "--format=%{family}\n%{style}\n%{file}", f"{family}:style={style}"],
                              capture_output=True, text=True, timeout=FC_MATCH_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = done.stdout.split("\n")
    if done.returncode != 0 or len(lines) != 3:
        return None
    families, styles, path = lines[0].split(","), lines[1].split(","), Path(lines[2])
    if family not in families or style not in styles or not path.is_file():
        return None
    return FontFile(family, style, path)


def has_serbian_forms(path: Path) -> bool:
    """Whether the font substitutes glyphs for Serbian Cyrillic (a `locl` feature for cyrl/SRB)."""
    try:
        font = TTFont(path, lazy=True)
    except (OSError, TTLibError):
        return False
    with font:
        if "GSUB" not in font:
            return False
        gsub = font["GSUB"].table
        script_tag, language_tag = SERBIAN
        for script in gsub.ScriptList.ScriptRecord:
            if script.ScriptTag != script_tag:
                continue
            for language in script.Script.LangSysRecord:
                if language.LangSysTag == language_tag and any(
                        gsub.FeatureList.FeatureRecord[i].FeatureTag == "locl"
                        for i in language.LangSys.FeatureIndex):
                    return True
    return False
