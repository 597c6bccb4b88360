"""One contract, every registered channel kind: the same promises, checked the same way."""

from __future__ import annotations

import base64
import inspect
import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import requests
import responses
import respx
from PIL import Image

from channels import registry
from channels.base import Capabilities, Channel, Content, HttpWire, MediaItem, Problem, Published
from channels.errors import ChannelConfigError, ChannelError, OutcomeUnknown, RateLimited, Retryable
from tests.support.wire_failures import capture_httpx_wire_failures, capture_wire_failures

KINDS = sorted(registry.kinds())


@pytest.fixture(params=KINDS)
def kind(request) -> type[Channel]:
    return registry.adapter_class(request.param)


def build(cls: type[Channel]) -> Channel:
    config, credentials = cls.split_settings(cls.example_settings)
    return cls(config, credentials, name="kanal")


def image(tmp_path: Path, alt: str) -> MediaItem:
    path = tmp_path / "slika.png"
    Image.new("RGB", (8, 8), (200, 0, 0)).save(path)
    return MediaItem(path=path, content_type="image/png", sha256="a" * 64, size=path.stat().st_size,
                     alt_text=alt, filename="slika.png")


def content(text: str = "Министарство привреде објављује.", media: tuple[MediaItem, ...] = ()) -> Content:
    return Content(post_id=1, title="Саопштење", text=text, language="sr-Cyrl", media=media)


def test_every_builtin_kind_is_registered():
    assert {"state_portal", "local_folder"} <= set(KINDS)


def test_it_describes_itself(kind):
    assert kind.kind and kind.label
    assert kind.config_fields, "settings must be declared, so admins know what to give"
    assert kind.example_settings, "example settings document the kind and feed this contract"
    assert isinstance(kind.capabilities(), Capabilities)
    for method in ("publish", "find", "check", "validate"):
        assert not getattr(getattr(kind, method), "__isabstractmethod__", False)
    assert "key" in inspect.signature(kind.publish).parameters


def test_example_settings_build_an_adapter_without_the_network(kind):
    assert isinstance(build(kind), kind)


def test_unknown_and_missing_settings_are_refused(kind):
    with pytest.raises(ChannelConfigError, match="unknown setting"):
        kind.split_settings({**kind.example_settings, "no_such_setting": 1})
    required = [f.name for f in kind.config_fields if f.required]
    if required:
        settings = dict(kind.example_settings)
        settings.pop(required[0])
        with pytest.raises(ChannelConfigError, match=f"missing required setting.*{required[0]}"):
            kind.split_settings(settings)


def test_secrets_stay_secret(kind):
    secrets = [f.name for f in kind.config_fields if f.secret]
    config, credentials = kind.split_settings(kind.example_settings)
    assert set(credentials) <= set(secrets) and not set(config) & set(secrets)
    if secrets and credentials:
        with pytest.raises(ChannelConfigError, match="credential"):
            kind({**config, **credentials}, {}, name="kanal")  # a secret given as a plain setting
        adapter = build(kind)
        for value in credentials.values():
            assert str(value) not in repr(adapter)


def test_a_plain_post_passes_validation(kind):
    assert build(kind).validate(content()) == []


def test_problems_name_the_channel_in_the_officers_words(kind):
    caps = kind.capabilities()
    problems = build(kind).validate(content(text=""))
    if caps.max_text is not None:
        problems += build(kind).validate(content(text="а" * (caps.max_text + 1)))
        assert any(f"{caps.max_text + 1} of {caps.max_text}" in p.message for p in problems)
    assert problems, "an empty post must not pass"
    assert all(isinstance(p, Problem) and p.channel == "kanal" and p.message for p in problems)


def test_an_image_without_alt_text_is_refused_where_alt_text_shows(kind, tmp_path):
    caps = kind.capabilities()
    if caps.max_images == 0:
        pytest.skip(f"{kind.kind} takes no images")  # a fact of the platform, not a missing service
    problems = build(kind).validate(content(media=(image(tmp_path, alt=""),)))
    assert any("alt text" in p.message for p in problems) == caps.alt_text_required
    assert build(kind).validate(content(media=(image(tmp_path, alt="Зграда министарства"),))) == []


# --- the same wire failures, thrown at every HTTP adapter's publish ---------------------------------


@dataclass(frozen=True)
class Reply:
    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)


MAY_HAVE_ARRIVED = "may have arrived"  # Retryable where resending is safe (http_wire.resend_safe), else OutcomeUnknown
UNREADABLE_2XX = "unreadable 2xx"  # Published where a 2xx is the receipt (http_wire.status_is_receipt), else as above

# What the platform does to the request that creates the post, and how every adapter must sort it. A name
# is a real transport failure made on loopback (tests/support/wire_failures.py).
WIRE_TABLE = [
    ("refused", "refused", Retryable),  # nothing was sent
    ("connect-timeout", "connect-timeout", Retryable),  # nothing was sent
    ("read-timeout", "read-timeout", MAY_HAVE_ARRIVED),
    ("aborted", "aborted", MAY_HAVE_ARRIVED),  # the connection broke once the request was on its way
    ("429", Reply(429, "Too Many Requests", {"Content-Type": "text/plain", "Retry-After": "30"}), RateLimited),
    ("503", Reply(503, "<html><body>Service Unavailable</body></html>", {"Content-Type": "text/html"}),
     MAY_HAVE_ARRIVED),
    ("garbage-200", Reply(200, "<html><body>OK</body></html>", {"Content-Type": "text/html"}), UNREADABLE_2XX),
]

WIRE_KEY = "p7-c2-0123456789abcdef"


def _jwt(seconds: int) -> str:
    """A token atproto can read the expiry of (it never checks the signature: the server does)."""
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    claims = {"scope": "com.atproto.appPass", "sub": "did:plc:z72i7hdynmk6r22z27h6tvur", "exp": int(time.time()) + seconds}
    return f"{part({'alg': 'HS256', 'typ': 'at+jwt'})}.{part(claims)}.c2lnbmF0dXJl"


# What each platform answers before the request that creates the post (a text post, example settings),
# so that the failure meets the request after which "may have arrived" matters. A kind not listed sends
# that request first; the test checks the failure met a request that is not a GET either way.
BEFORE_THE_POST: dict[str, list[tuple[str, str, object]]] = {
    "wordpress": [
        ("GET", "/wp-json/wp/v2/posts", []),  # the slug lookup: no earlier attempt
        ("GET", "/wp-json/wp/v2/tags", [{"id": 5, "name": "саопштење", "slug": "saopstenje"}]),
    ],
    "bluesky": [
        ("POST", "/xrpc/com.atproto.server.createSession",
         {"did": "did:plc:z72i7hdynmk6r22z27h6tvur", "handle": "ministarstvo.bsky.social",
          "accessJwt": _jwt(7200), "refreshJwt": _jwt(86400)}),
    ],
}


class FakePlatform:
    """Answers the set-up replies in order, then gives `failure` to every later request; keeps what came."""

    def __init__(self, before: list[tuple[str, str, object]], failure: object) -> None:
        self.before = list(before)
        self.failure = failure
        self.requests: list[tuple[str, str]] = []  # (method, path)
        self.failed: list[tuple[str, str]] = []  # the requests that met the failure

    def answer(self, method: str, url: str) -> tuple[int, dict[str, str], str] | Exception:
        path = urlsplit(url).path
        self.requests.append((method, path))
        if self.before:
            want_method, want_path, body = self.before.pop(0)
            assert (method, path) == (want_method, want_path), f"unexpected {method} {path} in the set-up"
            return 200, {"Content-Type": "application/json"}, json.dumps(body)
        self.failed.append((method, path))
        if isinstance(self.failure, Exception):
            return self.failure
        assert isinstance(self.failure, Reply)
        return self.failure.status, self.failure.headers, self.failure.body


@pytest.fixture(scope="module")
def requests_failures() -> dict[str, requests.RequestException]:
    return capture_wire_failures()


@pytest.fixture(scope="module")
def httpx_failures() -> dict[str, httpx.TransportError]:
    return capture_httpx_wire_failures()


@contextmanager
def requests_platform(platform: FakePlatform) -> Iterator[None]:
    def reply(request: requests.PreparedRequest):
        answer = platform.answer(request.method or "", request.url or "")
        if isinstance(answer, Exception):
            raise answer
        return answer

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        for method in (responses.GET, responses.POST, responses.PUT, responses.DELETE):
            mock.add_callback(method, re.compile(r".*"), callback=reply)
        yield


@contextmanager
def httpx_platform(platform: FakePlatform) -> Iterator[None]:
    def reply(request: httpx.Request) -> httpx.Response:
        answer = platform.answer(request.method, str(request.url))
        if isinstance(answer, Exception):
            raise answer
        status, headers, body = answer
        return httpx.Response(status, headers=headers, content=body.encode())

    with respx.mock(assert_all_mocked=True, assert_all_called=False) as router:
        router.route().mock(side_effect=reply)
        yield


def expected_sorting(expected: object, wire: HttpWire) -> type:
    if expected == UNREADABLE_2XX:
        if wire.status_is_receipt:
            return Published
        expected = MAY_HAVE_ARRIVED
    if expected == MAY_HAVE_ARRIVED:
        return Retryable if wire.resend_safe else OutcomeUnknown
    assert isinstance(expected, type)
    return expected


HTTP_KINDS = [k for k in KINDS if registry.adapter_class(k).http_wire is not None]


@pytest.fixture(params=HTTP_KINDS)
def http_kind(request) -> type[Channel]:
    """Every kind whose `publish` talks HTTP (http_wire declared); e-mail, the feed and the folder do not."""
    return registry.adapter_class(request.param)


def test_the_kinds_without_a_wire_send_no_http():
    assert set(KINDS) - set(HTTP_KINDS) == {"email", "feed", "local_folder"}


def test_the_wire_declaration_agrees_with_the_capabilities(http_kind):
    kind = http_kind
    wire = kind.http_wire
    assert wire.client in ("requests", "httpx")
    # A platform that dedups by our key makes every resend safe; the reverse need not hold (WordPress).
    assert wire.resend_safe or not kind.capabilities().idempotent


@pytest.mark.parametrize(("case", "failure", "expected"), WIRE_TABLE, ids=[row[0] for row in WIRE_TABLE])
def test_every_http_adapter_sorts_the_same_wire_failures_the_same_way(http_kind, case, failure, expected,
                                                                       requests_failures, httpx_failures):
    kind = http_kind
    wire = kind.http_wire
    if kind.kind == "bluesky":
        from channels.bluesky import forget_sessions  # the SDK's session is kept per account in the process
        forget_sessions()
    failures = requests_failures if wire.client == "requests" else httpx_failures
    platform = FakePlatform(BEFORE_THE_POST.get(kind.kind, []), failures[failure] if isinstance(failure, str)
                            else failure)
    http = requests.Session()
    http.trust_env = False  # a proxy from the environment must not sit between the adapter and the fake
    config, credentials = kind.split_settings(kind.example_settings)
    adapter = kind(config, credentials, session=http, name="kanal")
    fake = requests_platform if wire.client == "requests" else httpx_platform

    with fake(platform):
        try:
            outcome: Published | ChannelError = adapter.publish(content(), key=WIRE_KEY)
        except ChannelError as exc:
            outcome = exc

    want = expected_sorting(expected, wire)
    assert type(outcome) is want, f"{kind.kind}, {case}: {outcome!r}"
    assert not platform.before, "the adapter stopped before the request that creates the post"
    first_method, _ = platform.failed[0]
    assert first_method != "GET", "the failure met a look-up, not the request that creates the post"
    # Never resent blindly: after the failure an adapter may only look (a GET), never send again.
    assert [m for m, _ in platform.failed[1:] if m != "GET"] == []
    if want is RateLimited:
        assert outcome.retry_after == pytest.approx(30, abs=1)
    if want is Published:
        assert outcome.remote_id == WIRE_KEY  # the key stands in for an id the body did not give
    if isinstance(outcome, ChannelError):
        assert outcome.__cause__ is None and (outcome.__context__ is None or outcome.__suppress_context__)


# --- language versions: the settings every kind takes, and a post in three languages -----------------


def test_every_kind_takes_the_language_settings_and_refuses_what_it_cannot_do(kind):
    settings = {**kind.example_settings, "languages": "sr-Latn, sr-Cyrl, sq, en"}
    assert isinstance(kind(*kind.split_settings(settings), name="kanal"), kind)
    with pytest.raises(ChannelConfigError, match=r"languages: de not known"):
        kind(*kind.split_settings({**settings, "languages": ["sq", "de"]}), name="kanal")
    with pytest.raises(ChannelConfigError, match=r"languages: sq given twice"):
        kind(*kind.split_settings({**settings, "languages": "sq, en, sq"}), name="kanal")
    with pytest.raises(ChannelConfigError, match=r"language_mode 'mixed' is not possible"):
        kind(*kind.split_settings({**settings, "language_mode": "mixed"}), name="kanal")
    together = {**settings, "language_mode": "together"}
    if "together" in kind.capabilities().language_modes:
        assert isinstance(kind(*kind.split_settings(together), name="kanal"), kind)
    else:
        with pytest.raises(ChannelConfigError, match=r"language_mode 'together' is not possible.*takes separate"):
            kind(*kind.split_settings(together), name="kanal")


def test_the_modes_each_platform_allows():
    together = {k for k in KINDS if "together" in registry.adapter_class(k).capabilities().language_modes}
    assert together == {"email", "facebook"}
    assert all("separate" in registry.adapter_class(k).capabilities().language_modes for k in KINDS)
    assert [k for k in KINDS if registry.adapter_class(k).capabilities().script_twins] == ["wordpress"]


def test_the_channels_know_the_languages_the_core_writes():
    from channels.base import LANGUAGE_TAGS
    from publisher.core.multilingual import LANGUAGES
    assert LANGUAGE_TAGS == LANGUAGES


def three_language_contents(kind: type[Channel], mode: str = "separate") -> dict[str, Content]:
    """A post in Serbian Latin (its Cyrillic derived), Albanian and English, as the core makes each delivery
    of a channel of this kind that takes all four (channels never transliterate: the core does)."""
    from publisher.core.models import Channel as ChannelRow
    from publisher.core.models import Post
    from publisher.destinations.content import channel_contents

    post = Post(id=7, title="Saopštenje", body="Ministarstvo privrede objavljuje.", language="sr-Latn",
                variants={}, translations={"sq": {"title": "Njoftim", "body": "Ministria e Ekonomisë njofton."},
                                           "en": {"title": "Announcement", "body": "The Ministry announces."}})
    row = ChannelRow(name="kanal", kind=kind.kind, config={"languages": ["sr-Latn", "sr-Cyrl", "sq", "en"],
                                                           "language_mode": mode})
    return channel_contents(post, row, [], Path())


def test_a_post_in_three_languages_passes_every_adapter(kind):
    contents = three_language_contents(kind)
    twins = kind.capabilities().script_twins
    assert list(contents) == (["sr-Latn", "sq", "en"] if twins else ["sr-Latn", "sr-Cyrl", "sq", "en"])
    assert contents["sr-Latn"].other_script.text == "Министарство привреде објављује."
    for content in contents.values():
        assert build(kind).validate(content) == [], content.language
    if "together" in kind.capabilities().language_modes:
        (together,) = three_language_contents(kind, "together").values()
        assert [v.language for v in together.versions] == ["sr-Latn", "sr-Cyrl", "sq", "en"]
        assert build(kind).validate(together) == []
