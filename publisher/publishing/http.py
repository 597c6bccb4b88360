"""The worker's HTTP session: requests, made cheap for the plain calls the adapters make most.

A plain `requests.Session` looks at the proxy variables, `no_proxy` and `~/.netrc` on every request,
merges cookies and hooks, prepares the URL afresh and goes through urllib3; at hundreds of sends a
second that was most of the worker's time. Here:
- The environment of a running worker does not change (a new proxy setting needs a restart, as for
  any daemon), so the proxies and CA bundle per scheme and host are looked up once. `.netrc`
  credentials are not used: every adapter authenticates itself.
- A plain call (body as bytes or text, no redirects followed, no params, auth, cookies, files, hooks,
  client certificate or proxy) goes over `KeepAliveTransport`: http.client with one kept-alive
  connection per thread and origin, answering with the same `Response` and failing with the same
  exceptions as requests' own path. The body is asked for uncompressed. Anything else takes
  requests' path, unchanged.
"""

from __future__ import annotations

import http.client
import os
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.models import PreparedRequest
from requests.structures import CaseInsensitiveDict
from requests.utils import (
    DEFAULT_CA_BUNDLE_PATH,
    check_header_validity,
    get_encoding_from_headers,
    get_environ_proxies,
)

_PLAIN_ARGUMENTS = ("params", "cookies", "files", "auth", "hooks", "json", "proxies", "cert")


class NotSending(requests.exceptions.ConnectTimeout):
    """The worker may not start a request now (it lost touch with the database for too long: see
    publisher.publishing.worker). A connect timeout to the adapters: nothing was sent."""


class WorkerHttp(requests.Session):
    def __init__(self, pool_size: int) -> None:
        super().__init__()
        # Called before every request; raises NotSending to refuse it. The worker sets it.
        self.gate: Callable[[], None] | None = None
        self.trust_env = False  # we apply the environment ourselves, cached, in merge_environment_settings
        for prefix in ("http://", "https://"):
            self.mount(prefix, HTTPAdapter(pool_connections=32, pool_maxsize=pool_size))
        self._transport = KeepAliveTransport()

    def close(self) -> None:
        self._transport.close()
        super().close()

    def merge_environment_settings(self, url: str | None, proxies: Any, stream: Any, verify: Any,
                                   cert: Any) -> dict[str, Any]:
        merged_proxies = dict(_environment_for(*urlsplit(url or "")[:2])[0])
        merged_proxies.update(proxies or {})
        return super().merge_environment_settings(url, merged_proxies, stream, _verify_for(url or "", verify),
                                                  cert)

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        if self.gate is not None:
            self.gate()
        if args or not self._plain(url, kwargs):
            return super().request(method, url, *args, **kwargs)
        return self._send_plain(str(method).upper(), url, kwargs)  # type: ignore[arg-type]

    def _plain(self, url: object, kwargs: dict[str, Any]) -> bool:
        if not isinstance(url, str) or kwargs.get("allow_redirects", True) or self.auth or self.cookies \
                or self.proxies or self.hooks["response"] or self.params or self.cert:
            return False
        if any(kwargs.get(name) for name in _PLAIN_ARGUMENTS):
            return False
        if not isinstance(kwargs.get("data"), bytes | str | None):
            return False
        scheme, netloc = urlsplit(url)[:2]
        return scheme in ("http", "https") and not _environment_for(scheme, netloc)[0]

    def _send_plain(self, method: str, url: str, kwargs: dict[str, Any]) -> requests.Response:
        body = kwargs.get("data")
        if isinstance(body, str):
            body = body.encode("utf-8")
        prepared = PreparedRequest()
        prepared.method = method
        prepared.url = _prepared_url(url)
        prepared.headers = CaseInsensitiveDict(self.headers)
        for name, value in (kwargs.get("headers") or {}).items():
            if value is None:  # as in requests: None removes a session default
                prepared.headers.pop(name, None)
            else:
                check_header_validity((name, value))  # no CR/LF smuggled into a header
                prepared.headers[name] = value
        prepared.headers["Accept-Encoding"] = "identity"  # the body is read as it comes, never decompressed
        prepared.body = body
        if body is not None or method not in ("GET", "HEAD"):
            prepared.headers["Content-Length"] = str(len(body or b""))
        verify = _verify_for(url, kwargs.get("verify"))
        if verify is None:
            verify = self.verify
        stream = bool(kwargs.get("stream"))
        started = time.perf_counter()
        response = self._transport.send(prepared, kwargs.get("timeout"), verify)
        response.elapsed = timedelta(seconds=time.perf_counter() - started)
        if not stream:
            response.content  # noqa: B018 - read it now, as requests does, so the connection goes back
        return response


class KeepAliveTransport:
    """HTTP/1.1 over http.client: one kept-alive connection per thread and origin, the request's headers
    and body in one write. It fails with requests' exceptions, as requests' own transport would:
    ConnectTimeout / ConnectionError / SSLError before anything was sent, ReadTimeout while waiting for
    the answer, ConnectionError when the connection breaks after sending."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._every_idle: list[dict[tuple[str, str, int], http.client.HTTPConnection]] = []  # for close()
        self._lock = threading.Lock()

    def _idle(self) -> dict[tuple[str, str, int], http.client.HTTPConnection]:
        idle = getattr(self._local, "idle", None)
        if idle is None:
            idle = self._local.idle = {}
            with self._lock:
                self._every_idle.append(idle)
        return idle

    def close(self) -> None:
        """Close the kept-alive connections of every thread."""
        with self._lock:
            for idle in self._every_idle:
                for conn in list(idle.values()):
                    conn.close()
                idle.clear()

    def send(self, prepared: PreparedRequest, timeout: Any, verify: Any) -> requests.Response:
        parts = urlsplit(prepared.url)
        origin = (parts.scheme, parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
        connect_timeout, read_timeout = timeout if isinstance(timeout, tuple) else (timeout, timeout)
        conn = self._connection(origin, connect_timeout, verify)
        conn.sock.settimeout(read_timeout)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = prepared.headers
        try:
            conn.putrequest(prepared.method or "GET", target, skip_host="Host" in headers, skip_accept_encoding=True)
            for name, value in headers.items():
                conn.putheader(name, value)
            conn.endheaders(prepared.body)  # bytes: http.client sends headers and body in one write
            answer = conn.getresponse()
        except TimeoutError:
            conn.close()
            raise requests.ReadTimeout(f"no answer from {origin[1]} within {read_timeout} s",
                                       request=prepared) from None
        except (http.client.HTTPException, OSError) as exc:
            conn.close()
            raise requests.ConnectionError(f"the connection to {origin[1]} failed: {exc!r}",
                                           request=prepared) from None
        response = requests.Response()
        response.status_code = answer.status
        response.reason = answer.reason
        response.headers = CaseInsensitiveDict(_joined_headers(answer.getheaders()))
        response.encoding = get_encoding_from_headers(response.headers)
        response.url = prepared.url or ""
        response.request = prepared
        response.raw = _Body(answer, conn, self._idle(), origin)
        return response

    def _connection(self, origin: tuple[str, str, int], connect_timeout: float | None,
                    verify: Any) -> http.client.HTTPConnection:
        conn = self._idle().pop(origin, None)
        if conn is not None and conn.sock is not None and not _readable(conn.sock):
            return conn  # still open and quiet: the server has not closed it meanwhile
        if conn is not None:
            conn.close()
        scheme, host, port = origin
        if scheme == "https":
            conn = http.client.HTTPSConnection(host, port, timeout=connect_timeout, context=_tls_context(verify))
        else:
            conn = http.client.HTTPConnection(host, port, timeout=connect_timeout)
        try:
            conn.connect()
        except TimeoutError:
            conn.close()
            raise requests.ConnectTimeout(f"could not connect to {host} within {connect_timeout} s") from None
        except ssl.SSLError as exc:
            conn.close()
            raise requests.exceptions.SSLError(f"TLS with {host} failed: {exc.reason}") from None
        except OSError as exc:
            conn.close()
            raise requests.ConnectionError(f"could not connect to {host}: {exc.strerror or exc!r}") from None
        return conn


class _Body:
    """The answer's body as requests reads it. The connection is kept for the next request only when
    the body was read to its end and the server keeps the connection open; otherwise it is closed."""

    def __init__(self, answer: http.client.HTTPResponse, conn: http.client.HTTPConnection,
                 idle: dict[tuple[str, str, int], http.client.HTTPConnection], origin: tuple[str, str, int]) -> None:
        self._answer, self._conn, self._idle, self._origin = answer, conn, idle, origin
        self._settled = False

    def read(self, amt: int | None = None) -> bytes:
        try:
            data = self._answer.read(amt)
        except TimeoutError:
            self.close()
            raise requests.ConnectionError("the answer stopped arriving (read timeout)") from None
        except (http.client.HTTPException, OSError) as exc:
            self.close()
            raise requests.exceptions.ChunkedEncodingError(f"the answer broke off: {exc!r}") from None
        if self._answer.isclosed():  # read to its end
            self._settle(keep=not self._answer.will_close)
        return data

    def close(self) -> None:
        self._settle(keep=self._answer.isclosed() and not self._answer.will_close)

    release_conn = close

    def _settle(self, keep: bool) -> None:
        if self._settled:
            return
        self._settled = True
        if keep and self._origin not in self._idle:
            self._idle[self._origin] = self._conn
        else:
            self._conn.close()


def _joined_headers(pairs: list[tuple[str, str]]) -> dict[str, str]:
    joined: dict[str, str] = {}
    names: dict[str, str] = {}  # lower-case name -> the spelling first seen
    for name, value in pairs:  # a repeated header is one value joined by ", ", as urllib3 gives it
        key = names.setdefault(name.lower(), name)
        joined[key] = f"{joined[key]}, {value}" if key in joined else value
    return joined


def _readable(sock: socket.socket) -> bool:
    """A kept-alive connection with something to read before we asked anything was closed (or spoke out
    of turn): it must not carry the next request."""
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


@lru_cache(maxsize=8)
def _tls_context(verify: Any) -> ssl.SSLContext:
    if verify is False:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    bundle = verify if isinstance(verify, str) else DEFAULT_CA_BUNDLE_PATH
    if os.path.isdir(bundle):
        return ssl.create_default_context(capath=bundle)
    return ssl.create_default_context(cafile=bundle)


@lru_cache(maxsize=256)
def _environment_for(scheme: str, netloc: str) -> tuple[dict[str, str], str | None]:
    proxies = get_environ_proxies(f"{scheme}://{netloc}/", no_proxy=None)
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    return dict(proxies), bundle


def _verify_for(url: str, verify: Any) -> Any:
    """As requests does with trust_env: a CA bundle from the environment stands in for plain verification."""
    if verify is True or verify is None:
        bundle = _environment_for(*urlsplit(url)[:2])[1]
        return bundle if bundle is not None else verify
    return verify


@lru_cache(maxsize=1024)
def _prepared_url(url: str) -> str:
    """requests' own URL preparation (IDNA host, quoting), once per address: adapters post to a few."""
    prepared = PreparedRequest()
    prepared.prepare_url(url, None)
    return prepared.url  # type: ignore[return-value]
