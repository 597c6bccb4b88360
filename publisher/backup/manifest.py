"""The manifest of a backup: what it holds, counted in the snapshot it was taken from, with a SHA-256 of
every file, so that a restore can refuse a backup that was changed, cut short or is missing a file."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, func, inspect, select, table

from publisher.audit import chain
from publisher.backup.errors import BackupError
from publisher.core.files import PRIVATE_FILE, sha256_file
from publisher.core.models import AuditEvent

MANIFEST = "manifest.json"
FORMAT = 1
CHUNK = 1024 * 1024


@dataclass
class Manifest:
    tool_version: str
    created_at: str
    database_kind: str  # "sqlite" or "postgresql"
    database_file: str  # relative to the backup folder
    schema_revision: str | None
    counts: dict[str, int]  # rows per table, in the snapshot
    audit_last_id: int | None
    audit_head: dict[str, Any] | None  # see audit_head()
    files: dict[str, str]  # every file of the backup but this manifest: relative path -> sha256
    keys: list[str] = field(default_factory=list)  # relative paths of the key files taken
    missing_media: list[str] = field(default_factory=list)  # referenced, but absent or not matching their name
    format: int = FORMAT

    def write(self, folder: Path) -> Path:
        path = folder / MANIFEST
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(asdict(self), fh, indent=2, sort_keys=True, ensure_ascii=False)
            fh.write("\n")
        return path

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        path = folder / MANIFEST
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise BackupError(f"{path} does not exist: {folder} is not a publisher backup") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise BackupError(f"{path} is not valid JSON ({exc}): the backup is damaged") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise BackupError(f"{path} is not a publisher backup manifest of format {FORMAT}")
        try:
            return cls(**data)
        except TypeError as exc:
            raise BackupError(f"{path} does not have the fields of a backup manifest ({exc})") from None


def verify_files(folder: Path, manifest: Manifest) -> None:
    """Every file the manifest lists is there with its checksum, and nothing else is; else BackupError
    naming the first file that is missing, changed or foreign."""
    unlisted = [name for name in (manifest.database_file, *manifest.keys) if name not in manifest.files]
    if unlisted:
        raise BackupError(f"the manifest names {unlisted[0]!r} without its checksum: the backup is damaged; "
                          "nothing was restored")
    for relative, expected in sorted(manifest.files.items()):
        path = folder / relative
        if Path(relative).is_absolute() or ".." in Path(relative).parts:
            raise BackupError(f"the manifest names {relative!r}, which is outside the backup folder")
        if not path.is_file():
            raise BackupError(f"{path} is missing from the backup; nothing was restored")
        if sha256_file(path) != expected:
            raise BackupError(f"{path} does not match its checksum in the manifest (changed or damaged); "
                              "nothing was restored")
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {MANIFEST}
    foreign = sorted(present - set(manifest.files))
    if foreign:
        raise BackupError(f"{folder / foreign[0]} is in the backup folder but not in its manifest; "
                          "nothing was restored")


def audit_head(conn: Connection) -> dict[str, Any] | None:
    """What the backup says about the end of the audit log, so that a restore with its tail cut off is noticed:
    the last row's id and a SHA-256 of that row's canonical JSON, and the audit chain's head (`ID:HASH`, as
    `publisher audit verify --expect` takes it; `publisher backup` seals the chain first)."""
    columns = inspect(AuditEvent).columns  # read only: rows are written by publisher.audit.trail alone
    row = conn.execute(select(*columns).order_by(AuditEvent.id.desc()).limit(1)).mappings().first()
    if row is None:
        return None
    canonical = json.dumps(dict(row), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    sealed = chain.head(conn)
    return {"last_id": row["id"], "sha256": hashlib.sha256(canonical.encode()).hexdigest(),
            "chain": str(sealed) if sealed else None}


@dataclass(frozen=True)
class Facts:
    """What a database holds, read in one snapshot: the manifest's numbers, and what a restore compares."""

    schema_revision: str | None
    counts: dict[str, int]
    audit_last_id: int | None
    audit_head: dict[str, Any] | None


def read_facts(conn: Connection) -> Facts:
    names = sorted(n for n in inspect(conn).get_table_names() if n != "alembic_version")
    counts = {name: conn.scalar(select(func.count()).select_from(table(name))) or 0 for name in names}
    has_audit = AuditEvent.__tablename__ in names
    return Facts(
        schema_revision=MigrationContext.configure(conn).get_current_revision(),
        counts=counts,
        audit_last_id=conn.scalar(select(func.max(AuditEvent.id))) if has_audit else None,
        audit_head=audit_head(conn) if has_audit else None,
    )


def differences(manifest: Manifest, facts: Facts) -> list[str]:
    """How a restored database differs from what the manifest counted (empty when it matches)."""
    found = [f"{name}: {facts.counts.get(name)} rows, the backup counted {count}"
             for name, count in sorted(manifest.counts.items()) if facts.counts.get(name) != count]
    if facts.audit_head != manifest.audit_head:
        found.append(f"the audit log ends at {facts.audit_head}, the backup's at {manifest.audit_head}")
    return found
