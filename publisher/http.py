"""The worker's HTTP session: requests, made cheap for the plain calls the adapters make most.

A plain `requests.Session` looks at the proxy variables, `no_proxy` and `~/.netrc` on every request,
merges cookies and hooks and prepares the URL afresh; at hundreds of sends a second that was half of
the worker's time. Two things make it cheap here:
- The environment of a running worker does not change (a new proxy setting needs a restart, as for
  any daemon), so the proxies and CA bundle per scheme and host are looked up once. `.netrc`
  credentials are not used: every adapter authenticates itself.
- A plain call (body as bytes or text, no redirects followed, no params, auth, cookies, files or
  hooks, no proxy) goes straight to the transport adapter: the same urllib3 pool, the same
  exceptions and the same `Response` as the full path, without the session's bookkeeping. Anything
  else takes requests' own path, unchanged.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.models import PreparedRequest
from requests.structures import CaseInsensitiveDict
from requests.utils import check_header_validity, get_environ_proxies

_PLAIN_ARGUMENTS = ("params", "cookies", "files", "auth", "hooks", "json", "proxies", "cert")


class WorkerHttp(requests.Session):
    def __init__(self, pool_size: int) -> None:
        super().__init__()
        self.trust_env = False  # we apply the environment ourselves, cached, in merge_environment_settings
        for prefix in ("http://", "https://"):
            self.mount(prefix, HTTPAdapter(pool_connections=32, pool_maxsize=pool_size))

    def merge_environment_settings(self, url: str | None, proxies: Any, stream: Any, verify: Any,
                                   cert: Any) -> dict[str, Any]:
        env_proxies, env_verify = _environment_for(*urlsplit(url or "")[:2])
        merged_proxies = dict(env_proxies)
        merged_proxies.update(proxies or {})
        if verify is True or verify is None:
            verify = env_verify if env_verify is not None else verify
        return super().merge_environment_settings(url, merged_proxies, stream, verify, cert)

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
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
        prepared.body = body
        if body is not None:
            prepared.headers["Content-Length"] = str(len(body))
        elif method not in ("GET", "HEAD"):
            prepared.headers["Content-Length"] = "0"
        verify = kwargs.get("verify")
        if verify is None or verify is True:
            verify = _environment_for(*urlsplit(url)[:2])[1] or self.verify
        stream = bool(kwargs.get("stream"))
        started = time.perf_counter()
        response = self.get_adapter(prepared.url).send(prepared, stream=stream, timeout=kwargs.get("timeout"),
                                                         verify=verify, cert=None, proxies={})
        response.elapsed = timedelta(seconds=time.perf_counter() - started)
        if not stream:
            response.content  # noqa: B018 - read it now, as requests does, so the connection goes back
        return response


@lru_cache(maxsize=256)
def _environment_for(scheme: str, netloc: str) -> tuple[dict[str, str], str | None]:
    proxies = get_environ_proxies(f"{scheme}://{netloc}/", no_proxy=None)
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    return dict(proxies), bundle


@lru_cache(maxsize=1024)
def _prepared_url(url: str) -> str:
    """requests' own URL preparation (IDNA host, quoting), once per address: adapters post to a few."""
    prepared = PreparedRequest()
    prepared.prepare_url(url, None)
    return prepared.url  # type: ignore[return-value]
