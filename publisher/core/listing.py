"""A list's first rows and how many there are in all: what the overview's and approvals' lists show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Listing:
    """The first few rows of a list, and how many there are in all."""

    items: list[Any]
    total: int
    capped: bool = False  # there are more than `total`; counting them all would cost more than it tells


def first_rows(session: Session, query: Select, limit: int) -> Listing:
    """The query's first `limit` rows and how many it has in all."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    return Listing(list(session.scalars(query.limit(limit)).unique()), total)
