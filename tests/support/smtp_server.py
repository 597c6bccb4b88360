"""SMTP servers on 127.0.0.1 for the e-mail channel's tests.

`SmtpServer` is a real one (aiosmtpd) that can require a login, speak STARTTLS or TLS from the first
byte, refuse a sender or recipients, and answer the end of a message as scripted:

    with SmtpServer(users={"press": "lozinka"}) as smtp:
        smtp.refuse["gone@novine.rs"] = "550 5.1.1 no such user"
        smtp.script(["451", "250"])          # the next message: 451, the one after: accepted
        ...
        smtp.received                        # every message that arrived whole, as Received

End-of-message behaviours ("250" once the script runs out):

    "250"         accept
    "451", "452"  a temporary failure (nothing accepted)
    "552", "554"  a permanent refusal
    "hang"        keep the message, wait `hang_seconds`, then accept: the answer a timed-out client misses
    "drop"        keep the message and hang up without answering

`ScriptedSmtp` is a bare socket server for what aiosmtpd will not do: a greeting other than 220, or
silence after connecting.
"""

from __future__ import annotations

import asyncio
import datetime
import email
import ipaddress
import socket
import ssl
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

END_BEHAVIOURS = frozenset({"250", "451", "452", "552", "554", "hang", "drop"})
_REPLIES = {
    "451": "451 4.3.0 Temporary local problem, try again later",
    "452": "452 4.3.1 Insufficient system storage",
    "552": "552 5.3.4 Message size exceeds fixed limit",
    "554": "554 5.7.1 Message rejected as spam",
}


@dataclass
class Received:
    mail_from: str
    mail_options: list[str]
    rcpt_tos: list[str]
    data: bytes  # the message as it arrived (dots unstuffed)
    message: EmailMessage
    login: str | None
    tls: bool
    behaviour: str


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """(certificate, key) PEM files for 127.0.0.1, the certificate being its own CA."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                       critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


class _Handler:
    def __init__(self, owner: SmtpServer) -> None:
        self.owner = owner

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        if self.owner.mail_reply:
            return self.owner.mail_reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        refusal = self.owner.refuse.get(address)
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        behaviour = self.owner._next()
        login = session.auth_data.decode() if isinstance(session.auth_data, bytes) else None
        data = envelope.original_content or b""
        self.owner._record(Received(
            mail_from=envelope.mail_from,
            mail_options=list(envelope.mail_options),
            rcpt_tos=list(envelope.rcpt_tos),
            data=data,
            message=email.message_from_bytes(data, policy=default_policy),  # type: ignore[arg-type]
            login=login,
            tls=server.transport.get_extra_info("ssl_object") is not None,
            behaviour=behaviour,
        ))
        if behaviour == "drop":
            server.transport.abort()
            return "250 OK"  # written to a closed connection: nobody hears it
        if behaviour == "hang":
            await asyncio.sleep(self.owner.hang_seconds)
            return "250 OK"
        return _REPLIES.get(behaviour, "250 OK queued")


class SmtpServer:
    def __init__(
        self,
        *,
        users: dict[str, str] | None = None,
        starttls: ssl.SSLContext | None = None,
        implicit_tls: ssl.SSLContext | None = None,
        size_limit: int | None = 33554432,
        hang_seconds: float = 3.0,
    ) -> None:
        self.port = free_port()
        self.users = dict(users or {})
        self.refuse: dict[str, str] = {}
        self.mail_reply: str | None = None
        self.hang_seconds = hang_seconds
        self._lock = threading.Lock()
        self._script: deque[str] = deque()
        self._received: list[Received] = []
        options: dict[str, object] = {"data_size_limit": size_limit}
        if users is not None:
            # aiosmtpd counts only STARTTLS as TLS: over implicit TLS it would never offer AUTH otherwise.
            options.update(authenticator=self._authenticate, auth_required=True, auth_require_tls=starttls is not None)
        if starttls is not None:
            options.update(tls_context=starttls, require_starttls=True)
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port,
                                      ssl_context=implicit_tls, **options)

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:  # noqa: ANN001
        ok = isinstance(auth_data, LoginPassword) and self.users.get(auth_data.login.decode()) == \
            auth_data.password.decode()
        return AuthResult(success=ok, handled=False, auth_data=auth_data.login if ok else None)

    def __enter__(self) -> SmtpServer:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()

    def script(self, behaviours: Iterable[str]) -> None:
        behaviours = list(behaviours)
        unknown = sorted(set(behaviours) - END_BEHAVIOURS)
        if unknown:
            raise ValueError(f"unknown behaviour(s): {unknown}")
        with self._lock:
            self._script = deque(behaviours)

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def _next(self) -> str:
        with self._lock:
            return self._script.popleft() if self._script else "250"

    def _record(self, received: Received) -> None:
        with self._lock:
            self._received.append(received)


class ScriptedSmtp:
    """Accepts connections and sends `greeting` (one line, e.g. "421 busy"; None: say nothing), then
    waits up to `linger` seconds (or until stopped) and hangs up."""

    def __init__(self, greeting: str | None, *, linger: float = 3.0) -> None:
        self.greeting = greeting
        self.linger = linger
        self.connections = 0
        self._stop = threading.Event()
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(8)
        self._listener.settimeout(0.05)
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> ScriptedSmtp:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._listener.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            self.connections += 1
            with conn:
                if self.greeting is not None:
                    conn.sendall(self.greeting.encode() + b"\r\n")
                self._stop.wait(self.linger if self.greeting is None else 0.2)


__all__ = ["Received", "ScriptedSmtp", "SmtpServer", "free_port", "self_signed_certificate", "server_context"]
