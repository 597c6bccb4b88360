"""The documents' files: private, whole, shared by equal bytes, kept while a row or an open upload needs them,
and cleaned when nothing does."""

from __future__ import annotations

import io
import os
import stat
import time

import pytest

from publisher.cli import main
from publisher.documents import attaching, store
from publisher.documents.sniffing import DocumentLimits, DocumentRefused
from tests.factories import documents as docs
from tests.publisher import test_documents_attaching as attaching_tests

root, post, files_in = attaching_tests.root, attaching_tests.post, attaching_tests.files_in  # the same fixtures


def test_stored_files_and_their_folders_are_private(session, root, office, post):
    document = attaching.attach_upload(session, root, office.actor("ana"), "post", post.id,
                                       io.BytesIO(docs.pdf_bytes()), filename="a.pdf")
    session.commit()
    path = root / document.current.storage_name
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(root.stat().st_mode) == 0o700


class Endless(io.RawIOBase):
    """An upload that never ends: the store must stop reading at the limit, not at the end."""

    def __init__(self) -> None:
        self.given = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        buffer[:] = b"%" * len(buffer)
        self.given += len(buffer)
        return len(buffer)


def test_an_upload_over_the_limit_is_cut_off_as_it_is_read(session, root):
    stream = Endless()
    with pytest.raises(DocumentRefused) as caught:
        store.store(session, root, io.BufferedReader(stream), "velika.pdf", DocumentLimits(max_bytes=3 * 2**20))
    assert caught.value.code == "too_large"
    assert stream.given <= 5 * 2**20
    assert files_in(root) == []


def test_a_rollback_keeps_a_file_another_committed_version_names(rt, session, root, office, post):
    kept = attaching.attach_upload(session, root, office.actor("ana"), "post", post.id,
                                   io.BytesIO(docs.pdf_bytes()), filename="a.pdf")
    session.commit()
    with rt.sessions() as other:
        attaching.attach_upload(other, root, office.actor("bojan"), "post", post.id, io.BytesIO(docs.pdf_bytes()),
                                filename="b.pdf")
        other.rollback()
    assert files_in(root) == [kept.current.sha256 + ".pdf"]


def test_a_rollback_keeps_a_file_an_open_upload_of_the_same_bytes_has_claimed(rt, session, root, office, post):
    with rt.sessions() as first, rt.sessions() as second:
        store.store(first, root, io.BytesIO(docs.pdf_bytes()), "a.pdf")
        claimed = store.store(second, root, io.BytesIO(docs.pdf_bytes()), "b.pdf")
        first.rollback()
        assert files_in(root) == [claimed.sha256 + ".pdf"]  # the second upload may still commit its row
        second.rollback()
    assert files_in(root) == []


def test_clean_removes_orphans_and_stale_temporary_files_only(cli_env, capsys, session, root, office, post):
    document = attaching.attach_upload(session, root, office.actor("ana"), "post", post.id,
                                       io.BytesIO(docs.pdf_bytes()), filename="a.pdf")
    session.commit()
    orphan = root / "ff" / ("ff" * 32 + ".pdf")
    orphan.parent.mkdir()
    orphan.write_bytes(b"%PDF-")
    stale, fresh = root / store.INCOMING / "upload-old", root / store.INCOMING / "upload-new"
    stale.write_bytes(b"x")
    fresh.write_bytes(b"x")
    old = time.time() - store.STALE_INCOMING_SECONDS - 60
    os.utime(stale, (old, old))

    assert main(["documents", "clean", "--dry-run"]) == 0
    assert "would remove 2 document file(s)" in capsys.readouterr().out
    assert orphan.exists() and stale.exists()

    assert main(["documents", "clean"]) == 0
    assert "removed 2 document file(s)" in capsys.readouterr().out
    assert sorted(files_in(root)) == sorted([document.current.sha256 + ".pdf", "upload-new"])


@pytest.fixture
def cli_env(monkeypatch, settings):
    monkeypatch.setenv("PUBLISHER_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PUBLISHER_CREDENTIALS_KEY", ",".join(settings.credential_keys))
    monkeypatch.setenv("PUBLISHER_INSTANCE_DIR", str(settings.instance_dir))
    monkeypatch.setenv("PUBLISHER_MEDIA_DIR", str(settings.media_dir))


def test_a_backup_carries_every_version_and_a_restore_puts_them_back(rt, session, root, office, post, tmp_path):
    from publisher.backup.restore import restore_backup  # noqa: PLC0415
    from publisher.backup.take import take_backup  # noqa: PLC0415
    from tests.publisher.test_backup import new_instance  # noqa: PLC0415

    workbook = docs.xlsx_bytes()  # openpyxl dates its parts: made once
    document = attaching.attach_upload(session, root, office.actor("ana"), "post", post.id,
                                       io.BytesIO(docs.pdf_bytes()), filename="a.pdf")
    attaching.add_version(session, root, office.actor("ana"), "post", post.id, document.id,
                          io.BytesIO(workbook), filename="b.xlsx")
    session.commit()
    manifest = take_backup(rt.settings, tmp_path / "b")
    names = {f"media/documents/{v.storage_name}" for v in document.versions}
    assert names <= set(manifest.files) and manifest.missing_media == []
    with new_instance(rt, tmp_path) as target:
        restore_backup(tmp_path / "b", target)
        restored = store.documents_dir(target.media_dir)
        assert {v.number: (restored / v.storage_name).read_bytes() for v in document.versions} == \
            {1: docs.pdf_bytes(), 2: workbook}
