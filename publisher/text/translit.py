"""Serbian Cyrillic <-> Latin (gajica) transliteration.

The press office writes a post once, in one script, and publishes it in both;
this module derives the other script's text. Cyrillic -> Latin is mechanical.
Latin -> Cyrillic is not: the digraphs lj, nj and dž are sometimes two letters
(nadživeti, injekcija), and posts carry things that must stay byte-for-byte as
written (links, addresses, handles, hashtags, HTML markup, foreign names).
Those are kept as data below so the rules can be reviewed and extended.

Both directions leave the same "identifier" spans untouched (URLs, e-mail
addresses, @handles, #hashtags, HTML tags/comments/<script>/<style> and
entities), so a Cyrillic IDN link or hashtag survives to_latin as well.
"""

import re
import unicodedata
from collections.abc import Callable

__all__ = [
    "CYRILLIC",
    "FOREIGN_WORDS",
    "LATIN",
    "TWO_LETTER_STEMS",
    "derive",
    "detect_script",
    "letters_to_latin",
    "to_cyrillic",
    "to_latin",
]

LATIN = "sr-Latn"
CYRILLIC = "sr-Cyrl"

# One row per Serbian letter, lowercase Cyrillic -> lowercase Latin. Upper case
# is derived, with digraphs in title case (Љ -> Lj); to_latin upgrades them to
# LJ/NJ/DŽ inside ALL-CAPS words. ѝ/ì is the orthographic accented "i" (the
# pronoun "ѝ" vs the conjunction "и"), so it is part of the alphabet here.
_LETTER_PAIRS: tuple[tuple[str, str], ...] = (
    ("а", "a"), ("б", "b"), ("в", "v"), ("г", "g"), ("д", "d"), ("ђ", "đ"),
    ("е", "e"), ("ж", "ž"), ("з", "z"), ("и", "i"), ("ј", "j"), ("к", "k"),
    ("л", "l"), ("љ", "lj"), ("м", "m"), ("н", "n"), ("њ", "nj"), ("о", "o"),
    ("п", "p"), ("р", "r"), ("с", "s"), ("т", "t"), ("ћ", "ć"), ("у", "u"),
    ("ф", "f"), ("х", "h"), ("ц", "c"), ("ч", "č"), ("џ", "dž"), ("ш", "š"),
    ("ѝ", "ì"),
)  # fmt: skip

_CYR_TO_LAT: dict[str, str] = {}
_LAT_TO_CYR: dict[str, str] = {}  # single Latin letters only
_LAT_DIGRAPHS: dict[str, str] = {}  # "lj" -> "љ", "nj" -> "њ", "dž" -> "џ"
for _cyr, _lat in _LETTER_PAIRS:
    _CYR_TO_LAT[_cyr] = _lat
    _CYR_TO_LAT[_cyr.upper()] = _lat.capitalize()
    if len(_lat) == 2:
        _LAT_DIGRAPHS[_lat] = _cyr
    else:
        _LAT_TO_CYR[_lat] = _cyr
        _LAT_TO_CYR[_lat.upper()] = _cyr.upper()

# Unicode has single code points for the Latin digraphs (ǅ, ǈ, ǋ ...) and some
# keyboards produce Eth (Ð) for Đ; they are rewritten to the plain spelling first.
_LATIN_VARIANTS: dict[str, str] = {
    "Ǆ": "DŽ", "ǅ": "Dž", "ǆ": "dž",
    "Ǉ": "LJ", "ǈ": "Lj", "ǉ": "lj",
    "Ǌ": "NJ", "ǋ": "Nj", "ǌ": "nj",
    "Ð": "Đ",
}  # fmt: skip

_CYR_TO_LAT_TABLE = str.maketrans(_CYR_TO_LAT)
_SERBIAN_LATIN = frozenset(_LAT_TO_CYR)
_SERBIAN_CYRILLIC = frozenset(_CYR_TO_LAT)

# Word stems (matched case-insensitively at the start of a word, optionally
# after the negation "ne") in which a Latin digraph is two Cyrillic letters.
# "|" marks the split. Almost all are a prefix ending in d/n glued to a root
# starting with ž/j: nad|živeti -> надживети, in|jekcija -> инјекција.
# Deliberately word-specific rather than "any nad/pod/od + ž": odžak (оџак)
# and nadžak (наџак) are genuine џ, and konj/konjušnica are genuine њ.
# "dj" needs no entry: it is never read as Ђ (only đ is), so it always stays д+ј.
TWO_LETTER_STEMS: tuple[str, ...] = (
    # d + ž
    "nad|živ",  # nadživeti, nadživljavati
    "nad|žnj",  # nadžnjeti
    "od|žal",  # odžaliti, neodžaljen
    "od|živ",  # odživeti, odživljavati
    "od|žvak",  # odžvakati
    "pod|žanr",  # podžanr
    "pod|žig",  # podžigati, podžigač
    "pod|žnj",  # podžnjeti
    "pod|žup",  # podžupan
    "pred|život",  # predživotni
    "pred|želud",  # predželudac
    "feld|žandarm",  # feldžandarm
    # n + j
    "an|jon",  # anjon (variant of anion)
    "in|jek",  # injekcija, injektor, injektirati
    "in|jicir",  # injicirati
    "kon|jekt",  # konjektura
    "kon|jug",  # konjugacija, konjugovati
    "kon|junk",  # konjunkcija, konjunktura, konjunktiv(itis)
    "pan|jugoslov",  # panjugoslovenski
    "tan|jug",  # Tanjug (acronym: Telegrafska agencija nove Jugoslavije)
    "van|jezič",  # vanjezički
)

# Latin-script words that are common in press releases, contain only letters
# of the Serbian alphabet and would come out garbled (Фацебоок); kept in Latin.
# Whole-word, case-insensitive. Words with q/w/x/y or any other non-Serbian
# Latin letter (ü, é, ß ...) are recognised as foreign without being listed.
FOREIGN_WORDS: frozenset[str] = frozenset({
    "covid", "email", "facebook", "gmail", "google", "linkedin", "mail", "microsoft", "online",
})  # fmt: skip

# Roman numerals (II, IV, XXI) are written with Latin letters in Cyrillic text
# too. Only all-capital, well-formed numerals of two or more letters are kept,
# minus the ones that are also ordinary Serbian words in an ALL-CAPS headline.
_ROMAN_NUMERAL = re.compile(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
_ROMAN_LOOKALIKE_WORDS = frozenset({"MI", "VI", "LI", "DIV"})

_DOMAIN_TLDS = "rs|срб|com|org|net|eu|info|gov|edu|int|io|me|ba|hr|mk|si|de|uk"

# Spans copied through verbatim in both directions. Order matters where two
# alternatives could start at the same place (an e-mail before a bare domain).
_PROTECTED = re.compile(
    r"""
      <(?P<raw>script|style)\b.*?</(?P=raw)\s*>   # element whose content is not text
    | <!--.*?-->                                  # HTML comment
    | </?[A-Za-z!?][^<>]*>                        # HTML tag, attributes included
    | &(?:\#[0-9]+|\#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);   # HTML entity
    | (?:https?|ftp)://[^\s<>"']+                 # URL with a scheme
    | mailto:[^\s<>"']+
    | www\.[^\s<>"']+                             # URL without a scheme
    | (?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+    # e-mail address
    | (?<![\w@])@\w+(?:\.\w+)*                    # @handle
    | (?<![\w&\#])\#\w+                           # #hashtag
    | (?<![\w@.-])(?:[^\W_](?:[\w-]*[^\W_])?\.)+(?:"""
    + _DOMAIN_TLDS
    + r""")(?![\w-])(?:/[^\s<>"']*)?              # bare domain: privreda.gov.rs
    """,
    re.IGNORECASE | re.DOTALL | re.VERBOSE,
)

# A word is a run of letters (plus combining marks, so decomposed č stays whole).
_WORD = re.compile(r"(?:[^\W\d_]|[\u0300-\u036f])+")


def _parse_stem(stem: str) -> tuple[str, int]:
    head, tail = stem.split("|")
    if (head[-1:] + tail[:1]) not in _LAT_DIGRAPHS:
        raise ValueError(f"exception stem {stem!r} does not split a digraph")
    return head + tail, len(head) - 1


_STEM_SPLITS: tuple[tuple[str, int], ...] = tuple(_parse_stem(s) for s in TWO_LETTER_STEMS)


def _script_of(ch: str) -> str | None:
    """Return "LATIN"/"CYRILLIC" for a letter of that script, else None."""
    if not ch.isalpha():
        return None
    name = unicodedata.name(ch, "")
    if name.startswith("LATIN"):
        return "LATIN"
    if name.startswith("CYRILLIC"):
        return "CYRILLIC"
    return None


def _map_text(text: str, convert_word: Callable[[str], str]) -> str:
    """Apply convert_word to every word outside the protected spans."""
    out: list[str] = []
    pos = 0
    for match in _PROTECTED.finditer(text):
        out.append(_WORD.sub(lambda m: convert_word(m.group()), text[pos : match.start()]))
        out.append(match.group())
        pos = match.end()
    out.append(_WORD.sub(lambda m: convert_word(m.group()), text[pos:]))
    return "".join(out)


def _in_caps_word(word: str, index: int) -> bool:
    """True if the nearest letter after (or, at the end, before) index is a capital."""
    for ch in word[index + 1 :]:
        if ch.isalpha():
            return ch.isupper()
    for ch in reversed(word[:index]):
        if ch.isalpha():
            return ch.isupper()
    return False  # a one-letter word: "Љ" reads as "Lj"


def _word_to_latin(word: str) -> str:
    nfc = unicodedata.normalize("NFC", word)
    if not any(ch in _SERBIAN_CYRILLIC for ch in nfc):
        return word  # nothing to do; keep it byte-for-byte (no normalisation)
    # A word with non-Serbian Cyrillic (Russian ы, я, й ...) is someone else's
    # language; a half-transliterated "Rossiя" helps nobody, so keep it whole.
    if any(_script_of(ch) == "CYRILLIC" and ch not in _SERBIAN_CYRILLIC for ch in nfc):
        return word
    out: list[str] = []
    for i, ch in enumerate(nfc):
        lat = _CYR_TO_LAT.get(ch, ch)
        if len(lat) == 2 and ch.isupper() and _in_caps_word(nfc, i):
            lat = lat.upper()
        out.append(lat)
    return "".join(out)


def _is_foreign_latin(word: str) -> bool:
    if word.lower() in FOREIGN_WORDS:
        return True
    if len(word) > 1 and word not in _ROMAN_LOOKALIKE_WORDS and _ROMAN_NUMERAL.fullmatch(word):
        return True
    for ch in word:
        if unicodedata.combining(ch):
            return True  # an accent NFC could not fold into a Serbian letter
        if _script_of(ch) == "LATIN" and ch not in _SERBIAN_LATIN:
            return True
    return False


def _two_letter_positions(lower: str) -> frozenset[int]:
    """Indices where a digraph must be read as two letters (see TWO_LETTER_STEMS)."""
    offsets = (0, 2) if lower.startswith("ne") else (0,)  # ne-: neodžaljen, nekonjugovan
    for offset in offsets:
        for stem, split in _STEM_SPLITS:
            if lower.startswith(stem, offset):
                return frozenset({offset + split})
    return frozenset()


def _word_to_cyrillic(word: str) -> str:
    nfc = unicodedata.normalize("NFC", word)
    nfc = "".join(_LATIN_VARIANTS.get(ch, ch) for ch in nfc)
    if not any(ch in _SERBIAN_LATIN for ch in nfc) or _is_foreign_latin(nfc):
        return word  # nothing to do, or not Serbian: keep it byte-for-byte
    split = _two_letter_positions(nfc.lower())
    out: list[str] = []
    i = 0
    while i < len(nfc):
        pair = nfc[i : i + 2]
        cyr = _LAT_DIGRAPHS.get(pair.lower())
        # "lJ" is not a way anyone writes Љ, so it is read as two letters.
        if cyr and i not in split and not (pair[0].islower() and pair[1].isupper()):
            out.append(cyr.upper() if pair[0].isupper() else cyr)
            i += 2
            continue
        out.append(_LAT_TO_CYR.get(nfc[i], nfc[i]))
        i += 1
    return "".join(out)


def to_latin(text: str) -> str:
    """Serbian Cyrillic -> Serbian Latin; anything that is not Serbian Cyrillic is kept."""
    return _map_text(text, _word_to_latin)


def to_cyrillic(text: str) -> str:
    """Serbian Latin -> Serbian Cyrillic, keeping links, handles, markup and foreign words."""
    return _map_text(text, _word_to_cyrillic)


def letters_to_latin(text: str) -> str:
    """Every Serbian Cyrillic letter to its Latin letters, links and foreign words included: for search keys
    (publisher.text.search_key), where "#Влада" must be found by "vlada" and nothing is shown to anyone."""
    return text.translate(_CYR_TO_LAT_TABLE)


def derive(text: str, target: str) -> str:
    """Return text in the script of target ("sr-Latn" or "sr-Cyrl")."""
    if target == LATIN:
        return to_latin(text)
    if target == CYRILLIC:
        return to_cyrillic(text)
    raise ValueError(
        f"cannot derive text for language {target!r}: only {LATIN!r} and {CYRILLIC!r} can be derived"
    )


def detect_script(text: str) -> str | None:
    """Return "sr-Cyrl" or "sr-Latn", whichever script has more letters; None if neither wins.

    Markup, links, handles and hashtags are not counted (an HTML body is mostly
    Latin tag names), unless they are all the text there is.
    """
    prose = _PROTECTED.sub(" ", text)
    counts = {"LATIN": 0, "CYRILLIC": 0}
    for sample in (prose, text):
        for ch in sample:
            script = _script_of(ch)
            if script:
                counts[script] += 1
        if counts["LATIN"] or counts["CYRILLIC"]:
            break
    if counts["CYRILLIC"] > counts["LATIN"]:
        return CYRILLIC
    if counts["LATIN"] > counts["CYRILLIC"]:
        return LATIN
    return None  # no letters at all, or an exact tie


def mismatched_script(text: str, language: str) -> str | None:
    """The script `text` is written in when it is not the one `language` (a Serbian script) asks for, else None.

    Only the two Serbian scripts are told apart; text with no clear script, or another language, is no mismatch.
    """
    if language not in (LATIN, CYRILLIC):
        return None
    found = detect_script(text)
    return found if found is not None and found != language else None
