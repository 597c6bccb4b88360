"""Signing in to the dashboard: password checks, lock-outs after repeated failures, browser sessions.

Failures are counted per name and per client address in the database, so every web process sees the
same count. A name is locked after a few failures (someone guessing one person's password); an address
after more, because a whole office may reach us through one address. While locked, no password is
checked at all. A browser session is a row keyed by the hash of a random token: the cookie only carries
the token, so ending the row ends the session for every copy of the cookie.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.orm import Session

from publisher.audit import trail
from publisher.core.actor import Actor
from publisher.core.models import SignInFailure, User, WebSession
from publisher.people import accounts

FAILURE_WINDOW = timedelta(minutes=15)
LOCK_DURATION = timedelta(minutes=15)
LIMITS = {"name": 5, "address": 20}  # failures within FAILURE_WINDOW that lock the name / the address
MAX_KEY = 255

# Sign-in outcomes a page explains to the person (the audit log has more detail).
SIGNED_IN, BAD_CREDENTIALS, LOCKED = "signed_in", "bad_credentials", "locked"


@dataclass(frozen=True)
class SignInResult:
    outcome: str
    user: User | None = None
    token: str | None = None  # the new session's token, for the cookie
    session_id: int | None = None
    locked_until: datetime | None = None


@dataclass(frozen=True)
class SessionCheck:
    """What a request's session token turned out to be: a live session, or why it is not one."""

    user: User | None  # whose session it is (or was)
    session_id: int | None = None
    ended: str | None = None  # None: live; else "idle", "inactive", "sign_out", ... (now or before)

    @property
    def live(self) -> bool:
        return self.user is not None and self.ended is None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _keys(name: str, address: str | None) -> list[tuple[str, str]]:
    keys = [("name", name.strip().lower()[:MAX_KEY])] if name.strip() else []
    if address:
        keys.append(("address", address[:MAX_KEY]))
    return keys


def locked_until(session: Session, scope: str, key: str, now: datetime) -> datetime | None:
    """When the lock on this name or address ends, if one is in force now.

    A lock starts at the failure that brings the count within one window to the limit, and lasts
    LOCK_DURATION from there; attempts refused while locked are not failures, so a lock does not grow.
    """
    limit = LIMITS[scope]
    times = list(session.scalars(select(SignInFailure.at).where(
        SignInFailure.scope == scope, SignInFailure.key == key,
        SignInFailure.at > now - FAILURE_WINDOW - LOCK_DURATION).order_by(SignInFailure.at)))
    until = None
    for i in range(limit - 1, len(times)):
        if times[i] - times[i - limit + 1] <= FAILURE_WINDOW:
            until = times[i] + LOCK_DURATION
    return until if until is not None and until > now else None


def _lock_of(session: Session, keys: list[tuple[str, str]], now: datetime) -> datetime | None:
    locks = [t for scope, key in keys if (t := locked_until(session, scope, key, now)) is not None]
    return max(locks) if locks else None


_dummy_hash: str | None = None


def _spend_a_check(password: str) -> None:
    """Verify against a throwaway hash so an unknown name takes as long as a wrong password."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = accounts.hash_password(secrets.token_urlsafe(16))
    accounts.check_password(User(password_hash=_dummy_hash, active=True), password)


def sign_in(session: Session, name: str, password: str, *, ip: str | None, now: datetime) -> SignInResult:
    """Check a name and password; on success start a session. Always leaves audit events to commit."""
    anonymous = Actor(user=None, via="web", ip=ip)
    keys = _keys(name, ip)
    typed = name.strip()[:64]
    until = _lock_of(session, keys, now)
    if until is not None:
        trail.record(session, anonymous, "auth.sign_in_refused",
                     detail={"reason": "locked", "until": until.isoformat()})
        return SignInResult(LOCKED, locked_until=until)
    user = session.scalar(select(User).where(User.name == typed.lower())) if typed else None
    if user is None:
        _spend_a_check(password)
    if user is None or not accounts.check_password(user, password):
        reason = "unknown_name" if user is None else "inactive" if not user.active else "wrong_password"
        return _fail(session, anonymous, keys, typed, reason, user, now)
    # The person proved they know this name's password: earlier guesses at it no longer count.
    session.execute(delete(SignInFailure).where(SignInFailure.scope == "name",
                                                SignInFailure.key == user.name))
    token = secrets.token_urlsafe(32)
    row = WebSession(token_hash=_digest(token), user_id=user.id, created_at=now, last_seen_at=now,
                     ip=ip[:64] if ip else None)
    session.add(row)
    session.flush()
    trail.record(session, Actor(user=user, via="web", ip=ip), "auth.sign_in", subject=f"user:{user.id}",
                 detail={"session": row.id})
    return SignInResult(SIGNED_IN, user=user, token=token, session_id=row.id)


def _fail(session: Session, actor: Actor, keys: list[tuple[str, str]], typed: str, reason: str,
          user: User | None, now: datetime) -> SignInResult:
    trail.record(session, actor, "auth.sign_in_failed", subject=f"user:{user.id}" if user else "",
                 detail={"reason": reason})  # not the name typed: it may be anything a stranger wrote
    until = record_failures(session, actor, keys, now)
    return SignInResult(LOCKED if until else BAD_CREDENTIALS, locked_until=until)


def record_failures(session: Session, actor: Actor, keys: list[tuple[str, str]], now: datetime) -> datetime | None:
    """Count one failed password check against each (scope, key); returns when a lock it started ends."""
    # Old rows can never matter again; clearing them here keeps the table small without a job.
    session.execute(delete(SignInFailure).where(SignInFailure.at <= now - FAILURE_WINDOW - LOCK_DURATION))
    session.add_all(SignInFailure(scope=scope, key=key, at=now) for scope, key in keys)
    session.flush()
    until = None
    for scope, key in keys:
        locked = locked_until(session, scope, key, now)
        if locked is not None:
            trail.record(session, actor, "auth.lockout", detail={
                "scope": scope, **({"key": key} if scope == "address" else {}), "until": locked.isoformat(),
                "failures": LIMITS[scope]})
            until = max(until or locked, locked)
    return until


def find_session(session: Session, token: str) -> WebSession | None:
    return session.scalar(select(WebSession).where(WebSession.token_hash == _digest(token)))


def check_session(reader: Session, writer_factory: Callable[[], Session], token: str, *, now: datetime,
                  idle: timedelta, ip: str | None) -> SessionCheck:
    """Is this token a live session? Ends it (idle, deactivated user) and notes activity as needed.

    Reads with `reader`; writes, rarely, in a short session from `writer_factory`, so a page that only
    reads never takes SQLite's write lock for this.
    """
    row = find_session(reader, token)
    if row is None:
        return SessionCheck(user=None, ended="unknown")
    if row.ended_at is not None:
        return SessionCheck(user=row.user, session_id=row.id, ended=row.ended_reason)
    ended = "idle" if now - row.last_seen_at > idle else "inactive" if not row.user.active else None
    if ended is not None:
        with writer_factory() as writer:
            _end(writer, row.id, ended, now, Actor(user=row.user, via="web", ip=ip))
            writer.commit()
        return SessionCheck(user=row.user, session_id=row.id, ended=ended)
    # Note activity at most once a minute (more often for very short idle limits): reads need not write.
    if now - row.last_seen_at >= min(timedelta(minutes=1), idle / 4):
        with writer_factory() as writer:
            writer.execute(update(WebSession).where(WebSession.id == row.id, WebSession.ended_at.is_(None))
                           .values(last_seen_at=now))
            writer.commit()
    return SessionCheck(user=row.user, session_id=row.id)


def _end(session: Session, session_id: int, reason: str, now: datetime, actor: Actor) -> bool:
    ended = session.execute(update(WebSession).where(WebSession.id == session_id, WebSession.ended_at.is_(None))
                            .values(ended_at=now, ended_reason=reason)).rowcount
    if ended:
        action = "auth.sign_out" if reason == "sign_out" else "auth.session_ended"
        trail.record(session, actor, action, subject=f"user:{actor.user.id}" if actor.user else "",
                     detail={"session": session_id, "reason": reason})
    return bool(ended)


def sign_out(session: Session, actor: Actor, session_id: int, *, now: datetime) -> bool:
    return _end(session, session_id, "sign_out", now, actor)


def end_other_sessions(session: Session, actor: Actor, user_id: int, keep: int | None, *, now: datetime,
                       reason: str) -> int:
    """End every live session of a user but `keep` (after a password change, say)."""
    query = select(WebSession.id).where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
    if keep is not None:
        query = query.where(WebSession.id != keep)
    return sum(_end(session, sid, reason, now, actor) for sid in list(session.scalars(query)))


SESSION_RECORDS_KEPT = timedelta(days=30)  # who was signed in when stays in the audit log for good


def prune(session: Session, now: datetime, *, idle: timedelta) -> tuple[int, int]:
    """Forget what no longer decides anything: browser sessions that ended (or went idle) more than
    SESSION_RECORDS_KEPT ago, and sign-in failures too old to count towards a lock.
    Returns (sessions, failures) removed."""
    before = now - SESSION_RECORDS_KEPT
    ended = session.execute(delete(WebSession).where(or_(
        WebSession.ended_at < before,
        and_(WebSession.ended_at.is_(None), WebSession.last_seen_at < before - idle)))).rowcount
    failures = session.execute(delete(SignInFailure).where(
        SignInFailure.at < now - FAILURE_WINDOW - LOCK_DURATION)).rowcount
    return ended, failures
