"""People, their roles, passwords (argon2) and API tokens (stored as SHA-256, revocable)."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from publisher.audit import trail
from publisher.core import clock, permissions, search_index
from publisher.core.actor import Actor
from publisher.core.errors import Conflict, Invalid, NotFound, Unauthenticated
from publisher.core.models import ApiToken, User, UserRole

TOKEN_PREFIX = "pub_"
MIN_PASSWORD_LENGTH = 10
TOKEN_USE_INTERVAL = timedelta(minutes=5)
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")  # always with fullmatch: "$" lets "ana\n" in
_hasher = PasswordHasher()


def add_user(
    session: Session,
    name: str,
    roles: list[str],
    *,
    actor: Actor,
    password: str | None = None,
    email: str | None = None,
    display_name: str = "",
) -> User:
    if not _NAME.fullmatch(name):
        raise Invalid(f"user name {name!r}: use 1-64 lower-case letters, digits, '.', '_' or '-'")
    unknown = sorted(set(roles) - set(permissions.ROLES))
    if unknown or not roles:
        raise Invalid(f"roles must be one or more of {', '.join(permissions.ROLES)}; got {', '.join(unknown) or 'none'}")
    if session.scalar(select(User.id).where(User.name == name)) is not None:
        raise Conflict(f"a user named {name!r} already exists")
    user = User(name=name, email=email, display_name=display_name or name)
    user.role_rows = [UserRole(role=r) for r in sorted(set(roles))]
    if password is not None:
        user.password_hash = hash_password(password)
    session.add(user)
    session.flush()
    trail.record(session, actor, "user.add", subject=f"user:{user.id}", after={"roles": sorted(roles)})
    return user


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(f"a password needs at least {MIN_PASSWORD_LENGTH} characters", code="too_short")
    return _hasher.hash(password)


def check_password(user: User, password: str) -> bool:
    if not user.password_hash or not user.active:
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def get_user(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise NotFound(f"no user named {name!r}")
    return user


def list_users(session: Session, *, text: str = "") -> list[User]:
    """Everyone, by account name; `text`: those whose name, display name or address holds it."""
    query = select(User).order_by(User.name)
    if (found := search_index.matches(User.search_text, text)) is not None:
        query = query.where(found)
    return list(session.scalars(query))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User, *, actor: Actor, name: str = "") -> tuple[ApiToken, str]:
    """A new token; the plain value is returned once and never stored."""
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=_digest(plain), prefix=plain[:10])
    session.add(token)
    session.flush()
    trail.record(session, actor, "token.create", subject=f"token:{token.id}", detail={"user_id": user.id})
    return token, plain


def authenticate_token(session: Session, plain: str) -> tuple[User, ApiToken]:
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(plain)))
    if token is None or token.revoked_at is not None:
        raise Unauthenticated("the API token is unknown or revoked")
    if not token.user.active:
        raise Unauthenticated("the token's user is deactivated")
    return token.user, token


def note_token_use(writer: Session, token: ApiToken, now: datetime) -> None:
    """Record when a token was last used, at most once per interval (reads need not write)."""
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_USE_INTERVAL:
        writer.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
        writer.commit()


def revoke_token(session: Session, token_id: int, *, actor: Actor) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"no token with id {token_id}")
    if token.revoked_at is None:
        token.revoked_at = clock.now(session)
        trail.record(session, actor, "token.revoke", subject=f"token:{token.id}", detail={"user_id": token.user_id})
    return token


def list_tokens(session: Session, user: User | None = None) -> list[ApiToken]:
    query = select(ApiToken).order_by(ApiToken.id)
    if user is not None:
        query = query.where(ApiToken.user_id == user.id)
    return list(session.scalars(query))
