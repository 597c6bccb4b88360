"""`publisher worker` as a real subprocess, for tests that kill it, restart it or pull the database away.

    with WorkerProcess(settings, tmp_path, name="w1") as worker:   # started, and ready
        ...
        worker.kill()            # SIGKILL: no clean-up of any kind, as in a power cut or the OOM killer
        worker.start()           # a new process (a new log file, a new worker id)
        worker.terminate()       # SIGTERM, then wait: the worker finishes its sends and says it stopped
    # leaving the block SIGKILLs whatever still runs

The environment is built from a `Settings` (the names `Settings.from_env` reads), on top of ours minus
every PUBLISHER_* variable, so a developer's own settings never leak into the child. Each process writes
stdout and stderr to its own log file, `<log_dir>/<name>-<n>.log`, n counting the starts; a failure
quotes its tail. Every wait is bounded and raises `WorkerProcessError` when the bound runs out.

"Ready" is the worker's log line "worker <id> started": `Worker.start` logs it after
`run_forever` installed its SIGTERM handler, so a `terminate()` after ready is always a clean stop.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import weakref
from pathlib import Path
from typing import IO

from publisher.core.config import Settings

__all__ = ["REPO_ROOT", "WorkerProcess", "WorkerProcessError", "worker_env"]

REPO_ROOT = Path(__file__).resolve().parents[2]
COMMAND = [sys.executable, "-m", "publisher.cli", "worker"]
READY = re.compile(r"worker (\S+) started")
READY_TIMEOUT = 30.0  # imports, schema check, first heartbeat; seconds
KILL_TIMEOUT = 10.0  # the kernel reaps a SIGKILLed process at once; this only bounds a wedged wait
TERMINATE_TIMEOUT = 45.0  # the worker's own stop grace is 30 s (WorkerOptions.stop_grace_seconds)


class WorkerProcessError(RuntimeError):
    """The worker subprocess did not do what the test needed; the message quotes its log."""


def worker_env(settings: Settings, base: dict[str, str] | None = None) -> dict[str, str]:
    """The child's environment: `base` (default: ours) without PUBLISHER_*, plus the settings."""
    env = {k: v for k, v in (os.environ if base is None else base).items() if not k.startswith("PUBLISHER_")}
    env.update({
        "PUBLISHER_DATABASE_URL": settings.database_url,
        "PUBLISHER_CREDENTIALS_KEY": ",".join(settings.credential_keys),
        "PUBLISHER_SECRET_KEY": settings.secret_key,
        "PUBLISHER_INSTANCE_DIR": str(settings.instance_dir),
        "PUBLISHER_MEDIA_DIR": str(settings.media_dir),
        "PUBLISHER_TIMEZONE": settings.timezone,
        "PUBLISHER_LEASE_SECONDS": repr(float(settings.lease_seconds)),
        "PUBLISHER_HEARTBEAT_SECONDS": repr(float(settings.heartbeat_seconds)),
        "PUBLISHER_DEAD_WORKER_GRACE_SECONDS": repr(float(settings.dead_worker_grace_seconds)),
        "PUBLISHER_STALE_AFTER_MINUTES": repr(float(settings.stale_after_minutes)),
        "PUBLISHER_MAX_ATTEMPTS": str(int(settings.max_attempts)),
        "PUBLISHER_OVERDUE_ALERT_MINUTES": repr(float(settings.overdue_alert_minutes)),
        "PUBLISHER_WORKER_THREADS": str(int(settings.worker_threads)),
        "PUBLISHER_MAIL_FROM": settings.mail_from,
        "PYTHONUNBUFFERED": "1",  # the log file shows what happened up to the moment of a SIGKILL
    })
    if settings.smtp_host:
        env.update({"PUBLISHER_SMTP_HOST": settings.smtp_host, "PUBLISHER_SMTP_PORT": str(settings.smtp_port),
                    "PUBLISHER_SMTP_STARTTLS": "true" if settings.smtp_starttls else ""})
        if settings.smtp_user:
            env["PUBLISHER_SMTP_USER"] = settings.smtp_user
        if settings.smtp_password:
            env["PUBLISHER_SMTP_PASSWORD"] = settings.smtp_password
    return env


def _kill_quietly(proc: subprocess.Popen) -> None:
    """Finalizer: a worker nobody stopped must not outlive the test run."""
    with contextlib.suppress(OSError):
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=KILL_TIMEOUT)


class WorkerProcess:
    """One worker slot: at most one live process at a time; start() again after kill() for a new one."""

    def __init__(self, settings: Settings, log_dir: Path, *, name: str = "worker", cwd: Path = REPO_ROOT,
                 extra_env: dict[str, str] | None = None) -> None:
        self.settings = settings
        self.log_dir = Path(log_dir)
        self.name = name
        self.cwd = Path(cwd)
        self.env = {**worker_env(settings), **(extra_env or {})}
        self.starts = 0
        self.worker_ids: dict[int, str] = {}  # start number -> the id it logged once ready
        self.log_paths: list[Path] = []  # one per start
        self._proc: subprocess.Popen | None = None
        self._log: IO[bytes] | None = None
        self._finalizer: weakref.finalize | None = None

    # -- life cycle -----------------------------------------------------------------------------

    def start(self, *, wait: bool = True, timeout: float = READY_TIMEOUT) -> WorkerProcess:
        """Start a new process; with `wait`, return once it is dispatching (else WorkerProcessError)."""
        if self.is_alive():
            raise WorkerProcessError(f"{self.name} (pid {self.pid}) is still running; kill or terminate it first")
        self._close_log()
        self.starts += 1
        self.log_dir.mkdir(parents=True, exist_ok=True)
        path = self.log_dir / f"{self.name}-{self.starts}.log"
        self.log_paths.append(path)
        self._log = open(path, "wb")  # closed once the process is gone (terminate, __exit__, next start)
        self._proc = subprocess.Popen(COMMAND, cwd=self.cwd, env=self.env, stdin=subprocess.DEVNULL,
                                      stdout=self._log, stderr=subprocess.STDOUT)
        self._finalizer = weakref.finalize(self, _kill_quietly, self._proc)
        if wait:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> str:
        """Block until this process logged "worker <id> started"; returns the id."""
        proc = self._require_proc()
        deadline = time.monotonic() + timeout
        while True:
            found = READY.search(self.log_text())
            if found:
                self.worker_ids[self.starts] = found.group(1)
                return found.group(1)
            if proc.poll() is not None:
                raise WorkerProcessError(f"{self.name} exited with {proc.returncode} before it was ready; "
                                         f"log {self.log_path}:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise WorkerProcessError(f"{self.name} (pid {proc.pid}) not ready after {timeout:g} s; "
                                         f"log {self.log_path}:\n{self.log_tail()}")
            time.sleep(0.05)

    def is_ready(self) -> bool:
        return self._proc is not None and READY.search(self.log_text()) is not None

    def kill(self, timeout: float = KILL_TIMEOUT) -> int | None:
        """SIGKILL and reap. Returns the exit status: -9, or the earlier one if it had already exited, or
        None if it was never started."""
        proc = self._proc
        if proc is None or proc.poll() is not None:
            return None if proc is None else proc.returncode
        proc.send_signal(signal.SIGKILL)
        try:
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise WorkerProcessError(f"{self.name} (pid {proc.pid}) still there {timeout:g} s after SIGKILL") from None

    def terminate(self, timeout: float = TERMINATE_TIMEOUT) -> int:
        """SIGTERM, then wait for the clean stop. Returns the exit status (0 for a clean stop).

        A process still running after `timeout` is SIGKILLed and WorkerProcessError raised."""
        proc = self._require_proc()
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                raise WorkerProcessError(f"{self.name} (pid {proc.pid}) did not stop within {timeout:g} s of "
                                         f"SIGTERM (killed); log {self.log_path}:\n{self.log_tail()}") from None
        self._close_log()
        return proc.returncode

    def restart(self, *, wait: bool = True) -> WorkerProcess:
        """SIGKILL the current process, if any, and start a new one."""
        self.kill()
        return self.start(wait=wait)

    def is_alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def __enter__(self) -> WorkerProcess:
        if self._proc is None:
            self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            self.kill()
        finally:
            self._close_log()

    # -- what the test reads --------------------------------------------------------------------

    @property
    def pid(self) -> int | None:
        return None if self._proc is None else self._proc.pid

    @property
    def returncode(self) -> int | None:
        return None if self._proc is None else self._proc.poll()

    @property
    def log_path(self) -> Path | None:
        return self.log_paths[-1] if self.log_paths else None

    def log_text(self, path: Path | None = None) -> str:
        path = path or self.log_path
        if path is None:
            return ""
        try:
            return path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 40, path: Path | None = None) -> str:
        return "\n".join(self.log_text(path).splitlines()[-lines:]) or "(empty)"

    def all_logs(self) -> str:
        return "\n".join(f"--- {p.name} ---\n{self.log_text(p)}" for p in self.log_paths)

    def __repr__(self) -> str:
        state = "running" if self.is_alive() else f"exited {self.returncode}" if self._proc else "not started"
        return f"<WorkerProcess {self.name} pid={self.pid} starts={self.starts} {state}>"

    # -- internals -----------------------------------------------------------------------------

    def _require_proc(self) -> subprocess.Popen:
        if self._proc is None:
            raise WorkerProcessError(f"{self.name} was never started")
        return self._proc

    def _close_log(self) -> None:
        if self._log is not None and (self._proc is None or self._proc.poll() is not None):
            self._log.close()
            self._log = None
