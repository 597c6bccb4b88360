"""Serbian script transliteration: what a post says in one script it must say in the other."""

import pytest

from publisher.text.translit import (
    CYRILLIC,
    LATIN,
    TWO_LETTER_STEMS,
    derive,
    detect_script,
    mismatched_script,
    to_cyrillic,
    to_latin,
)

# Every letter of the Serbian alphabet, in azbuka order, as (Cyrillic, Latin).
ALPHABET = [
    ("а", "a"), ("б", "b"), ("в", "v"), ("г", "g"), ("д", "d"), ("ђ", "đ"),
    ("е", "e"), ("ж", "ž"), ("з", "z"), ("и", "i"), ("ј", "j"), ("к", "k"),
    ("л", "l"), ("љ", "lj"), ("м", "m"), ("н", "n"), ("њ", "nj"), ("о", "o"),
    ("п", "p"), ("р", "r"), ("с", "s"), ("т", "t"), ("ћ", "ć"), ("у", "u"),
    ("ф", "f"), ("х", "h"), ("ц", "c"), ("ч", "č"), ("џ", "dž"), ("ш", "š"),
]  # fmt: skip

# A capital letter on its own is a one-letter word, so digraphs are title case.
UPPER_ALPHABET = [(cyr.upper(), lat.capitalize()) for cyr, lat in ALPHABET]

PARAGRAPH_CYR = (
    "Одсек за комуникацију са јавношћу припрема и дистрибуира јавности саопштења, "
    "извештаје и друге публикације; ажурира званичну интернет страницу Министарства "
    "и управља комуникацијом на друштвеним мрежама."
)
PARAGRAPH_LAT = (
    "Odsek za komunikaciju sa javnošću priprema i distribuira javnosti saopštenja, "
    "izveštaje i druge publikacije; ažurira zvaničnu internet stranicu Ministarstva "
    "i upravlja komunikacijom na društvenim mrežama."
)


def test_alphabet_tables_cover_all_thirty_letters():
    assert len(ALPHABET) == 30
    assert "".join(cyr for cyr, _ in ALPHABET) == "абвгдђежзијклљмнњопрстћуфхцчџш"


@pytest.mark.parametrize(("cyr", "lat"), ALPHABET + UPPER_ALPHABET)
def test_to_latin_every_letter(cyr, lat):
    assert to_latin(cyr) == lat


@pytest.mark.parametrize(("cyr", "lat"), ALPHABET + UPPER_ALPHABET)
def test_to_cyrillic_every_letter(cyr, lat):
    assert to_cyrillic(lat) == cyr


@pytest.mark.parametrize(
    ("cyr", "lat"),
    [
        ("абвгдђежзијклљмнњопрстћуфхцчџш", "abvgdđežzijklljmnnjoprstćufhcčdžš"),
        ("АБВГДЂЕЖЗИЈКЛЉМНЊОПРСТЋУФХЦЧЏШ", "ABVGDĐEŽZIJKLLJMNNJOPRSTĆUFHCČDŽŠ"),
    ],
)
def test_whole_alphabet_as_one_word_both_directions(cyr, lat):
    assert to_latin(cyr) == lat
    assert to_cyrillic(lat) == cyr


@pytest.mark.parametrize(
    ("cyr", "lat"),
    [
        # ALL-CAPS word: the digraph is all caps too.
        ("ЉУБАВ", "LJUBAV"),
        ("ЊЕГОШ", "NJEGOŠ"),
        ("ЏЕП", "DŽEP"),
        ("ПОЉЕ", "POLJE"),
        ("КОЊ", "KONJ"),  # word-final: the letter before decides
        ("ЂАК", "ĐAK"),
        # Title case / sentence case: only the first letter of the digraph is capital.
        ("Љубав", "Ljubav"),
        ("Његош", "Njegoš"),
        ("Џеп", "Džep"),
        # A lone capital is a one-letter word (or an initial).
        ("Љ", "Lj"),
        ("Њ", "Nj"),
        ("Џ", "Dž"),
        ("Љ. Петровић", "Lj. Petrović"),
        # The rule is per word, not per sentence.
        ("ЉУБАВ и Љубав", "LJUBAV i Ljubav"),
        ("ВЕСТИ: Њујорк", "VESTI: Njujork"),
    ],
)
def test_to_latin_digraph_case(cyr, lat):
    assert to_latin(cyr) == lat


@pytest.mark.parametrize(
    ("lat", "cyr"),
    [
        ("LJUBAV", "ЉУБАВ"),
        ("Ljubav", "Љубав"),
        ("NJEGOŠ", "ЊЕГОШ"),
        ("DŽEP", "ЏЕП"),
        ("Džep", "Џеп"),
        ("lJ", "лЈ"),  # lower-then-upper is not a way to write Љ: two letters
        ("dŽ", "дЖ"),
    ],
)
def test_to_cyrillic_digraph_case(lat, cyr):
    assert to_cyrillic(lat) == cyr


def test_mixed_sentence_both_directions():
    cyr = "Министарство привреде Републике Србије"
    lat = "Ministarstvo privrede Republike Srbije"
    assert to_latin(cyr) == lat
    assert to_cyrillic(lat) == cyr


@pytest.mark.parametrize(
    ("lat", "cyr"),
    [
        # d + ž across a prefix boundary
        ("nadživeti", "надживети"),
        ("Nadživeti", "Надживети"),
        ("NADŽIVETI", "НАДЖИВЕТИ"),
        ("nadživljavati", "надживљавати"),
        ("podžanr", "поджанр"),
        ("podžupan", "поджупан"),
        ("podžigač", "поджигач"),
        ("odžaliti", "оджалити"),
        ("neodžaljen", "неоджаљен"),
        # n + j
        ("konjunkcija", "конјункција"),
        ("injekcija", "инјекција"),
        ("konjugacija", "конјугација"),
        ("nekonjugovan", "неконјугован"),
        ("konjunktura", "конјунктура"),
        ("vanjezički", "ванјезички"),
        ("Tanjug", "Танјуг"),
        ("TANJUG", "ТАНЈУГ"),
    ],
)
def test_to_cyrillic_digraph_exceptions(lat, cyr):
    assert to_cyrillic(lat) == cyr


@pytest.mark.parametrize(
    ("lat", "cyr"),
    [
        # Near-misses of the exception stems that really are џ / њ.
        ("odžak", "оџак"),
        ("nadžak", "наџак"),
        ("konj", "коњ"),
        ("konjušnica", "коњушница"),
        ("injan", "ињан"),
        ("džep", "џеп"),
        # "dj" is ambiguous (đak vs. nadjačati), so it is never guessed to be Ђ.
        ("nadjačati", "надјачати"),
        ("Djordje", "Дјордје"),
        ("Đorđe", "Ђорђе"),
    ],
)
def test_to_cyrillic_ordinary_digraphs_next_to_exceptions(lat, cyr):
    assert to_cyrillic(lat) == cyr


def test_every_exception_stem_marks_a_digraph():
    for stem in TWO_LETTER_STEMS:
        head, tail = stem.split("|")
        assert (head[-1] + tail[0]) in {"lj", "nj", "dž"}, stem


@pytest.mark.parametrize(
    ("lat", "cyr"),
    [
        (
            "Posetite https://privreda.gov.rs/vesti?id=5&lang=sr danas.",
            "Посетите https://privreda.gov.rs/vesti?id=5&lang=sr данас.",
        ),
        ("Sajt www.privreda.gov.rs je nov.", "Сајт www.privreda.gov.rs је нов."),
        ("Sajt privreda.gov.rs je nov.", "Сајт privreda.gov.rs је нов."),
        (
            "Pišite na press@privreda.gov.rs ili kabinet.ministra@privreda.gov.rs.",
            "Пишите на press@privreda.gov.rs или kabinet.ministra@privreda.gov.rs.",
        ),
        ("Pratite @MinPrivrede i @min.privrede danas", "Пратите @MinPrivrede и @min.privrede данас"),
        ("Oznaka #Privreda2025 i #Srbija", "Ознака #Privreda2025 и #Srbija"),
        ("Objavljeno na Twitter-u i WordPress-u", "Објављено на Twitter-у и WordPress-у"),
        ("Xbox i Yahoo i Müller i José", "Xbox и Yahoo и Müller и José"),
        ("Facebook stranica i Google mapa", "Facebook страница и Google мапа"),
        ("COVID-19 mere", "COVID-19 мере"),
        ("II sednica u XXI veku, IV kvartal", "II седница у XXI веку, IV квартал"),
        ("MI I VI", "МИ И ВИ"),  # all-caps words that merely look like numerals
    ],
)
def test_to_cyrillic_leaves_identifiers_and_foreign_words(lat, cyr):
    assert to_cyrillic(lat) == cyr


@pytest.mark.parametrize(
    ("lat", "cyr"),
    [
        ('<p class="lead">Dobar dan</p>', '<p class="lead">Добар дан</p>'),
        (
            '<a href="https://privreda.gov.rs" title="naslov">Vesti</a>',
            '<a href="https://privreda.gov.rs" title="naslov">Вести</a>',
        ),
        ("Rast &amp; razvoj&nbsp;danas &#8212; sutra", "Раст &amp; развој&nbsp;данас &#8212; сутра"),
        ("<br/>Linija<br>", "<br/>Линија<br>"),
        ("<!-- napomena -->Tekst", "<!-- napomena -->Текст"),
        ("<script>var danas = 1;</script>Danas", "<script>var danas = 1;</script>Данас"),
    ],
)
def test_to_cyrillic_transliterates_only_text_between_html_tags(lat, cyr):
    assert to_cyrillic(lat) == cyr


@pytest.mark.parametrize(
    ("lat", "cyr"),
    [
        ("c\u030cas z\u030cena", "час жена"),  # decomposed č/ž (macOS input)
        ("\u01c5ep \u01c8ubav \u01cbegoš", "Џеп Љубав Његош"),  # single-code-point digraphs ǅ ǈ ǋ
        ("Ðak", "Ђак"),  # Eth typed for Đ
        ("Dali smo ì", "Дали смо ѝ"),  # orthographic accented i
    ],
)
def test_to_cyrillic_normalises_input_variants(lat, cyr):
    assert to_cyrillic(lat) == cyr


@pytest.mark.parametrize(
    ("cyr", "lat"),
    [
        ("Рок: 15. мај 2025. 🎉", "Rok: 15. maj 2025. 🎉"),
        ("Beograd, Београд", "Beograd, Beograd"),
        ("ы", "ы"),
        ("Москва и Россия", "Moskva i Россия"),  # a Russian word is kept whole
        ("Ѓорѓе", "Ѓорѓе"),  # Macedonian letters are not Serbian
        ("Видети https://пример.срб/вести и #Србија", "Videti https://пример.срб/вести i #Србија"),
        ('<p title="Наслов">Текст</p>', '<p title="Наслов">Tekst</p>'),
    ],
)
def test_to_latin_leaves_everything_that_is_not_serbian_cyrillic(cyr, lat):
    assert to_latin(cyr) == lat


def test_paragraph_of_real_text_both_directions():
    assert to_latin(PARAGRAPH_CYR) == PARAGRAPH_LAT
    assert to_cyrillic(PARAGRAPH_LAT) == PARAGRAPH_CYR


@pytest.mark.parametrize(
    "text",
    [
        PARAGRAPH_CYR,
        PARAGRAPH_CYR.upper(),
        "Љубав, њива, џем, ђак и ћерка; ЉУБАВ, ЊИВА, ЏЕМ, ЂАК И ЋЕРКА.",
        "Министарство привреде Републике Србије",
        "Ви и ми, ако ли див.",
        "ВИ И МИ, АКО ЛИ ДИВ.",  # ALL-CAPS words that look like Roman numerals in Latin
        "Наджњети, поджанр и инјекција.",  # exceptions survive the round trip too
    ],
)
def test_round_trip_cyrillic_latin_cyrillic(text):
    assert to_cyrillic(to_latin(text)) == text


@pytest.mark.parametrize(
    ("text", "fn"),
    [(PARAGRAPH_LAT, to_latin), (PARAGRAPH_CYR, to_cyrillic)],
)
def test_text_already_in_target_script_is_unchanged(text, fn):
    assert fn(text) == text


@pytest.mark.parametrize(
    ("text", "fn"),
    [("c\u030cas", to_latin), ("\u0438\u0306", to_cyrillic)],  # decomposed č, decomposed й
)
def test_words_in_the_other_script_are_not_even_unicode_normalised(text, fn):
    assert fn(text) == text


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("Министарство привреде", "sr-Cyrl"),
        ("Ministarstvo privrede", "sr-Latn"),
        ("Министарство привреде (Ministry of Economy)", "sr-Cyrl"),
        ("Ministarstvo privrede на српском", "sr-Latn"),
        ('<p class="lead"><a href="https://privreda.gov.rs">Вест</a></p>', "sr-Cyrl"),
        ("https://privreda.gov.rs", "sr-Latn"),  # nothing else to go by
        ("ab аб", None),  # a tie is no answer
        ("2025-05-15 12:00 🎉", None),
        ("", None),
    ],
)
def test_detect_script(text, script):
    assert detect_script(text) == script


@pytest.mark.parametrize(
    ("target", "expected"),
    [(LATIN, "Vest dana"), (CYRILLIC, "Вест дана")],
)
def test_derive_routes_by_language_code(target, expected):
    assert derive("Вест дана" if target == LATIN else "Vest dana", target) == expected


def test_language_codes():
    assert (LATIN, CYRILLIC) == ("sr-Latn", "sr-Cyrl")


@pytest.mark.parametrize("target", ["sr", "en", "sr-latn", "sr_Latn", "sr-Cyrl-RS", ""])
def test_derive_rejects_other_targets(target):
    with pytest.raises(ValueError, match=r"^cannot derive .*'sr-Latn'.*'sr-Cyrl'"):
        derive("Вест", target)


@pytest.mark.parametrize(("text", "language", "found"), [
    ("Министарство саопштава", "sr-Latn", "sr-Cyrl"),
    ("Ministarstvo saopštava", "sr-Cyrl", "sr-Latn"),
    ("Ministarstvo saopštava", "sr-Latn", None),
    ("Министарство саопштава https://example.org/vesti", "sr-Cyrl", None),  # a link is not Latin prose
    ("Ministry announces", "en", None),  # only the Serbian scripts are told apart
    ("2026", "sr-Cyrl", None),
])
def test_a_text_in_the_other_serbian_script_is_found(text, language, found):
    assert mismatched_script(text, language) == found
