"""Approvals: what each approval approved (a snapshot per approval), and what waits for whom.

The snapshot holds the content as the approver saw it, so the next approver reads a diff against the last
approved version instead of the whole post again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from difflib import SequenceMatcher
from typing import Any

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import Session

from publisher.core import search_index
from publisher.core.listing import Listing, first_rows
from publisher.core.models import Post, PostApproval, PostContributor, User
from publisher.core.multilingual import LANGUAGES
from publisher.core.states import PostStatus


def approved_content(post: Post) -> dict[str, Any]:
    """Everything content_hash binds, in a form that reads back without the rows it came from."""
    return {
        "title": post.title,
        "body": post.body,
        "language": post.language,
        "translations": dict(sorted((post.translations or {}).items())),
        "variants": dict(sorted((post.variants or {}).items())),
        "channels": [{"id": link.channel_id, "name": link.channel.name} for link in post.channel_links],
        "media": [{"id": link.media_id, "sha256": link.media.sha256, "name": link.media.original_name,
                   "alt_text": link.effective_alt_text} for link in post.media_links],
        "scheduled_at": post.scheduled_at.isoformat() if post.scheduled_at else None,
        "timezone": post.timezone,
    }


def record_approval(session: Session, post: Post, approver: User, at: datetime, frozen: dict[str, Any],
                    frozen_hash: str) -> PostApproval:
    """Called by workflow.approve, in its transaction: no approval without its snapshot and frozen version."""
    row = PostApproval(post_id=post.id, content_hash=frozen_hash, approved_by_id=approver.id,
                       approved_at=at, content=approved_content(post), frozen=frozen)
    session.add(row)
    return row


def last_approval(session: Session, post_id: int) -> PostApproval | None:
    return session.scalars(select(PostApproval).where(PostApproval.post_id == post_id)
                           .order_by(PostApproval.id.desc()).limit(1)).first()


def _searched(query: Select[Any], text: str) -> Select[Any]:
    found = search_index.matches(Post.search_text, text)
    return query if found is None else query.where(found)


def awaiting_approval(session: Session, user: User, *, limit: int = 20, text: str = "") -> Listing:
    """Posts waiting for approval that this person may approve: not theirs, not edited by them; `text`: only
    those whose title or texts hold it (core.search_index)."""
    contributed = exists().where(PostContributor.post_id == Post.id, PostContributor.user_id == user.id)
    query = (select(Post).where(Post.status == PostStatus.PENDING_APPROVAL, Post.author_id != user.id,
                                ~contributed)
             .order_by(Post.submitted_at, Post.id))
    return first_rows(session, _searched(query, text), limit)


@dataclass(frozen=True)
class Waiting:
    mine_to_approve: Listing  # four eyes allow this person to approve these
    own: Listing  # written or edited by this person: another approver must decide
    approved_before: frozenset[int]  # of those listed, the posts that were approved once (a diff to read)


def waiting(session: Session, user: User, *, limit: int = 50, text: str = "") -> Waiting:
    """Posts waiting for approval as one approver sees them: theirs to decide, and their own (refused)."""
    contributed = exists().where(PostContributor.post_id == Post.id, PostContributor.user_id == user.id)
    own = (select(Post).where(Post.status == PostStatus.PENDING_APPROVAL,
                              or_(Post.author_id == user.id, contributed))
           .order_by(Post.submitted_at, Post.id))
    mine = awaiting_approval(session, user, limit=limit, text=text)
    own_listing = first_rows(session, _searched(own, text), limit)
    ids = [p.id for p in mine.items + own_listing.items]
    before = session.scalars(select(PostApproval.post_id).where(PostApproval.post_id.in_(ids)).distinct())
    return Waiting(mine, own_listing, frozenset(before))


# --- what changed since the last approval ----------------------------------------------------------------

SAME, ADDED, REMOVED = "same", "added", "removed"
_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")
# Past this many words a block is shown as removed-then-added: SequenceMatcher is quadratic at worst.
MAX_WORD_DIFF_TOKENS = 4000


@dataclass(frozen=True)
class Segment:
    kind: str  # SAME, ADDED or REMOVED
    text: str


@dataclass(frozen=True)
class TextChange:
    name: str  # a channel's name for a variant, a file's name for alt text; "" for title and body
    kind: str  # SAME (maybe with edits inside), ADDED or REMOVED as a whole
    segments: list[Segment]

    @property
    def changed(self) -> bool:
        return self.kind != SAME or any(s.kind != SAME for s in self.segments)


@dataclass(frozen=True)
class Item:
    name: str
    kind: str


@dataclass(frozen=True)
class VersionChange:
    """One other-language version (Post.translations) against the last approved one."""

    language: str
    title: TextChange
    body: TextChange

    @property
    def changed(self) -> bool:
        return self.title.changed or self.body.changed


@dataclass(frozen=True)
class ContentDiff:
    since: PostApproval | None  # None: never approved, all of it is new
    title: TextChange
    body: TextChange
    language: tuple[str | None, str]
    variants: list[TextChange]
    channels: list[Item]
    media: list[Item]
    alt_texts: list[TextChange]
    time: tuple[datetime | None, datetime | None]  # before, after (UTC; None: as soon as approved)
    alt_changed: frozenset[int] = field(default_factory=frozenset)  # media ids: alt text not as last approved
    versions: list[VersionChange] = field(default_factory=list)  # the other languages, written by hand

    @property
    def time_changed(self) -> bool:
        return self.since is None or self.time[0] != self.time[1]

    @property
    def language_changed(self) -> bool:
        return self.language[0] != self.language[1]

    @property
    def changed(self) -> bool:
        return (self.since is None or self.title.changed or self.body.changed or self.language_changed
                or self.time_changed or any(v.changed for v in self.variants + self.alt_texts)
                or any(v.changed for v in self.versions)
                or any(i.kind != SAME for i in self.channels + self.media))


def text_diff(before: str, after: str) -> list[Segment]:
    """Word by word inside changed lines, like `git diff --word-diff`: lines first keeps long bodies fast."""
    out: list[Segment] = []
    old_lines, new_lines = before.splitlines(keepends=True), after.splitlines(keepends=True)
    for op, i1, i2, j1, j2 in SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes():
        old, new = "".join(old_lines[i1:i2]), "".join(new_lines[j1:j2])
        if op == "equal":
            out.append(Segment(SAME, old))
        elif op == "replace":
            out.extend(_word_diff(old, new))
        else:
            out.append(Segment(REMOVED, old) if old else Segment(ADDED, new))
    return _merged(out)


def _word_diff(before: str, after: str) -> list[Segment]:
    a, b = _TOKEN.findall(before), _TOKEN.findall(after)
    if len(a) + len(b) > MAX_WORD_DIFF_TOKENS:
        return [Segment(REMOVED, before), Segment(ADDED, after)]
    out = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(Segment(SAME, "".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(Segment(REMOVED, "".join(a[i1:i2])))
        if j2 > j1:
            out.append(Segment(ADDED, "".join(b[j1:j2])))
    return out


def _merged(segments: list[Segment]) -> list[Segment]:
    out: list[Segment] = []
    for seg in segments:
        if not seg.text:
            continue
        if out and out[-1].kind == seg.kind:
            out[-1] = Segment(seg.kind, out[-1].text + seg.text)
        else:
            out.append(seg)
    return out


def _version_changes(before: dict[str, dict[str, str]], after: dict[str, dict[str, str]]) -> list[VersionChange]:
    """Per language in LANGUAGES order; a snapshot from before versions existed has none."""
    out = []
    for language in [lang for lang in LANGUAGES if lang in before or lang in after]:
        old, new = before.get(language), after.get(language)
        title, body = (_text_change(language, None if old is None else old.get(part, ""),
                                    None if new is None else new.get(part, "")) for part in ("title", "body"))
        out.append(VersionChange(language, title, body))
    return out


def _text_change(name: str, before: str | None, after: str | None) -> TextChange:
    if before is None:
        return TextChange(name, ADDED, [Segment(ADDED, after or "")])
    if after is None:
        return TextChange(name, REMOVED, [Segment(REMOVED, before)])
    return TextChange(name, SAME, text_diff(before, after))


def _items(before: dict[str, str], after: dict[str, str]) -> list[Item]:
    """Keyed by what identifies the thing (channel id, file hash), named by its newest name."""
    names = {**before, **after}
    return [Item(names[key], SAME if key in before and key in after else ADDED if key in after else REMOVED)
            for key in list(after) + [k for k in before if k not in after]]


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


EMPTY: dict[str, Any] = {"title": "", "body": "", "language": None, "variants": {}, "channels": [], "media": [],
                         "scheduled_at": None}


def content_diff(session: Session, post: Post) -> ContentDiff:
    """The post as it is now against its last approved version (everything new if there is none)."""
    since = last_approval(session, post.id)
    old, new = (since.content if since else EMPTY), approved_content(post)
    variant_names = list(new["variants"]) + [k for k in old["variants"] if k not in new["variants"]]
    old_media = {m["sha256"]: m for m in old["media"]}
    alt_texts = [_text_change(m["name"] or m["sha256"][:12], old_media.get(m["sha256"], {}).get("alt_text"),
                              m["alt_text"]) for m in new["media"]]
    return ContentDiff(
        since=since,
        title=_text_change("", old["title"], new["title"]),
        body=_text_change("", old["body"], new["body"]),
        language=(old["language"], new["language"]),
        variants=[_text_change(name, old["variants"].get(name), new["variants"].get(name))
                  for name in variant_names],
        channels=_items({str(c["id"]): c["name"] for c in old["channels"]},
                        {str(c["id"]): c["name"] for c in new["channels"]}),
        media=_items({m["sha256"]: m["name"] or m["sha256"][:12] for m in old["media"]},
                     {m["sha256"]: m["name"] or m["sha256"][:12] for m in new["media"]}),
        alt_texts=alt_texts,
        versions=_version_changes(old.get("translations", {}), new["translations"]),
        time=(_when(old["scheduled_at"]), _when(new["scheduled_at"])),
        # Only against an approved version: on a never approved post everything is new, nothing "changed".
        alt_changed=frozenset(m["id"] for m, change in zip(new["media"], alt_texts, strict=True)
                              if since is not None and change.changed),
    )
