"""The bounds of a series and of one expansion, so that a hostile or careless rule cannot loop or allocate
without end. Every series has an end (COUNT or UNTIL) no further than MAX_YEARS after its start: an activity
that really goes on for ever is renewed by a person, which is also when someone checks it still happens.
"""

from __future__ import annotations

from datetime import timedelta

MAX_YEARS = 10  # UNTIL at most this many years after the start; a COUNT rule is cut there too
MAX_COUNT = 1000  # COUNT=1000 is nineteen years of a weekly meeting: more than MAX_YEARS anyway
MAX_INTERVAL = 1000
MAX_SPAN = timedelta(days=400)  # one expansion covers at most this much (a year's calendar and some)
MAX_OCCURRENCES = 1000  # one expansion returns at most this many (a rule yields at most one a day)
MAX_DURATION = timedelta(days=14)  # one occurrence lasts at most this long (an all-day one: 14 days)
MAX_CHANGES = 500  # skipped plus moved occurrences of one series
MAX_RULE_TEXT = 500  # characters of RRULE text read at all
