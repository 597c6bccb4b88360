"""Settings from the environment, with an embedded default that needs nothing installed.

Without any variable set, publisher keeps everything under ./instance: the SQLite database, the
media files, a generated Flask secret and a generated credentials key (outside the database, so a
copied database file alone reveals no channel token).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet

DEFAULT_TIMEZONE = "Europe/Belgrade"


@dataclass(frozen=True)
class Settings:
    database_url: str
    media_dir: Path
    secret_key: str
    credential_keys: tuple[str, ...]  # Fernet keys, newest first; older ones only decrypt
    timezone: str = DEFAULT_TIMEZONE
    instance_dir: Path = field(default_factory=lambda: Path("instance"))
    max_upload_bytes: int = 520 * 1024 * 1024
    # The worker:
    stale_after_minutes: float = 60.0
    lease_seconds: float = 300.0
    max_attempts: int = 10
    overdue_alert_minutes: float = 10.0
    worker_threads: int = 64
    audit_check_seconds: float = 60.0  # seal new audit rows and verify the chain this often
    audit_full_check_hours: float = 24.0  # and walk the whole chain again this often
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    mail_from: str = "publisher@localhost"
    # The dashboard:
    session_idle_minutes: float = 30.0
    cookie_secure: bool = True  # off only for plain http on loopback (`publisher run --demo`)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, *, instance_dir: Path | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        instance = Path(env.get("PUBLISHER_INSTANCE_DIR") or instance_dir or "instance").resolve()
        database_url = env.get("PUBLISHER_DATABASE_URL") or f"sqlite:///{instance / 'publisher.core.db'}"
        media_dir = Path(env.get("PUBLISHER_MEDIA_DIR") or instance / "media").resolve()
        secret_key = env.get("PUBLISHER_SECRET_KEY") or _instance_secret(instance / "secret_key", _new_secret)
        keys = env.get("PUBLISHER_CREDENTIALS_KEY") or _instance_secret(
            instance / "credentials.key", lambda: Fernet.generate_key().decode()
        )
        return cls(
            database_url=database_url,
            media_dir=media_dir,
            secret_key=secret_key,
            credential_keys=tuple(k.strip() for k in keys.split(",") if k.strip()),
            timezone=env.get("PUBLISHER_TIMEZONE") or DEFAULT_TIMEZONE,
            instance_dir=instance,
            stale_after_minutes=_number(env, "PUBLISHER_STALE_AFTER_MINUTES", 60.0, 1),
            lease_seconds=_number(env, "PUBLISHER_LEASE_SECONDS", 300.0, 1),
            max_attempts=int(_number(env, "PUBLISHER_MAX_ATTEMPTS", 10, 1)),
            overdue_alert_minutes=_number(env, "PUBLISHER_OVERDUE_ALERT_MINUTES", 10.0, 1),
            worker_threads=int(_number(env, "PUBLISHER_WORKER_THREADS", 64, 1)),
            audit_check_seconds=_number(env, "PUBLISHER_AUDIT_CHECK_SECONDS", 60.0, 1),
            audit_full_check_hours=_number(env, "PUBLISHER_AUDIT_FULL_CHECK_HOURS", 24.0, 0.1),
            smtp_host=env.get("PUBLISHER_SMTP_HOST") or None,
            smtp_port=int(_number(env, "PUBLISHER_SMTP_PORT", 25, 1)),
            smtp_user=env.get("PUBLISHER_SMTP_USER") or None,
            smtp_password=env.get("PUBLISHER_SMTP_PASSWORD") or None,
            smtp_starttls=env.get("PUBLISHER_SMTP_STARTTLS", "").lower() in ("1", "true", "yes"),
            mail_from=env.get("PUBLISHER_MAIL_FROM") or "publisher@localhost",
            session_idle_minutes=_number(env, "PUBLISHER_SESSION_IDLE_MINUTES", 30.0, 1),
            cookie_secure=_flag(env, "PUBLISHER_COOKIE_SECURE", True),
        )


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
    if value < minimum:
        raise ConfigError(f"{name}={raw!r} must be at least {minimum:g}")
    return value


def _flag(env: dict[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if raw == "":
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}={env[name]!r} must be true or false")


def _new_secret() -> str:
    return secrets.token_urlsafe(48)


def _instance_secret(path: Path, make: callable) -> str:  # type: ignore[valid-type]
    """Read a generated secret from the instance folder, creating it (mode 0600) on first use."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")
    return value
