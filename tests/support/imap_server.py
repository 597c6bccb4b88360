"""A real IMAP server on 127.0.0.1 for the mailbox reader's tests: Debian's dovecot, run unprivileged with a
config, maildirs, logs and sockets in a temporary folder (tests/support/install_dovecot.sh installs it).

    with ImapServer(tmp_path) as imap:          # one user, IMAP_USER / IMAP_PASSWORD
        imap.append("INBOX", raw_bytes)         # over IMAP, as a mail server would deliver it
        imap.port, imap.tls_port                # plain (STARTTLS offered) and implicit TLS
        imap.certificate                        # the self-signed certificate both ports present

Bounded: it starts within START_SECONDS or raises ImapUnavailable, and `stop` ends it (its whole process
group) within a few seconds.
"""

from __future__ import annotations

import getpass
import grp
import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.support.smtp_server import free_port, self_signed_certificate

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
IMAP_USER = "press"
IMAP_PASSWORD = "lozinka-za-postu"
START_SECONDS = 15.0


class ImapUnavailable(RuntimeError):
    """dovecot is not installed or did not start; the message says why."""


class ImapServer:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.tls_port = free_port()
        self.process: subprocess.Popen | None = None
        self.base_dir: Path | None = None

    # -- life cycle -------------------------------------------------------------------------------

    def __enter__(self) -> ImapServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        if not os.path.exists(DOVECOT):
            raise ImapUnavailable(f"{DOVECOT} not found (run tests/support/install_dovecot.sh)")
        self.folder.mkdir(parents=True, exist_ok=True)
        self.certificate, key = self_signed_certificate(self.folder)
        config = self._write_config(key)
        self.log = self.folder / "dovecot.log"
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(config)], stdout=subprocess.DEVNULL,
                                        stderr=open(self.folder / "dovecot.stderr", "wb"),  # noqa: SIM115
                                        start_new_session=True)
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ImapUnavailable(f"dovecot exited with {self.process.returncode}: {self._why()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as probe:
                    if probe.recv(200).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise ImapUnavailable(f"dovecot did not answer on port {self.port} within {START_SECONDS:g} s: {self._why()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        if self.base_dir is not None and self.base_dir != self.folder / "run":
            shutil.rmtree(self.base_dir, ignore_errors=True)

    # -- the mailbox ------------------------------------------------------------------------------

    def client(self) -> imaplib.IMAP4:
        imap = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        imap.login(IMAP_USER, IMAP_PASSWORD)
        return imap

    def append(self, folder: str, raw: bytes, flags: str = "") -> None:
        imap = self.client()
        try:
            if folder != "INBOX":
                imap.create(folder)  # NO when it exists: fine
            kind, data = imap.append(folder, flags or None, None, raw)
            assert kind == "OK", data
        finally:
            imap.logout()

    def uids(self, folder: str = "INBOX", criteria: str = "ALL") -> list[int]:
        imap = self.client()
        try:
            imap.select(folder, readonly=True)
            kind, data = imap.uid("SEARCH", criteria)
            return [int(u) for u in data[0].split()]
        finally:
            imap.logout()

    def flags(self, uid: int, folder: str = "INBOX") -> bytes:
        imap = self.client()
        try:
            imap.select(folder, readonly=True)
            kind, data = imap.uid("FETCH", str(uid), "(FLAGS)")
            return data[0] or b""
        finally:
            imap.logout()

    # -- internals --------------------------------------------------------------------------------

    def _write_config(self, key: Path) -> Path:
        """Unprivileged as whoever runs the tests; as root (a container), dovecot insists on its own system
        accounts for the login and internal processes, and those need a base_dir they can reach."""
        uid, gid = os.getuid(), os.getgid()
        if uid == 0:
            login_user, internal_user, internal_group = "dovenull", "dovecot", "dovecot"
            self.base_dir = Path(tempfile.mkdtemp(prefix="dovecot-run-"))
            self.base_dir.chmod(0o755)
            services = ""
            # Nor will it give anyone's mail to uid 0: the mailbox belongs to its internal account.
            uid, gid = pwd.getpwnam(internal_user).pw_uid, grp.getgrnam(internal_group).gr_gid
            mail = self.base_dir / "mail"
        else:
            me = getpass.getuser()
            login_user, internal_user, internal_group = me, me, grp.getgrgid(gid).gr_name
            self.base_dir = self.folder / "run"
            mail = self.folder / "mail"
            services = "".join(f"service {name} {{\n  user = {me}\n  chroot =\n}}\n"
                               for name in ("imap-login", "anvil", "auth", "auth-worker", "stats"))
        home = mail / "home"
        home.mkdir(parents=True, exist_ok=True)
        for path in (mail, home):
            os.chown(path, uid, gid)
        passwd = self.base_dir / "users"  # read by the auth process, which may be another account
        self.base_dir.mkdir(exist_ok=True)
        passwd.write_text(f"{IMAP_USER}:{{PLAIN}}{IMAP_PASSWORD}:{uid}:{gid}::{home}::\n")
        config = self.folder / "dovecot.conf"
        config.write_text(f"""\
protocols = imap
listen = 127.0.0.1
base_dir = {self.base_dir}
state_dir = {self.folder / "state"}
log_path = {self.folder / "dovecot.log"}
info_log_path = {self.folder / "dovecot.log"}
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {internal_group}
first_valid_uid = {uid}
last_valid_uid = {uid}
first_valid_gid = {gid}
mail_location = maildir:{mail}/Maildir
auth_mechanisms = plain
disable_plaintext_auth = no
ssl = yes
ssl_cert = <{self.certificate}
ssl_key = <{key}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {passwd}
}}
userdb {{
  driver = passwd-file
  args = {passwd}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.tls_port}
    ssl = yes
  }}
}}
{services}""")
        return config

    def _why(self) -> str:
        for name in ("dovecot.stderr", "dovecot.log"):
            path = self.folder / name
            if path.exists() and path.read_text(errors="replace").strip():
                return path.read_text(errors="replace").strip()[-2000:]
        return "no log"
