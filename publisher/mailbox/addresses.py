"""An address's mail state, from the bounces the mailbox reader found: `undeliverable` tells senders which
addresses to skip, and an administrator clears the mark once the person fixed their address.

One permanent failure (5.x.x) marks an address at once. Transient ones (4.x.x, "delayed") count too: the
policy's `soft_limit` of them within `soft_window` since the last clear mark it as well.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from publisher.audit import trail
from publisher.core import permissions
from publisher.core.actor import Actor
from publisher.core.clock import now
from publisher.mailbox.models import ADDRESS_LENGTH, MailAddress, MailBounce

# local@domain, no spaces, brackets or a second @: what a report's rfc822 address type holds. Not a full
# RFC 5322 parser on purpose: quoted local parts do not occur in the office's mail.
_ADDRESS = re.compile(r"[^@\s<>()\[\],;:\\\"]{1,64}@[^@\s<>()\[\],;:\\\"]+\.[^@\s<>()\[\],;:\\\".]+")
BOUNCED = "bounced"
OK = "ok"


@dataclass(frozen=True)
class BouncePolicy:
    soft_limit: int = 3  # transient bounces within the window that make an address undeliverable
    soft_window: timedelta = timedelta(days=7)


def normalise(address: str) -> str | None:
    """The address as stored and compared: trimmed, without angle brackets, lowercase; None when it is not
    an e-mail address. Lowercasing the local part is a simplification RFC 5321 does not promise, but no
    mail system the office writes to tells two addresses apart by case."""
    address = address.strip().strip("<>").strip().lower()
    if not _ADDRESS.fullmatch(address) or len(address) > ADDRESS_LENGTH:
        return None
    return address


def undeliverable(session: Session, addresses: Iterable[str]) -> set[str]:
    """Those of `addresses` (as given) whose mail bounced and were not cleared since: senders skip them."""
    by_key: dict[str, list[str]] = {}
    for given in addresses:
        key = normalise(given)
        if key is not None:
            by_key.setdefault(key, []).append(given)
    marked: set[str] = set()
    keys = list(by_key)
    for start in range(0, len(keys), 500):  # stays below every database's limit of bound parameters
        marked.update(session.scalars(select(MailAddress.address).where(
            MailAddress.address.in_(keys[start:start + 500]), MailAddress.state == BOUNCED)))
    return {given for key in marked for given in by_key[key]}


def state_of(session: Session, address: str) -> MailAddress | None:
    """The stored mail state of one address (any spelling), or None when nothing bounced from it."""
    key = normalise(address)
    return session.get(MailAddress, key) if key else None


def bounced(session: Session, addresses: Iterable[str]) -> dict[str, MailAddress]:
    """The bounced states of `addresses`, by normalised address: for pages listing many people."""
    keys = {k for k in (normalise(a) for a in addresses) if k}
    if not keys:
        return {}
    rows = session.scalars(select(MailAddress).where(MailAddress.address.in_(keys), MailAddress.state == BOUNCED))
    return {row.address: row for row in rows}


def record_bounce(session: Session, *, report: str, address: str, permanent: bool, status: str,
                  diagnostic: str, original_message_id: str | None, at: datetime,
                  policy: BouncePolicy) -> bool:
    """Count one recipient of one report; False when this report already counted for this address (the same
    report read again, from another folder or after the server renumbered its messages)."""
    exists = session.scalar(select(MailBounce.id).where(MailBounce.report == report, MailBounce.address == address))
    if exists is not None:
        return False
    session.add(MailBounce(report=report, address=address, permanent=permanent, status=status,
                           diagnostic=diagnostic, original_message_id=original_message_id, bounced_at=at))
    state = session.get(MailAddress, address)
    if state is None:
        state = MailAddress(address=address, state=OK, bounces=0, status="", diagnostic="")
        session.add(state)
    state.bounces += 1
    state.last_bounce_at = at
    state.status = status
    state.diagnostic = diagnostic
    state.original_message_id = original_message_id
    session.flush()
    if permanent or _recent_soft(session, state, at, policy) >= policy.soft_limit:
        state.state = BOUNCED
    return True


def clear(session: Session, actor: Actor, address: str) -> MailAddress | None:
    """An administrator says mail to `address` works again (the person fixed their mailbox): it is sent to
    again, and earlier bounces stop counting towards the transient limit. None: it was not marked."""
    permissions.require(actor, "people", "manage", doing="clearing a bounced address")
    state = state_of(session, address)
    if state is None or state.state != BOUNCED:
        return None
    state.state = OK
    state.cleared_at = now(session)
    state.cleared_by = (actor.user.name if actor.user else actor.via)[:64]
    trail.record(session, actor, "mail_address.clear", subject=f"mail:{state.address}",
                 before={"state": BOUNCED, "status": state.status}, after={"state": OK})
    return state


def _recent_soft(session: Session, state: MailAddress, at: datetime, policy: BouncePolicy) -> int:
    since = at - policy.soft_window
    if state.cleared_at is not None and state.cleared_at > since:
        since = state.cleared_at
    return session.scalar(select(func.count()).select_from(MailBounce).where(
        MailBounce.address == state.address, MailBounce.permanent.is_(False), MailBounce.bounced_at > since)) or 0
