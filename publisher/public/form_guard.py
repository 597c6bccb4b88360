"""The one protection every public form goes through (the inbox's "write to the office" is the first
expected user): no CAPTCHA, no third-party service, only what the office's own servers can check.

- size: a submission larger than PUBLISHER_PUBLIC_FORM_MAX_KB is refused before it is read (the web side,
  web/public/forms.py, checks Content-Length and cuts off a body without one);
- field lengths: each field the form names has its own most characters;
- a honeypot: a field people never see nor fill; when it comes back filled, the sender is told "thank you"
  and nothing is stored (a bot that learns it was caught only tries another way);
- a time check: the form carries a signed token of when it was shown; sent sooner than
  PUBLISHER_PUBLIC_FORM_MIN_SECONDS after, or later than PUBLISHER_PUBLIC_FORM_MAX_HOURS, it is refused;
- rate limits in the database, per form and address and per form overall, so that every public web process
  shares one count (one upserted row per form, address, outcome and minute: publisher.core.models).

Every submission is counted by its outcome, so the office can see how many bots the honeypot caught.
The token is signed with the app's secret key (itsdangerous), not sealed with the credentials key: a public
host should never hold the key that opens the channels' credentials.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from publisher.core.config import Settings
from publisher.core.models import PublicFormCounter

WINDOW = timedelta(minutes=1)
LIMIT_PERIOD = timedelta(hours=1)  # the rate limits count this far back
KEPT = timedelta(days=2)  # older counts decide nothing; the worker's housekeeping may prune them
TOKEN_FIELD = "form_token"
TOKEN_SALT = "publisher.public-form"
MAX_ADDRESS = 64


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    HONEYPOT = "honeypot"  # pretended success, stored nothing
    TOO_LARGE = "too_large"
    TOO_LONG = "too_long"
    TOO_FAST = "too_fast"
    EXPIRED = "expired"
    BAD_TOKEN = "bad_token"  # missing, forged, or another form's
    LIMITED = "limited"  # not counted towards the limits themselves, so a blocked address is let in again


@dataclass(frozen=True)
class FormRules:
    """A public form as the guard sees it: its name (the counters' key) and its fields' most characters."""

    name: str
    fields: Mapping[str, int]
    honeypot: str = "website"  # a plausible name: bots fill fields that look like they matter

    def __post_init__(self) -> None:
        if not 0 < len(self.name) <= 64 or self.honeypot in self.fields or self.honeypot == TOKEN_FIELD:
            raise ValueError(f"form rules for {self.name!r}: a name of 1-64 characters and a honeypot that is "
                             "not one of the fields")


@dataclass(frozen=True)
class GuardSettings:
    min_seconds: float = 3.0
    max_hours: float = 6.0
    per_address_hour: int = 10
    per_form_hour: int = 300
    max_bytes: int = 64 * 1024

    @classmethod
    def from_settings(cls, settings: Settings) -> GuardSettings:
        return cls(min_seconds=settings.public_form_min_seconds, max_hours=settings.public_form_max_hours,
                   per_address_hour=settings.public_form_per_address_hour,
                   per_form_hour=settings.public_form_per_form_hour, max_bytes=settings.public_form_max_bytes)


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    values: dict[str, str] = field(default_factory=dict)  # the form's fields, when accepted
    field: str | None = None  # the field that was too long
    limit: int | None = None  # its most characters
    retry_after: int | None = None  # seconds, when limited

    @property
    def accepted(self) -> bool:
        """Store what was sent."""
        return self.outcome is Outcome.ACCEPTED

    @property
    def looks_accepted(self) -> bool:
        """Tell the sender it was received (true also for the honeypot, which stores nothing)."""
        return self.outcome in (Outcome.ACCEPTED, Outcome.HONEYPOT)


def issue_token(secret: str, rules: FormRules, now: datetime) -> str:
    """The token a form page carries in TOKEN_FIELD: which form, and when it was shown."""
    return URLSafeSerializer(secret, salt=TOKEN_SALT).dumps({"form": rules.name, "at": now.timestamp()})


def check(session: Session, rules: FormRules, settings: GuardSettings, secret: str, sent: Mapping[str, str],
          address: str, now: datetime) -> Verdict:
    """Judge one submission (`sent`: every field as received) and count it; the caller commits."""
    verdict = _judge(session, rules, settings, secret, sent, address, now)
    count(session, rules.name, address, verdict.outcome, now)
    return verdict


def refuse_too_large(session: Session, rules: FormRules, address: str, now: datetime) -> Verdict:
    """Count a submission refused for its size before it was read; the caller commits."""
    count(session, rules.name, address, Outcome.TOO_LARGE, now)
    return Verdict(Outcome.TOO_LARGE)


def _judge(session: Session, rules: FormRules, settings: GuardSettings, secret: str, sent: Mapping[str, str],
           address: str, now: datetime) -> Verdict:
    wait = _limited_for(session, rules.name, address, settings, now)
    if wait:
        return Verdict(Outcome.LIMITED, retry_after=wait)
    if sent.get(rules.honeypot, "").strip():
        return Verdict(Outcome.HONEYPOT)
    shown = _shown_at(secret, rules, sent.get(TOKEN_FIELD, ""))
    if shown is None:
        return Verdict(Outcome.BAD_TOKEN)
    if now - shown < timedelta(seconds=settings.min_seconds):
        return Verdict(Outcome.TOO_FAST)
    if now - shown > timedelta(hours=settings.max_hours):
        return Verdict(Outcome.EXPIRED)
    values = {}
    for name, most in rules.fields.items():
        value = sent.get(name, "")
        if len(value) > most:
            return Verdict(Outcome.TOO_LONG, field=name, limit=most)
        values[name] = value
    return Verdict(Outcome.ACCEPTED, values=values)


def _shown_at(secret: str, rules: FormRules, token: str) -> datetime | None:
    try:
        payload = URLSafeSerializer(secret, salt=TOKEN_SALT).loads(token)
        if payload["form"] != rules.name:
            return None
        return datetime.fromtimestamp(float(payload["at"]), UTC)
    except (BadSignature, KeyError, TypeError, ValueError, OverflowError):
        return None


def _limited_for(session: Session, form: str, address: str, settings: GuardSettings, now: datetime) -> int:
    """Seconds until this address may send this form again (0: now), from the last hour's counts."""
    since = window_start(now) - LIMIT_PERIOD + WINDOW
    counted = (PublicFormCounter.form == form, PublicFormCounter.outcome != Outcome.LIMITED,
               PublicFormCounter.window_start >= since)
    for limit, where in ((settings.per_address_hour, (*counted, PublicFormCounter.address == address[:MAX_ADDRESS])),
                         (settings.per_form_hour, counted)):
        total, oldest = session.execute(select(func.coalesce(func.sum(PublicFormCounter.count), 0),
                                               func.min(PublicFormCounter.window_start)).where(*where)).one()
        if total >= limit:
            return max(1, math.ceil((_aware(oldest) + LIMIT_PERIOD - now).total_seconds()))
    return 0


def window_start(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0)


def count(session: Session, form: str, address: str, outcome: Outcome, now: datetime) -> None:
    """One more submission of `form` from `address` with this outcome in the current minute (one upsert)."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(PublicFormCounter).values(form=form, address=address[:MAX_ADDRESS], outcome=outcome.value,
                                                 window_start=window_start(now), count=1)
    session.execute(statement.on_conflict_do_update(
        index_elements=[PublicFormCounter.form, PublicFormCounter.address, PublicFormCounter.outcome,
                        PublicFormCounter.window_start],
        set_={"count": PublicFormCounter.count + 1}))


def counts(session: Session, form: str) -> dict[str, int]:
    """How many submissions of `form` ended each way, over the kept period."""
    return {outcome: int(total) for outcome, total in session.execute(
        select(PublicFormCounter.outcome, func.sum(PublicFormCounter.count))
        .where(PublicFormCounter.form == form).group_by(PublicFormCounter.outcome))}


def prune(session: Session, now: datetime) -> int:
    """Forget counts older than KEPT; returns how many rows went."""
    return session.execute(delete(PublicFormCounter).where(PublicFormCounter.window_start < now - KEPT)).rowcount


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
