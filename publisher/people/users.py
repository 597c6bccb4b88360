"""What an administrator does with other people's accounts: add them, change roles, activity and language,
reset a password, revoke API tokens. Every change is an audit event.

An administrator can never take away their own admin role or deactivate themselves: the office must
not lock itself out by a slip of the mouse, and another administrator can always do it deliberately.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.orm import Session

from publisher.audit import trail
from publisher.core import limits, permissions
from publisher.core.actor import Actor
from publisher.core.errors import Invalid, NotFound
from publisher.core.models import ApiToken, User, UserRole
from publisher.people import accounts, signin
from publisher.people.profile import INTERFACE_LANGUAGES

PERSONAL = ("display_name", "email")  # a person's data: its changes are logged, never its values
MAX_DISPLAY_NAME = limits.DISPLAY_NAME
MAX_EMAIL = limits.EMAIL
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")  # a typo guard, not validation: the mail server decides


def _check_details(display_name: str, email: str | None, locale: str | None) -> None:
    if len(display_name) > MAX_DISPLAY_NAME:
        raise Invalid(f"a display name is at most {MAX_DISPLAY_NAME} characters", code="display_name_too_long")
    if email and (len(email) > MAX_EMAIL or not _EMAIL.fullmatch(email)):
        raise Invalid(f"{email!r} is not an e-mail address", code="bad_email")
    if locale is not None and locale not in INTERFACE_LANGUAGES:  # None: the person has not chosen yet
        raise Invalid(f"language {locale!r} is not one of {', '.join(INTERFACE_LANGUAGES)}", code="bad_locale")


def get(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user with id {user_id}")
    return user


def create(session: Session, actor: Actor, *, name: str, display_name: str, email: str | None, roles: list[str],
           password: str, locale: str | None = None) -> User:
    permissions.require(actor, "people", "manage", doing="adding a person")
    display_name, email = display_name.strip(), (email or "").strip() or None
    _check_details(display_name, email, locale)
    if len(password) < accounts.MIN_PASSWORD_LENGTH:  # before add_user: a refused password adds no one
        raise Invalid(f"a password needs at least {accounts.MIN_PASSWORD_LENGTH} characters", code="too_short")
    user = accounts.add_user(session, name.strip(), roles, actor=actor, password=password, email=email,
                             display_name=display_name)
    user.locale = locale
    return user


def update(session: Session, actor: Actor, user: User, *, display_name: str, email: str | None,
           roles: list[str], active: bool, locale: str | None, now: datetime) -> User:
    """Change a person's details; deactivating them ends every browser session they have."""
    permissions.require(actor, "people", "manage", doing="changing a person")
    display_name, email = display_name.strip(), (email or "").strip() or None
    _check_details(display_name, email, locale)
    wanted = set(roles)
    unknown = sorted(wanted - set(permissions.ROLES))
    if unknown or not wanted:
        raise Invalid(f"roles must be one or more of {', '.join(permissions.ROLES)}", code="bad_roles")
    if actor.user is not None and user.id == actor.user.id:
        if "admin" not in wanted:
            raise Invalid("you cannot remove your own admin role; another administrator can", code="own_admin")
        if not active:
            raise Invalid("you cannot deactivate yourself; another administrator can", code="own_active")
    before = {"display_name": user.display_name, "email": user.email, "roles": sorted(user.roles),
              "active": user.active, "locale": user.locale}
    after = {"display_name": display_name or user.name, "email": email, "roles": sorted(wanted), "active": active,
             "locale": locale}
    if before == after:
        return user
    if wanted != user.roles:
        keep = {r.role: r for r in user.role_rows if r.role in wanted}
        user.role_rows = [keep.get(role) or UserRole(role=role) for role in sorted(wanted)]
    user.display_name, user.email, user.active, user.locale = after["display_name"], email, active, locale
    # Which personal fields changed, never their values: the log keeps no personal data.
    personal = sorted(k for k in PERSONAL if before[k] != after[k])
    trail.record(session, actor, "user.edit", subject=f"user:{user.id}",
                 before={k: v for k, v in before.items() if k not in PERSONAL},
                 after={k: v for k, v in after.items() if k not in PERSONAL},
                 detail={"personal_fields_changed": personal} if personal else None)
    if before["active"] and not active:
        signin.end_other_sessions(session, actor, user.id, None, now=now, reason="inactive")
    return user


def reset_password(session: Session, actor: Actor, user: User, password: str, *, now: datetime) -> User:
    """A new password set by an administrator; the person's browsers are signed out."""
    permissions.require(actor, "people", "manage", doing="resetting a password")
    if actor.user is not None and user.id == actor.user.id:
        raise Invalid("change your own password on your account page, which asks for the current one",
                      code="own_password")
    user.password_hash = accounts.hash_password(password)
    trail.record(session, actor, "user.password_reset", subject=f"user:{user.id}")
    signin.end_other_sessions(session, actor, user.id, None, now=now, reason="password_reset")
    return user


def revoke_token(session: Session, actor: Actor, user: User, token_id: int) -> ApiToken:
    """Revoke one of this person's tokens; a token of someone else is not found here."""
    permissions.require(actor, "people", "manage", doing="revoking a token")
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(f"{user.name} has no token with id {token_id}")
    return accounts.revoke_token(session, token_id, actor=actor)
