"""The few words a calendar feed or a weekly plan's .ics writes itself, in each of the office's languages.

They go into SUMMARY, CATEGORIES and DESCRIPTION, read in someone's calendar program, far from the site, so
they come from here and not from the web catalogues (publisher does not import web). The Serbian Latin words
are derived from the Cyrillic ones by the transliterator the texts use, so the two scripts cannot drift apart.
"""

from __future__ import annotations

from publisher.activities.kinds import Kind
from publisher.text.translit import CYRILLIC, LATIN, derive

_CYRILLIC: dict[str, str] = {
    "busy": "Заузето",
    "cancelled": "Отказано",
    "postponed": "Одложено",
    "officials": "Учествују",
    "organisations": "Организације",
    "guests": "Гости",
    "internal_notes": "Интерне белешке",
    Kind.PRESS_CONFERENCE: "Конференција за медије",
    Kind.INTERVIEW: "Интервју",
    Kind.STATEMENT: "Изјава",
    Kind.RECEPTION: "Пријем",
    Kind.WORKING_MEETING: "Радни састанак",
    Kind.VISIT: "Посета или делегација",
    Kind.INTERNATIONAL_MEETING: "Међународни састанак",
    Kind.PUBLIC_CONSULTATION: "Јавна расправа или јавни скуп",
    Kind.CAMPAIGN_MILESTONE: "Етапа кампање",
    Kind.OTHER: "Остало",
}

WORDS: dict[str, dict[str, str]] = {
    CYRILLIC: _CYRILLIC,
    LATIN: {key: derive(text, LATIN) for key, text in _CYRILLIC.items()},
    "sq": {
        "busy": "I zënë",
        "cancelled": "Anuluar",
        "postponed": "Shtyrë",
        "officials": "Marrin pjesë",
        "organisations": "Organizatat",
        "guests": "Të ftuarit",
        "internal_notes": "Shënime të brendshme",
        Kind.PRESS_CONFERENCE: "Konferencë për shtyp",
        Kind.INTERVIEW: "Intervistë",
        Kind.STATEMENT: "Deklaratë",
        Kind.RECEPTION: "Pritje",
        Kind.WORKING_MEETING: "Takim pune",
        Kind.VISIT: "Vizitë ose delegacion",
        Kind.INTERNATIONAL_MEETING: "Takim ndërkombëtar",
        Kind.PUBLIC_CONSULTATION: "Konsultim publik ose takim publik",
        Kind.CAMPAIGN_MILESTONE: "Etapë e fushatës",
        Kind.OTHER: "Tjetër",
    },
    "en": {
        "busy": "Busy",
        "cancelled": "Cancelled",
        "postponed": "Postponed",
        "officials": "Taking part",
        "organisations": "Organisations",
        "guests": "Guests",
        "internal_notes": "Internal notes",
        Kind.PRESS_CONFERENCE: "Press conference",
        Kind.INTERVIEW: "Interview",
        Kind.STATEMENT: "Statement",
        Kind.RECEPTION: "Reception",
        Kind.WORKING_MEETING: "Working meeting",
        Kind.VISIT: "Visit or delegation",
        Kind.INTERNATIONAL_MEETING: "International meeting",
        Kind.PUBLIC_CONSULTATION: "Public consultation or public meeting",
        Kind.CAMPAIGN_MILESTONE: "Campaign milestone",
        Kind.OTHER: "Other",
    },
}


def word(language: str, key: str) -> str:
    """The feed's word for `key` (a kind, a status or a label) in `language`; English for an unknown key."""
    return WORDS[language].get(key) or WORDS["en"].get(key) or key
