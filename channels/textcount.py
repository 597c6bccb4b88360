"""How platforms count text: plain characters, user-perceived characters (graphemes)."""

from __future__ import annotations

import unicodedata


def count_graphemes(text: str) -> int:
    """Approximate extended grapheme clusters: combining marks, ZWJ sequences, variation selectors,
    skin-tone modifiers and regional-indicator pairs join the character before them."""
    count = 0
    prev_zwj = False
    pending_ri = False
    for ch in text:
        cp = ord(ch)
        joins = (
            unicodedata.combining(ch)
            or unicodedata.category(ch) in ("Mn", "Me", "Mc")
            or 0xFE00 <= cp <= 0xFE0F
            or 0x1F3FB <= cp <= 0x1F3FF
            or cp == 0x200D
            or prev_zwj
        )
        is_ri = 0x1F1E6 <= cp <= 0x1F1FF
        if is_ri and pending_ri:
            joins = True
            pending_ri = False
        elif is_ri:
            pending_ri = True
        else:
            pending_ri = False
        if not joins or count == 0:
            count += 1
        prev_zwj = cp == 0x200D
    return count


def count_text(text: str, rule: str) -> int:
    if rule == "characters":
        return len(text)
    if rule == "graphemes":
        return count_graphemes(text)
    if rule == "x-weighted":
        from channels.x_text import weighted_length  # X's own rule lives beside its adapter

        return weighted_length(text)
    raise ValueError(f"unknown text counting rule: {rule}")
