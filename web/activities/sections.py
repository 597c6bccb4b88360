"""The sections of an event's page that other modules add: preparation (checklist, briefing documents),
follow-up (notes, minutes, report), links (posts, releases, photos). The event page renders every registered
section in `order`, each with its own template and the context its function returns for the event (None:
the section has nothing to show this person), so a later area (press releases, campaigns) adds its section
without touching the event page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from publisher.activities.models import Event


@dataclass(frozen=True)
class Section:
    name: str  # also the HTML id of the section: "preparation", "links"
    order: int
    template: str  # rendered with `event` and `section` (what `context` returned)
    context: Callable[[Event], dict[str, Any] | None]


_SECTIONS: dict[str, Section] = {}


def register(section: Section) -> Section:
    _SECTIONS[section.name] = section
    return section


def rendered_for(event: Event) -> list[tuple[Section, dict[str, Any]]]:
    """The sections to show on this event's page, in order, with their contexts."""
    out = []
    for section in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.name)):
        context = section.context(event)
        if context is not None:
            out.append((section, context))
    return out
