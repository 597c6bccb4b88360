"""What a signed-in person changes about themselves: the interface language and their password."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from publisher.audit import trail
from publisher.core.actor import Actor
from publisher.core.errors import Invalid, NotFound
from publisher.core.models import User
from publisher.people import accounts, signin

# The dashboard's languages, as stored in User.locale (BCP 47, like a post's language).
INTERFACE_LANGUAGES = ("sr-Latn", "sr-Cyrl", "sq", "en")


def _own(session: Session, actor: Actor) -> User:
    user = session.get(User, actor.user.id) if actor.user is not None else None
    if user is None:
        raise NotFound("no such user")
    return user


def set_locale(session: Session, actor: Actor, locale: str) -> User:
    if locale not in INTERFACE_LANGUAGES:
        raise Invalid(f"language {locale!r} is not one of {', '.join(INTERFACE_LANGUAGES)}", code="bad_locale")
    user = _own(session, actor)
    if user.locale != locale:
        trail.record(session, actor, "user.locale", subject=f"user:{user.id}", before={"locale": user.locale},
                     after={"locale": locale})
        user.locale = locale
    return user


def adopt_locale(session: Session, actor: Actor, locale: str) -> User:
    """At sign-in: the language of the sign-in page becomes the person's own, if they have none yet."""
    user = _own(session, actor)
    return set_locale(session, actor, locale) if user.locale is None else user


def change_password(session: Session, actor: Actor, current: str, new: str, *, now: datetime,
                    keep_session: int | None = None) -> User:
    """Needs the current password; ends the person's other browser sessions (a stolen one among them).

    Wrong current passwords count like failed sign-ins, so a borrowed session cannot be used to guess it.
    """
    user = _own(session, actor)
    if signin.locked_until(session, "name", user.name, now) is not None:
        trail.record(session, actor, "user.password_refused", subject=f"user:{user.id}", detail={"reason": "locked"})
        raise Invalid("too many wrong passwords; try again later", code="locked")
    if not accounts.check_password(user, current):
        trail.record(session, actor, "user.password_refused", subject=f"user:{user.id}",
                     detail={"reason": "wrong_password"})
        signin.record_failures(session, actor, [("name", user.name)], now)
        raise Invalid("the current password is not right", code="wrong_password")
    if new == current:
        raise Invalid("the new password is the same as the current one", code="same_password")
    user.password_hash = accounts.hash_password(new)
    trail.record(session, actor, "user.password", subject=f"user:{user.id}")
    signin.end_other_sessions(session, actor, user.id, keep_session, now=now, reason="password")
    return user
