"""A recurring series in words, in the reader's language, for the pages and for what the worker writes
(a weekly plan, an e-mail): "every Monday at 10:00 until 30 June 2027", "svakog ponedeljka u 10:00 do
30. juna 2027.".

Each weekday has its own sentences, because Serbian inflects the weekday and the word before it ("svakog
ponedeljka", "svake srede"). Common rules are said exactly; a rare combination (several ordinal weekdays,
a month interval with chosen days) is said by its frequency only ("every 2 months"), never as RRULE text.
Times are the series' own wall time, 24-hour, in every language.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache

from babel.dates import format_skeleton
from babel.lists import format_list
from babel.support import NullTranslations, Translations
from flask_babel import get_locale

from publisher.recurrence.rule import WEEKDAYS, Rule
from publisher.recurrence.series import Series
from web.catalogs import TRANSLATIONS
from web.dates import GENITIVE_MONTHS, format_date
from web.i18n import BABEL_LOCALES, DEFAULT_LANGUAGE


class _Words:
    """gettext and ngettext of one language, with %(name)s filled in."""

    def __init__(self, language: str) -> None:
        self.locale = BABEL_LOCALES.get(language, BABEL_LOCALES[DEFAULT_LANGUAGE])
        self.catalog = _catalog(self.locale)

    def __call__(self, message: str, **values: object) -> str:
        text = self.catalog.gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, num: int, **values: object) -> str:
        return self.catalog.ngettext(singular, plural, num) % {"num": num, **values}


@cache
def _catalog(locale: str) -> NullTranslations:
    return Translations.load(str(TRANSLATIONS), [locale])


def _weekday_words(_: _Words) -> dict[str, tuple[str, str, str, str]]:
    """Per weekday: every such day; the day in a list after "every week"; the n-th of the month; the last."""
    return {
        "MO": (_("every Monday"), _("Mondays"), _("every month on the %(nth)s Monday"),
               _("every month on the last Monday")),
        "TU": (_("every Tuesday"), _("Tuesdays"), _("every month on the %(nth)s Tuesday"),
               _("every month on the last Tuesday")),
        "WE": (_("every Wednesday"), _("Wednesdays"), _("every month on the %(nth)s Wednesday"),
               _("every month on the last Wednesday")),
        "TH": (_("every Thursday"), _("Thursdays"), _("every month on the %(nth)s Thursday"),
               _("every month on the last Thursday")),
        "FR": (_("every Friday"), _("Fridays"), _("every month on the %(nth)s Friday"),
               _("every month on the last Friday")),
        "SA": (_("every Saturday"), _("Saturdays"), _("every month on the %(nth)s Saturday"),
               _("every month on the last Saturday")),
        "SU": (_("every Sunday"), _("Sundays"), _("every month on the %(nth)s Sunday"),
               _("every month on the last Sunday")),
    }


def describe(series: Series, language: str | None = None) -> str:
    """The series in a sentence, in `language` ("sr-Latn", "sr-Cyrl", "sq", "en"; None: the page's)."""
    _ = _Words(language or _page_language())
    when = _when(series, _)
    rule = series.rule
    clock = f"{series.start:%H:%M}"
    if rule.count is not None:
        if series.all_day:
            return _.ngettext("%(when)s, %(num)d time", "%(when)s, %(num)d times", rule.count, when=when)
        return _.ngettext("%(when)s at %(time)s, %(num)d time", "%(when)s at %(time)s, %(num)d times", rule.count,
                   when=when, time=clock)
    last_day = _last_day(rule, series)
    shown = format_date(last_day, "medium", _.locale)
    if series.all_day:
        return _("%(when)s until %(date)s", when=when, date=shown)
    return _("%(when)s at %(time)s until %(date)s", when=when, time=clock, date=shown)


def _page_language() -> str:
    locale = str(get_locale() or "")
    return next((tag for tag, name in BABEL_LOCALES.items() if name == locale), DEFAULT_LANGUAGE)


def _last_day(rule: Rule, series: Series) -> date:
    until = rule.until
    if isinstance(until, datetime):
        return until.astimezone(series.tz).date()
    assert until is not None
    return until


def _when(series: Series, _: _Words) -> str:
    rule, start = series.rule, series.start
    words = _weekday_words(_)
    days = rule.by_day or ((0, WEEKDAYS[start.weekday()]),)
    if rule.freq == "DAILY" and not (rule.by_day or rule.by_month or rule.by_month_day):
        return _("every day") if rule.interval == 1 else _.ngettext("every %(num)d day", "every %(num)d days",
                                                               rule.interval)
    if rule.freq == "WEEKLY" and not rule.by_month and all(n == 0 for n, _day in days):
        if rule.interval == 1 and len(days) == 1:
            return words[days[0][1]][0]
        listed = format_list([words[day][1] for _n, day in days], locale=_.locale)
        if rule.interval == 1:
            return _("every week on %(days)s", days=listed)
        return _.ngettext("every %(num)d week on %(days)s", "every %(num)d weeks on %(days)s", rule.interval,
                   days=listed)
    if rule.freq == "MONTHLY" and rule.interval == 1 and not rule.by_month:
        if len(rule.by_day) == 1 and not rule.by_month_day and rule.by_day[0][0]:
            n, day = rule.by_day[0]
            if n == -1:
                return words[day][3]
            if n > 0:
                return words[day][2] % {"nth": _ordinal(n, _)}
        if not rule.by_day:
            month_days = rule.by_month_day or (start.day,)
            if month_days == (-1,):
                return _("every month on its last day")
            if all(d > 0 for d in month_days):
                return _("every month on day %(days)s",
                         days=format_list([str(d) for d in month_days], locale=_.locale))
    if rule.freq == "YEARLY" and rule.interval == 1 and not rule.by_day and len(rule.by_month) <= 1 \
            and len(rule.by_month_day) <= 1 and all(d > 0 for d in rule.by_month_day):
        month = rule.by_month[0] if rule.by_month else start.month
        day = rule.by_month_day[0] if rule.by_month_day else start.day
        return _("every year on %(date)s", date=_day_and_month(day, month, _.locale))
    return _frequency(rule, _)


def _ordinal(n: int, _: _Words) -> str:
    return (_("1st"), _("2nd"), _("3rd"), _("4th"), _("5th"))[n - 1]


def _frequency(rule: Rule, _: _Words) -> str:
    """Only how often: what is said of a rule too unusual to be said exactly."""
    i = rule.interval
    if rule.freq == "DAILY":
        return _("every day") if i == 1 else _.ngettext("every %(num)d day", "every %(num)d days", i)
    if rule.freq == "WEEKLY":
        return _("every week") if i == 1 else _.ngettext("every %(num)d week", "every %(num)d weeks", i)
    if rule.freq == "MONTHLY":
        return _("every month") if i == 1 else _.ngettext("every %(num)d month", "every %(num)d months", i)
    return _("every year") if i == 1 else _.ngettext("every %(num)d year", "every %(num)d years", i)


def _day_and_month(day: int, month: int, locale: str) -> str:
    """"30 June", "30. juna", "30 qershor": a day of the year without the year."""
    if locale in GENITIVE_MONTHS:
        return f"{day}. {GENITIVE_MONTHS[locale][month - 1]}"
    return format_skeleton("dMMMM", date(2000, month, day), locale="en_GB" if locale == "en" else locale)
