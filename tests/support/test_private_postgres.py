"""PrivatePostgres: a server of the test's own that it can stop, crash and restart.

Needs the PostgreSQL server binaries (Debian: package postgresql). Without them these tests fail
when CI=true and skip otherwise. Every wait is bounded; the module runs in a few seconds.
"""

from __future__ import annotations

import os
import socket
import stat
import threading
import time
from pathlib import Path

import psycopg
import pytest
import sqlalchemy.exc
from sqlalchemy import create_engine, text

from tests.support import private_postgres
from tests.support.private_postgres import (
    PostgresUnavailable,
    PrivatePostgres,
    PrivatePostgresError,
    find_postgres_binaries,
)

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def make_private_postgres(base_dir: Path, **kwargs) -> PrivatePostgres:
    """A PrivatePostgres, or a failed test in CI / a skipped one elsewhere when the machine has none."""
    try:
        return PrivatePostgres(base_dir, **kwargs)
    except PostgresUnavailable as exc:
        message = f"a private PostgreSQL server cannot run here: {exc}"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


@pytest.fixture
def pg(tmp_path: Path):
    with make_private_postgres(tmp_path) as instance:
        yield instance


def connect(url: str) -> psycopg.Connection:
    return psycopg.connect(url, connect_timeout=3, autocommit=True)


def test_start_serves_a_database_of_its_own(pg: PrivatePostgres):
    started = time.monotonic()
    pg.start()
    assert time.monotonic() - started < 15, "initdb + start should take a few seconds at most"

    assert pg.is_running()
    assert pg.port != 5432
    assert pg.url == f"postgresql://postgres@127.0.0.1:{pg.port}/test"
    with connect(pg.url) as conn:
        conn.execute("CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL)")
        conn.execute("INSERT INTO notes VALUES (1, 'прва вест')")
        assert conn.execute("SELECT body FROM notes").fetchall() == [("прва вест",)]
        assert conn.execute("SELECT current_database(), current_user").fetchone() == ("test", "postgres")
        assert conn.execute("SHOW listen_addresses").fetchone() == ("127.0.0.1",)
        assert conn.execute("SHOW unix_socket_directories").fetchone() == (str(pg.socket_dir),)
        assert conn.execute("SHOW fsync").fetchone() == ("off",)
        assert conn.execute("SHOW server_encoding").fetchone() == ("UTF8",)
    assert stat.S_ISSOCK((pg.socket_dir / f".s.PGSQL.{pg.port}").stat().st_mode)


def test_restart_refuses_connections_while_down_and_keeps_the_data(pg: PrivatePostgres):
    pg.start()
    port, url = pg.port, pg.url
    with connect(url) as conn:
        conn.execute("CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL)")
        conn.execute("INSERT INTO notes VALUES (1, 'survives')")

    errors: list[BaseException] = []

    def restart() -> None:
        try:
            pg.restart(down_for=1.0)
        except BaseException as exc:  # handed to the test thread below
            errors.append(exc)

    restarter = threading.Thread(target=restart, name="pg-restart")
    restarter.start()
    refused = None
    deadline = time.monotonic() + 10
    while refused is None and restarter.is_alive() and time.monotonic() < deadline:
        try:
            connect(url).close()
        except psycopg.OperationalError as exc:
            refused = exc
        else:
            time.sleep(0.05)
    restarter.join(timeout=30)
    assert not restarter.is_alive(), "restart(down_for=1) did not finish within 30 s"
    if errors:
        raise errors[0]

    assert refused is not None, "no connection attempt failed while the server was down"
    assert pg.is_running()
    assert (pg.port, pg.url) == (port, url)
    with connect(url) as conn:
        assert conn.execute("SELECT id, body FROM notes").fetchall() == [(1, "survives")]


def test_pooled_engine_with_pre_ping_works_again_after_a_restart(pg: PrivatePostgres):
    pg.start()
    sa_url = pg.url.replace("postgresql://", "postgresql+psycopg://")
    engine = create_engine(sa_url, pool_pre_ping=True)
    no_ping = create_engine(sa_url)  # the control: shows the restart really broke pooled connections
    try:
        with engine.connect() as conn:
            pid_before = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with no_ping.connect() as conn:
            conn.execute(text("SELECT 1"))
        assert engine.pool.checkedin() == 1 and no_ping.pool.checkedin() == 1

        pg.restart(down_for=1.0)

        with pytest.raises(sqlalchemy.exc.OperationalError), no_ping.connect() as conn:
            conn.execute(text("SELECT 1"))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar_one() == 1
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid_before
    finally:
        engine.dispose()
        no_ping.dispose()


def test_immediate_stop_is_a_crash_that_keeps_committed_rows(pg: PrivatePostgres):
    pg.start()
    with connect(pg.url) as conn:
        conn.execute("CREATE TABLE notes (id int PRIMARY KEY)")
        conn.execute("INSERT INTO notes VALUES (1)")

    pg.stop("immediate")
    assert not pg.is_running()
    with pytest.raises(psycopg.OperationalError):
        connect(pg.url)
    pg.stop()  # stopping a stopped server is a no-op
    with pytest.raises(ValueError):
        pg.stop("gentle")

    pg.start()
    with connect(pg.url) as conn:
        assert conn.execute("SELECT id FROM notes").fetchall() == [(1,)]
    with pytest.raises(PrivatePostgresError, match="already running"):
        pg.start()


def test_close_removes_the_data_dir_and_is_idempotent(tmp_path: Path):
    base_dir = tmp_path / "pg"
    with make_private_postgres(base_dir) as pg:
        pg.start()
        data_dir, url = pg.data_dir, pg.url
        assert (data_dir / "PG_VERSION").is_file()

    assert not data_dir.exists()
    assert not pg.instance_dir.exists()
    assert not pg.is_running()
    assert "database system is ready to accept connections" in (base_dir / "postgres.log").read_text()
    with pytest.raises(psycopg.OperationalError):
        connect(url)
    pg.close()  # again: nothing to do
    with pytest.raises(PrivatePostgresError, match="closed"):
        pg.start()


def test_a_failed_start_says_why(tmp_path: Path):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        busy_port = squatter.getsockname()[1]
        with make_private_postgres(tmp_path, port=busy_port) as pg:
            with pytest.raises(PrivatePostgresError, match="pg_ctl start") as failure:
                pg.start()
            assert "could not bind" in str(failure.value) or "already in use" in str(failure.value)
            assert not pg.is_running()


def _fake_binaries(bin_dir: Path) -> None:
    bin_dir.mkdir(parents=True)
    for name in ("initdb", "pg_ctl", "postgres"):
        (bin_dir / name).write_text("#!/bin/sh\nexit 1\n")
        (bin_dir / name).chmod(0o755)


def test_binaries_come_from_the_newest_complete_debian_install_then_path(tmp_path, monkeypatch):
    root = tmp_path / "postgresql"
    _fake_binaries(root / "9.6" / "bin")
    _fake_binaries(root / "15" / "bin")
    (root / "16" / "bin").mkdir(parents=True)  # only the client package: no server
    (root / "16" / "bin" / "psql").write_text("")
    monkeypatch.setattr(private_postgres, "DEBIAN_BIN_GLOB", str(root / "*" / "bin"))
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    assert find_postgres_binaries().pg_ctl == root / "15" / "bin" / "pg_ctl"

    monkeypatch.setattr(private_postgres, "DEBIAN_BIN_GLOB", str(tmp_path / "none" / "*" / "bin"))
    with pytest.raises(PostgresUnavailable, match="not found"):
        find_postgres_binaries()

    _fake_binaries(tmp_path / "on-path")
    monkeypatch.setenv("PATH", str(tmp_path / "on-path"))
    assert find_postgres_binaries().initdb == tmp_path / "on-path" / "initdb"
