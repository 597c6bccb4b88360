"""The events a search box finds: their title (in every language, derived script included), description,
place, city and organisations (Event.SEARCHED), through publisher.core.search_index like every list."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from publisher.activities.models import Event
from publisher.core import search_index


def matching_ids(session: Session, text: str) -> set[int] | None:
    """The ids of the events whose searched texts contain `text`; None when nothing was typed (no filter)."""
    condition = search_index.matches(Event.search_text, text)
    if condition is None:
        return None
    return set(session.scalars(select(Event.id).where(condition)))
