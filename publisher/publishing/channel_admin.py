"""What an administrator does with channels beyond adding them: see their state, change their settings,
and ask the platform whether the credentials still work.

A check's result is kept as an audit event (channel.check): who asked, when, and what the platform
said; and, like the worker's periodic checks, as the channel's last check (credential_checks), which is what
the channels page shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from channels import registry
from channels.base import HEALTH_OK, LANGUAGE_FIELDS, ConfigField, Health
from channels.errors import ChannelConfigError
from publisher.audit import trail
from publisher.core import permissions, sealed
from publisher.core.actor import Actor
from publisher.core.credentials import CredentialBox
from publisher.core.errors import CredentialKeyError, Invalid
from publisher.core.models import Channel, ChannelCheck, Delivery, Hold
from publisher.core.runtime import Runtime
from publisher.core.states import DeliveryStatus
from publisher.destinations.channel_store import list_channels
from publisher.posts import workflow
from publisher.publishing import credential_checks, holds

CHECK_TIMEOUT = 5.0  # seconds per request: a person waits for the answer in front of the page
RECENT_FAILURES = timedelta(days=7)
FAILED_STATES = (DeliveryStatus.FAILED, DeliveryStatus.UNKNOWN, DeliveryStatus.RETRY_WAIT)


@dataclass(frozen=True)
class LastCheck:
    outcome: str  # ok, refused, unchecked (channels.base.Health.outcome)
    message: str
    expires_at: datetime | None
    at: datetime
    by: str
    since: datetime  # the first check of a run with this outcome: "refused since ..."
    expiring: bool  # working, and the platform says they stop within the warning period

    @property
    def ok(self) -> bool:
        return self.outcome == HEALTH_OK


@dataclass(frozen=True)
class ChannelState:
    channel: Channel
    hold: Hold | None  # the channel's own pause, if any
    last_check: LastCheck | None
    last_error: Delivery | None  # the most recent failed delivery within RECENT_FAILURES


def fields_of(kind: str) -> tuple[ConfigField, ...]:
    return registry.adapter_class(kind).config_fields


def states(session: Session, now: datetime,
           warn_before: timedelta = credential_checks.CheckPolicy.warn_before, *, text: str = "",
           kinds: Iterable[str] = ()) -> list[ChannelState]:
    channels = list_channels(session, text=text, kinds=kinds)
    paused = {h.channel_id: h for h in holds.active_holds(session) if h.channel_id is not None}
    checks = credential_checks.last_checks(session)
    return [ChannelState(c, paused.get(c.id), last_check(checks.get(c.id), now, warn_before),
                         last_error(session, c, now)) for c in channels]


def last_check(check: ChannelCheck | None, now: datetime, warn_before: timedelta) -> LastCheck | None:
    if check is None:
        return None
    return LastCheck(outcome=check.outcome, message=check.message, expires_at=check.expires_at,
                     at=check.checked_at, by=check.checked_by, since=check.since,
                     expiring=credential_checks.expiring(check, now, warn_before))


def last_error(session: Session, channel: Channel, now: datetime) -> Delivery | None:
    return session.scalar(select(Delivery).where(
        Delivery.channel_id == channel.id, Delivery.status.in_(FAILED_STATES), Delivery.error.is_not(None),
        Delivery.updated_at >= now - RECENT_FAILURES).order_by(Delivery.updated_at.desc(), Delivery.id.desc())
        .limit(1))


@dataclass(frozen=True)
class SettingProblems:
    """What the adapter refuses in a channel's settings, all at once: its own (English) words per setting,
    and what names no setting. Empty when the adapter accepts them."""

    by_setting: dict[str, list[str]]
    general: list[str]

    def __bool__(self) -> bool:
        return bool(self.by_setting or self.general)


def setting_problems(kind: str, settings: dict[str, Any]) -> SettingProblems:
    """Every setting the adapter refuses, not only the first. An adapter stops at its first refusal, so the
    refused setting is replaced by the adapter's example (or left out) and the adapter asked again."""
    cls = registry.adapter_class(kind)
    names = [f.name for f in cls.config_fields]
    trial = {k: v for k, v in settings.items() if v not in (None, "")}
    by_setting: dict[str, list[str]] = {}
    general: list[str] = []
    for _ in range(len(names) + 1):
        try:
            config, secrets = cls.split_settings(trial)
            cls(config, secrets, name=kind)
            break
        except ChannelConfigError as exc:
            words = exc.message.split(":", 1)[-1]
            named = [n for n in names if re.search(rf"\b{re.escape(n)}\b", words)]
            if not named or all(n in by_setting for n in named):
                general.append(exc.message)
                break
            for name in named:
                by_setting.setdefault(name, []).append(exc.message)
                if name in cls.example_settings:
                    trial[name] = cls.example_settings[name]
                else:
                    trial.pop(name, None)
    return SettingProblems(by_setting, general)


def merged_settings(box: CredentialBox, channel: Channel, settings: dict[str, Any]) -> dict[str, Any]:
    """The settings typed in, with each secret left empty taken from the stored credentials."""
    return _merge(box, channel, settings)[0]


def _merge(box: CredentialBox, channel: Channel, settings: dict[str, Any]) -> tuple[dict[str, Any], list[str],
                                                                                   dict[str, Any]]:
    cls = registry.adapter_class(channel.kind)
    secret_names = {f.name for f in cls.config_fields if f.secret}
    try:
        stored = box.decrypt(channel.credentials)
    except CredentialKeyError as exc:
        raise Invalid(str(exc), code="credentials_unreadable") from None
    merged = {k: v for k, v in settings.items() if k not in secret_names and v not in (None, "")}
    changed_secrets = sorted(k for k in secret_names if settings.get(k) not in (None, ""))
    for name in secret_names:
        value = settings.get(name) if name in changed_secrets else stored.get(name)
        if value not in (None, ""):
            merged[name] = value
    return merged, changed_secrets, stored


def update_settings(session: Session, box: CredentialBox, channel: Channel, settings: dict[str, Any], *,
                    actor: Actor, rt: Runtime | None = None) -> Channel:
    """New settings for a channel. A secret left empty keeps its stored value (the form never shows it).
    With `rt`, a change to which language versions the channel takes (or how) hashes its changeable posts
    again (workflow.channel_changed): an approved one goes back for approval."""
    permissions.require(actor, "channels", "manage", doing="changing a channel")
    cls = registry.adapter_class(channel.kind)
    merged, changed_secrets, stored = _merge(box, channel, settings)
    try:
        config, secrets = cls.split_settings(merged)
        cls(config, secrets, name=channel.name)  # the adapter checks its own settings
    except ChannelConfigError as exc:
        raise Invalid(exc.message, code="invalid_channel_config") from None
    before = dict(channel.config)
    if config == before and not changed_secrets and secrets.keys() == stored.keys():
        return channel
    channel.config = config
    channel.credentials = box.encrypt(secrets)
    # The last credential check was about the old settings: the channel is due a new one at once (the worker
    # looks every few minutes); its alerts stay until that check answers them.
    session.execute(delete(ChannelCheck).where(ChannelCheck.channel_id == channel.id))
    trail.record(session, actor, "channel.edit", subject=f"channel:{channel.id}", before={"config": before},
                 after={"config": config, "secret_settings_changed": changed_secrets})
    if rt is not None and any(before.get(f.name) != config.get(f.name) for f in LANGUAGE_FIELDS):
        session.flush()
        workflow.channel_changed(session, rt, actor, channel.id)
    return channel


class _ShortHttp(requests.Session):
    """Every request of a check gives up after CHECK_TIMEOUT, whatever the adapter asks for."""

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs["timeout"] = (CHECK_TIMEOUT, CHECK_TIMEOUT)
        return super().request(method, url, *args, **kwargs)


def probe(channel: Channel, box: CredentialBox) -> Health:
    """Ask the platform (a network call). Touches no database: call it with no transaction open."""
    try:
        return _check(channel.kind, dict(channel.config), box.decrypt(channel.credentials), channel.name)
    except CredentialKeyError as exc:
        return Health(ok=False, message=str(exc))


def probe_settings(kind: str, settings: dict[str, Any], name: str) -> Health:
    """Ask the platform whether settings not saved yet work (the adapter's own check; a network call, so
    with no transaction open)."""
    try:
        config, secrets = registry.adapter_class(kind).split_settings(settings)
    except ChannelConfigError as exc:
        return Health(ok=False, message=exc.message)
    return _check(kind, config, secrets, name)


def _check(kind: str, config: dict[str, Any], secrets: dict[str, Any], name: str) -> Health:
    try:
        cls = registry.adapter_class(kind)
        if any(f.name == "timeout" for f in cls.config_fields):
            config = {**config, "timeout": CHECK_TIMEOUT}  # for SDKs and protocols that do not use our HTTP session
        adapter = cls(config, secrets, session=_ShortHttp(), name=name)
        return adapter.check()
    except (ChannelConfigError, CredentialKeyError) as exc:
        return Health(ok=False, message=str(exc))
    except Exception as exc:  # noqa: BLE001  (a check must report, whatever the adapter or its SDK raised)
        return Health(ok=False, message=f"{type(exc).__name__}: {exc}"[:500])


def record_check(session: Session, actor: Actor, channel: Channel, health: Health, now: datetime,
                 policy: credential_checks.CheckPolicy | None = None) -> None:
    """A person's "check now": audited, and the channel's last check like the worker's (alerts included)."""
    permissions.require(actor, "channels", "manage", doing="checking a channel")
    trail.record(session, actor, "channel.check", subject=f"channel:{channel.id}", detail={
        "ok": health.ok, "outcome": health.outcome, "message": health.message[:1000],
        "expires_at": health.expires_at.isoformat() if health.expires_at else None})
    credential_checks.record(session, actor, channel, health, now, policy or credential_checks.CheckPolicy())


def set_hold(session: Session, actor: Actor, on: bool, reason: str = "", channel: Channel | None = None) -> None:
    """Hold (with its reason) or release one channel (a pause) or, without a channel, all publishing.
    Admins only here, although holds.hold also lets approvers hold from the API."""
    permissions.require(actor, "channels", "manage", doing="pausing a channel" if channel is not None else "holding all publishing")
    if on:
        holds.hold(session, actor, reason, channel)
    else:
        holds.release(session, actor, channel)


# Secrets typed into a channel form that is shown again (an error elsewhere on it) are kept for that form
# without being written back into the page in clear: encrypted with the credential key into a hidden field
# that only this server can read, bound to the kind, the person and an hour.
TYPED_SECRETS_LIFETIME = timedelta(hours=1)


def seal_typed_secrets(box: CredentialBox, kind: str, user_id: int, secrets: dict[str, str], now: datetime) -> str:
    if not secrets:
        return ""
    return sealed.seal(box, "channel-form", user_id, {"kind": kind, "secrets": secrets}, now)


def unseal_typed_secrets(box: CredentialBox, token: str | None, kind: str, user_id: int,
                         now: datetime) -> dict[str, str]:
    """The secrets a form kept, or none when the token is missing, forged, another's, stale or another kind's."""
    kept = sealed.unseal(box, token, "channel-form", user_id, now, TYPED_SECRETS_LIFETIME) if token else None
    if kept is None or kept.get("kind") != kind:
        return {}
    secrets = kept.get("secrets")
    allowed = {f.name for f in fields_of(kind) if f.secret}
    return {k: v for k, v in secrets.items() if k in allowed and isinstance(v, str)} if isinstance(secrets, dict) else {}
