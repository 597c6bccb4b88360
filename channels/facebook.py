"""A Facebook page, through facebook-sdk 3.1.0's `GraphAPI`, videos through the graph-video host.

What goes over the wire (version `graph_version`, default v21.0):

- text only: `POST https://graph.facebook.com/v21.0/{page_id}/feed` (form: message, access_token);
- one photo: `POST .../{page_id}/photos` (multipart: caption, alt_text_custom, access_token, file "source");
- several photos: each `POST .../{page_id}/photos` with published=false (multipart, as above, without the
  caption), then `POST .../{page_id}/feed` with message and attached_media[0]={"media_fbid":"…"}, …;
- a video: `POST https://graph-video.facebook.com/v21.0/{page_id}/videos` (multipart: title, description,
  access_token, file "source"), with plain requests - the SDK knows only the graph host.

With `app_secret` set, every call made with the page token also carries `appsecret_proof`
(HMAC-SHA256 of the token with the app secret), which pages whose app requires it need.

facebook-sdk 3.1.0 (2018) refuses any version newer than 3.1 in its constructor (`VALID_API_VERSIONS`
in facebook/__init__.py) but builds every URL as `FACEBOOK_GRAPH_URL + self.version + "/" + path`, so
the adapter constructs it with "3.1" and then sets `graph.version`. The SDK passes its `timeout` to
every request and takes a `session`: it gets `SdkSession` (channels.base), which forwards to our session with our timeout,
refuses redirects and remembers the answer. The outcome is decided from that answer in one place
(`graph_outcome`): the SDK ignores HTTP status codes and raises KeyError on an answer without a
Content-Type.

Facebook has no idempotency key, so a publish whose answer is lost is OutcomeUnknown; Facebook's own
duplicate-post refusal (code 506) is reported the same way because it means an earlier attempt went out.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

import facebook
import requests

from channels.adapter_kit import CONNECT_TIMEOUT, USER_AGENT, nothing_sent, parse_retry_after, said
from channels.base import (
    SEPARATE,
    TOGETHER,
    Capabilities,
    Channel,
    ConfigField,
    Content,
    Health,
    HttpWire,
    Problem,
    Published,
    SdkSession,
    images_and_video,
    media_too_large,
    seconds_setting,
)
from channels.errors import (
    AuthExpired,
    ChannelConfigError,
    ChannelError,
    OutcomeUnknown,
    RateLimited,
    Rejected,
    Retryable,
)
from channels.language_versions import as_one, together_text
from channels.outgoing import Outgoing, SentMedium, SentPost, first_link, sent_media
from channels.registry import register

GRAPH_URL = facebook.FACEBOOK_GRAPH_URL  # "https://graph.facebook.com/"
VIDEO_HOST = "https://graph-video.facebook.com/"
DEFAULT_VERSION = "v21.0"
SDK_VERSION = "3.1"  # the newest version facebook-sdk 3.1.0's constructor accepts

DEFAULT_READ_TIMEOUT = 30.0
TIMEOUT_RANGE = (1.0, 300.0)  # a video upload may take a while to be answered

MAX_TEXT = 63_206
MAX_PHOTOS = 10
MAX_IMAGE_BYTES = 10_000_000  # Graph API photo reference: static images "less than 10 MB"
# The graph-video host takes up to 1 GB in one request, but requests builds a multipart body in
# memory: the adapter stays well below that. Larger files would need the resumable upload protocol.
MAX_VIDEO_BYTES = 256 * 1024 * 1024
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
VIDEO_TYPES = frozenset({"video/mp4", "video/quicktime"})

PUBLISH = "publish"  # creates a public post: not idempotent, a lost answer is OutcomeUnknown
UPLOAD = "upload"  # an unpublished photo: nothing public yet, a lost answer is Retryable
CHECK = "check"
APP_CHECK = "app-check"  # /debug_token, made with the app's own token (app_id|app_secret)

AUTH_CODES = frozenset({102, 190})  # 190 with subcodes 458, 459, 460, 463, 464, 467, 492: re-authenticate
RATE_CODES = frozenset({4, 17, 32, 613})
DUPLICATE_CODE = 506
TRANSIENT_CODES = frozenset({1, 2})

_PAGE_ID = re.compile(r"[0-9]{1,32}")
_TOKEN = re.compile(r"[\x21-\x7e]{10,2048}")
_VERSION = re.compile(r"v[0-9]{1,3}\.[0-9]{1,2}")


@register
class FacebookPage(Channel):
    kind = "facebook"
    label = "Facebook page"
    config_fields = (
        ConfigField("page_id", "The page's numeric id (Page settings → About → Page ID)"),
        ConfigField("page_access_token", "Long-lived page access token with pages_manage_posts", secret=True),
        ConfigField("app_id", "The Meta app's id, to check the token's expiry (optional)", required=False),
        ConfigField("app_secret", "The Meta app's secret, for appsecret_proof and the expiry check (optional)",
                    required=False, secret=True),
        ConfigField("graph_version", f"Graph API version, e.g. {DEFAULT_VERSION} (default)", required=False),
        ConfigField("timeout", "Seconds to wait for Facebook's answer, 1–300 (default 30)", required=False),
    )
    example_settings: ClassVar[dict[str, Any]] = {
        "page_id": "104123456789012",
        "page_access_token": "EAAGm0PX4ZCpsBAExampleOnlyPageTokenZBZCxyz0123456789",
        "app_id": "1234567890123456",
        "app_secret": "0123456789abcdef0123456789abcdef",
        "graph_version": DEFAULT_VERSION,
        "timeout": 30,
    }
    # No idempotency key: a publish whose answer is lost is OutcomeUnknown (module docstring).
    http_wire = HttpWire(client="requests", resend_safe=False)
    read_timeout = (DEFAULT_READ_TIMEOUT, TIMEOUT_RANGE[1])  # longest_request_seconds reads it

    def check_config(self) -> None:
        super().check_config()
        page_id = self.config.get("page_id")
        if isinstance(page_id, int) and not isinstance(page_id, bool):
            page_id = str(page_id)
        if not isinstance(page_id, str) or not _PAGE_ID.fullmatch(page_id):
            raise ChannelConfigError("facebook: page_id must be the page's numeric id")
        self._page_id = page_id
        token = self.credentials.get("page_access_token")
        if not isinstance(token, str) or not _TOKEN.fullmatch(token):
            raise ChannelConfigError("facebook: page_access_token must be the token text, without spaces")
        app_id = self.config.get("app_id")
        app_secret = self.credentials.get("app_secret")
        if (app_id in (None, "")) != (app_secret in (None, "")):
            raise ChannelConfigError("facebook: app_id and app_secret go together (give both or neither)")
        if app_id not in (None, ""):
            if isinstance(app_id, int) and not isinstance(app_id, bool):
                app_id = str(app_id)
            if not isinstance(app_id, str) or not _PAGE_ID.fullmatch(app_id):
                raise ChannelConfigError("facebook: app_id must be the app's numeric id")
            if not isinstance(app_secret, str) or not _TOKEN.fullmatch(app_secret):
                raise ChannelConfigError("facebook: app_secret must be the secret's text, without spaces")
        self._app_id = app_id or None
        self._app_secret = app_secret or None
        version = self.config.get("graph_version") or DEFAULT_VERSION
        if not isinstance(version, str) or not _VERSION.fullmatch(version):
            raise ChannelConfigError(f"facebook: graph_version must look like {DEFAULT_VERSION}")
        self._version = version
        self._read_timeout = seconds_setting(self.kind, "timeout", self.config.get("timeout"), DEFAULT_READ_TIMEOUT,
                                            TIMEOUT_RANGE)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} page={self._page_id}>"

    @classmethod
    def capabilities(cls) -> Capabilities:
        return Capabilities(
            max_text=MAX_TEXT,
            text_counting="characters",
            max_images=MAX_PHOTOS,
            max_videos=1,
            media_types=IMAGE_TYPES | VIDEO_TYPES,
            max_media_bytes=MAX_VIDEO_BYTES,
            alt_text_required=True,
            idempotent=False,
            language_modes=frozenset({SEPARATE, TOGETHER}),  # a page post can hold every version, one after another
        )

    def validate(self, content: Content) -> list[Problem]:
        problems = super().validate(as_one(content))  # every language version in one post: counted together
        images = [m for m in content.media if m.is_image]
        videos = [m for m in content.media if m.is_video]
        if images and videos:
            problems.append(images_and_video(self.name, "a post takes photos or one video, not both"))
        for item in images:
            if item.size > MAX_IMAGE_BYTES:
                problems.append(media_too_large(self.name, item, MAX_IMAGE_BYTES, "a photo"))
        return problems

    # --- publish ------------------------------------------------------------------------------------

    def outgoing(self, content: Content) -> Outgoing:
        """The post as the page gets it: the text whole, photos with their alt texts (or one video under the
        post's title), several photos shown as a grid of squares. Facebook makes a card from the first link
        of a post without media. With language versions together, their texts come one after another."""
        images = [m for m in content.media if m.is_image]
        videos = [m for m in content.media if m.is_video]
        media = sent_media([*images, *videos], lambda m: m.alt_text if m.is_image else None)
        title = content.title or None if videos else None  # only a video carries a title
        text = together_text(content)
        return Outgoing(account=self.name, posts=(SentPost(text, title, content.language),), used=len(text),
                        limit=MAX_TEXT, counting="characters", media=media,
                        crop="square" if len(images) > 1 else "natural",
                        card_url=first_link(text) if not media else None)

    def publish(self, content: Content, *, key: str) -> Published:
        out = self.outgoing(content)
        images = [m for m in out.media if m.item.is_image]
        videos = [m for m in out.media if m.item.is_video]
        if len(images) > MAX_PHOTOS or len(videos) > 1 or (images and videos):
            raise Rejected("a Facebook post takes up to 10 photos or one video")
        # Every file is checked against its approved checksum before anything leaves this server.
        files = [(sent, sent.item.read_approved()) for sent in (*images, *videos)]
        post = out.posts[0]
        if videos:
            return self._post_video(post, *files[0])
        if len(images) == 1:
            return self._post_photo(post.text, *files[0])
        media_fbids = [self._upload_unpublished(sent, data) for sent, data in files]
        return self._post_feed(post.text, media_fbids)

    def _post_feed(self, text: str, media_fbids: list[str]) -> Published:
        args: dict[str, str] = {"message": text} if text else {}
        for n, fbid in enumerate(media_fbids):
            args[f"attached_media[{n}]"] = json.dumps({"media_fbid": fbid}, separators=(",", ":"))
        args.update(self._proof())
        body = self._sdk(PUBLISH, lambda graph: graph.put_object(self._page_id, "feed", **args))
        return self._published_post(body.get("id"))

    def _post_photo(self, text: str, sent: SentMedium, data: bytes) -> Published:
        item = sent.item
        args = {"caption": text} if text else {}
        args["alt_text_custom"] = sent.alt_text or ""
        args.update(self._proof())
        body = self._sdk(PUBLISH, lambda graph: graph.put_photo(
            image=(item.safe_filename, data, item.content_type), album_path=f"{self._page_id}/photos", **args))
        return self._published_post(body.get("post_id") or body.get("id"))

    def _upload_unpublished(self, sent: SentMedium, data: bytes) -> str:
        item = sent.item
        args = {"published": "false", "alt_text_custom": sent.alt_text or "", **self._proof()}
        body = self._sdk(UPLOAD, lambda graph: graph.put_photo(
            image=(item.safe_filename, data, item.content_type), album_path=f"{self._page_id}/photos", **args))
        fbid = body.get("id")
        if not isinstance(fbid, str | int) or isinstance(fbid, bool) or not str(fbid).isdigit():
            raise Retryable("Facebook's answer to a photo upload carried no photo id; nothing was published")
        return str(fbid)

    def _post_video(self, post: SentPost, sent: SentMedium, data: bytes) -> Published:
        item = sent.item
        form = {"title": post.title, "description": post.text} if post.title else {"description": post.text}
        form = {**form, "access_token": self.credentials["page_access_token"], **self._proof()}
        url = f"{VIDEO_HOST}{self._version}/{self._page_id}/videos"
        try:
            reply = self.session.post(
                url, data=form, files={"source": (item.safe_filename, data, item.content_type)},
                headers={"User-Agent": USER_AGENT}, timeout=self._timeout(), allow_redirects=False,
            )
        except requests.RequestException as exc:
            raise transport_failure(exc, PUBLISH, self._read_timeout) from None
        with reply:
            body = graph_outcome(PUBLISH, reply.status_code, reply.headers, reply.content, self._secrets())
        video_id = body.get("id")
        if not isinstance(video_id, str | int) or isinstance(video_id, bool) or not str(video_id).isdigit():
            raise OutcomeUnknown("Facebook accepted the video but its answer carried no video id; check the page")
        return Published(str(video_id), f"https://www.facebook.com/{self._page_id}/videos/{video_id}")

    def _published_post(self, post_id: object) -> Published:
        if not isinstance(post_id, str) or not re.fullmatch(r"[0-9]+(_[0-9]+)?", post_id):
            raise OutcomeUnknown("Facebook accepted the post but its answer carried no post id; check the page")
        page, _, story = post_id.partition("_")
        url = f"https://www.facebook.com/{page}/posts/{story}" if story else f"https://www.facebook.com/{post_id}"
        return Published(post_id, url)

    # --- find and check -----------------------------------------------------------------------------

    def find(self, key: str) -> Published | None:
        """Facebook keeps no key of ours, and `find` gets only the key, not the text that was sent,
        so the page's feed cannot be searched for it: a person decides (see docs/channels/facebook.md)."""
        raise OutcomeUnknown("Facebook cannot be searched by our key; check the page's posts and decide")

    def check(self) -> Health:
        try:
            page = self._sdk(CHECK, lambda graph: graph.get_object(self._page_id, fields="id,name", **self._proof()))
        except ChannelError as exc:
            return Health.from_error(exc)
        name = page.get("name") if isinstance(page.get("name"), str) else self._page_id
        if not (self._app_id and self._app_secret):
            return Health(ok=True, message=f'the token can read the page "{name}"; give app_id and app_secret '
                                           "to see when it expires")
        try:
            debug = self._sdk(APP_CHECK, lambda graph: graph.debug_access_token(
                self.credentials["page_access_token"], self._app_id, self._app_secret))
        except ChannelError as exc:
            return Health.from_error(exc, f'page "{name}"; the token check failed: {exc.message}')
        return token_health(name, self._page_id, debug.get("data"))

    # --- the wire -----------------------------------------------------------------------------------

    def _timeout(self) -> tuple[float, float]:
        return (CONNECT_TIMEOUT, self._read_timeout)

    def _secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.credentials["page_access_token"], self._app_secret) if s)

    def _proof(self) -> dict[str, str]:
        if not self._app_secret:
            return {}
        token = self.credentials["page_access_token"]
        return {"appsecret_proof": hmac.new(self._app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()}

    def _sdk(self, stage: str, call: Callable[[facebook.GraphAPI], object]) -> dict[str, Any]:
        wire = SdkSession(self.session, self._timeout(), user_agent=USER_AGENT)
        graph = facebook.GraphAPI(
            access_token=self.credentials["page_access_token"], timeout=self._timeout(), version=SDK_VERSION,
            session=wire,
        )
        graph.version = self._version  # the SDK builds URLs as GRAPH_URL + version + "/" + path
        try:
            call(graph)
        except requests.JSONDecodeError:
            pass  # a body labelled JSON that is not: judged from the answer below
        except requests.RequestException as exc:
            if wire.response is None:
                raise transport_failure(exc, stage, self._read_timeout) from None
        except Exception:  # GraphAPIError, or the SDK choking on an odd answer: the answer decides
            if wire.response is None:
                if stage == PUBLISH:
                    raise OutcomeUnknown("the call to Facebook failed unexpectedly; the post may exist") from None
                raise Retryable("the call to Facebook failed unexpectedly") from None
        reply = wire.response
        assert reply is not None
        return graph_outcome(stage, reply.status_code, reply.headers, reply.content, self._secrets())


# --- settings and files -----------------------------------------------------------------------------


# --- translating Facebook's answers: the one place that decides what a failure means ----------------


def graph_outcome(
    stage: str, status: int, headers: Mapping[str, str], content: bytes | str, secrets: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The parsed JSON object of a successful answer; for anything else the matching channel error.

    Graph API errors carry `{"error": {"message", "type", "code", "error_subcode", "is_transient",
    "error_user_title", "error_user_msg", "fbtrace_id"}}`, usually with HTTP 400 (500 for codes 1/2).
    The code decides; the HTTP status only when there is no error object."""
    text = _scrub(content.decode("utf-8", errors="replace") if isinstance(content, bytes) else content, secrets)
    try:
        body = json.loads(text) if text.strip() else None
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        _raise_graph_error(stage, status, headers, error, text, secrets)
    if 200 <= status < 300 and isinstance(body, dict):
        return body
    words = said(text)
    if status == 429:
        raise RateLimited(f"Facebook is limiting requests (HTTP 429){words}", retry_after=usage_wait(headers),
                          status=status, body=text)
    if 300 <= status < 400:
        raise Rejected(f"Facebook answered with a redirect (HTTP {status})", status=status, body=text)
    if status == 401:
        raise AuthExpired(f"Facebook refused the page token (HTTP 401){words}", status=status, body=text)
    if 400 <= status < 500 and status != 408:
        raise Rejected(f"Facebook refused the request (HTTP {status}){words}", status=status, body=text)
    # A 5xx, a 408, or a 2xx without a usable body (empty, HTML, a JSON list).
    what = f"Facebook answered HTTP {status} without a usable result{words}"
    if stage == PUBLISH:
        raise OutcomeUnknown(f"{what}; the post may exist", status=status, body=text)
    raise Retryable(what, status=status, body=text)


def _raise_graph_error(
    stage: str, status: int, headers: Mapping[str, str], error: Mapping[str, Any], text: str, secrets: tuple[str, ...]
) -> None:
    code = error.get("code") if isinstance(error.get("code"), int) else None
    subcode = error.get("error_subcode") if isinstance(error.get("error_subcode"), int) else None
    which = (f"code {code}" if code is not None else "no error code") + (
        f", subcode {subcode}" if subcode is not None else "")
    parts = [error.get("message"), error.get("error_user_title"), error.get("error_user_msg")]
    words = said(" ".join(_scrub(p, secrets) for p in parts if isinstance(p, str)))
    kw: dict[str, Any] = {"status": status, "body": text}
    if code in AUTH_CODES and stage == APP_CHECK:
        raise AuthExpired(f"Facebook refused app_id/app_secret ({which}){words}", **kw)
    if code in AUTH_CODES:
        raise AuthExpired(f"Facebook refused the page token ({which}){words}; generate a new page access token", **kw)
    if code in RATE_CODES or (code is not None and 80000 <= code <= 80014) or status == 429:
        raise RateLimited(f"Facebook is limiting requests ({which}){words}", retry_after=usage_wait(headers), **kw)
    if code == DUPLICATE_CODE and stage == PUBLISH:
        raise OutcomeUnknown("Facebook says duplicate: it probably went out", **kw)
    if code in TRANSIENT_CODES or error.get("is_transient") is True or status >= 500:
        if stage == PUBLISH:
            raise OutcomeUnknown(f"Facebook failed ({which}){words}; the post may exist", **kw)
        raise Retryable(f"Facebook failed ({which}){words}", **kw)
    # 100 invalid parameter, 200-299 permissions, 368 blocked as abusive, 10 no permission, and the rest.
    raise Rejected(f"Facebook refused the post ({which}){words}", **kw)


def usage_wait(headers: Mapping[str, str]) -> float | None:
    """Seconds until Facebook lifts a rate limit: the largest `estimated_time_to_regain_access`
    (minutes) in the usage headers, else Retry-After; None when neither says."""
    minutes: list[float] = []
    for name in ("x-business-use-case-usage", "x-app-usage", "x-page-usage", "x-ad-account-usage"):
        raw = headers.get(name)
        if not raw:
            continue
        try:
            minutes.extend(_find_regain(json.loads(raw)))
        except ValueError:
            continue
    positive = [m for m in minutes if m > 0]
    if positive:
        return max(positive) * 60.0
    return parse_retry_after(headers.get("Retry-After"))


def _find_regain(value: object) -> list[float]:
    if isinstance(value, dict):
        found = []
        for key, inner in value.items():
            if key == "estimated_time_to_regain_access" and isinstance(inner, int | float) \
                    and not isinstance(inner, bool):
                found.append(float(inner))
            else:
                found.extend(_find_regain(inner))
        return found
    if isinstance(value, list):
        return [m for inner in value for m in _find_regain(inner)]
    return []


def token_health(name: str, page_id: str, data: object) -> Health:
    """What /debug_token says about the page token."""
    if not isinstance(data, dict):
        return Health(ok=False, message=f'page "{name}"; Facebook\'s token check gave no answer')
    # expires_at 0 means the token itself never expires; data_access_expires_at is when the person who made it
    # must use the app again (about 90 days), after which the token reads and posts nothing: the sooner counts.
    times = [datetime.fromtimestamp(t, UTC) for t in (data.get("expires_at"), data.get("data_access_expires_at"))
             if isinstance(t, int) and not isinstance(t, bool) and t > 0]
    expires_at = min(times) if times else None
    if data.get("is_valid") is not True:
        error = data.get("error") if isinstance(data.get("error"), dict) else {}
        why = f": {error['message']}" if isinstance(error.get("message"), str) else ""
        return Health.refusal(f"Facebook says the page token is not valid{why}", expires_at)
    profile = data.get("profile_id")
    if profile not in (None, "") and str(profile) != page_id:
        return Health.refusal(f"the token belongs to another page ({profile})", expires_at)
    scopes = data.get("scopes") if isinstance(data.get("scopes"), list) else []
    missing = [p for p in ("pages_manage_posts", "pages_read_engagement") if p not in scopes]
    if missing:
        return Health.refusal(f'page "{name}"; the token lacks {", ".join(missing)}', expires_at)
    when = f"expires {expires_at:%Y-%m-%d %H:%M} UTC" if expires_at else "does not expire"
    return Health(ok=True, message=f'page "{name}"; the token {when}', expires_at=expires_at)


def _scrub(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return re.sub(r"(access_token|appsecret_proof|client_secret)=[^&\s\"']+", r"\1=***", text)


def transport_failure(exc: requests.RequestException, stage: str, read_timeout: float) -> ChannelError:
    """No answer came back. Only the exception's class name is used: its text holds the URL, and a GET
    carries the access token in its query."""
    name = type(exc).__name__
    if nothing_sent(exc):
        return Retryable(f"could not connect to Facebook ({name}); nothing was sent")
    if isinstance(exc, requests.ReadTimeout):
        what = f"Facebook did not answer within {read_timeout:g} s ({name})"
    elif isinstance(exc, requests.ConnectionError):
        what = f"the connection to Facebook broke ({name})"
    else:
        what = f"the request to Facebook failed ({name})"
    if stage == PUBLISH:
        return OutcomeUnknown(f"{what}; the post may exist")
    return Retryable(f"{what}; nothing was published" if stage == UPLOAD else what)
