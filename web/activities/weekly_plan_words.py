"""The weekly plan's words, in the plan's language (PUBLISHER_WEEKLY_PLAN_LANGUAGE), not the reader's: the PDF's
template and the mail's subject and body, read from the dashboard's catalogs without a request, so that the
worker (publisher.activities.plan_schedule, handed PRINTING by publisher.cli) and the page print the same."""

from __future__ import annotations

from datetime import date
from functools import cache

from babel.support import NullTranslations, Translations

from publisher.activities.weekly_plan import PlanContent, PlanPrinting
from publisher.pdf.rendering import catalog_locale
from web import dates
from web.catalogs import TRANSLATIONS
from web.printed import SETUP


@cache
def _catalog(language: str) -> NullTranslations:
    return Translations.load(str(TRANSLATIONS), [catalog_locale(language)])


def _say(language: str, message: str, **values: str) -> str:
    text = _catalog(language).gettext(message)
    return text % values if values else text


def format_day(day: date, language: str) -> str:
    return dates.format_date(day, "long", catalog_locale(language))


def weeks_days(plan: PlanContent) -> str:
    """ "7. decembra 2026. – 13. decembra 2026." in the plan's language."""
    locale = catalog_locale(plan.language)
    return f"{dates.format_date(plan.week, 'medium', locale)} – {dates.format_date(plan.last_day, 'medium', locale)}"


def mail_words(plan: PlanContent, office: str | None = None) -> tuple[str, str]:
    """(subject, body) of the plan's mail."""
    language = plan.language
    office = plan.office_name or _say(language, "Communication office")
    subject = _say(language, "Weekly plan of activities, %(office)s: %(days)s", office=office, days=weeks_days(plan))
    body = "\n".join([
        _say(language, "Attached is the plan of the activities of the minister and the ministry for the week "
                       "%(days)s: as a PDF document and as a calendar file (.ics) to open in a calendar program.",
             days=weeks_days(plan)),
        "",
        _say(language, "Events in the plan: %(count)s.", count=str(plan.count)),
        "",
        "-- ",
        office,
    ]) + "\n"
    return subject, body


PRINTING = PlanPrinting(setup=SETUP, mail_words=mail_words, format_day=format_day)
