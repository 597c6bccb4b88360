"""Public feeds: GET /feed/<slug>.atom (Atom 1.0, RFC 4287) and /feed/<slug>.rss (RSS 2.0).

No login: these are what the public and newsrooms subscribe to. The view asks publisher.publishing.feeds for the
entries and only renders them. Documents are built with ElementTree, so every title and text is
XML-escaped; characters XML 1.0 cannot carry (most control characters) are dropped.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from email.utils import format_datetime

from flask import Response, abort, redirect, request, url_for

from publisher.publishing.feeds import Feed, load_feed
from web.context import db, runtime
from web.public.headers import public_blueprint

bp = public_blueprint("feed", __name__)

ATOM_NS = "http://www.w3.org/2005/Atom"
DC_NS = "http://purl.org/dc/elements/1.1/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
GENERATOR = "publisher"

# Prefixes for the RSS document's atom:link and dc:language.
ET.register_namespace("atom", ATOM_NS)
ET.register_namespace("dc", DC_NS)

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@bp.get("/feed/<slug>.atom")
def atom(slug: str) -> Response:
    return _respond(render_atom(_feed(slug)), "application/atom+xml")


@bp.get("/feed/<slug>.rss")
def rss(slug: str) -> Response:
    return _respond(render_rss(_feed(slug)), "application/rss+xml")


@bp.get("/feed/<slug>")
def feed(slug: str) -> Response:
    # The address each delivery records (…/feed/<slug>#<key>) leads to the Atom document.
    _feed(slug)
    return redirect(url_for("feed.atom", slug=slug), code=302)  # type: ignore[return-value]


def _feed(slug: str) -> Feed:
    found = load_feed(db(), slug)
    if found is None:
        abort(404, description=f"no feed named {slug!r}")
    return found


def _respond(document: bytes, media_type: str) -> Response:
    response = Response(document, content_type=f"{media_type}; charset=utf-8")
    response.headers["Cache-Control"] = f"public, max-age={runtime().settings.public_max_age}"
    response.add_etag()
    return response.make_conditional(request)


# --- Atom 1.0 ---------------------------------------------------------------------------------------


def render_atom(feed: Feed) -> bytes:
    # Plain tag names under a literal xmlns: ElementTree's default_namespace option refuses the
    # unqualified attributes (rel, href, type) Atom uses.
    root = ET.Element("feed", xmlns=ATOM_NS)
    if feed.language:
        root.set(XML_LANG, feed.language)
    _text(root, "id", feed.atom_url)
    _text(root, "title", feed.title).set("type", "text")
    _text(root, "updated", rfc3339(feed.updated))
    ET.SubElement(root, "link", rel="self", type="application/atom+xml", href=feed.atom_url)
    ET.SubElement(root, "link", rel="alternate", type="application/rss+xml", href=feed.rss_url)
    author = ET.SubElement(root, "author")  # RFC 4287: required, here once for every entry
    _text(author, "name", feed.title)
    _text(root, "generator", GENERATOR)
    for entry in feed.entries:
        item = ET.SubElement(root, "entry")
        item.set(XML_LANG, entry.language)
        _text(item, "id", entry.id)
        _text(item, "title", entry.title).set("type", "text")
        _text(item, "published", rfc3339(entry.published))
        _text(item, "updated", rfc3339(entry.updated))
        _text(item, "content", entry.text).set("type", "text")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def rfc3339(moment: datetime) -> str:
    if moment.tzinfo is None:  # the database gives aware UTC; a naive value is taken as UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- RSS 2.0 ----------------------------------------------------------------------------------------


def render_rss(feed: Feed) -> bytes:
    root = ET.Element("rss", version="2.0")
    channel = ET.SubElement(root, "channel")
    _text(channel, "title", feed.title)
    _text(channel, "link", feed.public_url + "/")
    _text(channel, "description", feed.title)
    if feed.language:
        _text(channel, "language", feed.language)
    _text(channel, "lastBuildDate", rfc822(feed.updated))
    _text(channel, "generator", GENERATOR)
    ET.SubElement(channel, f"{{{ATOM_NS}}}link", href=feed.rss_url, rel="self", type="application/rss+xml")
    for entry in feed.entries:
        item = ET.SubElement(channel, "item")
        _text(item, "title", entry.title)
        # An RSS description is HTML: the text is escaped as HTML here, and ElementTree escapes that
        # again for XML, so "<script>" reaches the reader as text, never as markup.
        _text(item, "description", paragraphs_html(entry.text))
        _text(item, "guid", entry.id).set("isPermaLink", "false")
        _text(item, "pubDate", rfc822(entry.published))
        _text(item, f"{{{DC_NS}}}language", entry.language)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def rfc822(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def paragraphs_html(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    blocks = [b.strip() for b in re.split(r"\n[ \t]*\n", text) if b.strip()]
    return "".join("<p>" + "<br/>".join(html.escape(line) for line in block.split("\n")) + "</p>" for block in blocks)


# --- pieces -----------------------------------------------------------------------------------------


def _text(parent: ET.Element, tag: str, value: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = _NOT_XML.sub("", value)
    return element
