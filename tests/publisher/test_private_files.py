"""What publisher writes to disk is its own user's only: the SQLite database and its -wal and -shm files
0600, the instance, media and key folders 0700, the key files and media files 0600, under a umask that would
otherwise let everyone read them."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from publisher.core.config import Settings
from publisher.core.db import make_engine
from publisher.media.store import media_path, store_upload
from tests.factories.media import png_bytes


@pytest.fixture
def open_umask():
    before = os.umask(0o022)
    yield
    os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_sqlite_database_and_its_wal_files_are_created_0600(tmp_path, open_umask):
    path = tmp_path / "instance" / "publisher.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
        with engine.connect() as conn:  # open: the -wal and -shm files exist now
            conn.execute(text("SELECT x FROM t")).all()
            files = {p.name: mode(p) for p in path.parent.iterdir()}
    finally:
        engine.dispose()
    assert files == {"publisher.db": 0o600, "publisher.db-wal": 0o600, "publisher.db-shm": 0o600}
    assert mode(path.parent) == 0o700


def test_the_instance_folder_and_its_keys_are_private(tmp_path, open_umask):
    settings = Settings.from_env({"PUBLISHER_INSTANCE_DIR": str(tmp_path / "a" / "instance")})
    assert settings.credentials_key_created and settings.credentials_key_file == tmp_path / "a" / "instance" / "credentials.key"
    assert mode(tmp_path / "a") == mode(tmp_path / "a" / "instance") == 0o700
    assert {p.name: mode(p) for p in (tmp_path / "a" / "instance").iterdir()} == {"secret_key": 0o600,
                                                                                  "credentials.key": 0o600}
    assert not Settings.from_env({"PUBLISHER_INSTANCE_DIR": str(tmp_path / "a" / "instance")}).credentials_key_created


def test_media_files_and_their_folders_are_private(rt, office, session, open_umask):
    media, _ = store_upload(session, rt.settings.media_dir, io.BytesIO(png_bytes()), actor=office.actor("ana"))
    session.commit()
    stored = media_path(rt.settings.media_dir, media)
    assert mode(stored) == 0o600
    assert mode(stored.parent) == mode(rt.settings.media_dir) == mode(rt.settings.media_dir / ".incoming") == 0o700
