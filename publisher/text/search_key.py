"""The search key: one spelling of a text that every way of typing it shares.

A list's search box compares keys, never the text as written: the key of what is stored (each searched
row's `search_text`, publisher.core.search_index) against the key of what was typed. The key is

- Serbian Cyrillic in Latin letters ("Министар" and "ministar" share "ministar");
- case-folded (Python's casefold: every script, not only ASCII as SQLite's lower() and LIKE);
- without diacritics: č ć → c, š → s, ž → z, Albanian ë → e and ç → c, é ü … → e u;
- đ and dj both d, so "Đorđe", "Djordje" and "Dordje" all read "dorde" (people without a Serbian keyboard
  write đ either way); the price: a search that starts with the j of a "dj" ("jela" in "podjela") misses;
- compatibility forms folded (NFKC: the one-letter digraphs ǅ ǈ ǋ, full-width letters, ligatures);
- whitespace collapsed to single spaces, none at the ends.

The key is for comparing only; nobody reads it. Changing these rules changes every stored key: such a change
comes with a migration that recomputes `search_text` (as 0017 filled it).
"""

from __future__ import annotations

import re
import unicodedata

from publisher.text.translit import letters_to_latin

__all__ = ["normalise"]

# Letters with a stroke or of their own that NFD does not take apart into a base letter and a mark.
_OWN_LETTERS = {"đ": "d", "ð": "d", "ł": "l", "ø": "o", "ı": "i", "ħ": "h"}
_OWN = re.compile("[" + "".join(_OWN_LETTERS) + "]")
# The combining diacritical marks (the blocks Latin, Cyrillic and Greek letters take theirs from): dropped
# after NFD has taken č apart into c and ˇ. A regular expression, not a loop over unicodedata.combining:
# a 100,000-character body is keyed on every save.
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
_DJ = re.compile(r"dj+")  # dj (and a doubled j, so that the key of a key is the key itself) reads as đ


def normalise(text: str) -> str:
    """The search key of `text` (see the module's docstring); "" for text of only whitespace."""
    folded = letters_to_latin(unicodedata.normalize("NFKC", text)).casefold()
    bare = _MARKS.sub("", unicodedata.normalize("NFD", folded))
    bare = _DJ.sub("d", _OWN.sub(lambda found: _OWN_LETTERS[found.group()], bare))
    return " ".join(unicodedata.normalize("NFC", bare).split())
