"""`publisher restore DIR`: check the whole backup first, then put the database, media and keys back.

Nothing is changed until every file matches its checksum, the target database is empty (or `--force`) and
no key file of the target would be overwritten by a different one (or `--force`). After loading, the
restored database is counted again and must match the manifest; an older schema is then migrated to head.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from sqlalchemy import Engine

from publisher.backup import database
from publisher.backup.errors import BackupError
from publisher.backup.manifest import Manifest, differences, read_facts, verify_files
from publisher.backup.take import MEDIA
from publisher.core import schema
from publisher.core.config import InstancePaths
from publisher.core.db import make_engine
from publisher.core.files import PRIVATE_FILE, private_dir


def restore_backup(folder: Path, target: InstancePaths, *, force: bool = False,
                   pg_bin_dir: Path | None = None) -> Manifest:
    """Restore the backup in `folder` into the instance at `target`; returns the backup's manifest."""
    folder = Path(folder).resolve()
    manifest = Manifest.read(folder)
    verify_files(folder, manifest)
    engine = make_engine(target.database_url)
    try:
        _check_target(engine, manifest, target, folder, force)
        _load_database(engine, manifest, folder, target, pg_bin_dir)
    finally:
        engine.dispose()
    _copy_tree(folder / MEDIA, target.media_dir)
    for relative in manifest.keys:
        _put_file(folder / relative, target.instance_dir / Path(relative).name)
    _check_and_upgrade(target.database_url, manifest)
    return manifest


def _check_target(engine: Engine, manifest: Manifest, target: InstancePaths, folder: Path, force: bool) -> None:
    url = engine.url.render_as_string(hide_password=True)
    if engine.dialect.name != manifest.database_kind:
        raise BackupError(f"the backup holds a {manifest.database_kind} database and {url} is "
                          f"{engine.dialect.name}: restore it into a {manifest.database_kind} database")
    if manifest.schema_revision is not None and not schema.is_known(manifest.schema_revision):
        raise BackupError(f"the backup's schema revision {manifest.schema_revision} is not one this version of "
                          f"publisher knows (it was taken by publisher {manifest.tool_version}): restore it with "
                          "that version or a newer one")
    tables = database.tables_in(engine)
    if tables and not force:
        raise BackupError(f"the database {url} is not empty ({len(tables)} tables): restore into a new, empty "
                          "database, or add --force to replace everything in it")
    for relative in manifest.keys:
        existing = target.instance_dir / Path(relative).name
        if existing.exists() and existing.read_bytes() != (folder / relative).read_bytes() and not force:
            raise BackupError(f"{existing} exists and differs from the backup's {relative}: move it away, or "
                              "add --force to replace it")


def _load_database(engine: Engine, manifest: Manifest, folder: Path, target: InstancePaths,
                   pg_bin_dir: Path | None) -> None:
    dump = folder / manifest.database_file
    if manifest.database_kind == "sqlite" or database.tables_in(engine):
        database.clear(engine)  # an empty file, or anything at all with --force
    if manifest.database_kind == "sqlite":
        database.load_sqlite(dump, database.sqlite_path(target.database_url))
    else:
        database.pg_restore(dump, target.database_url, pg_bin_dir)


def _copy_tree(source: Path, dest: Path) -> None:
    if not source.is_dir():
        return
    for path in sorted(source.rglob("*")):
        if path.is_file():
            _put_file(path, dest / path.relative_to(source))


def _put_file(source: Path, dest: Path) -> None:
    """Copy into place as a private file, written aside and renamed (never half a file under its name)."""
    private_dir(dest.parent)
    aside = dest.with_name(f".{dest.name}.restoring")
    fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    with open(source, "rb") as src, os.fdopen(fd, "wb") as out:
        shutil.copyfileobj(src, out)
    os.replace(aside, dest)


def _check_and_upgrade(database_url: str, manifest: Manifest) -> None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            facts = read_facts(conn)
        found = differences(manifest, facts)
        if found:
            raise BackupError("the restored database does not match the backup's manifest: " + "; ".join(found))
        if facts.schema_revision != schema.head_revision():
            schema.upgrade(engine)
    finally:
        engine.dispose()
