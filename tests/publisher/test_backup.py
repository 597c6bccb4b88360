"""Backups that restore, on both databases: taken while posts and audit rows are being written, restored
into a new instance with every post, media file and audit row the manifest counted; a changed backup and a
non-empty target are refused before anything is changed."""

from __future__ import annotations

import dataclasses
import io
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from publisher.audit import trail
from publisher.backup import database, take
from publisher.backup.errors import BackupError
from publisher.backup.restore import restore_backup
from publisher.backup.take import take_backup
from publisher.cli import main
from publisher.core import schema
from publisher.core.config import InstancePaths, Settings
from publisher.core.credential_check import unreadable_channels
from publisher.core.db import make_engine
from publisher.core.models import AuditEvent, Channel, Media, Post
from publisher.core.runtime import Runtime
from publisher.core.states import PostStatus
from publisher.media.store import media_path, store_upload
from tests.conftest import BACKENDS, new_postgres_database
from tests.factories.media import jpeg_bytes, png_bytes
from tests.factories.posts import post_row

WRITE_SECONDS = 3.0  # the writer's bound: the backup is taken in the middle of it


@contextmanager
def new_instance(rt: Runtime, tmp_path: Path) -> Iterator[InstancePaths]:
    """Where a restore goes: a new SQLite file, or a new PostgreSQL database (dropped afterwards)."""
    folder = tmp_path / "restored"
    if rt.engine.dialect.name == "sqlite":
        yield InstancePaths(folder, f"sqlite:///{folder / 'publisher.db'}", folder / "media")
        return
    with new_postgres_database("publisher_restore") as url:
        yield InstancePaths(folder, url, folder / "media")


def rows(url: str, model: type, *columns: str) -> dict[int, tuple]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            table = model.__table__
            return {row[0]: tuple(row) for row in conn.execute(select(table.c.id, *(table.c[c] for c in columns)))}
    finally:
        engine.dispose()


AUDIT_COLUMNS = ("at", "actor_id", "actor_name", "action", "post_id", "subject", "before", "after", "detail")
POST_COLUMNS = ("title", "body", "status", "content_hash", "created_at")


class Writer(threading.Thread):
    """Writes a post and two audit rows per transaction, as fast as it can, until stopped."""

    def __init__(self, rt: Runtime, office) -> None:  # noqa: ANN001
        super().__init__(daemon=True)
        self.rt, self.office, self.written, self.error = rt, office, 0, None
        self.stop = threading.Event()

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                with self.rt.sessions() as s:
                    post = post_row(s, self.office, status=PostStatus.DRAFT, title=f"Saopštenje {self.written}")
                    actor = self.office.actor("ana")
                    trail.record(s, actor, "post.create", post_id=post.id, after={"title": post.title})
                    trail.record(s, actor, "post.edit", post_id=post.id, detail={"n": self.written})
                    s.commit()
                self.written += 1
        except Exception as exc:  # noqa: BLE001 - shown by the test
            self.error = exc

    def wait_for(self, count: int, deadline: float) -> None:
        while self.written < count and time.monotonic() < deadline and self.error is None:
            time.sleep(0.01)


def test_a_backup_taken_under_write_load_restores_completely(rt, office, session, tmp_path):
    officer = office.actor("ana")
    for data in (png_bytes(), jpeg_bytes(), png_bytes(color=(1, 2, 3))):
        store_upload(session, rt.settings.media_dir, io.BytesIO(data), actor=officer, alt_text="Ministar")
    session.commit()
    writer = Writer(rt, office)
    writer.start()
    deadline = time.monotonic() + WRITE_SECONDS
    try:
        writer.wait_for(20, deadline)
        manifest = take_backup(rt.settings, tmp_path / "backup")
        written_at_backup = writer.written
        writer.wait_for(written_at_backup + 20, deadline)
    finally:
        writer.stop.set()
        writer.join(10)
    assert writer.error is None
    source = rt.settings.database_url
    source_posts = rows(source, Post, *POST_COLUMNS)
    source_audit = rows(source, AuditEvent, *AUDIT_COLUMNS)
    # The backup was taken while rows were being written: some before it, some after.
    assert 20 <= manifest.counts["posts"] < len(source_posts)
    assert manifest.counts["audit_events"] < len(source_audit)
    assert manifest.counts["media"] == 3 and manifest.missing_media == []

    with new_instance(rt, tmp_path) as target:
        restore_backup(tmp_path / "backup", target)
        posts = rows(target.database_url, Post, *POST_COLUMNS)
        audit = rows(target.database_url, AuditEvent, *AUDIT_COLUMNS)
        # Every post and audit row the manifest counted, as they are in the source, and no gap: a
        # consistent snapshot holds every row committed before its last one.
        assert len(posts) == manifest.counts["posts"]
        assert posts == {i: row for i, row in source_posts.items() if i <= max(posts)}
        assert len(audit) == manifest.counts["audit_events"] and max(audit) == manifest.audit_last_id
        assert audit == {i: row for i, row in source_audit.items() if i <= manifest.audit_last_id}
        engine = make_engine(target.database_url)
        try:  # the restored audit log is as append-only as the original: its triggers came along
            with pytest.raises(DBAPIError), engine.begin() as conn:
                conn.execute(text("UPDATE audit_events SET action = 'changed'"))
        finally:
            engine.dispose()
        restored = Runtime.from_settings(dataclasses.replace(rt.settings, database_url=target.database_url,
                                                             media_dir=target.media_dir))
        try:
            with restored.sessions() as s:
                media = s.scalars(select(Media)).all()
                assert len(media) == 3
                for item in media:
                    assert media_path(target.media_dir, item).read_bytes() == \
                        media_path(rt.settings.media_dir, item).read_bytes()
                assert s.scalar(select(Channel.id).where(Channel.name == "portal")) is not None
            assert unreadable_channels(restored) == []  # the same key reads the restored credentials
        finally:
            restored.dispose()


def test_a_changed_or_incomplete_backup_is_refused_and_nothing_is_restored(rt, office, session, tmp_path):
    store_upload(session, rt.settings.media_dir, io.BytesIO(png_bytes()), actor=office.actor("ana"))
    session.commit()
    backup = tmp_path / "backup"
    manifest = take_backup(rt.settings, backup)
    [media_file] = [name for name in manifest.files if name.startswith("media/")]
    target = InstancePaths(tmp_path / "new", f"sqlite:///{tmp_path / 'new' / 'never.db'}", tmp_path / "new" / "media")

    original = (backup / media_file).read_bytes()
    (backup / media_file).write_bytes(original[:-1] + bytes([original[-1] ^ 1]))
    with pytest.raises(BackupError, match=f"{media_file}.*does not match its checksum"):
        restore_backup(backup, target)
    (backup / media_file).unlink()
    with pytest.raises(BackupError, match=f"{media_file} is missing"):
        restore_backup(backup, target)
    (backup / media_file).write_bytes(original)
    (backup / "extra.sql").write_text("DROP TABLE posts;")
    with pytest.raises(BackupError, match="extra.sql is in the backup folder but not in its manifest"):
        restore_backup(backup, target)
    (backup / "extra.sql").unlink()
    listed = (backup / "manifest.json").read_text()
    (backup / "manifest.json").write_text(listed.replace(f'"{manifest.database_file}": ', '"elsewhere": '))
    with pytest.raises(BackupError, match=f"names '{manifest.database_file}' without its checksum"):
        restore_backup(backup, target)
    assert not target.instance_dir.exists()  # nothing was created, let alone restored


def test_restore_refuses_a_database_that_is_not_empty_unless_forced(rt, office, tmp_path):
    manifest = take_backup(rt.settings, tmp_path / "backup")
    source = InstancePaths(tmp_path / "same", rt.settings.database_url, tmp_path / "same" / "media")
    with pytest.raises(BackupError, match="is not empty"):
        restore_backup(tmp_path / "backup", source)
    with new_instance(rt, tmp_path) as target:
        restore_backup(tmp_path / "backup", target)
        with pytest.raises(BackupError, match="is not empty"):
            restore_backup(tmp_path / "backup", target)
        restore_backup(tmp_path / "backup", target, force=True)
        assert len(rows(target.database_url, Channel)) == manifest.counts["channels"] == 2


def test_a_backup_goes_only_into_a_new_or_empty_folder(rt, office, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "something").write_text("x")
    with pytest.raises(BackupError, match="is not empty"):
        take_backup(rt.settings, tmp_path / "full")
    manifest = take_backup(rt.settings, tmp_path / "b")
    modes = {p.relative_to(tmp_path / "b").as_posix(): p.stat().st_mode & 0o777 for p in (tmp_path / "b").rglob("*")}
    assert (tmp_path / "b").stat().st_mode & 0o777 == 0o700
    assert modes and set(modes.values()) <= {0o600, 0o700}
    assert set(manifest.files) | {"manifest.json"} == {name for name in modes if modes[name] == 0o600}


def test_the_commands_back_up_and_restore_an_instance_with_its_key(rt, office, session, monkeypatch, capsys,
                                                                  tmp_path):
    settings = rt.settings
    settings.instance_dir.mkdir(parents=True, exist_ok=True)
    (settings.instance_dir / "credentials.key").write_text(settings.credential_keys[0] + "\n")
    for name, value in (("PUBLISHER_DATABASE_URL", settings.database_url),
                        ("PUBLISHER_INSTANCE_DIR", str(settings.instance_dir)),
                        ("PUBLISHER_MEDIA_DIR", str(settings.media_dir))):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("PUBLISHER_CREDENTIALS_KEY", raising=False)
    session.rollback()
    assert main(["backup", str(tmp_path / "b")]) == 0
    out = capsys.readouterr().out
    assert "posts" in out and "manifest.json" in out
    with new_instance(rt, tmp_path) as target:
        monkeypatch.delenv("PUBLISHER_MEDIA_DIR")
        restore = ["restore", str(tmp_path / "b"), "--instance-dir", str(target.instance_dir),
                   "--database-url", target.database_url]
        assert main(restore) == 0, capsys.readouterr().err
        assert "every count matches" in capsys.readouterr().out
        restored = Runtime.from_settings(Settings.from_env({"PUBLISHER_INSTANCE_DIR": str(target.instance_dir),
                                                            "PUBLISHER_DATABASE_URL": target.database_url}))
        try:
            assert not restored.settings.credentials_key_created
            assert unreadable_channels(restored) == []  # the restored key reads the restored credentials
        finally:
            restored.dispose()
        assert main(restore) == 1
        assert "is not empty" in capsys.readouterr().err


@contextmanager
def database_at(backend: str, folder: Path, name: str) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{folder / name}"
        return
    with new_postgres_database(f"publisher_{name.split('.')[0]}") as url:
        yield url


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_backup_of_an_older_schema_is_migrated_after_restore_and_a_newer_one_refused(backend, tmp_path):
    settings = Settings(database_url="", media_dir=tmp_path / "media", secret_key="s",
                        credential_keys=(Fernet.generate_key().decode(),), instance_dir=tmp_path / "instance")
    with database_at(backend, tmp_path, "old.db") as old, database_at(backend, tmp_path, "new.db") as new:
        engine = make_engine(old)
        schema.upgrade(engine, "0006")
        engine.dispose()
        manifest = take_backup(dataclasses.replace(settings, database_url=old), tmp_path / "b")
        assert manifest.schema_revision == "0006"
        manifest_file = tmp_path / "b" / "manifest.json"
        original = manifest_file.read_text()
        manifest_file.write_text(original.replace('"schema_revision": "0006"', '"schema_revision": "9999"'))
        target = InstancePaths(tmp_path / "restored", new, tmp_path / "restored" / "media")
        with pytest.raises(BackupError, match="schema revision 9999 is not one this version of publisher knows"):
            restore_backup(tmp_path / "b", target)
        manifest_file.write_text(original)
        restore_backup(tmp_path / "b", target)
        engine = make_engine(new)
        try:
            assert schema.current_revision(engine) == schema.head_revision() != "0006"
        finally:
            engine.dispose()


def test_pg_dump_is_needed_only_for_postgresql_and_its_absence_is_said(rt, office, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(database, "PG_TOOLS_DIRS", tmp_path / "none")
    settings = dataclasses.replace(rt.settings, pg_bin_dir=tmp_path / "bin")
    if rt.engine.dialect.name == "sqlite":
        assert take_backup(settings, tmp_path / "b").database_file == "database.sqlite3"
        return
    with pytest.raises(BackupError, match=r"pg_dump was not found in .*/bin, on PATH .*PUBLISHER_PG_BIN_DIR"):
        take_backup(settings, tmp_path / "b")
    assert list((tmp_path / "b").iterdir()) == []  # no half backup left behind


def test_a_media_file_missing_from_the_folder_is_named_and_the_rest_restores(rt, office, session, tmp_path):
    kept, _ = store_upload(session, rt.settings.media_dir, io.BytesIO(png_bytes()), actor=office.actor("ana"))
    lost, _ = store_upload(session, rt.settings.media_dir, io.BytesIO(jpeg_bytes()), actor=office.actor("ana"))
    session.commit()
    media_path(rt.settings.media_dir, lost).unlink()
    manifest = take_backup(rt.settings, tmp_path / "b")
    assert manifest.missing_media == [lost.storage_name]
    assert f"media/{kept.storage_name}" in manifest.files
    with new_instance(rt, tmp_path) as target:
        restore_backup(tmp_path / "b", target)
        assert media_path(target.media_dir, kept).read_bytes() == png_bytes()
        assert not media_path(target.media_dir, lost).exists()


def test_a_backup_that_fails_half_way_leaves_an_empty_folder(rt, office, monkeypatch, tmp_path):
    def disk_full(*args: object) -> list[str]:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(take, "_copy_media", disk_full)
    with pytest.raises(OSError, match="No space left"):
        take_backup(rt.settings, tmp_path / "b")
    assert list((tmp_path / "b").iterdir()) == []  # the database copy made before the failure is gone


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_database_without_the_schema_is_not_backed_up(backend, tmp_path):
    with database_at(backend, tmp_path, "blank.db") as url:
        make_engine(url).dispose()  # an empty SQLite file, as any command leaves behind
        settings = Settings(database_url=url, media_dir=tmp_path / "media", secret_key="s",
                            credential_keys=(Fernet.generate_key().decode(),), instance_dir=tmp_path / "i")
        with pytest.raises(BackupError, match="holds no publisher schema: nothing to back up"):
            take_backup(settings, tmp_path / "b")
    assert list((tmp_path / "b").iterdir()) == []
