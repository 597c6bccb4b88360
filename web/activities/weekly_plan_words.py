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


def format_day(day: date, language: str) -> str:
    return dates.format_date(day, "long", catalog_locale(language))


def weeks_days(plan: PlanContent) -> str:
    """ "7. decembra 2026. – 13. decembra 2026." in the plan's language."""
    locale = catalog_locale(plan.language)
    return f"{dates.format_date(plan.week, 'medium', locale)} – {dates.format_date(plan.last_day, 'medium', locale)}"


def mail_words(plan: PlanContent) -> tuple[str, str]:
    """(subject, body) of the plan's mail, in the plan's language."""
    gettext = _catalog(plan.language).gettext  # named so, the words are extracted into the catalogs
    office = plan.office_name or gettext("Communication office")
    days = weeks_days(plan)
    subject = gettext("Weekly plan of activities, %(office)s: %(days)s") % {"office": office, "days": days}
    body = "\n".join([
        gettext("Attached is the plan of the activities of the minister and the ministry for the week %(days)s, "
                "as a PDF document and as a calendar file (.ics) to open in a calendar program.") % {"days": days},
        "",
        gettext("Events in the plan: %(count)s.") % {"count": plan.count},
        "",
        "-- ",
        office,
    ]) + "\n"
    return subject, body


PRINTING = PlanPrinting(setup=SETUP, mail_words=mail_words, format_day=format_day)
