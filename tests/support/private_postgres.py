"""A throwaway PostgreSQL server for tests that need to stop and start "the database" at will.

    with PrivatePostgres(tmp_path) as pg:
        pg.start()                               # initdb on the first start, then pg_ctl start -w
        engine = create_engine(pg.url.replace("postgresql://", "postgresql+psycopg://"))
        pg.restart(down_for=1.0)                 # stop, stay down a second, come back on the same port
        pg.stop("immediate")                     # a crash, as far as clients can tell
        pg.start()                               # crash recovery, same data, same port
    # leaving the block stops the server (immediate) and deletes its data

The machine's shared server (127.0.0.1:5432) is never touched: each instance gets a cluster of
its own (initdb), listens on a free loopback port only, and keeps its unix socket in its own
directory, not in /var/run/postgresql. It is tuned for speed, not durability (fsync=off,
initdb --no-sync): a stop/start keeps every committed row, a power cut would not.

Binaries: the highest /usr/lib/postgresql/<version>/bin that has initdb, pg_ctl and postgres
(Debian's layout), else whatever PATH finds. `find_postgres_binaries()` raises
`PostgresUnavailable` when there are none, so that a test can fail in CI and skip elsewhere.

Running as root: PostgreSQL refuses to run as root, so as root every command runs as the
`postgres` system user (the Debian package creates it), switched to by `subprocess` itself
(user=/group=/extra_groups=, i.e. setgroups+setregid+setreuid in the child; no runuser, su or PAM
involved). As any other user the commands run as that user.

Where the files live: the cluster (data directory, unix socket, server log) lives in a directory
of its own made by `tempfile.mkdtemp(prefix="publisher-pg-")` in the system temp dir (/tmp), mode
0755 and owned by `postgres`. Not inside `base_dir`, because pytest's tmp_path sits under
/tmp/pytest-of-root/, which is mode 0700 and so closed to the postgres user, and opening it up
would weaken what pytest protects on purpose; a short path also keeps the socket path under the
kernel's 107-byte limit. `base_dir` only receives a copy of the server log (`postgres.log`) when
the instance is closed, so a failed test's tmp_path still shows what the server said.

Every failure raises `PrivatePostgresError` with the command, its exit status, its stderr and
(when the server was involved) the tail of the server log. Every command has a timeout. A server
left running by a test that forgot close() is stopped (immediate) and deleted when the object is
garbage-collected or at interpreter exit; only a SIGKILLed test run leaves one behind, in
/tmp/publisher-pg-*, on a port nobody else uses.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
import weakref
from dataclasses import dataclass
from pathlib import Path

import psycopg

__all__ = [
    "PostgresBinaries",
    "PostgresUnavailable",
    "PrivatePostgres",
    "PrivatePostgresError",
    "find_postgres_binaries",
]

COMMAND_TIMEOUT = 60.0  # seconds, for every subprocess
START_TIMEOUT = 30  # seconds pg_ctl -w waits for the server to accept connections
SERVER_USER = "postgres"  # the system user that runs the server when we are root
DATABASE = "test"
STOP_MODES = ("smart", "fast", "immediate")
DEBIAN_BIN_GLOB = "/usr/lib/postgresql/*/bin"
REQUIRED_BINARIES = ("initdb", "pg_ctl", "postgres")
MAX_SOCKET_PATH = 107  # sizeof(sockaddr_un.sun_path) - 1 on Linux
PORT_ATTEMPTS = 3  # a port picked by us and taken before the server bound it: pick another


class PrivatePostgresError(RuntimeError):
    """Something about the private PostgreSQL server failed; the message says what and why."""


class PostgresUnavailable(PrivatePostgresError):
    """The machine cannot run a private server: no PostgreSQL binaries, or root without `postgres`."""


@dataclass(frozen=True)
class PostgresBinaries:
    initdb: Path
    pg_ctl: Path
    postgres: Path


def _version_key(bin_dir: Path) -> tuple[int, ...]:
    """/usr/lib/postgresql/15/bin -> (15,); 9.6 -> (9, 6); anything else sorts first."""
    parts = re.findall(r"\d+", bin_dir.parent.name)
    return tuple(int(p) for p in parts) if parts else (-1,)


def find_postgres_binaries() -> PostgresBinaries:
    """initdb, pg_ctl and postgres of the newest installed PostgreSQL; PostgresUnavailable if none."""
    candidates = sorted((Path(p) for p in glob.glob(DEBIAN_BIN_GLOB)), key=_version_key, reverse=True)
    for bin_dir in candidates:
        paths = [bin_dir / name for name in REQUIRED_BINARIES]
        if all(p.is_file() and os.access(p, os.X_OK) for p in paths):
            return PostgresBinaries(*paths)
    found = {name: shutil.which(name) for name in REQUIRED_BINARIES}
    if all(found.values()):
        return PostgresBinaries(*(Path(found[name]) for name in REQUIRED_BINARIES))
    missing = ", ".join(name for name, path in found.items() if not path)
    raise PostgresUnavailable(
        f"PostgreSQL server binaries not found: nothing complete in {DEBIAN_BIN_GLOB} and "
        f"{missing} not on PATH (Debian: apt-get install postgresql)"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class _RunAs:
    """Who the PostgreSQL commands run as: subprocess keyword arguments plus uid/gid for chown."""

    uid: int | None = None  # None: as ourselves
    gid: int | None = None
    home: str | None = None

    @classmethod
    def for_current_process(cls) -> _RunAs:
        if os.geteuid() != 0:
            return cls()
        try:
            entry = pwd.getpwnam(SERVER_USER)
        except KeyError:
            raise PostgresUnavailable(
                f"running as root, and PostgreSQL refuses root, but there is no '{SERVER_USER}' "
                "system user to run it as (the Debian postgresql package creates it)"
            ) from None
        return cls(uid=entry.pw_uid, gid=entry.pw_gid, home=entry.pw_dir)

    def popen_kwargs(self) -> dict:
        if self.uid is None:
            return {}
        return {"user": self.uid, "group": self.gid, "extra_groups": []}

    def chown(self, path: Path) -> None:
        if self.uid is not None:
            os.chown(path, self.uid, self.gid)


def _clean_env(run_as: _RunAs) -> dict[str, str]:
    """Our environment minus PG* variables (PGDATA, PGPORT... would redirect the commands)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    if run_as.home is not None:
        env["HOME"] = run_as.home
    env["LC_ALL"] = "C.UTF-8"  # messages we parse, and no warnings about a missing locale
    return env


def _run(argv: list[str], run_as: _RunAs, cwd: Path, *, check: bool = True) -> subprocess.CompletedProcess:
    try:
        result = subprocess.run(
            argv,
            cwd=cwd,
            env=_clean_env(run_as),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            **run_as.popen_kwargs(),
        )
    except subprocess.TimeoutExpired as exc:
        raise PrivatePostgresError(
            f"{' '.join(argv)} timed out after {COMMAND_TIMEOUT:.0f} s; stderr: {_text(exc.stderr)}"
        ) from None
    except OSError as exc:
        raise PrivatePostgresError(f"{' '.join(argv)} could not be run: {exc}") from exc
    if check and result.returncode != 0:
        raise PrivatePostgresError(
            f"{' '.join(argv)} exited with {result.returncode}; stderr: {result.stderr.strip() or '(empty)'}"
            + (f"; stdout: {result.stdout.strip()}" if result.stdout.strip() else "")
        )
    return result


def _text(data: bytes | str | None) -> str:
    if data is None:
        return "(none)"
    if isinstance(data, bytes):
        data = data.decode(errors="replace")
    return data.strip() or "(empty)"


def _cleanup(pg_ctl: str, data_dir: Path, instance_dir: Path, run_as: _RunAs) -> None:
    """Last resort for an instance nobody closed: no exceptions, no reference to the instance."""
    with contextlib.suppress(Exception):
        if (data_dir / "postmaster.pid").exists():
            _run(
                [pg_ctl, "stop", "-D", str(data_dir), "-m", "immediate", "-w"],
                run_as,
                instance_dir,
                check=False,
            )
    shutil.rmtree(instance_dir, ignore_errors=True)


class PrivatePostgres:
    """A throwaway PostgreSQL server on a free loopback port, owned by the test that made it."""

    def __init__(self, base_dir: Path, *, port: int | None = None) -> None:
        self.base_dir = Path(base_dir)
        self.binaries = find_postgres_binaries()
        self._run_as = _RunAs.for_current_process()
        self._port_given = port is not None
        self._port = port if port is not None else _free_port()
        self._initialized = False
        self._closed = False

        self.base_dir.mkdir(parents=True, exist_ok=True)
        self.instance_dir = Path(tempfile.mkdtemp(prefix="publisher-pg-"))
        # From here on the directory exists: make sure it goes away however this object ends.
        self._finalizer = weakref.finalize(
            self,
            _cleanup,
            str(self.binaries.pg_ctl),
            self.instance_dir / "data",
            self.instance_dir,
            self._run_as,
        )
        try:
            os.chmod(self.instance_dir, 0o755)
            self._run_as.chown(self.instance_dir)
            self._check_reachable()
        except Exception:
            self._finalizer()
            raise

    # -- public API -----------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self._port}/{DATABASE}"

    @property
    def data_dir(self) -> Path:
        return self.instance_dir / "data"

    @property
    def socket_dir(self) -> Path:
        return self.instance_dir

    @property
    def log_path(self) -> Path:
        """The server log while the instance lives; copied to base_dir/postgres.log by close()."""
        return self.instance_dir / "postgres.log"

    def start(self) -> None:
        """Start the server (initdb and CREATE DATABASE test the first time); returns once it accepts connections."""
        self._check_open()
        if self.is_running():
            raise PrivatePostgresError(f"the private PostgreSQL on port {self._port} is already running")
        if not self._initialized:
            self._initdb()
        for attempt in range(1, PORT_ATTEMPTS + 1):
            self._write_settings()
            result = _run(
                self._pg_ctl("start", "-w", "-t", str(START_TIMEOUT), "-l", str(self.log_path)),
                self._run_as,
                self.instance_dir,
                check=False,
            )
            if result.returncode == 0:
                break
            log = self._log_tail()
            port_taken = "could not bind" in log or "Address already in use" in log
            if port_taken and not self._port_given and not self._initialized and attempt < PORT_ATTEMPTS:
                self._port = _free_port()  # lost the race for the port we picked: pick again
                continue
            raise PrivatePostgresError(
                f"pg_ctl start (port {self._port}, data {self.data_dir}) exited with {result.returncode}; "
                f"stderr: {result.stderr.strip() or '(empty)'}; server log:\n{log}"
            )
        if not self._initialized:
            try:
                self._create_database()
            except PrivatePostgresError:
                _run(
                    self._pg_ctl("stop", "-m", "immediate", "-w"),
                    self._run_as,
                    self.instance_dir,
                    check=False,
                )
                raise
            self._initialized = True

    def stop(self, mode: str = "fast") -> None:
        """pg_ctl stop -m <mode> -w: "fast" disconnects clients cleanly, "immediate" is a crash. No-op when stopped."""
        if mode not in STOP_MODES:
            raise ValueError(f"stop mode must be one of {', '.join(STOP_MODES)}, not {mode!r}")
        self._check_open()
        if not self.is_running():
            return
        result = _run(
            self._pg_ctl("stop", "-m", mode, "-w", "-t", str(START_TIMEOUT)),
            self._run_as,
            self.instance_dir,
            check=False,
        )
        if result.returncode != 0:
            raise PrivatePostgresError(
                f"pg_ctl stop -m {mode} (port {self._port}) exited with {result.returncode}; "
                f"stderr: {result.stderr.strip() or '(empty)'}; server log:\n{self._log_tail()}"
            )

    def restart(self, down_for: float = 0.0, *, mode: str = "fast") -> None:
        """Stop (fast, or mode), stay down for down_for seconds, start again on the same port."""
        self.stop(mode)
        if down_for > 0:
            time.sleep(down_for)
        self.start()

    def is_running(self) -> bool:
        if self._closed or not (self.data_dir / "PG_VERSION").exists():
            return False
        result = _run(self._pg_ctl("status"), self._run_as, self.instance_dir, check=False)
        if result.returncode == 0:
            return True
        if result.returncode == 3:  # "no server running"
            return False
        raise PrivatePostgresError(
            f"pg_ctl status exited with {result.returncode}; stderr: {result.stderr.strip() or '(empty)'}"
        )

    def close(self) -> None:
        """Stop the server (immediate) if it runs, keep its log in base_dir, delete everything else. Idempotent."""
        if self._closed:
            return
        try:
            if self.is_running():
                self.stop("immediate")
        finally:
            self._closed = True
            with contextlib.suppress(OSError):
                if self.log_path.exists():
                    shutil.copyfile(self.log_path, self.base_dir / "postgres.log")
            self._finalizer()  # runs _cleanup once: rmtree of the instance dir, and then detaches
        if self.instance_dir.exists():
            raise PrivatePostgresError(f"could not remove {self.instance_dir}")

    def __enter__(self) -> PrivatePostgres:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else ("initialized" if self._initialized else "new")
        return f"<PrivatePostgres 127.0.0.1:{self._port} {self.instance_dir} {state}>"

    # -- internals --------------------------------------------------------------------------

    def _pg_ctl(self, command: str, *args: str) -> list[str]:
        return [str(self.binaries.pg_ctl), command, "-D", str(self.data_dir), *args]

    def _check_open(self) -> None:
        if self._closed:
            raise PrivatePostgresError(f"this private PostgreSQL was closed ({self.instance_dir} is gone)")

    def _check_reachable(self) -> None:
        """The server user must be able to reach instance_dir, and the socket path must fit."""
        socket_path = self.socket_dir / f".s.PGSQL.{self._port}"
        if len(str(socket_path)) > MAX_SOCKET_PATH - 2:  # room for a 6-digit port never hurts
            raise PrivatePostgresError(
                f"unix socket path {socket_path} is too long; set TMPDIR to a shorter directory"
            )
        if self._run_as.uid is None:
            return
        for parent in self.instance_dir.parents:
            st = parent.stat()
            if not (st.st_mode & 0o001 or (st.st_uid == self._run_as.uid and st.st_mode & 0o100)):
                raise PrivatePostgresError(
                    f"the '{SERVER_USER}' user cannot traverse {parent} (mode {oct(st.st_mode & 0o777)}), so it "
                    f"cannot reach {self.instance_dir}; set TMPDIR to a world-traversable directory such as /tmp"
                )

    def _initdb(self) -> None:
        if self.data_dir.exists():
            shutil.rmtree(self.data_dir)  # a half-made cluster from a failed first start
        _run(
            [
                str(self.binaries.initdb),
                "-D",
                str(self.data_dir),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
                "--no-instructions",
            ],
            self._run_as,
            self.instance_dir,
        )
        with open(self.data_dir / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("\n# Settings of this throwaway instance (tests/support/private_postgres.py)\n")
            conf.write("include 'private.conf'\n")

    def _write_settings(self) -> None:
        """private.conf, rewritten on every start (port may change before the first successful start)."""
        path = self.data_dir / "private.conf"
        path.write_text(
            "\n".join(
                [
                    "listen_addresses = '127.0.0.1'",
                    f"port = {self._port}",
                    f"unix_socket_directories = '{self.socket_dir}'",
                    # fsync=off only: a crash of the server (stop -m immediate) keeps every commit, since
                    # the WAL is still written to the OS; synchronous_commit=off would lose the last ones.
                    "fsync = off",
                    "shared_buffers = 32MB",
                    "max_connections = 50",
                    "",
                ]
            ),
            encoding="utf-8",
        )
        self._run_as.chown(path)

    def _create_database(self) -> None:
        dsn = f"postgresql://postgres@127.0.0.1:{self._port}/postgres"
        try:
            with psycopg.connect(dsn, autocommit=True, connect_timeout=10) as conn:
                conn.execute(f'CREATE DATABASE "{DATABASE}"')
        except psycopg.Error as exc:
            raise PrivatePostgresError(
                f"CREATE DATABASE {DATABASE} on port {self._port} failed: {exc}; server log:\n{self._log_tail()}"
            ) from exc

    def _log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            return f"(no server log: {exc})"
        return "\n".join(text.splitlines()[-lines:]) or "(empty)"
