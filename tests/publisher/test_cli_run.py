"""`publisher run --demo` as a new user meets it: a quiet start that ends with the logins."""

from __future__ import annotations

import logging
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time

import pytest
import requests
from sqlalchemy import select

from publisher.cli import _configure_logging, _RoutineToDebug, _stop_on_signals
from publisher.core import permissions
from publisher.core.models import Channel

START_TIMEOUT = 60.0  # seconds until the logins are printed
QUIET_WATCH = 3.5  # seconds of a running worker (three dispatch ticks or more) in which nothing routine is logged


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lines:
    """Every line a pipe gives, collected by a thread (so neither pipe can fill up and block the process)."""

    def __init__(self, pipe) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(pipe,), daemon=True)
        self._thread.start()

    def _read(self, pipe) -> None:
        for line in pipe:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, predicate, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(predicate(line) for line in list(self.lines)):
                return True
            time.sleep(0.05)
        return False


def test_the_demo_starts_quietly_and_ends_with_the_logins(settings, rt):
    port = free_port()
    env = {**os.environ, "PUBLISHER_DATABASE_URL": settings.database_url,
           "PUBLISHER_INSTANCE_DIR": str(settings.instance_dir),
           "PUBLISHER_MEDIA_DIR": str(settings.media_dir),
           "PUBLISHER_CREDENTIALS_KEY": ",".join(settings.credential_keys)}
    env.pop("PUBLISHER_LOG_LEVEL", None)
    process = subprocess.Popen(
        [sys.executable, "-c", "from publisher.cli import main; raise SystemExit(main())",
         "run", "--demo", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = Lines(process.stdout), Lines(process.stderr)
    try:
        assert out.wait_for(lambda line: line.startswith("(also in "), START_TIMEOUT), (out.lines, err.lines)
        time.sleep(QUIET_WATCH)
        feed = requests.get(f"http://127.0.0.1:{port}/feed/vesti.atom", timeout=10)
        started = len(err.lines)
        for _ in range(3):  # a monitor probing health says nothing in the log
            assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code == 200
        time.sleep(0.5)
    finally:
        process.send_signal(signal.SIGTERM)  # what a service manager sends; Ctrl-C's SIGINT goes the same way
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    assert process.returncode == 0, "stopped, not killed"
    assert any(line.endswith("stopped") and "worker" in line for line in err.lines), "the worker marked its stop"

    printed = out.lines[:out.lines.index(next(line for line in out.lines if line.startswith("(also in "))) + 1]
    serving = next(i for i, line in enumerate(printed) if line.startswith("publisher is serving on"))
    logins = printed.index("Demo logins (officer writes, approver approves, manager reads, head of office approves and reads, cabinet and information officer read, admin runs channels):")
    assert serving < logins, "the logins come last"
    assert printed[-1] == f"(also in {settings.instance_dir / 'demo-logins.txt'})"
    assert any(line.startswith("  ana     officer        password ana-demo-2026") for line in printed[logins:])
    shown = {line.split()[1] for line in printed[logins:] if " password " in line}
    assert shown == set(permissions.ROLES), "one demo person for each role"

    saved = settings.instance_dir / "demo-logins.txt"
    assert saved.read_text(encoding="utf-8").splitlines() == printed[logins:-1]
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600

    routine = [line for line in err.lines if "apscheduler" in line]
    assert routine == []
    assert [line for line in err.lines[started:] if "alembic" in line] == []
    assert err.lines, "the worker's own start is still logged"

    assert feed.status_code == 200 and "vesti" in feed.text
    with rt.sessions() as session:
        kinds = {c.name: c.kind for c in session.scalars(select(Channel))}
    assert kinds == {"Arhiva": "local_folder", "Vesti": "feed"}


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_the_server_stops_on_ctrl_c_and_sigterm_even_where_sigint_was_ignored(sig):
    kept = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # as a process started in a script's background inherits
        _stop_on_signals()
        with pytest.raises(KeyboardInterrupt, match=sig.name):
            os.kill(os.getpid(), sig)
            time.sleep(1)  # the handler runs here
    finally:
        for s, handler in kept.items():
            signal.signal(s, handler)


def test_routine_scheduler_lines_are_debug_lines(monkeypatch):
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])
    monkeypatch.setattr(root, "level", logging.WARNING)
    routine_logger = logging.getLogger("apscheduler.executors.default")
    monkeypatch.setattr(routine_logger, "filters", [])
    monkeypatch.setattr(logging.getLogger("apscheduler.scheduler"), "filters", [])
    monkeypatch.setenv("PUBLISHER_LOG_LEVEL", "INFO")
    _configure_logging()
    seen: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = seen.append
    root.addHandler(handler)

    routine_logger.info('Running job "wake" (scheduled at …)')
    routine_logger.warning("Run time of job was missed by 0:00:03")
    assert [(r.levelname, r.getMessage()) for r in seen] == [("WARNING", "Run time of job was missed by 0:00:03")]

    root.setLevel(logging.DEBUG)
    routine_logger.info('Job "wake" executed successfully')
    assert (seen[-1].levelname, seen[-1].getMessage()) == ("DEBUG", 'Job "wake" executed successfully')
    assert sum(isinstance(f, _RoutineToDebug) for f in routine_logger.filters) == 1
