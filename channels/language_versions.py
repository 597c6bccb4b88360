"""A post's language versions in one post, for the platforms that take them together (Capabilities.language_modes
holds "together"): the versions one after another, in the order the channel lists them, as the core handed
them over in `Content.versions`. Adapters never translate; they only lay the versions out."""

from __future__ import annotations

import dataclasses

from channels.base import Content

DIVIDER = "\n\n— — —\n\n"  # between two versions of the text: a line every reader sees as a break


def together_text(content: Content, *, titles: bool = False) -> str:
    """Every version's text one after another (each under its title with `titles`); the text alone when the
    content carries no versions."""
    if not content.versions:
        return content.text
    return DIVIDER.join(f"{v.title.strip()}\n\n{v.text}" if titles and v.title.strip() else v.text
                        for v in content.versions)


def as_one(content: Content, *, titles: bool = False) -> Content:
    """The content as one post: its text is every version's, so the limits are checked against what goes out."""
    if not content.versions:
        return content
    return dataclasses.replace(content, text=together_text(content, titles=titles))


def languages_of(content: Content) -> list[str]:
    """The language tags the post goes out in: every version's, or the content's own."""
    return [v.language for v in content.versions] or [content.language]
