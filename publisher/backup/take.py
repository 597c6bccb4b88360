"""`publisher backup DIR`: the database, the media files it references and the key files, with a manifest.

The database is copied from one snapshot and the manifest's counts are read in that same snapshot, so the
backup is consistent while the server goes on writing. Media files are copied for the media rows of that
snapshot (a file uploaded after it belongs to no row of the backup), each checked against its name (its
SHA-256); so are the documents' files (publisher.documents, under the media folder's documents/).
Thumbnails are not copied: they are made again on demand.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from sqlalchemy import Connection, inspect, select, text
from sqlalchemy.engine import make_url

from publisher.backup import database
from publisher.backup.errors import BackupError
from publisher.backup.manifest import CHUNK, Facts, Manifest, read_facts
from publisher.core.config import Settings
from publisher.core.db import make_engine
from publisher.core.files import PRIVATE_FILE, private_dir, sha256_file
from publisher.core.models import Media, storage_name
from publisher.documents.models import DocumentVersion
from publisher.documents.store import FOLDER as DOCUMENTS

SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.pgdump"
MEDIA = "media"
KEYS = "keys"


def take_backup(settings: Settings, folder: Path, *, with_keys: bool = True) -> Manifest:
    """Write a backup of the instance into `folder`, which must not exist or be empty; returns its manifest.
    On failure the folder is emptied again: a backup is whole or absent."""
    folder = _empty_folder(folder)
    try:
        return _take(settings, folder, with_keys)
    except BaseException:
        for child in folder.iterdir():
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()
        raise


def _take(settings: Settings, folder: Path, with_keys: bool) -> Manifest:
    files: dict[str, str] = {}
    kind = make_url(settings.database_url).get_backend_name()
    if kind == "sqlite":
        database_file = SQLITE_FILE
        database.copy_sqlite(database.sqlite_path(settings.database_url), folder / database_file)
        with database.sqlite_reader(folder / database_file) as conn:
            facts = read_facts(conn)
            media = _media_names(conn) if facts.schema_revision else {}
    elif kind == "postgresql":
        database_file = POSTGRES_FILE
        engine = make_engine(settings.database_url)
        try:
            with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
                conn.execute(text("SET TRANSACTION READ ONLY"))
                snapshot = conn.scalar(text("SELECT pg_export_snapshot()"))
                facts = read_facts(conn)
                media = _media_names(conn) if facts.schema_revision else {}
                database.pg_dump(settings.database_url, snapshot, folder / database_file, settings.pg_bin_dir)
        finally:
            engine.dispose()
    else:
        raise BackupError(f"cannot back up a {kind} database: only SQLite and PostgreSQL")
    if facts.schema_revision is None:
        shown = make_url(settings.database_url).render_as_string(hide_password=True)
        raise BackupError(f"the database {shown} holds no publisher schema: nothing to back up (is "
                          "PUBLISHER_DATABASE_URL or PUBLISHER_INSTANCE_DIR the instance's?)")
    files[database_file] = sha256_file(folder / database_file)
    missing = _copy_media(settings.media_dir, folder / MEDIA, media, files)
    keys = _copy_keys(settings, folder / KEYS, files) if with_keys else []
    manifest = _manifest(kind, database_file, facts, files, keys, missing)
    manifest.write(folder)
    return manifest


def _empty_folder(folder: Path) -> Path:
    folder = Path(folder).resolve()
    if folder.exists():
        if not folder.is_dir():
            raise BackupError(f"{folder} is not a folder")
        if any(folder.iterdir()):
            raise BackupError(f"{folder} is not empty: a backup goes into a new or empty folder")
        os.chmod(folder, 0o700)
    return private_dir(folder)


def _media_names(conn: Connection) -> dict[str, str]:
    """Name under the media folder -> sha256 of every media row and document version in the snapshot."""
    names = {storage_name(sha, ext): sha for sha, ext in conn.execute(select(Media.sha256, Media.extension))}
    if inspect(conn).has_table(DocumentVersion.__tablename__):  # not in a database from before migration 0024
        versions = select(DocumentVersion.sha256, DocumentVersion.extension).distinct()
        names.update({f"{DOCUMENTS}/{storage_name(sha, ext)}": sha for sha, ext in conn.execute(versions)})
    return names


def _copy_media(media_dir: Path, dest: Path, media: dict[str, str], files: dict[str, str]) -> list[str]:
    """Copy each file, checking its bytes against the SHA-256 in its name; returns those missing or not matching."""
    missing = []
    for name, sha in sorted(media.items()):
        source, target = media_dir / name, dest / name
        if not source.is_file():
            missing.append(name)
            continue
        private_dir(target.parent)
        digest = hashlib.sha256()
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        with open(source, "rb") as src, os.fdopen(fd, "wb") as out:
            while chunk := src.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != sha:
            target.unlink()
            missing.append(name)
            continue
        files[f"{MEDIA}/{name}"] = sha
    return missing


def _copy_keys(settings: Settings, dest: Path, files: dict[str, str]) -> list[str]:
    """The instance's key files: the credentials key (unless it comes from the environment) and the secret."""
    sources = [settings.instance_dir / "secret_key"]
    if settings.credentials_key_file is not None:
        sources.append(settings.credentials_key_file)
    taken = []
    for source in sources:
        if not source.is_file():
            continue
        private_dir(dest)
        target = dest / source.name
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        with open(source, "rb") as src, os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(src, out)
        relative = f"{KEYS}/{source.name}"
        files[relative] = sha256_file(target)
        taken.append(relative)
    return taken


def _manifest(kind: str, database_file: str, facts: Facts, files: dict[str, str], keys: list[str],
              missing: list[str]) -> Manifest:
    try:
        version = metadata.version("publisher")
    except metadata.PackageNotFoundError:
        version = "unknown"
    return Manifest(
        tool_version=version, created_at=datetime.now(UTC).isoformat(timespec="seconds"), database_kind=kind,
        database_file=database_file, schema_revision=facts.schema_revision, counts=facts.counts,
        audit_last_id=facts.audit_last_id, audit_head=facts.audit_head, files=files, keys=keys,
        missing_media=missing,
    )
