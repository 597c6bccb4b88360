"""The WordPress adapter against a real WordPress (Debian's package) on 127.0.0.1.

The site comes from tests/support/wordpress_site.py: installed when missing, fresh database per test
session, torn down at the end. Without it these tests fail in CI and skip elsewhere.
"""

from __future__ import annotations

import hashlib
import html
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image

from channels.base import Content, MediaItem, Published
from channels.errors import AuthExpired
from channels.wordpress import WordPress, media_slug, post_slug
from publisher.destinations.content import with_other_script
from publisher.text.translit import to_latin
from tests.support.wordpress_site import WordPressSite, WordPressUnavailable, site_or_skip


def core_content(**fields: Any) -> Content:
    """A Content as the core hands it to the adapter: a Serbian one also carries its other script."""
    return with_other_script(Content(**fields))


TITLE = "Министар обишао фабрику у Нишу & Крушевцу"
TEXT = (
    "Министар привреде посетио је данас фабрику у Нишу.\n"
    "Разговарао је са радницима о новим <пројектима>.\n\n"
    "Више на https://privreda.gov.rs/vesti/123 — Џон и Љиљана, њих двоје."
)
ALT = "Министар са радницима у хали фабрике"


@pytest.fixture(scope="session")
def site():
    started = time.monotonic()
    try:
        wp = WordPressSite()
        wp.start()
    except WordPressUnavailable as exc:
        site_or_skip(exc)
    print(
        f"\nWordPress test site: packages {wp.install_seconds:.1f} s, start {wp.startup_seconds:.1f} s, "
        f"fixture {time.monotonic() - started:.1f} s"
    )
    yield wp
    wp.close()


def adapter(site: WordPressSite, http: requests.Session, **settings) -> WordPress:
    merged = {
        "base_url": site.base_url,
        "username": site.username,
        "application_password": site.app_password,
        **settings,
    }
    config, credentials = WordPress.split_settings(merged)
    return WordPress(config, credentials, session=http, name="Sajt")


def image(tmp_path: Path, name: str = "фабрика.png", alt_text: str = ALT) -> MediaItem:
    path = tmp_path / name
    Image.new("RGB", (40, 30), (200, 30, 40)).save(path, "PNG" if name.endswith(".png") else "JPEG")
    data = path.read_bytes()
    content_type = "image/png" if name.endswith(".png") else "image/jpeg"
    return MediaItem(path, content_type, hashlib.sha256(data).hexdigest(), len(data), alt_text, name)


def read(http: requests.Session, site: WordPressSite, path: str, **params) -> object:
    reply = http.get(
        site.api(path),
        params={"context": "edit", **params},
        auth=(site.username, site.app_password),
        timeout=10,
    )
    assert reply.status_code == 200, reply.text
    return reply.json()


def posts_like(http: requests.Session, site: WordPressSite, slug: str) -> list[dict]:
    """Every post whose slug starts with `slug` (so "-2" duplicates count too), in any status."""
    found = read(
        http, site, "wp/v2/posts", search=slug, search_columns="post_name", status="any", per_page=100
    )
    everything = read(http, site, "wp/v2/posts", status="any", per_page=100)
    by_id = {p["id"]: p for p in [*found, *everything] if p["slug"].startswith(slug)}
    return sorted(by_id.values(), key=lambda p: p["id"])


def test_cyrillic_post_with_image_goes_out_in_both_scripts_once(site, http, tmp_path):
    wp = adapter(site, http, categories=["Вести"], tags=["саопштење", "Ниш"])
    # The editor may create categories; the channel only refers to existing ones.
    made = http.post(
        site.api("wp/v2/categories"),
        json={"name": "Вести"},
        auth=(site.username, site.app_password),
        timeout=10,
    )
    assert made.status_code == 201, made.text
    category = made.json()["id"]
    key = f"p1-c1-{uuid.uuid4().hex[:16]}"
    second = image(tmp_path, "хала.jpg", 'Хала "Југ" <север>')
    content = core_content(post_id=1, title=TITLE, text=TEXT, language="sr-Cyrl", media=(image(tmp_path), second))
    assert wp.validate(content) == []

    published = wp.publish(content, key=key)

    slug = post_slug(key)
    (cyr,) = read(http, site, "wp/v2/posts", slug=slug, status="any")
    (lat,) = read(http, site, "wp/v2/posts", slug=slug + "-lat", status="any")
    assert published == Published(str(cyr["id"]), cyr["link"])
    assert cyr["status"] == lat["status"] == "publish"
    assert cyr["title"]["raw"] == html.escape(TITLE, quote=False)
    assert lat["title"]["raw"] == html.escape(to_latin(TITLE), quote=False)
    assert lat["title"]["raw"] == "Ministar obišao fabriku u Nišu &amp; Kruševcu"
    # The officer's text: escaped, paragraphs, line breaks; the Latin post has the derived text.
    assert (
        "<p>Министар привреде посетио је данас фабрику у Нишу.<br />\nРазговарао је са радницима о новим "
        "&lt;пројектима&gt;.</p>" in cyr["content"]["raw"]
    )
    assert "Razgovarao je sa radnicima o novim &lt;projektima&gt;." in lat["content"]["raw"]
    assert "https://privreda.gov.rs/vesti/123 — Džon i Ljiljana, njih dvoje." in lat["content"]["raw"]
    # Linked to each other.
    assert f'Latinica: <a href="{lat["link"]}" hreflang="sr-Latn">' in cyr["content"]["raw"]
    assert f'Ћирилица: <a href="{cyr["link"]}" hreflang="sr-Cyrl">' in lat["content"]["raw"]
    # The image is the featured image of both, with its alt text; it was uploaded once.
    assert cyr["featured_media"] == lat["featured_media"] != 0
    medium = read(http, site, f"wp/v2/media/{cyr['featured_media']}")
    assert medium["alt_text"] == ALT
    assert medium["slug"] == media_slug(key, 1)
    assert medium["mime_type"] == "image/png"
    assert http.get(medium["source_url"], timeout=10).content == content.media[0].read()
    # The second image is inline, with its alt text escaped, in each post's script.
    (inline,) = read(http, site, "wp/v2/media", slug=media_slug(key, 2))
    assert inline["alt_text"] == 'Хала "Југ" &lt;север&gt;'  # WordPress would strip "<север>" itself
    assert (
        f'<img src="{inline["source_url"]}" alt="Хала &quot;Југ&quot; &lt;север&gt;"' in cyr["content"]["raw"]
    )
    assert (
        f'<img src="{inline["source_url"]}" alt="Hala &quot;Jug&quot; &lt;sever&gt;"' in lat["content"]["raw"]
    )
    assert cyr["categories"] == lat["categories"] == [category]
    tags = {t["id"]: html.unescape(t["name"]) for t in read(http, site, "wp/v2/tags", per_page=100)}
    assert sorted(tags[t] for t in cyr["tags"]) == ["Ниш", "саопштење"]

    # A retried publish (the worker crashed before recording the answer) creates nothing new.
    again = wp.publish(content, key=key)

    assert again == published
    assert [p["id"] for p in posts_like(http, site, slug)] == sorted([cyr["id"], lat["id"]])
    assert len(read(http, site, "wp/v2/media", slug=media_slug(key, 1))) == 1
    assert wp.find(key) == published
    assert wp.find(f"p1-c1-{uuid.uuid4().hex[:16]}") is None


def test_a_retry_after_the_first_post_only_adds_the_twin_and_the_links(site, http, tmp_path):
    key = f"p2-c1-{uuid.uuid4().hex[:16]}"
    content = core_content(
        post_id=2, title="Latinični naslov", text="Tekst na latinici, džep i njiva.", language="sr-Latn"
    )
    # As if an earlier attempt had died after its first post: only the Latin post exists.
    first = adapter(site, http, scripts="latin").publish(content, key=key)

    published = adapter(site, http).publish(content, key=key)

    assert published == first
    (lat,) = read(http, site, "wp/v2/posts", slug=post_slug(key), status="any")
    (cyr,) = read(http, site, "wp/v2/posts", slug=post_slug(key) + "-cir", status="any")
    assert cyr["title"]["raw"] == "Латинични наслов"
    assert "Текст на латиници, џеп и њива." in cyr["content"]["raw"]
    assert f'Ћирилица: <a href="{cyr["link"]}"' in lat["content"]["raw"]
    assert f'Latinica: <a href="{lat["link"]}"' in cyr["content"]["raw"]
    assert lat["content"]["raw"].count("Ћирилица:") == 1


def test_a_duplicate_made_because_the_lookup_missed_the_post_is_deleted(site, http):
    """WordPress gives a second published post with a taken slug "<slug>-2"; the adapter removes it."""
    wp = adapter(site, http, scripts="cyrillic")
    key = f"p3-c1-{uuid.uuid4().hex[:16]}"
    content = core_content(post_id=3, title="Наслов", text="Текст.", language="sr-Cyrl")
    first = wp.publish(content, key=key)
    plan = wp._plans(content, key)[0]

    kept = wp._create_post(plan, [], None, None, twin_link=None)  # what a create after a missed lookup does

    assert str(kept["id"]) == first.remote_id
    assert [p["id"] for p in posts_like(http, site, post_slug(key))] == [int(first.remote_id)]


def test_drafts_for_review(site, http):
    wp = adapter(site, http, status="draft", scripts="both")
    key = f"p4-c1-{uuid.uuid4().hex[:16]}"
    content = core_content(post_id=4, title="Nacrt", text="Za pregled.", language="sr-Latn")

    published = wp.publish(content, key=key)
    plan = wp._plans(content, key)[0]
    kept = wp._create_post(plan, [], None, None, twin_link=None)  # drafts keep a taken slug: found anyway

    assert str(kept["id"]) == published.remote_id
    drafts = posts_like(http, site, post_slug(key))
    assert [p["status"] for p in drafts] == ["draft", "draft"]
    # The twin is made first, so that the post find(key) looks for exists only once the twin does.
    assert [p["slug"] for p in drafts] == [post_slug(key) + "-cir", post_slug(key)]


def test_check(site, http):
    health = adapter(site, http).check()
    assert (health.ok, health.message) == (True, "signed in as Редакција")


def test_a_wrong_application_password_is_auth_expired(site, http):
    wp = adapter(site, http, application_password="abcd EFGH ijkl MNOP qrst UVWX")
    content = core_content(post_id=5, title="Наслов", text="Текст.", language="sr-Cyrl")

    with pytest.raises(AuthExpired, match="refused our user or Application Password") as caught:
        wp.publish(content, key=f"p5-c1-{uuid.uuid4().hex[:16]}")
    assert "abcd" not in str(caught.value) and site.app_password not in str(caught.value)
    health = wp.check()
    assert not health.ok and "refused" in health.message
