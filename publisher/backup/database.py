"""The database's part of a backup: a consistent copy out, and back in.

SQLite through its online backup API (one read transaction: every row committed before it, none after,
while the server goes on writing); PostgreSQL through `pg_dump` in custom format from a snapshot that the
manifest's counts were read in, and `pg_restore` into an empty database.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, inspect, text
from sqlalchemy.engine import URL, make_url

from publisher.backup.errors import BackupError
from publisher.core.db import SQLITE_BUSY_TIMEOUT_MS
from publisher.core.files import private_file

PG_TOOLS_DIRS = Path("/usr/lib/postgresql")


def sqlite_path(database_url: str) -> Path:
    database = make_url(database_url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError(f"cannot back up or restore the SQLite database {database!r}: give it as a file path")
    return Path(database)


def copy_sqlite(source: Path, dest: Path) -> None:
    """A consistent copy of a live SQLite database into a new private file, self-contained (no WAL)."""
    if not source.is_file():
        raise BackupError(f"there is no SQLite database at {source}")
    private_file(dest)
    src = sqlite3.connect(source, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
    dst = sqlite3.connect(dest)
    try:
        src.backup(dst)  # all pages in one step: one snapshot, however much is written meanwhile
        dst.execute("PRAGMA journal_mode=DELETE")
        verdict = dst.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        dst.close()
        src.close()
    if verdict != "ok":
        raise BackupError(f"the copy of {source} fails SQLite's integrity check: {verdict}")


@contextmanager
def sqlite_reader(path: Path) -> Iterator[Connection]:
    """A plain connection to a database file (none of the server's pragmas: the file stays as it is)."""
    engine = create_engine(URL.create("sqlite", database=str(path)))
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def find_tool(name: str, bin_dir: Path | None = None) -> Path:
    """pg_dump or pg_restore: from PUBLISHER_PG_BIN_DIR, else PATH, else the newest /usr/lib/postgresql/N/bin."""
    candidates = [bin_dir / name] if bin_dir else []
    on_path = shutil.which(name)
    if on_path:
        candidates.append(Path(on_path))
    if PG_TOOLS_DIRS.is_dir():
        versions = sorted((p for p in PG_TOOLS_DIRS.iterdir() if p.name.isdigit()), key=lambda p: int(p.name),
                          reverse=True)
        candidates += [p / "bin" / name for p in versions]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    where = f"in {bin_dir}, " if bin_dir else ""
    raise BackupError(f"{name} was not found {where}on PATH or in {PG_TOOLS_DIRS}/*/bin: install the PostgreSQL "
                      f"client tools of the server's version (Debian: apt install postgresql-client) or set "
                      f"PUBLISHER_PG_BIN_DIR to the folder that holds {name}")


def _libpq(database_url: str) -> tuple[str, dict[str, str]]:
    """The URL as libpq takes it, and the environment that carries its password (never on a command line)."""
    url = make_url(database_url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _run(tool: Path, args: list[str], database_url: str) -> None:
    conninfo, env = _libpq(database_url)
    done = subprocess.run([str(tool), *args, "--dbname", conninfo], env=env, capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{tool.name} failed (exit {done.returncode}): {' / '.join(said[-3:]) or 'no message'}")


def pg_dump(database_url: str, snapshot: str, dest: Path, bin_dir: Path | None = None) -> None:
    """Dump the database as the exported `snapshot` sees it, custom format, into a new private file."""
    tool = find_tool("pg_dump", bin_dir)
    private_file(dest)
    _run(tool, ["--format=custom", f"--snapshot={snapshot}", "--no-owner", "--no-privileges",
                f"--file={dest}"], database_url)


def pg_restore(dump: Path, database_url: str, bin_dir: Path | None = None) -> None:
    """Load a dump into an empty database in one transaction: all of it, or nothing."""
    tool = find_tool("pg_restore", bin_dir)
    _run(tool, ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", str(dump)],
         database_url)


def tables_in(engine: Engine) -> list[str]:
    """The tables a database holds (none: it is empty and may receive a restore)."""
    if engine.dialect.name == "sqlite":
        path = sqlite_path(engine.url.render_as_string(hide_password=False))
        if not path.exists() or path.stat().st_size == 0:
            return []
    return sorted(inspect(engine).get_table_names())


def clear(engine: Engine) -> None:
    """Remove everything from a database before a forced restore."""
    if engine.dialect.name == "sqlite":
        path = sqlite_path(engine.url.render_as_string(hide_password=False))
        engine.dispose()
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
            leftover.unlink(missing_ok=True)
        return
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def load_sqlite(backup_file: Path, dest: Path) -> None:
    """Put a backed-up SQLite database in place as a new private file."""
    private_file(dest)
    src = sqlite3.connect(backup_file)
    dst = sqlite3.connect(dest)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
