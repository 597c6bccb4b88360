"""Settings from the environment, with an embedded default that needs nothing installed.

Without any variable set, publisher keeps everything under ./instance: the SQLite database, the
media files, a generated Flask secret and a generated credentials key (outside the database, so a
copied database file alone reveals no channel token).
"""

from __future__ import annotations

import ipaddress
import math
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet

from publisher.core.files import private_dir

DEFAULT_TIMEZONE = "Europe/Belgrade"
MAX_AGENDA_WEEKS_AHEAD = 12  # one page of the public agenda stays a page (and one expansion window)


@dataclass(frozen=True)
class Settings:
    database_url: str
    media_dir: Path
    secret_key: str
    credential_keys: tuple[str, ...]  # Fernet keys, newest first; older ones only decrypt
    timezone: str = DEFAULT_TIMEZONE
    instance_dir: Path = field(default_factory=lambda: Path("instance"))
    # Where the credentials key came from: its file under the instance folder, or None when it came from
    # PUBLISHER_CREDENTIALS_KEY; and whether that file was generated just now (no key existed before).
    credentials_key_file: Path | None = None
    credentials_key_created: bool = False
    pg_bin_dir: Path | None = None  # where pg_dump and pg_restore are, when not on PATH
    max_upload_bytes: int = 520 * 1024 * 1024  # only the upload routes accept this much
    max_form_bytes: int = 512 * 1024  # every other request: sign-in, forms, JSON
    # Documents (publisher.documents): a file's size, its parts unpacked (Office files are zip archives) and
    # how many parts it may have.
    max_document_bytes: int = 50 * 1024 * 1024
    max_document_unpacked_bytes: int = 500 * 1024 * 1024
    max_document_entries: int = 10_000
    # The worker:
    stale_after_minutes: float = 60.0
    lease_seconds: float = 300.0  # the last resort; a silent worker's claims go after the grace below
    heartbeat_seconds: float = 2.0
    # A worker silent for its channel's longest request plus this long has its claims reconciled.
    dead_worker_grace_seconds: float = 15.0
    max_attempts: int = 10
    overdue_alert_minutes: float = 10.0
    worker_threads: int = 64
    audit_check_seconds: float = 60.0  # seal new audit rows and verify the chain this often
    audit_full_check_hours: float = 24.0  # and walk the whole chain again this often
    credential_check_hours: float = 6.0  # ask each channel's platform whether its credentials work this often
    credential_warn_days: float = 7.0  # alert this long before the platform says credentials expire
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    mail_from: str = "publisher@localhost"
    # The outbox (publisher.outbox): per SMTP server at most this many messages a minute and connections at
    # once, across all workers; a recipient is given up after this many tries; a claim is held this long
    # per step (longer than four SMTP timeouts: connect, greeting, STARTTLS, login).
    outbox_per_minute: int = 60
    outbox_connections: int = 2
    outbox_max_attempts: int = 8
    outbox_lease_seconds: float = 120.0
    # Notifications: approvers are reminded of a post waiting this long, again each period (0: never);
    # mails link to the dashboard at public_url when it is set.
    approval_reminder_hours: float = 24.0
    public_url: str | None = None
    # The dashboard:
    session_idle_minutes: float = 30.0
    cookie_secure: bool = True  # off only for plain http on loopback (`publisher run --demo`)
    api_refusals_per_minute: int = 30  # refused API tokens from one address before it is answered 429
    # A reverse proxy in front (waitress's trusted_proxy settings): its address, or None for none.
    trusted_proxy: str | None = None
    trusted_proxy_count: int = 1
    trusted_proxy_headers: tuple[str, ...] = ("x-forwarded-for", "x-forwarded-host", "x-forwarded-proto",
                                              "x-forwarded-port")
    mailbox: MailboxSettings | None = None  # the mailbox reader (publisher.mailbox); None: off
    # The public site (web/public, `publisher serve --public`) and its forms (publisher/public/form_guard.py):
    office_name: str = ""  # shown on the public pages; empty: a translated "Communication office"
    public_database_url: str | None = None  # the public app's connection, e.g. a role made by `public-role create`
    public_max_age: int = 300  # seconds a browser or proxy may keep a public page
    public_form_max_bytes: int = 64 * 1024  # the largest public form submission
    public_form_min_seconds: float = 3.0  # a form sent sooner after it was shown is refused (a person reads first)
    public_form_max_hours: float = 6.0  # a form shown longer ago than this is refused (reload it)
    public_form_per_address_hour: int = 10  # submissions of one form from one address in an hour
    public_form_per_form_hour: int = 300  # submissions of one form from everyone in an hour (a spread-out flood)
    # The activities' calendar feeds (publisher.activities.feeds) and .ics import (publisher.activities.ical_import):
    agenda_feed_days_back: int = 30  # /agenda.ics and the personal feeds carry events from this many days ago
    agenda_feed_days_ahead: int = 365  # to this many days ahead
    ical_import_max_bytes: int = 1024 * 1024  # the largest .ics file an import reads
    ical_import_max_events: int = 200  # the most events one import creates
    # The public agenda (web/public/agenda.py; docs/activities/public.md):
    agenda_weeks_ahead: int = 2  # /agenda shows the chosen week and this many after it
    agenda_meetings_delay_days: int = 7  # a meeting enters the public log of meetings this many days after it
    # The weekly plan (publisher.activities.weekly_plan): next week's calendar, mailed to these addresses
    # (the government's communication office; empty: not sent), prepared at this day and time in the office's
    # zone ("FRI 12:00"), in this language; sent then on its own only when auto_send, else when a person says.
    weekly_plan_to: tuple[str, ...] = ()
    weekly_plan_at: str = "FRI 12:00"
    weekly_plan_auto_send: bool = False
    weekly_plan_language: str = "sr-Cyrl"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, *, instance_dir: Path | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        paths = InstancePaths.from_env(env, instance_dir=instance_dir)
        secret_key = env.get("PUBLISHER_SECRET_KEY") or _instance_secret(paths.secret_key_file, _new_secret)[0]
        key_file, key_created = None, False
        keys = env.get("PUBLISHER_CREDENTIALS_KEY")
        if not keys:
            key_file = paths.credentials_key_file
            keys, key_created = _instance_secret(key_file, lambda: Fernet.generate_key().decode())
        heartbeat = _number(env, "PUBLISHER_HEARTBEAT_SECONDS", 2.0, 0.1)
        grace = _number(env, "PUBLISHER_DEAD_WORKER_GRACE_SECONDS", 15.0, 1)
        if heartbeat > grace / 4:
            # A worker stops starting sends once its last heartbeat is half the grace old (see
            # publisher.publishing.worker): two missed beats must not be enough to get there.
            raise ConfigError(f"PUBLISHER_HEARTBEAT_SECONDS={heartbeat:g} must be at most a quarter of "
                              f"PUBLISHER_DEAD_WORKER_GRACE_SECONDS={grace:g}")
        weeks_ahead = int(_number(env, "PUBLISHER_AGENDA_WEEKS_AHEAD", 2, 0))
        if weeks_ahead > MAX_AGENDA_WEEKS_AHEAD:
            raise ConfigError(f"PUBLISHER_AGENDA_WEEKS_AHEAD={weeks_ahead} must be at most {MAX_AGENDA_WEEKS_AHEAD}")
        return cls(
            database_url=paths.database_url,
            media_dir=paths.media_dir,
            secret_key=secret_key,
            credential_keys=tuple(k.strip() for k in keys.split(",") if k.strip()),
            timezone=env.get("PUBLISHER_TIMEZONE") or DEFAULT_TIMEZONE,
            instance_dir=paths.instance_dir,
            credentials_key_file=key_file,
            credentials_key_created=key_created,
            pg_bin_dir=Path(env["PUBLISHER_PG_BIN_DIR"]) if env.get("PUBLISHER_PG_BIN_DIR") else None,
            stale_after_minutes=_number(env, "PUBLISHER_STALE_AFTER_MINUTES", 60.0, 1),
            lease_seconds=_number(env, "PUBLISHER_LEASE_SECONDS", 300.0, 1),
            heartbeat_seconds=heartbeat,
            dead_worker_grace_seconds=grace,
            max_attempts=int(_number(env, "PUBLISHER_MAX_ATTEMPTS", 10, 1)),
            overdue_alert_minutes=_number(env, "PUBLISHER_OVERDUE_ALERT_MINUTES", 10.0, 1),
            worker_threads=int(_number(env, "PUBLISHER_WORKER_THREADS", 64, 1)),
            audit_check_seconds=_number(env, "PUBLISHER_AUDIT_CHECK_SECONDS", 60.0, 1),
            audit_full_check_hours=_number(env, "PUBLISHER_AUDIT_FULL_CHECK_HOURS", 24.0, 0.1),
            credential_check_hours=_number(env, "PUBLISHER_CREDENTIAL_CHECK_HOURS", 6.0, 0.25),
            credential_warn_days=_number(env, "PUBLISHER_CREDENTIAL_WARN_DAYS", 7.0, 0),
            smtp_host=env.get("PUBLISHER_SMTP_HOST") or None,
            smtp_port=int(_number(env, "PUBLISHER_SMTP_PORT", 25, 1)),
            smtp_user=env.get("PUBLISHER_SMTP_USER") or None,
            smtp_password=env.get("PUBLISHER_SMTP_PASSWORD") or None,
            smtp_starttls=env.get("PUBLISHER_SMTP_STARTTLS", "").lower() in ("1", "true", "yes"),
            mail_from=env.get("PUBLISHER_MAIL_FROM") or "publisher@localhost",
            outbox_per_minute=int(_number(env, "PUBLISHER_OUTBOX_PER_MINUTE", 60, 1)),
            outbox_connections=int(_number(env, "PUBLISHER_OUTBOX_CONNECTIONS", 2, 1)),
            outbox_max_attempts=int(_number(env, "PUBLISHER_OUTBOX_MAX_ATTEMPTS", 8, 1)),
            outbox_lease_seconds=_number(env, "PUBLISHER_OUTBOX_LEASE_SECONDS", 120.0, 1),
            approval_reminder_hours=_number(env, "PUBLISHER_APPROVAL_REMINDER_HOURS", 24.0, 0),
            public_url=(env.get("PUBLISHER_PUBLIC_URL") or "").strip().rstrip("/") or None,
            session_idle_minutes=_number(env, "PUBLISHER_SESSION_IDLE_MINUTES", 30.0, 1),
            cookie_secure=_flag(env, "PUBLISHER_COOKIE_SECURE", True),
            max_upload_bytes=int(_number(env, "PUBLISHER_MAX_UPLOAD_MB", 520, 1) * 1024 * 1024),
            max_form_bytes=int(_number(env, "PUBLISHER_MAX_FORM_KB", 512, 16) * 1024),
            max_document_bytes=int(_number(env, "PUBLISHER_DOCUMENT_MAX_MB", 50, 1) * 1024 * 1024),
            max_document_unpacked_bytes=int(_number(env, "PUBLISHER_DOCUMENT_MAX_UNPACKED_MB", 500, 1) * 1024 * 1024),
            max_document_entries=int(_number(env, "PUBLISHER_DOCUMENT_MAX_ENTRIES", 10_000, 10)),
            api_refusals_per_minute=int(_number(env, "PUBLISHER_API_REFUSALS_PER_MINUTE", 30, 1)),
            trusted_proxy=(env.get("PUBLISHER_TRUSTED_PROXY") or "").strip() or None,
            trusted_proxy_count=int(_number(env, "PUBLISHER_TRUSTED_PROXY_COUNT", 1, 1)),
            trusted_proxy_headers=_proxy_headers(env),
            mailbox=MailboxSettings.from_env(env),
            office_name=(env.get("PUBLISHER_OFFICE_NAME") or "").strip(),
            public_database_url=(env.get("PUBLISHER_PUBLIC_DATABASE_URL") or "").strip() or None,
            public_max_age=int(_number(env, "PUBLISHER_PUBLIC_MAX_AGE", 300, 0)),
            public_form_max_bytes=int(_number(env, "PUBLISHER_PUBLIC_FORM_MAX_KB", 64, 1) * 1024),
            public_form_min_seconds=_number(env, "PUBLISHER_PUBLIC_FORM_MIN_SECONDS", 3.0, 0),
            public_form_max_hours=_number(env, "PUBLISHER_PUBLIC_FORM_MAX_HOURS", 6.0, 0.1),
            public_form_per_address_hour=int(_number(env, "PUBLISHER_PUBLIC_FORM_PER_ADDRESS_HOUR", 10, 1)),
            public_form_per_form_hour=int(_number(env, "PUBLISHER_PUBLIC_FORM_PER_FORM_HOUR", 300, 1)),
            agenda_feed_days_back=int(_number(env, "PUBLISHER_AGENDA_FEED_DAYS_BACK", 30, 0)),
            agenda_feed_days_ahead=int(_number(env, "PUBLISHER_AGENDA_FEED_DAYS_AHEAD", 365, 1)),
            ical_import_max_bytes=int(_number(env, "PUBLISHER_ICAL_IMPORT_MAX_KB", 1024, 1) * 1024),
            ical_import_max_events=int(_number(env, "PUBLISHER_ICAL_IMPORT_MAX_EVENTS", 200, 1)),
            agenda_weeks_ahead=weeks_ahead,
            agenda_meetings_delay_days=int(_number(env, "PUBLISHER_AGENDA_MEETINGS_DELAY_DAYS", 7, 0)),
            weekly_plan_to=tuple(a.strip() for a in (env.get("PUBLISHER_WEEKLY_PLAN_TO") or "").split(",")
                                 if a.strip()),
            weekly_plan_at=_weekly_time(env, "PUBLISHER_WEEKLY_PLAN_AT", "FRI 12:00"),
            weekly_plan_auto_send=_flag(env, "PUBLISHER_WEEKLY_PLAN_AUTO_SEND", False),
            weekly_plan_language=_choice(env, "PUBLISHER_WEEKLY_PLAN_LANGUAGE", "sr-Cyrl",
                                         ("sr-Cyrl", "sr-Latn", "sq", "en")),
        )


MAILBOX_SECURITY = {"imaps": 993, "starttls": 143, "plain": 143}  # and each one's usual port


@dataclass(frozen=True)
class MailboxSettings:
    """The mailbox the worker reads for bounce reports (PUBLISHER_MAILBOX_*; see docs/settings.md)."""

    host: str
    user: str
    password: str
    port: int = 993
    security: str = "imaps"  # imaps (TLS from the first byte), starttls, or plain (loopback only)
    folder: str = "INBOX"
    move_to: str | None = None  # reports read go to this folder; unset: they are marked read where they are
    ca_file: Path | None = None  # trust this CA (a self-signed office server) instead of the system's
    poll_minutes: float = 5.0
    max_messages: int = 200  # per run; the rest wait for the next
    max_message_bytes: int = 1024 * 1024  # bigger ones are recorded as too big and not downloaded
    soft_bounces: int = 3  # transient bounces within the window that make an address undeliverable
    soft_bounce_days: float = 7.0
    timeout: float = 30.0

    @classmethod
    def from_env(cls, env: dict[str, str]) -> MailboxSettings | None:
        host = (env.get("PUBLISHER_MAILBOX_HOST") or "").strip()
        if not host:
            return None
        security = (env.get("PUBLISHER_MAILBOX_SECURITY") or "imaps").strip().lower()
        if security not in MAILBOX_SECURITY:
            raise ConfigError(f"PUBLISHER_MAILBOX_SECURITY={security!r} must be one of {', '.join(MAILBOX_SECURITY)}")
        if security == "plain" and not _loopback(host):
            raise ConfigError(f"PUBLISHER_MAILBOX_SECURITY=plain sends the password unencrypted: only for a server "
                              f"on this machine, not {host!r}; use imaps or starttls")
        user, password = env.get("PUBLISHER_MAILBOX_USER") or "", env.get("PUBLISHER_MAILBOX_PASSWORD") or ""
        if not user or not password:
            raise ConfigError("PUBLISHER_MAILBOX_HOST is set: PUBLISHER_MAILBOX_USER and PUBLISHER_MAILBOX_PASSWORD "
                              "are needed too")
        folders = {name: (env.get(name) or "").strip() for name in ("PUBLISHER_MAILBOX_FOLDER",
                                                                   "PUBLISHER_MAILBOX_MOVE_TO")}
        for name, value in folders.items():
            if not value.isascii() or any(c in value for c in "\r\n\0"):
                raise ConfigError(f"{name}={value!r}: folder names must be plain ASCII")  # IMAP's UTF-7 is not done
        ca_file = env.get("PUBLISHER_MAILBOX_CA_FILE") or None
        if ca_file and not Path(ca_file).is_file():
            raise ConfigError(f"PUBLISHER_MAILBOX_CA_FILE={ca_file!r} is not a file")
        return cls(
            host=host, user=user, password=password, security=security,
            port=int(_number(env, "PUBLISHER_MAILBOX_PORT", MAILBOX_SECURITY[security], 1)),
            folder=folders["PUBLISHER_MAILBOX_FOLDER"] or "INBOX",
            move_to=folders["PUBLISHER_MAILBOX_MOVE_TO"] or None,
            ca_file=Path(ca_file) if ca_file else None,
            poll_minutes=_number(env, "PUBLISHER_MAILBOX_POLL_MINUTES", 5.0, 0.1),
            max_messages=int(_number(env, "PUBLISHER_MAILBOX_MAX_MESSAGES", 200, 1)),
            max_message_bytes=int(_number(env, "PUBLISHER_MAILBOX_MAX_MESSAGE_KB", 1024, 1) * 1024),
            soft_bounces=int(_number(env, "PUBLISHER_MAILBOX_SOFT_BOUNCES", 3, 1)),
            soft_bounce_days=_number(env, "PUBLISHER_MAILBOX_SOFT_BOUNCE_DAYS", 7.0, 0.01),
            timeout=_number(env, "PUBLISHER_MAILBOX_TIMEOUT_SECONDS", 30.0, 1),
        )


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host.lower() == "localhost"


@dataclass(frozen=True)
class InstancePaths:
    """Where an instance keeps its database, media and key files, read from the environment without
    creating anything (a restore must not generate keys where it is about to put the backed-up ones)."""

    instance_dir: Path
    database_url: str
    media_dir: Path

    @property
    def secret_key_file(self) -> Path:
        return self.instance_dir / "secret_key"

    @property
    def credentials_key_file(self) -> Path:
        return self.instance_dir / "credentials.key"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, *, instance_dir: Path | None = None) -> InstancePaths:
        env = dict(os.environ if env is None else env)
        instance = Path(env.get("PUBLISHER_INSTANCE_DIR") or instance_dir or "instance").resolve()
        return cls(
            instance_dir=instance,
            database_url=env.get("PUBLISHER_DATABASE_URL") or f"sqlite:///{_default_database(instance)}",
            media_dir=Path(env.get("PUBLISHER_MEDIA_DIR") or instance / "media").resolve(),
        )


def _default_database(instance: Path) -> Path:
    """instance/publisher.db, the name the README gives. A regrouping of the code once renamed it by mistake
    to publisher.core.db for a day; an instance made then keeps its file rather than starting empty."""
    mistaken = instance / "publisher.core.db"
    return mistaken if mistaken.exists() and not (instance / "publisher.db").exists() else instance / "publisher.db"


class ConfigError(ValueError):
    """A setting from the environment cannot be used; the message names the variable."""


def _number(env: dict[str, str], name: str, default: float, minimum: float) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number") from None
    if not math.isfinite(value):  # float() reads "nan" and "inf", which no duration or count can be
        raise ConfigError(f"{name}={raw!r} is not a number")
    if value < minimum:
        raise ConfigError(f"{name}={raw!r} must be at least {minimum:g}")
    return value


WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")


def _weekly_time(env: dict[str, str], name: str, default: str) -> str:
    """A day of the week and a time, "FRI 12:00"; ConfigError for anything else."""
    raw = " ".join((env.get(name) or "").upper().split()) or default
    day, _, time = raw.partition(" ")
    hours, _, minutes = time.partition(":")
    if day not in WEEKDAYS or not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2
                                   and int(hours) < 24 and int(minutes) < 60):
        raise ConfigError(f"{name}={env.get(name)!r} must be a day and a time such as \"FRI 12:00\"")
    return f"{day} {int(hours):02d}:{minutes}"


def _choice(env: dict[str, str], name: str, default: str, allowed: tuple[str, ...]) -> str:
    raw = (env.get(name) or "").strip() or default
    if raw not in allowed:
        raise ConfigError(f"{name}={raw!r} must be one of {', '.join(allowed)}")
    return raw


def _flag(env: dict[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if raw == "":
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}={env[name]!r} must be true or false")


PROXY_HEADERS = ("x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port",
                 "x-forwarded-by", "forwarded")  # what waitress's trusted_proxy_headers understands


def _proxy_headers(env: dict[str, str]) -> tuple[str, ...]:
    raw = env.get("PUBLISHER_TRUSTED_PROXY_HEADERS")
    if not raw:
        return Settings.trusted_proxy_headers
    names = tuple(n.strip().lower() for n in raw.replace(",", " ").split() if n.strip())
    unknown = [n for n in names if n not in PROXY_HEADERS]
    if unknown or not names:
        raise ConfigError(f"PUBLISHER_TRUSTED_PROXY_HEADERS={raw!r}: {', '.join(unknown) or 'empty'}; "
                          f"use some of {', '.join(PROXY_HEADERS)}")
    return names


def _new_secret() -> str:
    return secrets.token_urlsafe(48)


def _instance_secret(path: Path, make: callable) -> tuple[str, bool]:  # type: ignore[valid-type]
    """Read a generated secret from the instance folder, creating it (mode 0600, in a 0700 folder) on first
    use; (value, created now)."""
    if path.exists():
        return path.read_text().strip(), False
    private_dir(path.parent)
    value = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")
    return value, True
