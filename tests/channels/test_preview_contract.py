"""The preview tells the truth: for every registered kind, what `outgoing(content)` says the platform gets
(the texts, titles, and each file with the alt text that goes with it) is what `publish` really sends to a
fake of the platform that answers every request with success."""

from __future__ import annotations

import base64
import dataclasses
import email
import email.policy
import hashlib
import html
import json
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
import requests
import responses
import respx
from PIL import Image

from channels import registry
from channels.base import Channel, Content, MediaItem, ScriptVersion
from channels.outgoing import Outgoing
from tests.support.multipart import parse_multipart

KINDS = sorted(registry.kinds())
KEY = "p7-c2-0123456789abcdef"
TEXT = "Министарство привреде објављује нови програм.\nВише на https://www.privreda.gov.rs/vesti\n\nПрви пут."
DID = "did:plc:z72i7hdynmk6r22z27h6tvur"
CID = "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"
BLOB_CID = "bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy"


@dataclass
class Call:
    method: str
    url: str
    content_type: str
    body: bytes

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    def json(self) -> dict:
        return json.loads(self.body)

    def fields(self) -> dict[str, str]:
        """The form's fields, urlencoded or multipart (files left out)."""
        if self.content_type.startswith("multipart/form-data"):
            return {p.name: p.text for p in parse_multipart(self.content_type, self.body) if p.filename is None}
        return dict(parse_qsl(self.body.decode(), keep_blank_values=True))


@dataclass(frozen=True)
class Sent:
    """What reached the platform, in the terms of `Outgoing`."""

    texts: list[str]
    titles: list[str | None]
    alts: list[str | None]


def _jwt(seconds: int) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    claims = {"scope": "com.atproto.appPass", "sub": DID, "exp": int(time.time()) + seconds}
    return f"{part({'alg': 'HS256', 'typ': 'at+jwt'})}.{part(claims)}.c2lnbmF0dXJl"


class Platform:
    """Every platform at once, answering success: it keeps every request."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.numbers = iter(range(41, 1000))
        self.wp_posts: dict[int, dict] = {}

    def answer(self, call: Call) -> tuple[int, object]:
        self.calls.append(call)
        path, n = call.path, next(self.numbers)
        if path.endswith("/2/media/upload"):
            return 200, {"data": {"id": f"m{n}"}}
        if path.endswith("/2/media/metadata"):
            return 200, {}
        if path.endswith("/2/tweets"):
            return 201, {"data": {"id": "1880028106020515841", "text": "…"}}
        if path.endswith("/api/v2/media"):
            return 200, {"id": str(n), "url": f"https://mastodon.example/system/{n}.png"}
        if path.endswith("/api/v1/statuses"):
            return 200, {"id": "109", "url": "https://mastodon.example/@m/109"}
        if path.endswith("com.atproto.server.createSession"):
            return 200, {"did": DID, "handle": "ministarstvo.bsky.social", "accessJwt": _jwt(7200),
                         "refreshJwt": _jwt(86400)}
        if path.endswith("com.atproto.repo.uploadBlob"):
            return 200, {"blob": {"$type": "blob", "ref": {"$link": BLOB_CID}, "mimeType": "image/png", "size": 9}}
        if path.endswith("com.atproto.repo.createRecord"):
            return 200, {"uri": f"at://{DID}/app.bsky.feed.post/x", "cid": CID}
        if path.endswith("/photos"):
            return 200, {"id": str(n), "post_id": f"104123456789012_{n}"}
        if path.endswith("/feed"):
            return 200, {"id": f"104123456789012_{n}"}
        if "/bot" in path:
            many = path.endswith("sendMediaGroup")
            return 200, {"ok": True, "result": [{"message_id": n}, {"message_id": n + 1}] if many
                         else {"message_id": n}}
        if path.startswith("/hooks/"):
            return 200, {"id": KEY}
        return self.wordpress(call, n)

    def wordpress(self, call: Call, n: int) -> tuple[int, object]:
        path = call.path.removeprefix("/wp-json/wp/v2/")
        if call.method == "GET" and path in ("posts", "media"):
            return 200, []  # nothing from an earlier attempt
        if call.method == "GET" and path == "tags":
            return 200, [{"id": 5, "name": "саопштење", "slug": "saopstenje"}]
        if path == "media":
            return 201, {"id": n, "slug": f"m{n}", "alt_text": "", "source_url": f"https://www.example.gov.rs/{n}.png"}
        if path.startswith("media/"):
            media_id = int(path.split("/")[1])
            return 200, {"id": media_id, "alt_text": call.json()["alt_text"],
                         "source_url": f"https://www.example.gov.rs/{media_id}.png"}
        if path == "posts":
            body = call.json()
            self.wp_posts[n] = {"id": n, "slug": body["slug"], "status": "publish", "link": f"https://w/{n}/",
                                "content": {"raw": body["content"]}}
            return 201, self.wp_posts[n]
        if path.startswith("posts/"):
            post = self.wp_posts[int(path.split("/")[1])]
            post["content"] = {"raw": call.json()["content"]}
            return 200, post
        raise AssertionError(f"unexpected {call.method} {call.url}")


@contextmanager
def platform_fake() -> Iterator[Platform]:
    platform = Platform()

    def on_requests(request: requests.PreparedRequest):
        body = request.body or b""
        call = Call(request.method or "", request.url or "", request.headers.get("Content-Type", ""),
                    body.encode() if isinstance(body, str) else body)
        status, answer = platform.answer(call)
        return status, {"Content-Type": "application/json"}, json.dumps(answer)

    def on_httpx(request: httpx.Request) -> httpx.Response:
        status, answer = platform.answer(Call(request.method, str(request.url),
                                              request.headers.get("Content-Type", ""), request.read()))
        return httpx.Response(status, json=answer)

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock, \
            respx.mock(assert_all_mocked=True, assert_all_called=False) as router:
        for method in (responses.GET, responses.POST, responses.PUT, responses.DELETE):
            mock.add_callback(method, re.compile(r".*"), callback=on_requests)
        router.route().mock(side_effect=on_httpx)
        yield platform


# --- what each platform got, read back from its requests ---------------------------------------------


def sent_to_x(calls: list[Call]) -> Sent:
    uploads = [c for c in calls if c.path.endswith("/2/media/upload")]
    ids = [f"m{n}" for n in range(41, 41 + len(calls))]  # the fake numbers every request
    upload_ids = [ids[calls.index(c)] for c in uploads]
    alts = {c.json()["id"]: c.json()["metadata"]["alt_text"]["text"] for c in calls
            if c.path.endswith("/2/media/metadata")}
    (tweet,) = [c for c in calls if c.path.endswith("/2/tweets")]
    return Sent([tweet.json().get("text") or ""], [None], [alts.get(i) for i in upload_ids])


def sent_to_mastodon(calls: list[Call]) -> Sent:
    alts = [c.fields().get("description") for c in calls if c.path.endswith("/api/v2/media")]
    (status,) = [c for c in calls if c.path.endswith("/api/v1/statuses")]
    return Sent([status.fields()["status"]], [None], alts)


def sent_to_bluesky(calls: list[Call]) -> Sent:
    (create,) = [c for c in calls if c.path.endswith("createRecord")]
    record = create.json()["record"]
    images = (record.get("embed") or {}).get("images", [])
    return Sent([record["text"]], [None], [i["alt"] for i in images])


def sent_to_facebook(calls: list[Call]) -> Sent:
    photos = [c.fields() for c in calls if c.path.endswith("/photos")]
    feed = [c.fields() for c in calls if c.path.endswith("/feed")]
    text = feed[0].get("message", "") if feed else photos[0].get("caption", "")
    return Sent([text], [None], [p.get("alt_text_custom") for p in photos])


def sent_to_telegram(calls: list[Call]) -> Sent:
    (call,) = calls
    method = call.path.rsplit("/", 1)[1]
    if method == "sendMessage":
        return Sent([call.json()["text"]], [None], [])
    fields = call.fields()
    if method == "sendMediaGroup":
        media = json.loads(fields["media"])
        return Sent([media[0].get("caption", "")], [None], [None] * len(media))
    return Sent([fields.get("caption", "")], [None], [None])


def _wordpress_text(raw: str) -> str:
    """The officer's text back out of the post's HTML paragraphs (the twin's link line left out)."""
    paragraphs = re.findall(r"<p>(.*?)</p>", raw.split('\n\n<p class="publisher-twin"')[0], re.DOTALL)
    return "\n\n".join(html.unescape(p.replace("<br />\n", "\n")) for p in paragraphs)


def sent_to_wordpress(calls: list[Call]) -> Sent:
    created = [c.json() for c in calls if c.method == "POST" and c.path.endswith("/wp/v2/posts")]
    created.sort(key=lambda body: body["slug"].count("-"))  # the first post (plain slug) before its twin
    uploads = [n for n, c in enumerate(calls, start=41) if c.method == "POST" and c.path.endswith("/wp/v2/media")]
    alts = dict.fromkeys(uploads, "")  # uploaded without one; then set where the post has one
    for c in calls:
        if re.search(r"/wp/v2/media/\d+$", c.path):
            alts[int(c.path.rsplit("/", 1)[1])] = html.unescape(c.json()["alt_text"])
    return Sent([_wordpress_text(p["content"]) for p in created], [html.unescape(p["title"]) for p in created],
                list(alts.values()))


def sent_to_state_portal(calls: list[Call]) -> Sent:
    (call,) = calls
    data = call.json()["data"]
    return Sent([data["body"]], [data["title"]], [m["alt_text"] for m in data["media"]])


WIRE_READERS: dict[str, Callable[[list[Call]], Sent]] = {
    "x": sent_to_x, "mastodon": sent_to_mastodon, "bluesky": sent_to_bluesky, "facebook": sent_to_facebook,
    "telegram": sent_to_telegram, "wordpress": sent_to_wordpress, "state_portal": sent_to_state_portal,
}


def sent_by_email(adapter: Channel, content: Content) -> Sent:
    sent: list[bytes] = []
    adapter._transmit = lambda data: sent.append(data) or {}  # type: ignore[attr-defined]  # the SMTP talk
    adapter.publish(content, key=KEY)
    message = email.message_from_bytes(sent[0], policy=email.policy.default)
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    attachments = list(message.iter_attachments())
    return Sent([text.removesuffix("\n") if not content.text.endswith("\n") else text], [str(message["Subject"])],
                [None] * len(attachments))


def sent_to_folder(adapter: Channel, content: Content, folder: Path) -> Sent:
    adapter.publish(content, key=KEY)
    data = json.loads((folder / f"{KEY}.json").read_text(encoding="utf-8"))["data"]
    return Sent([data["body"]], [data["title"]], [m["alt_text"] for m in data["media"]])


# --- the contract ---------------------------------------------------------------------------------------


def png(tmp_path: Path, name: str, alt: str, color: tuple[int, int, int]) -> MediaItem:
    path = tmp_path / name
    Image.new("RGB", (8, 6), color).save(path, "PNG")
    data = path.read_bytes()
    return MediaItem(path, "image/png", hashlib.sha256(data).hexdigest(), len(data), alt, name)


def contents(tmp_path: Path) -> dict[str, Content]:
    photos = (png(tmp_path, "zgrada.png", "Зграда министарства", (200, 30, 40)),
              png(tmp_path, "grafikon.png", "  ", (30, 200, 40)))  # no alt text: platforms differ in what they send
    twin = ScriptVersion("sr-Latn", "Saopštenje", TEXT.replace("Министарство", "Ministarstvo"), ())
    base = Content(post_id=7, title="Саопштење", text=TEXT, language="sr-Cyrl", other_script=twin)
    twin_with_photos = dataclasses.replace(twin, alt_texts=("Zgrada ministarstva", "  "))
    return {"text": base, "photos": dataclasses.replace(base, media=photos, other_script=twin_with_photos)}


def what_was_sent(kind: str, content: Content, tmp_path: Path) -> tuple[Outgoing, Sent]:
    cls = registry.adapter_class(kind)
    settings = dict(cls.example_settings)
    if kind == "local_folder":
        settings["path"] = str(tmp_path / "out")
    config, credentials = cls.split_settings(settings)
    http = requests.Session()
    http.trust_env = False
    adapter = cls(config, credentials, session=http, name="kanal")
    preview = adapter.outgoing(content)
    if kind == "bluesky":
        from channels.bluesky import forget_sessions  # sessions are kept per account in the process
        forget_sessions()
    if kind == "email":
        return preview, sent_by_email(adapter, content)
    if kind == "local_folder":
        return preview, sent_to_folder(adapter, content, tmp_path / "out")
    with platform_fake() as platform:
        adapter.publish(content, key=KEY)
    return preview, WIRE_READERS[kind](platform.calls)


def shown(preview: Outgoing) -> Sent:
    return Sent([p.text for p in preview.posts], [p.title for p in preview.posts],
                [m.alt_text for m in preview.media])


@pytest.mark.parametrize("case", ["text", "photos"])
@pytest.mark.parametrize("kind", [k for k in KINDS if k != "feed"])
def test_the_preview_is_what_the_adapter_sends(kind, case, tmp_path):
    content = contents(tmp_path)[case]
    preview, sent = what_was_sent(kind, content, tmp_path)

    seen = shown(preview)
    assert seen.texts == sent.texts
    assert seen.alts == sent.alts
    if any(seen.titles) or any(sent.titles):  # platforms that show a title or subject
        assert seen.titles == sent.titles
    assert [m.item.sha256 for m in preview.media] == [m.sha256 for m in content.media]


def test_every_kind_is_read_back_from_its_wire():
    """A new kind must say here how its sent post is read back, or the contract above skips it."""
    assert set(WIRE_READERS) | {"email", "local_folder", "feed"} == set(KINDS)


def test_the_feed_shows_the_title_and_text_and_carries_no_files(tmp_path):
    """The feed sends nothing: the site serves the entry from the database (web/public/feed.py) with the post's
    title and text, which is what its preview shows; its files are accepted but not carried."""
    cls = registry.adapter_class("feed")
    adapter = cls(*cls.split_settings(cls.example_settings), name="kanal")
    content = contents(tmp_path)["photos"]
    preview = adapter.outgoing(content)
    assert [(p.title, p.text) for p in preview.posts] == [(content.title, content.text)]
    assert preview.crop == "none"


@pytest.mark.parametrize(("kind", "card"), [
    ("x", "https://www.privreda.gov.rs/vesti"), ("mastodon", "https://www.privreda.gov.rs/vesti"),
    ("facebook", "https://www.privreda.gov.rs/vesti"), ("telegram", "https://www.privreda.gov.rs/vesti"),
    ("bluesky", None), ("wordpress", None), ("email", None),
])
def test_a_card_only_where_the_platform_makes_one_and_never_beside_media(kind, card, tmp_path):
    cls = registry.adapter_class(kind)
    adapter = cls(*cls.split_settings(cls.example_settings), name="kanal")
    text_only, with_photos = contents(tmp_path)["text"], contents(tmp_path)["photos"]
    assert adapter.outgoing(text_only).card_url == card
    assert adapter.outgoing(with_photos).card_url is None
    if card:
        assert adapter.outgoing(text_only).card_domain == "www.privreda.gov.rs"


# --- a post in three languages: each platform gets each version ----------------------------------------

LATIN_TITLE, LATIN = "Saopštenje", "Ministarstvo privrede objavljuje novi program."
CYRILLIC_TITLE, CYRILLIC = "Саопштење", "Министарство привреде објављује нови програм."
ALBANIAN_TITLE, ALBANIAN = "Njoftim", "Ministria e Ekonomisë njofton një program të ri."
ENGLISH_TITLE, ENGLISH = "Announcement", "The Ministry of Economy announces a new programme."
VERSIONS = {"sr-Latn": (LATIN_TITLE, LATIN), "sr-Cyrl": (CYRILLIC_TITLE, CYRILLIC), "sq": (ALBANIAN_TITLE, ALBANIAN),
            "en": (ENGLISH_TITLE, ENGLISH)}


def three_languages(kind: str, mode: str = "separate") -> dict[str, Content]:
    """Each delivery's Content as the core makes it for a channel taking all four versions of a post written in
    Serbian Latin (the Cyrillic derived), Albanian and English."""
    from publisher.core.models import Channel as ChannelRow
    from publisher.core.models import Post
    from publisher.destinations.content import channel_contents

    post = Post(id=7, title=LATIN_TITLE, body=LATIN, language="sr-Latn", variants={},
                translations={"sq": {"title": ALBANIAN_TITLE, "body": ALBANIAN},
                              "en": {"title": ENGLISH_TITLE, "body": ENGLISH}})
    row = ChannelRow(name="kanal", kind=kind, config={"languages": list(VERSIONS), "language_mode": mode})
    return channel_contents(post, row, [], Path())


def language_key(language: str) -> str:
    return f"p7-c2-{language.lower()}-0123456789abcdef" if language else KEY


def published(kind: str, content: Content, key: str, tmp_path: Path) -> tuple[Outgoing, list[Call] | bytes | dict]:
    """What the adapter previews for this content and what reached the platform (its requests; the e-mail's
    bytes; the folder's JSON)."""
    cls = registry.adapter_class(kind)
    settings = {**cls.example_settings, **({"path": str(tmp_path / "out")} if kind == "local_folder" else {})}
    http = requests.Session()
    http.trust_env = False
    adapter = cls(*cls.split_settings(settings), session=http, name="kanal")
    preview = adapter.outgoing(content)
    if kind == "bluesky":
        from channels.bluesky import forget_sessions
        forget_sessions()
    if kind == "email":
        sent: list[bytes] = []
        adapter._transmit = lambda data: sent.append(data) or {}  # type: ignore[attr-defined]
        adapter.publish(content, key=key)
        return preview, sent[0]
    if kind == "local_folder":
        adapter.publish(content, key=key)
        return preview, json.loads((tmp_path / "out" / f"{key}.json").read_text(encoding="utf-8"))
    with platform_fake() as platform:
        adapter.publish(content, key=key)
    return preview, platform.calls


def _only(calls: list[Call], ending: str) -> Call:
    (call,) = [c for c in calls if c.method == "POST" and c.path.endswith(ending)]
    return call


def language_sent(kind: str, language: str, got: list[Call] | bytes | dict) -> dict[str, object]:
    """The parts of the platform's request that carry the version and its language, read off the wire."""
    if kind == "x":
        return {"text": _only(got, "/2/tweets").json()["text"]}
    if kind == "mastodon":
        fields = _only(got, "/api/v1/statuses").fields()
        return {"text": fields["status"], "language": fields.get("language")}
    if kind == "bluesky":
        record = _only(got, "createRecord").json()["record"]
        return {"text": record["text"], "language": record.get("langs")}
    if kind == "facebook":
        return {"text": _only(got, "/feed").fields()["message"]}
    if kind == "telegram":
        (call,) = got
        return {"text": call.json()["text"], "method": call.path.rsplit("/", 1)[1]}
    if kind == "state_portal":
        data = _only(got, "").json()["data"]
        return {"text": data["body"], "title": data["title"], "language": data["language"]}
    if kind == "local_folder":
        return {"text": got["data"]["body"], "title": got["data"]["title"], "language": got["data"]["language"]}
    if kind == "email":
        message = email.message_from_bytes(got, policy=email.policy.default)
        return {"text": message.get_body(("plain",)).get_content().replace("\r\n", "\n").removesuffix("\n"),
                "title": str(message["Subject"]), "language": str(message["Content-Language"])}
    if kind == "wordpress":
        created = [c.json() for c in got if c.method == "POST" and c.path.endswith("/wp/v2/posts")]
        return {"posts": sorted((p["slug"], html.unescape(p["title"]), _wordpress_text(p["content"]))
                                for p in created)}
    raise AssertionError(kind)


# What each platform gets of one version: its text, and its language where the platform takes one.
EXPECTED_LANGUAGE = {
    "x": lambda lang: {},
    "mastodon": lambda lang: {"language": lang.split("-")[0]},
    "bluesky": lambda lang: {"language": [lang]},
    "facebook": lambda lang: {},
    "telegram": lambda lang: {"method": "sendMessage"},
    "state_portal": lambda lang: {"title": VERSIONS[lang][0], "language": lang},
    "local_folder": lambda lang: {"title": VERSIONS[lang][0], "language": lang},
    "email": lambda lang: {"title": VERSIONS[lang][0], "language": lang},
}


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "feed"])
def test_each_platform_gets_each_language_version_as_its_own_post(kind, tmp_path):
    contents = three_languages(kind)
    for language, content in contents.items():
        key = language_key(language)
        preview, got = published(kind, content, key, tmp_path)
        sent = language_sent(kind, language, got)
        if kind == "wordpress":
            slug = f"pub-{key}"
            twins = {"sr-Latn": [(slug, LATIN_TITLE, LATIN), (slug + "-cir", CYRILLIC_TITLE, CYRILLIC)]}
            assert sent == {"posts": sorted(twins.get(language, [(slug, *VERSIONS[language])]))}
        else:
            assert sent == {"text": VERSIONS[language][1], **EXPECTED_LANGUAGE[kind](language)}, language
            assert [p.text for p in preview.posts] == [VERSIONS[language][1]]
    # The website's pair is one delivery (a post and its twin); everywhere else each version is its own.
    expected = ["sr-Latn", "sq", "en"] if kind == "wordpress" else list(VERSIONS)
    assert list(contents) == expected


def test_the_feed_has_an_entry_per_language_in_that_language():
    cls = registry.adapter_class("feed")
    adapter = cls(*cls.split_settings(cls.example_settings), name="kanal")
    for language, content in three_languages("feed").items():
        (post,) = adapter.outgoing(content).posts
        assert (post.language, post.title, post.text) == (language, *VERSIONS[language])
        assert adapter.publish(content, key=language_key(language)).url.endswith("#" + language_key(language))


def test_facebook_takes_every_version_in_one_post_one_after_another(tmp_path):
    from channels.language_versions import DIVIDER

    (content,) = three_languages("facebook", "together").values()
    preview, calls = published("facebook", content, KEY, tmp_path)
    together = DIVIDER.join([LATIN, CYRILLIC, ALBANIAN, ENGLISH])
    assert language_sent("facebook", "", calls) == {"text": together}
    assert [p.text for p in preview.posts] == [together] and preview.used == len(together)


def test_the_press_list_gets_every_version_in_one_message_each_part_in_its_language(tmp_path):
    from channels.language_versions import DIVIDER

    (content,) = three_languages("email", "together").values()
    preview, data = published("email", content, KEY, tmp_path)
    sent = language_sent("email", "", data)
    assert sent == {
        "text": DIVIDER.join(f"{title}\n\n{text}" for title, text in VERSIONS.values()),
        "title": " / ".join(title for title, _ in VERSIONS.values()),
        "language": "sr-Latn, sr-Cyrl, sq, en",
    }
    assert [p.text for p in preview.posts] == [sent["text"]] and preview.posts[0].title == sent["title"]
    page = email.message_from_bytes(data, policy=email.policy.default).get_body(("html",)).get_content()
    page = page.replace("\r\n", "\n")
    sections = re.findall(r'<section lang="([^"]+)">\n<h2>([^<]*)</h2>\n<p>([^<]*)</p>', page)
    assert sections == [(lang, html.escape(title), html.escape(text)) for lang, (title, text) in VERSIONS.items()]
