"""Recurrence: RFC 5545 rules for series of events, expanded in local wall time and resolved through the zone.

- `limits`: the bounds every series and every expansion keeps (why a hostile rule cannot run away);
- `rule`: one RRULE (its text parsed and written with python-dateutil), refusing the parts not supported;
- `series`: a series as a value (start, zone, duration or all-day, rule, skipped and moved occurrences),
  JSON in and out;
- `wall_time`: a local wall time resolved to UTC, one rule for the spring gap and the doubled autumn hour;
- `expansion`: the occurrences between two UTC instants;
- `due`: what a scheduler does now after a stop (at most the latest missed occurrence, never a burst).

Its first user is the activities area (a weekly meeting, one occurrence moved or cancelled, iCalendar feeds).
Sentences describing a rule live in `web/recurrence_words.py`, next to the catalogs.
"""
