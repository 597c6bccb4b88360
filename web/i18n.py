"""The dashboard's interface language: once signed in, the language picked on the sign-in page for that
browser session, else the person's own (User.locale); before that the sign-in page's language switch, else
the browser's Accept-Language.

At sign-in (web.auth.login) a person without a language of their own takes the sign-in page's; one who has
a language and picked another on the sign-in page keeps the pick until they sign out (SIGN_IN_KEY), while
the account page still changes the stored language (and ends the pick).

Languages are named as User.locale stores them (BCP 47: "sr-Latn"); Babel and the catalog folders use
its own spelling ("sr_Latn"). Plain "sr" from a browser means Latin script, like the office's default.
"""

from __future__ import annotations

from flask import g, request, session

DEFAULT_LANGUAGE = "sr-Latn"
BABEL_LOCALES = {"sr-Latn": "sr_Latn", "sr-Cyrl": "sr_Cyrl", "sq": "sq", "en": "en"}
# Each language's name in itself: a switch must be readable by the person who needs it.
LANGUAGE_NAMES = {"sr-Latn": "Srpski (latinica)", "sr-Cyrl": "Српски (ћирилица)", "sq": "Shqip", "en": "English"}
# Close relatives whose readers read Serbian Latin: better than falling back to the default silently.
_LATIN_RELATIVES = frozenset({"sh", "hr", "bs", "cnr"})
SESSION_KEY = "lang"  # the language pages are shown in before sign-in
CHOSEN_KEY = "lang_chosen"  # set when the person clicked the sign-in page's switch (not just the browser's)
SIGN_IN_KEY = "signin_lang"  # the sign-in page's pick, for the signed-in browser session


def language_of(tag: str | None) -> str | None:
    """One of our languages for a language tag ("sr-Latn-RS", "sq_AL", "EN"), or None."""
    if not tag:
        return None
    parts = tag.strip().lower().replace("_", "-").split("-")
    if parts[0] == "sr":
        return "sr-Cyrl" if "cyrl" in parts else "sr-Latn"
    if parts[0] in _LATIN_RELATIVES:
        return "sr-Latn"
    if parts[0] in ("sq", "en"):
        return parts[0]
    return None


def _signed_in_language() -> str | None:
    # Only a user Flask-Login already loaded: choosing a language must never be what queries the database.
    user = g.get("_login_user")
    if user is not None and getattr(user, "is_authenticated", False):
        for language in (session.get(SIGN_IN_KEY), user.locale):
            if language in BABEL_LOCALES:
                return language
    return None


def interface_language() -> str:
    """This request's language, as a BCP 47 tag for <html lang>."""
    if "interface_language" in g:
        return g.interface_language
    chosen = _signed_in_language() or language_of(request.args.get(SESSION_KEY)) or session.get(SESSION_KEY)
    if chosen not in BABEL_LOCALES:
        chosen = next((lang for tag, _q in request.accept_languages if (lang := language_of(tag))),
                      DEFAULT_LANGUAGE)
    g.interface_language = chosen
    return chosen


def select_locale() -> str:
    """Flask-Babel's locale selector."""
    return BABEL_LOCALES[interface_language()]
