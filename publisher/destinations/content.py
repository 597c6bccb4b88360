"""What a post says: its frozen version (what approval binds and the worker publishes), its hash, and one
`Content` per delivery for the adapters (per channel, one per language version it takes, or one for all)."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from channels.base import TOGETHER, Content, LanguageVersion, MediaItem, ScriptVersion
from publisher.approval.rules import frozen_hash
from publisher.core.models import Channel, Delivery, Post, PostApproval, storage_name
from publisher.core.multilingual import other_script
from publisher.destinations.channel_languages import (
    WHOLE,
    configured,
    delivery_languages,
    mode,
    wanted_languages,
)
from publisher.destinations.languages import PostVersion, versions
from publisher.text.translit import CYRILLIC, LATIN, derive, to_cyrillic, to_latin

FROZEN_FORMAT = 2  # 1: one Content per channel; 2: per channel, one Content per delivery (language versions)


def freeze(post: Post) -> dict[str, Any]:
    """The approved version: everything any channel of the post would receive, computed now.

    Approval stores this and the worker publishes only from it, so a later change to anything the post
    draws on (a library alt text, the transliteration, a variant, a translation, which languages a channel
    takes) cannot reach a channel unapproved. Per channel it holds each delivery's Content by the delivery's
    language ("" for the post as a whole), so one approval covers every language version (format 2). A post
    no channel takes in language versions freezes as before (format 1: one text per channel), so its hash,
    and an approval of it made before language versions, stay what they were. Media are frozen by their
    bytes' hash: the library keeps a file under its hash for as long as it exists."""
    media = _live_media(post)
    contents = {link: channel_contents(post, link.channel, media, Path()) for link in post.channel_links}
    plain = all(list(c) == [WHOLE] and not c[WHOLE].versions for c in contents.values())
    channels = {}
    for link, by_language in contents.items():
        entry: dict[str, Any] = {"name": link.channel.name}
        if plain:
            content = by_language[WHOLE]
            entry |= {"text": content.text, "other_script": _script_json(content.other_script)}
        else:
            entry["deliveries"] = {language: _content_json(content) for language, content in by_language.items()}
        channels[str(link.channel_id)] = entry
    return {
        "format": 1 if plain else FROZEN_FORMAT,
        "title": post.title,
        "body": post.body,
        "language": post.language,
        "variants": dict(sorted((post.variants or {}).items())),
        "translations": dict(sorted((post.translations or {}).items())),
        "media": [m._asdict() for m in media],
        "channels": channels,
        "scheduled_at": post.scheduled_at.isoformat() if post.scheduled_at else None,
        "timezone": post.timezone,
    }


def content_hash(post: Post) -> str:
    """Binds an approval to exactly what would go out: the hash of the post's frozen version."""
    return frozen_hash(freeze(post))


def contents_for(post: Post, channel: Channel, media_dir: Path) -> list[Content]:
    """What `channel` would receive if the post were approved now: one Content per delivery (previews)."""
    return list(channel_contents(post, channel, _live_media(post), media_dir).values())


def content_for(post: Post, channel: Channel, media_dir: Path) -> Content:
    """The first of `contents_for` (the post as a whole, or its first language): for one preview."""
    contents = channel_contents(post, channel, _live_media(post), media_dir)
    return next(iter(contents.values()), None) or _language_content(post, channel.name, versions(post),
                                                                    post.language, _live_media(post), media_dir)


def channel_contents(post: Post, channel: Channel, media: list[MediaRow], media_dir: Path) -> dict[str, Content]:
    """Each delivery's Content by the delivery's language (channel_languages.delivery_languages). A version
    the channel wants but the post lacks makes no Content: the checks at submit name it (language_missing)."""
    have = versions(post)
    out: dict[str, Content] = {}
    for language in delivery_languages(channel, post):
        if language != WHOLE:
            if language in have:
                out[language] = _language_content(post, channel.name, have, language, media, media_dir)
            continue
        wanted = [lang for lang in wanted_languages(channel, post) if lang in have] or [post.language]
        content = _language_content(post, channel.name, have, wanted[0], media, media_dir)
        if mode(channel) == TOGETHER and len(wanted) > 1:
            content = dataclasses.replace(content, versions=tuple(
                _as_version(_language_content(post, channel.name, have, lang, media, media_dir)) for lang in wanted))
        out[WHOLE] = content
    return out


def missing_languages(post: Post, channel: Channel) -> list[str]:
    """The versions the channel wants that the post has not got (neither written nor derived)."""
    have = versions(post)
    return [language for language in configured(channel) if language not in have]


def _language_content(post: Post, channel_name: str, have: dict[str, PostVersion], language: str,
                      media: list[MediaRow], media_dir: Path, *, twin: bool = True) -> Content:
    """The post in one language for one channel: the primary version with the channel's variant, a version
    a person wrote, or the other Serbian script derived from its source. A Serbian version carries the other
    script too (the website's twin). Alt texts are the media's own, in the other Serbian script where the
    version is the primary one's other script; other languages keep them as written (one alt text a file)."""
    title, text = _title_text(post, channel_name, have, language)
    alts = [m.alt_text for m in media]
    if language != post.language and other_script(language) == post.language:
        alts = [derive(alt, language) for alt in alts]
    other = other_script(language)
    twin_version = None
    if twin and other is not None and other in have:
        twin_version = _as_version(_language_content(post, channel_name, have, other, media, media_dir, twin=False))
    return Content(
        post_id=post.id or 0,
        title=title,
        text=text,
        language=language,
        media=_media_items([m._replace(alt_text=alt) for m, alt in zip(media, alts, strict=True)], media_dir),
        variants=dict(post.variants or {}),
        scheduled_at=post.scheduled_at,
        other_script=twin_version,
    )


def _title_text(post: Post, channel_name: str, have: dict[str, PostVersion], language: str) -> tuple[str, str]:
    if language == post.language:
        return post.title, (post.variants or {}).get(channel_name, post.body)
    version = have[language]
    source = other_script(language)
    if version.derived and source in have:  # from its source as this channel has it (the variant included)
        title, text = _title_text(post, channel_name, have, source)
        return derive(title, language), derive(text, language)
    return version.title, version.body


def _as_version(content: Content) -> LanguageVersion:
    return LanguageVersion(content.language, content.title, content.text, tuple(m.alt_text for m in content.media))


def _live_media(post: Post) -> list[MediaRow]:
    return [MediaRow(link.media.sha256, link.media.extension, link.media.content_type, link.media.size,
                     link.effective_alt_text, link.media.original_name) for link in post.media_links]


def thaw(frozen: dict[str, Any], post_id: int, channel_id: int, media_dir: Path,
         language: str | None = None) -> Content:
    """One delivery's Content out of a frozen version, exactly as it was approved: the delivery of `language`
    ("" or None: the post as a whole, else the channel's first). Versions frozen in format 1 (one Content
    per channel) are read as they were approved."""
    deliveries = _frozen_deliveries(frozen, channel_id)
    entry = deliveries[language] if language else deliveries.get(WHOLE) or next(iter(deliveries.values()))
    return _thawed(frozen, entry, post_id, media_dir)


def thaw_all(frozen: dict[str, Any], post_id: int, channel_id: int, media_dir: Path) -> dict[str, Content]:
    """Every delivery's Content of one channel by the delivery's language (format 1: the one, under "")."""
    return {language: _thawed(frozen, entry, post_id, media_dir)
            for language, entry in _frozen_deliveries(frozen, channel_id).items()}


def frozen_languages(frozen: dict[str, Any], channel_id: int) -> list[str]:
    """The languages of the deliveries a frozen version makes on one channel ("": the post as a whole)."""
    return list(_frozen_deliveries(frozen, channel_id))


def _frozen_deliveries(frozen: dict[str, Any], channel_id: int) -> dict[str, dict[str, Any]]:
    channel = frozen["channels"][str(channel_id)]
    if frozen.get("format", 1) >= 2:
        return channel["deliveries"]
    # Format 1: one Content per channel, in the post's language, with the media's own alt texts.
    return {WHOLE: {"language": frozen["language"], "title": frozen["title"], "text": channel["text"],
                    "alt_texts": [m["alt_text"] for m in frozen["media"]], "other_script": channel["other_script"],
                    "versions": []}}


def _thawed(frozen: dict[str, Any], entry: dict[str, Any], post_id: int, media_dir: Path) -> Content:
    rows = [MediaRow(**m)._replace(alt_text=alt) for m, alt in zip(frozen["media"], entry["alt_texts"], strict=True)]
    other = entry["other_script"]
    return Content(
        post_id=post_id,
        title=entry["title"],
        text=entry["text"],
        language=entry["language"],
        media=_media_items(rows, media_dir),
        variants=dict(frozen["variants"]),
        scheduled_at=_when(frozen),
        other_script=_version(other) if other else None,
        versions=tuple(_version(v) for v in entry["versions"]),
    )


def _when(frozen: dict[str, Any]) -> datetime | None:
    return datetime.fromisoformat(frozen["scheduled_at"]) if frozen["scheduled_at"] else None


def _version(data: dict[str, Any]) -> LanguageVersion:
    return LanguageVersion(data["language"], data["title"], data["text"], tuple(data["alt_texts"]))


def _content_json(content: Content) -> dict[str, Any]:
    return {"language": content.language, "title": content.title, "text": content.text,
            "alt_texts": [m.alt_text for m in content.media], "other_script": _script_json(content.other_script),
            "versions": [_script_json(v) for v in content.versions]}


def _script_json(version: ScriptVersion | None) -> dict[str, Any] | None:
    if version is None:
        return None
    return {"language": version.language, "title": version.title, "text": version.text,
            "alt_texts": list(version.alt_texts)}


class MediaRow(NamedTuple):
    sha256: str
    extension: str
    content_type: str
    size: int
    alt_text: str
    original_name: str


def load_contents(session: Session, wanted: list[tuple[int, int]], media_dir: Path) -> dict[int, Content]:
    """Each delivery's Content, from the version its approval froze; `wanted` pairs a delivery id with its
    channel id. The worker reads a whole batch of claims at once: two plain selects, each frozen version
    read once however many of its deliveries are in the batch."""
    channel_of = dict(wanted)
    rows = session.execute(select(Delivery.id, Delivery.post_id, Delivery.approval_id, Delivery.language)
                           .where(Delivery.id.in_(list(channel_of)))).all()
    approval_ids = sorted({row.approval_id for row in rows if row.approval_id is not None})
    frozen = dict(session.execute(select(PostApproval.id, PostApproval.frozen)
                                  .where(PostApproval.id.in_(approval_ids))).all()) if approval_ids else {}
    out: dict[int, Content] = {}
    for delivery_id, post_id, approval_id, language in rows:
        version = frozen.get(approval_id)
        if version is not None and str(channel_of[delivery_id]) in version["channels"]:
            out[delivery_id] = thaw(version, post_id, channel_of[delivery_id], media_dir, language)
        elif version is None:
            # Approved before versions were frozen (migration 0008): read as it is now, as then.
            post, channel = session.get(Post, post_id), session.get(Channel, channel_of[delivery_id])
            if post is not None and channel is not None:
                out[delivery_id] = content_for(post, channel, media_dir)
    return out


def file_label(original_name: str | None, sha256: str, extension: str) -> str:
    """How an officer knows a file: its uploaded name, else the start of its hash. Adapters name it so in
    their refusals (MediaItem.label), and the compose page finds the file a refusal is about by it."""
    return original_name or f"{sha256[:12]}{extension}"


def with_other_script(content: Content) -> Content:
    """A Serbian post also in the other script (the website publishes both); others as they are."""
    if content.language not in (CYRILLIC, LATIN):
        return content
    other = LATIN if content.language == CYRILLIC else CYRILLIC
    convert = to_latin if other == LATIN else to_cyrillic
    version = ScriptVersion(other, convert(content.title), convert(content.text),
                            tuple(convert(m.alt_text) for m in content.media))
    return dataclasses.replace(content, other_script=version)


def build_content(post_id: int, title: str, body: str, language: str, variants: dict[str, str],
                  scheduled_at: datetime | None, media: list[MediaRow], channel_name: str,
                  media_dir: Path) -> Content:
    return with_other_script(Content(
        post_id=post_id,
        title=title,
        text=variants.get(channel_name, body),
        language=language,
        media=_media_items(media, media_dir),
        variants=dict(variants),
        scheduled_at=scheduled_at,
    ))


def _media_items(media: list[MediaRow], media_dir: Path) -> tuple[MediaItem, ...]:
    return tuple(MediaItem(path=media_dir / storage_name(m.sha256, m.extension), content_type=m.content_type,
                           sha256=m.sha256, size=m.size, alt_text=m.alt_text,
                           filename=file_label(m.original_name, m.sha256, m.extension)) for m in media)
