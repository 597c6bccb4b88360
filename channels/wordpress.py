"""The ministry's own website, a WordPress site, through its REST API (wp/v2).

Authentication: a WordPress Application Password (WordPress 5.6+) over HTTP Basic. WordPress offers them
only over HTTPS, or over plain HTTP when WP_ENVIRONMENT_TYPE is "local".

One delivery becomes one post, or two for Serbian with `scripts` "both": the post in the script it was
written in, and its twin in the other script, which the core hands over in `Content.other_script` (an
adapter never transliterates). Each post has a slug made from the delivery key ("pub-<key>", the twin
"pub-<key>-lat" or "pub-<key>-cir"), which is how `find` and a retried `publish` recognise what an earlier attempt already created. Media get slugs too
("pub-<key>-m1", ...), so a retry reuses uploads instead of piling up copies in the media library.

Why resending after a 5xx, a read timeout or a dropped connection is Retryable here, although WordPress
has no idempotency key: `publish` first looks the slugs up (authenticated, every status but trash) and
returns what exists instead of creating it again. The one gap is a post that WordPress created but the
lookup could not see yet (a cache, a replica): creating it again then makes WordPress give the second post
"<slug>-2" (published posts get unique slugs), so a created post whose slug is not the one we asked for is a
duplicate: it is deleted (force, not trash) and the original returned. Drafts and pending posts do not get
unique slugs, so for those `publish` looks the slug up once more after creating and keeps the oldest.

The posts are linked to each other by a closing paragraph ("Latinica: <link>" / "Ћирилица: <link>"). The
twin is created first, then the first post ("pub-<key>") with its link to the twin already in it, then the
twin gets its link back by an update. So the post that `find(key)` looks for exists only once its twin
does; a crash before the last update leaves only the twin's link back missing, and a retry adds it (a line
is added only to a post that does not link to its twin yet). The lines are plain paragraphs in the
content, so they survive any theme, export or plugin change.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import mimetypes
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from channels.adapter_kit import CONNECT_TIMEOUT, USER_AGENT, parse_retry_after, read_limited, said
from channels.base import (
    Capabilities,
    Channel,
    ConfigField,
    Content,
    Health,
    HttpWire,
    MediaItem,
    Problem,
    Published,
    check_against_capabilities,
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
from channels.outgoing import Outgoing, SentMedium, SentPost
from channels.registry import register

VALIDATE_TIMEOUT = 10.0  # validate() runs while an officer waits for the submit to finish
DEFAULT_READ_TIMEOUT = 60.0  # WordPress makes the image sub-sizes before it answers an upload
TIMEOUT_RANGE = (1.0, 300.0)
DEFAULT_MAX_MEDIA_MB = 64
MEDIA_MB_RANGE = (1, 1024)
MAX_IMAGES = 20
MAX_VIDEOS = 5
MAX_TEXT = 200_000  # not WordPress's limit (it has none to speak of), a guard against a pasted book
MAX_REPLY_BYTES = 8 * 1024 * 1024
MAX_ERROR_BODY = 4000  # how much of it an error keeps in `body`
PER_PAGE = 100
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
VIDEO_TYPES = frozenset({"video/mp4"})
MEDIA_TYPES = IMAGE_TYPES | VIDEO_TYPES
STATUSES = ("publish", "draft", "pending")
SCRIPTS = ("both", "cyrillic", "latin")
SLUG_PREFIX = "pub-"
LATIN, CYRILLIC = "sr-Latn", "sr-Cyrl"  # the language tags of Serbian in its two scripts
TWIN_SUFFIX = {LATIN: "-lat", CYRILLIC: "-cir"}
# The closing line that links a post to its twin, in the twin's script.
TWIN_LABEL = {LATIN: "Latinica", CYRILLIC: "Ћирилица"}
_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "video/mp4": ".mp4",
}
# WordPress error codes meaning "this user, with these credentials, may not do this": pause the channel.
AUTH_CODES = frozenset(
    {
        "incorrect_password",
        "invalid_username",
        "invalid_email",
        "application_passwords_disabled",
        "application_passwords_disabled_for_user",
        "rest_not_logged_in",
    }
)
# Upload errors that sending the same file again cannot fix (WordPress answers some with HTTP 500).
UPLOAD_REFUSALS = frozenset(
    {
        "rest_upload_sideload_error",
        "rest_upload_file_too_big",
        "rest_upload_limited_space",
        "rest_upload_user_quota_exceeded",
        "rest_upload_invalid_disposition",
        "rest_upload_no_content_disposition",
        "rest_upload_no_data",
        "rest_upload_no_content_type",
    }
)
_SLUG_SAFE = re.compile(r"[^a-z0-9-]+")
_TAG = re.compile(r"<[^>]*>")
_APP_PASSWORD = re.compile(r"[A-Za-z0-9]{24}")


@dataclass(frozen=True)
class _PostPlan:
    """One post to create: in which script, under which slug, with which words."""

    slug: str
    language: str
    title: str
    text: str
    alt_texts: tuple[str, ...]  # one per media item, in this post's script


@dataclass(frozen=True)
class _Media:
    id: int
    url: str
    item: MediaItem


@register
class WordPress(Channel):
    kind = "wordpress"
    label = "Official website (WordPress)"
    config_fields = (
        ConfigField(
            "base_url",
            "The site's address, e.g. https://www.example.gov.rs (its REST API is <address>/wp-json/)",
        ),
        ConfigField("username", "The WordPress user the posts are published as (Editor or Author role)"),
        ConfigField(
            "application_password", "An Application Password of that user (Users → Profile)", secret=True
        ),
        ConfigField(
            "status",
            "publish (default), or draft / pending for sites where someone reviews first",
            required=False,
        ),
        ConfigField(
            "categories",
            "Category names or ids the posts go into (they must exist on the site)",
            required=False,
        ),
        ConfigField(
            "tags", "Tag names or ids added to every post (missing tags are created)", required=False
        ),
        ConfigField(
            "scripts",
            "For Serbian: both (default: a Cyrillic and a Latin post), cyrillic or latin",
            required=False,
        ),
        ConfigField("timeout", "Seconds to wait for the site's answer, 1–300 (default 60)", required=False),
        ConfigField(
            "max_media_mb", "Largest file the site accepts, in MB, 1–1024 (default 64)", required=False
        ),
    )
    example_settings = {
        "base_url": "https://www.example.gov.rs",
        "username": "redakcija",
        "application_password": "abcd EFGH ijkl MNOP qrst UVWX",
        "status": "publish",
        # No categories here: naming them makes validate() ask the site, and examples must stay offline.
        "tags": ["саопштење"],
        "scripts": "both",
    }
    # No idempotency key (capabilities().idempotent is False), yet resending is safe: publish looks its
    # slugs up before it creates anything (module docstring), so a 5xx or a lost answer is Retryable.
    http_wire = HttpWire(client="requests", resend_safe=True)
    read_timeout = (DEFAULT_READ_TIMEOUT, TIMEOUT_RANGE[1])  # longest_request_seconds reads it

    # --- settings -------------------------------------------------------------------------------------

    def check_config(self) -> None:
        super().check_config()
        self._base = _check_base_url(self.config.get("base_url"))
        username = self.config.get("username")
        if not isinstance(username, str) or not username.strip() or ":" in username:
            raise ChannelConfigError("wordpress: username must be a WordPress user name or e-mail (no ':')")
        self._username = username.strip()
        password = self.credentials.get("application_password")
        if not isinstance(password, str) or not _APP_PASSWORD.fullmatch(re.sub(r"\s+", "", password)):
            # Not echoed. The usual mistake is the account's login password, which the REST API refuses.
            raise ChannelConfigError(
                "wordpress: application_password must be the 24 letters and digits WordPress shows once when "
                "the Application Password is created (spaces are fine), not the account's login password"
            )
        self._auth = (self._username, re.sub(r"\s+", "", password))
        self._status = _choice(self.config.get("status"), STATUSES, "status")
        self._scripts = _choice(self.config.get("scripts"), SCRIPTS, "scripts")
        self._categories = _term_list(self.config.get("categories"), "categories")
        self._tags = _term_list(self.config.get("tags"), "tags")
        self._read_timeout = _number(
            self.config.get("timeout"), DEFAULT_READ_TIMEOUT, TIMEOUT_RANGE, "timeout"
        )
        self._max_media_bytes = int(
            _number(self.config.get("max_media_mb"), DEFAULT_MAX_MEDIA_MB, MEDIA_MB_RANGE, "max_media_mb")
            * 1024
            * 1024
        )
        self._category_ids: list[int] | None = None  # resolved once per instance

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} host={urlsplit(self._base).hostname!r}>"

    @classmethod
    def capabilities(cls) -> Capabilities:
        return Capabilities(
            max_text=MAX_TEXT,
            text_counting="characters",
            title_required=True,
            max_images=MAX_IMAGES,
            max_videos=MAX_VIDEOS,
            media_types=MEDIA_TYPES,
            max_media_bytes=DEFAULT_MAX_MEDIA_MB * 1024 * 1024,
            alt_text_required=True,
            idempotent=False,  # WordPress has no idempotency key; the slug lookup stands in for one
            script_twins=True,  # the Serbian Latin/Cyrillic pair is one delivery: a post and its twin
        )

    def validate(self, content: Content) -> list[Problem]:
        caps = dataclasses.replace(self.capabilities(), max_media_bytes=self._max_media_bytes)
        problems = check_against_capabilities(self.name, caps, content)
        if self._categories:
            try:
                _, unknown = self._resolve_categories(timeout=VALIDATE_TIMEOUT)
            except ChannelError:
                unknown = []  # the site did not answer: publishing will tell; the content is not at fault
            problems += [Problem(self.name, _unknown_categories([name]), None, "unknown_category", {"name": name})
                         for name in unknown]
        return problems

    # --- publish --------------------------------------------------------------------------------------

    def publish(self, content: Content, *, key: str) -> Published:
        plans = self._plans(content, key)  # the first one is what find(key) looks for
        for item in content.media:  # before anything is sent: never upload bytes that were not approved
            item.read_approved()
        # First look: a retried delivery returns what an earlier attempt made instead of making it again.
        existing = self._lookup([p.slug for p in plans])
        first_plan = plans[0]
        media: list[_Media] = []
        categories: list[int] = []
        tags: list[int] = []
        if any(p.slug not in existing for p in plans):
            categories, unknown = self._resolve_categories()
            if unknown:
                raise Rejected(_unknown_categories(unknown))
            tags = self._resolve_tags()
            media = self._ensure_media(content, key, first_plan)

        if len(plans) == 1:
            first = existing.get(first_plan.slug) or self._create_post(first_plan, media, categories, tags)
            return _published(first)
        # The twin is made before the first post, and the first post already links to it when it is made:
        # so once find(key) sees the first post, the twin exists too. The twin's link back comes last.
        twin_plan = plans[1]
        first = existing.get(first_plan.slug)
        twin = existing.get(twin_plan.slug)
        if twin is None:
            back = (first_plan.language, _link(first)) if first is not None else None
            twin = self._create_post(twin_plan, media, categories, tags, twin_link=back)
        if first is None:
            first = self._create_post(
                first_plan, media, categories, tags, twin_link=(twin_plan.language, _link(twin))
            )
        if not _links_to(first, twin):
            self._append_twin_link(first, twin_plan.language, _link(twin))
        if not _links_to(twin, first):
            self._append_twin_link(twin, first_plan.language, _link(first))
        return _published(first)

    def find(self, key: str) -> Published | None:
        """The delivery's first post ("pub-<key>", not the twin), in any status but trash. It is made after
        its twin, so when it is there the twin is too.

        A site that cannot be asked raises Retryable/RateLimited (the reconciler asks again next round)
        or AuthExpired; a trashed post counts as gone, so reconciliation would publish it again."""
        slug = post_slug(key)
        found = self._lookup([slug])
        return _published(found[slug]) if slug in found else None

    def check(self) -> Health:
        try:
            me = self._call("GET", "wp/v2/users/me", params={"context": "edit"}, what="ask who we are")
        except AuthExpired as exc:
            hint = ""
            if urlsplit(self._base).scheme == "http":
                hint = (
                    " (over plain http WordPress offers Application Passwords only on local test sites: "
                    "use https)"
                )
            return Health.refusal(f"{exc.message}{hint}")
        except ChannelError as exc:
            return Health.from_error(exc)
        if not isinstance(me, dict):
            return Health(ok=False, message="the site answered something that is not a WordPress user")
        name = str(me.get("name") or me.get("slug") or self._username)
        caps = me.get("capabilities") if isinstance(me.get("capabilities"), dict) else {}
        needed = ["upload_files"] + (["publish_posts"] if self._status == "publish" else ["edit_posts"])
        missing = [c for c in needed if not caps.get(c)]
        if missing:
            roles = ", ".join(str(r) for r in me.get("roles") or []) or "none"
            return Health.refusal(
                f"signed in as {name}, but the account lacks {', '.join(missing)} "
                f"(roles: {roles}); give it the Editor or Author role",
            )
        return Health(ok=True, message=f"signed in as {name}")

    # --- the steps of a publish -----------------------------------------------------------------------

    def outgoing(self, content: Content) -> Outgoing:
        """The posts as the site gets them: one, or for Serbian with `scripts` "both" the post and its twin in
        the other script (the first is what `find` looks for); each with its title and its script's alt texts.
        The first image is the featured one, shown in its own shape; the site makes no card."""
        original = SentPost(content.text, content.title, content.language, tuple(m.alt_text for m in content.media))
        posts = [original]
        twin = content.other_script
        if content.language in (CYRILLIC, LATIN) and twin is not None and twin.language in TWIN_SUFFIX:
            derived = SentPost(twin.text, twin.title, twin.language, twin.alt_texts)
            wanted = {"both": None, "cyrillic": CYRILLIC, "latin": LATIN}[self._scripts]
            posts = [original, derived] if wanted is None else [original] if wanted == content.language else [derived]
        first_alts = posts[0].alt_texts or ()
        # An image's alt text as the media library keeps it (library_alt: whitespace folded); a video has none.
        media = tuple(SentMedium(item, " ".join(alt.split()) if item.is_image else None)
                      for item, alt in zip(content.media, first_alts, strict=True))
        return Outgoing(account=urlsplit(self._base).hostname or self.name, posts=tuple(posts),
                        used=len(posts[0].text), limit=MAX_TEXT, counting="characters", media=media, crop="natural")

    def _plans(self, content: Content, key: str) -> list[_PostPlan]:
        """The posts of `outgoing` with their slugs: the first under the plain slug (what find(key) looks for),
        a twin under the plain slug and its script's suffix."""
        slug = post_slug(key)
        posts = self.outgoing(content).posts
        return [_PostPlan(slug if n == 0 else slug + TWIN_SUFFIX[post.language or ""], post.language or "",
                          post.title or "", post.text, post.alt_texts or ())
                for n, post in enumerate(posts)]

    def _lookup(self, slugs: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Our posts by slug (the oldest when a slug is on several drafts), in every status but trash."""
        found = self._call(
            "GET",
            "wp/v2/posts",
            what="look for the post",
            params={
                "slug": ",".join(slugs),
                "status": "any",
                "context": "edit",
                "per_page": PER_PAGE,
                "orderby": "id",
                "order": "asc",
            },
        )
        if not isinstance(found, list):
            raise Retryable("the site answered the post lookup with something that is not a list of posts")
        out: dict[str, dict[str, Any]] = {}
        for post in found:
            if isinstance(post, dict) and post.get("slug") in slugs and isinstance(post.get("id"), int):
                out.setdefault(post["slug"], post)
        return out

    def _ensure_media(self, content: Content, key: str, plan: _PostPlan) -> list[_Media]:
        """Upload what an earlier attempt did not, and make sure each image carries its alt text (in the
        first post's script: that is the page the featured image shows on first)."""
        if not content.media:
            return []
        slugs = [media_slug(key, n) for n in range(1, len(content.media) + 1)]
        found = self._call(
            "GET",
            "wp/v2/media",
            what="look for uploaded media",
            params={
                "slug": ",".join(slugs),
                "context": "edit",
                "per_page": PER_PAGE,
                "orderby": "id",
                "order": "asc",
            },
        )
        if not isinstance(found, list):
            raise Retryable("the site answered the media lookup with something that is not a list")
        by_slug: dict[str, dict[str, Any]] = {}
        for entry in found:
            if isinstance(entry, dict) and entry.get("slug") in slugs and isinstance(entry.get("id"), int):
                by_slug.setdefault(entry["slug"], entry)
        media: list[_Media] = []
        for slug, item, alt in zip(slugs, content.media, plan.alt_texts, strict=True):
            entry = by_slug.get(slug) or self._upload(item, slug)
            if item.is_image and str(entry.get("alt_text") or "") != library_alt(alt):
                entry = self._call(
                    "POST",
                    f"wp/v2/media/{entry['id']}",
                    json={"alt_text": library_alt(alt)},
                    what=f"set the alt text of {item.label}",
                )
                if not isinstance(entry, dict) or not isinstance(entry.get("id"), int):
                    raise Retryable(
                        "the site answered the alt text update with something that is not a medium"
                    )
            url = entry.get("source_url")
            if not isinstance(url, str) or not url:
                raise Retryable(f"the site gave no address for the uploaded {item.label}")
            media.append(_Media(entry["id"], url, item))
        return media

    def _upload(self, item: MediaItem, slug: str) -> dict[str, Any]:
        data = item.read_approved()
        ext = _EXTENSIONS.get(item.content_type) or mimetypes.guess_extension(item.content_type) or ""
        entry = self._call(
            "POST",
            "wp/v2/media",
            what=f"upload {item.label}",
            params={"slug": slug},
            data=data,
            headers={
                "Content-Type": item.content_type,
                "Content-Disposition": f'attachment; filename="{slug}{ext}"',
            },
        )
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), int):
            raise Retryable(
                f"the site answered the upload of {item.label} with something that is not a medium"
            )
        return entry

    def _resolve_categories(self, timeout: float | None = None) -> tuple[list[int], list[str]]:
        """(ids, names or ids that do not exist). Names match case-insensitively, by name or slug."""
        if self._category_ids is not None:
            return self._category_ids, []
        ids = [t for t in self._categories if isinstance(t, int)]
        names = [t for t in self._categories if isinstance(t, str)]
        unknown: list[str] = []
        if ids:
            listed = self._call(
                "GET",
                "wp/v2/categories",
                what="look up the categories",
                params={"include": ",".join(map(str, ids)), "per_page": PER_PAGE},
                timeout=timeout,
            )
            if not isinstance(listed, list):
                raise Retryable("the site answered the category lookup with something that is not a list")
            have = {t.get("id") for t in listed if isinstance(t, dict)}
            unknown += [str(i) for i in ids if i not in have]
        for name in names:
            term = self._find_term("categories", name, timeout)
            if term is None:
                unknown.append(name)
            else:
                ids.append(term)
        if not unknown:
            self._category_ids = ids
        return ids, unknown

    def _resolve_tags(self) -> list[int]:
        ids = [t for t in self._tags if isinstance(t, int)]
        for name in (t for t in self._tags if isinstance(t, str)):
            term = self._find_term("tags", name)
            if term is None:
                term = self._create_tag(name)
            ids.append(term)
        return ids

    def _find_term(self, taxonomy: str, name: str, timeout: float | None = None) -> int | None:
        listed = self._call(
            "GET",
            f"wp/v2/{taxonomy}",
            what=f"look up the {taxonomy}",
            params={"search": name, "per_page": PER_PAGE},
            timeout=timeout,
        )
        if not isinstance(listed, list):
            raise Retryable(f"the site answered the {taxonomy} lookup with something that is not a list")
        wanted = name.strip().casefold()
        for term in listed:
            if not isinstance(term, dict) or not isinstance(term.get("id"), int):
                continue
            # WordPress returns names HTML-escaped ("Vesti &amp; događaji").
            if (
                html.unescape(str(term.get("name", ""))).strip().casefold() == wanted
                or term.get("slug") == wanted
            ):
                return term["id"]
        return None

    def _create_tag(self, name: str) -> int:
        status, headers, text = self._send(
            "POST", "wp/v2/tags", json={"name": name}, what=f"create the tag «{name}»"
        )
        body = _json(text)
        if status == 400 and isinstance(body, dict) and body.get("code") == "term_exists":
            term = (body.get("data") or {}).get("term_id") if isinstance(body.get("data"), dict) else None
            if isinstance(term, int):
                return term  # created meanwhile by someone else: use theirs
        created = _outcome(status, headers, text, f"create the tag «{name}»")
        if not isinstance(created, dict) or not isinstance(created.get("id"), int):
            raise Retryable(
                f"the site answered the creation of the tag «{name}» with something that is not a tag"
            )
        return created["id"]

    def _create_post(
        self,
        plan: _PostPlan,
        media: Sequence[_Media],
        categories: list[int] | None,
        tags: list[int] | None,
        *,
        twin_link: tuple[str, str] | None = None,
    ) -> dict[str, Any]:
        images = [m for m in media if m.item.is_image]
        payload: dict[str, Any] = {
            "title": html.escape(plan.title, quote=False),
            "content": render_content(plan, media, twin_link),
            "status": self._status,
            "slug": plan.slug,
        }
        if images:
            payload["featured_media"] = images[0].id
        if categories:
            payload["categories"] = categories
        if tags:
            payload["tags"] = tags
        created = self._call(
            "POST", "wp/v2/posts", json=payload, params={"context": "edit"}, what="create the post"
        )
        if (
            not isinstance(created, dict)
            or not isinstance(created.get("id"), int)
            or not isinstance(created.get("slug"), str)
        ):
            # If it did create the post, the next attempt finds it by its slug.
            raise Retryable("the site answered the new post with something that is not a post")
        return self._keep_oldest(plan.slug, created)

    def _keep_oldest(self, slug: str, created: dict[str, Any]) -> dict[str, Any]:
        """If an earlier attempt's post exists under this slug after all, delete the one just made."""
        duplicate = created.get("slug") != slug  # WordPress suffixed "-2": the slug was taken
        if not duplicate and created.get("status") in ("draft", "pending"):
            # Drafts keep the slug they are given even when it is taken: look again.
            original = self._lookup([slug]).get(slug)
            duplicate = original is not None and original["id"] != created["id"]
        if not duplicate:
            return created
        try:
            self._call(
                "DELETE",
                f"wp/v2/posts/{created['id']}",
                params={"force": "true"},
                what="delete a duplicate post",
            )
            original = self._lookup([slug]).get(slug)
        except ChannelError as exc:
            raise OutcomeUnknown(
                f"post {created['id']} duplicates an earlier attempt's post with the slug {slug} "
                "and could not be "
                f"removed ({exc.message}); a person should delete it on the site"
            ) from None
        if original is None or original["id"] == created["id"]:
            raise OutcomeUnknown(
                f"the slug {slug} was taken, but no post of ours has it; post {created['id']} was deleted, "
                "a person should look at the site"
            )
        return original

    def _append_twin_link(self, post: dict[str, Any], twin_language: str, twin_url: str) -> None:
        raw = _raw(post.get("content"))
        updated = self._call(
            "POST",
            f"wp/v2/posts/{post['id']}",
            params={"context": "edit"},
            json={"content": raw + twin_line(twin_language, twin_url)},
            what="link the post to its other script",
        )
        if not isinstance(updated, dict):
            raise Retryable("the site answered the post update with something that is not a post")
        post.update(updated)

    # --- HTTP: every call goes through here -----------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        what: str,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> tuple[int, Mapping[str, str], str]:
        url = f"{self._base}/wp-json/{path}"
        read_timeout = timeout or self._read_timeout
        try:
            reply = self.session.request(
                method,
                url,
                params=params,
                json=json,
                data=data,
                headers={"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})},
                auth=self._auth,  # per request: the session is shared with other channels
                timeout=(CONNECT_TIMEOUT, read_timeout),
                allow_redirects=False,  # a redirected POST becomes a GET; and credentials must not follow
                stream=True,
            )
        except requests.RequestException as exc:
            raise _transport_failure(exc, what, read_timeout) from None
        with reply:
            return reply.status_code, reply.headers, _read_reply(reply)

    def _call(self, method: str, path: str, *, what: str, **kw: Any) -> Any:
        status, headers, text = self._send(method, path, what=what, **kw)
        return _outcome(status, headers, text, what)


# --- slugs and content ----------------------------------------------------------------------------------


def post_slug(key: str) -> str:
    """'pub-' + the key in [a-z0-9-]; a short hash of the key is added when that changed anything, so that
    two keys never share a slug."""
    clean = _SLUG_SAFE.sub("-", key.lower()).strip("-")
    if clean != key or len(clean) > 150:
        clean = f"{clean[:150]}-{hashlib.sha256(key.encode()).hexdigest()[:10]}".strip("-")
    return SLUG_PREFIX + clean


def media_slug(key: str, n: int) -> str:
    return f"{post_slug(key)}-m{n}"


def _paragraphs(text: str) -> list[str]:
    blocks = re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").replace("\r", "\n").strip())
    return [b.strip() for b in blocks if b.strip()]


def render_content(plan: _PostPlan, media: Sequence[_Media], twin_link: tuple[str, str] | None) -> str:
    """The post's HTML: the officer's plain text as paragraphs, the images after the first (which is the
    featured image), the videos, and the link to the twin. Everything from the officer is escaped."""
    parts = [
        "<p>" + "<br />\n".join(html.escape(line.strip()) for line in block.split("\n")) + "</p>"
        for block in _paragraphs(plan.text)
    ]
    first_image = next((m for m in media if m.item.is_image), None)
    for m, alt_text in zip(media, plan.alt_texts, strict=True):  # alt text in this post's script
        alt = html.escape(alt_text)
        src = html.escape(m.url)
        if m.item.is_image and m is not first_image:
            parts.append(
                f'<figure class="wp-block-image"><img src="{src}" alt="{alt}" class="wp-image-{m.id}" />'
                "</figure>"
            )
        elif m.item.is_video:
            parts.append(
                f'<figure class="wp-block-video"><video controls src="{src}"></video>'
                f'<figcaption><a href="{src}">{html.escape(m.item.label)}</a></figcaption></figure>'
            )
    body = "\n\n".join(parts)
    if twin_link is not None:
        body += twin_line(*twin_link)
    return body


def library_alt(alt: str) -> str:
    """The alt text as the media library should keep it. WordPress passes alt_text through
    sanitize_text_field, which drops anything that looks like a tag ("<хала>") and folds whitespace; themes
    print it with esc_attr, which leaves entities alone. So < > & go as entities, and nothing is lost."""
    return " ".join(html.escape(alt, quote=False).split())


def twin_line(language: str, url: str) -> str:
    """The closing paragraph linking to the same post in the other script."""
    return (
        f'\n\n<p class="publisher-twin" lang="{language}">{TWIN_LABEL[language]}: '
        f'<a href="{html.escape(url)}" hreflang="{language}">{html.escape(url)}</a></p>'
    )


def _links_to(post: Mapping[str, Any], twin: Mapping[str, Any]) -> bool:
    return f'href="{html.escape(_link(twin))}"' in _raw(post.get("content"))


def _raw(field: Any) -> str:
    if isinstance(field, dict):
        return str(field.get("raw") if field.get("raw") is not None else field.get("rendered") or "")
    return str(field or "")


def _link(post: Mapping[str, Any]) -> str:
    link = post.get("link")
    return link if isinstance(link, str) else ""


def _published(post: Mapping[str, Any]) -> Published:
    return Published(remote_id=str(post["id"]), url=_link(post) or None)


def _unknown_categories(names: Sequence[str]) -> str:
    listed = ", ".join(f"«{n}»" for n in names)
    if len(names) == 1:
        return (
            f"the category {listed} does not exist on the site; an admin must create it there "
            "or change this channel's categories"
        )
    return (
        f"the categories {listed} do not exist on the site; an admin must create them there "
        "or change this channel's categories"
    )


# --- settings helpers -------------------------------------------------------------------------------------


def _check_base_url(value: object) -> str:
    refusal = ChannelConfigError(
        "wordpress: base_url must be the site's http:// or https:// address, without user, query or fragment"
    )
    if not isinstance(value, str) or any(ch <= " " for ch in value):
        raise refusal
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise refusal from None
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
        or parts.username is not None
    ):
        raise refusal
    base = value.rstrip("/")
    if base.endswith("/wp-json"):
        base = base[: -len("/wp-json")]
    return base


def _choice(value: object, allowed: tuple[str, ...], name: str) -> str:
    if value in (None, ""):
        return allowed[0]
    if not isinstance(value, str) or value.strip().lower() not in allowed:
        raise ChannelConfigError(f"wordpress: {name} must be one of {', '.join(allowed)}")
    return value.strip().lower()


def _term_list(value: object, name: str) -> list[int | str]:
    """A list of ids and names, from a list or from comma-separated text typed into a form."""
    if value in (None, ""):
        return []
    items: Iterable[object]
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, (list, tuple)):
        items = value
    else:
        raise ChannelConfigError(f"wordpress: {name} must be a list of names or ids")
    out: list[int | str] = []
    for item in items:
        if isinstance(item, bool):
            raise ChannelConfigError(f"wordpress: {name} must be a list of names or ids")
        if isinstance(item, int) and item > 0:
            out.append(item)
        elif isinstance(item, str) and item.strip():
            text = item.strip()
            out.append(int(text) if text.isdigit() and int(text) > 0 else text)
        elif isinstance(item, str):
            continue  # "a, , b" from a form
        else:
            raise ChannelConfigError(f"wordpress: {name} must be a list of names or ids")
    return out


def _number(value: object, default: float, bounds: tuple[float, float], name: str) -> float:
    if value in (None, ""):
        return default
    low, high = bounds
    try:
        if isinstance(value, bool):
            raise ValueError
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = float("nan")
    if not low <= number <= high:  # also false for NaN
        raise ChannelConfigError(f"wordpress: {name} must be a number from {low:g} to {high:g}")
    return number


# --- translating WordPress's answers: the one place that decides what a failure means ---------------------


def _read_reply(reply: requests.Response) -> str:
    # The status line arrived and decides; a body cut short is garbage at worst.
    return read_limited(reply, MAX_REPLY_BYTES, chunk_size=65536)[0]


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def wordpress_words(text: str) -> str:
    """': <WordPress's message>' (with the invalid parameters' own messages), one line; '' if none."""
    body = _json(text)
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        words = body["message"]
        data = body.get("data")
        params = data.get("params") if isinstance(data, dict) else None
        if isinstance(params, dict) and params:
            words += " (" + "; ".join(f"{k}: {v}" for k, v in params.items()) + ")"
    else:
        words = text
    return said(html.unescape(_TAG.sub("", words)))


def _refused_parameter(body: Any) -> bool:
    """A rest_invalid_param whose reason is a permission (e.g. status=any without the right to edit posts,
    which is what an unauthenticated lookup gets: "Status is forbidden.", inner status 401)."""
    if not isinstance(body, dict) or body.get("code") != "rest_invalid_param":
        return False
    data = body.get("data")
    details = data.get("details") if isinstance(data, dict) else None
    for detail in details.values() if isinstance(details, dict) else []:
        inner = detail.get("data") if isinstance(detail, dict) else None
        if isinstance(inner, dict) and inner.get("status") in (401, 403):
            return True
        if isinstance(detail, dict) and str(detail.get("code", "")).startswith("rest_forbidden"):
            return True
    return False


def _outcome(status: int, headers: Mapping[str, str], text: str, what: str) -> Any:
    """The parsed JSON of a 2xx answer; else the matching channel error."""
    body = _json(text)
    code = body.get("code") if isinstance(body, dict) and isinstance(body.get("code"), str) else ""
    words = wordpress_words(text)
    failed = f"could not {what}"
    if 200 <= status < 300:
        if body is None:
            # Safe to retry: publish looks the slugs up before creating anything (module docstring).
            raise Retryable(
                f"{failed}: the site answered HTTP {status} with something that is not JSON",
                status=status,
                body=text[:MAX_ERROR_BODY],
            )
        return body
    if status == 429:
        raise RateLimited(
            f"{failed}: the site is limiting requests (HTTP 429){words}",
            retry_after=parse_retry_after(headers.get("Retry-After")),
            status=status,
            body=text[:MAX_ERROR_BODY],
        )
    if (
        status in (401, 403)
        or code in AUTH_CODES
        or code.startswith(("rest_cannot_", "rest_forbidden"))
        or _refused_parameter(body)
    ):
        # Wrong or revoked Application Password, a user without the right role, or a firewall in front of
        # the site: every post would fail the same way, so the channel waits for an admin. (WordPress before
        # 6.5 reports a wrong Application Password on /wp-json/ as rest_not_logged_in, not as
        # incorrect_password: the error is collected after the check that would report it.)
        raise AuthExpired(
            f"{failed}: the site refused our user or Application Password, or the user lacks "
            f"the right (HTTP {status}{', ' + code if code else ''}){words}",
            status=status,
            body=text[:MAX_ERROR_BODY],
        )
    if status == 404 and (code == "rest_no_route" or not code):
        raise AuthExpired(
            f"{failed}: there is no WordPress REST API at this address (HTTP 404{words}); check "
            "base_url, and that the site's permalinks are not 'Plain'",
            status=status,
            body=text[:MAX_ERROR_BODY],
        )
    if 300 <= status < 400:
        location = headers.get("Location", "")
        where = f" to {urlsplit(location).scheme}://{urlsplit(location).netloc}" if location else ""
        raise AuthExpired(
            f"{failed}: the site redirects (HTTP {status}){where}; set base_url to the address "
            "it redirects to",
            status=status,
            body=text[:MAX_ERROR_BODY],
        )
    if code in UPLOAD_REFUSALS:
        # WordPress answers some of these with 500, but sending the same file again will not help.
        raise Rejected(
            f"{failed}: the site refused the file (HTTP {status}, {code}){words}",
            status=status,
            body=text[:MAX_ERROR_BODY],
        )
    if status == 408 or status >= 500:
        # The site may or may not have stored what we sent; resending is safe all the same because
        # publish() looks the slugs up first and deletes a "-2" duplicate (module docstring).
        raise Retryable(
            f"{failed}: the site failed (HTTP {status}){words}", status=status, body=text[:MAX_ERROR_BODY]
        )
    raise Rejected(
        f"{failed}: the site rejected it (HTTP {status}{', ' + code if code else ''}){words}",
        status=status,
        body=text[:MAX_ERROR_BODY],
    )


def _transport_failure(exc: requests.RequestException, what: str, read_timeout: float) -> ChannelError:
    """No answer. Retryable even after the request went out: see the module docstring (slug lookup first).
    Only the exception's class name goes into the message: its text holds the URL."""
    if isinstance(exc, requests.exceptions.SSLError):
        return AuthExpired(
            f"could not {what}: the site's TLS certificate was not accepted ({type(exc).__name__}); "
            "an admin must fix the certificate or base_url"
        )
    if isinstance(exc, requests.ConnectTimeout):
        why = f"could not connect to the site within {CONNECT_TIMEOUT:g} s"
    elif isinstance(exc, requests.ReadTimeout):
        why = f"the site did not answer within {read_timeout:g} s"
    elif isinstance(exc, requests.ConnectionError):
        why = "the connection to the site failed"
    else:
        why = "the request to the site failed"
    return Retryable(
        f"could not {what}: {why} ({type(exc).__name__}); trying again is safe, "
        "the post is looked up by its slug first"
    )
