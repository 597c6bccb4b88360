"""The search index: a `search_text` column on every table a list searches, kept on every write, here.

A searched table's model mixes in `Searchable` and names the attributes its key is made of (`SEARCHED`: a
post's title, body and channel texts; a file's name, alt text and credit; ...). `search_text` holds
publisher.text.search_key.normalise of them, so a search is one `search_text LIKE '%key%'` that works the same
on SQLite and PostgreSQL for any case, either Serbian script and any diacritics. It is written

- by the session's `before_flush` (below) for every new row and every row whose searched attributes changed:
  services never think of it;
- by the two INSERT statements that bypass the session (media.store's upload and alerts.raise_alert), which
  pass `key_of(Model, values)` themselves;
- for the rows that existed before, by migration 0017.

Why a column and LIKE rather than full-text search or a trigram index: docs/architecture.md, "Search".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from sqlalchemy import ColumnElement, Text, event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column

from publisher.core import limits
from publisher.core.errors import Invalid
from publisher.text.search_key import normalise

MAX_TERM = limits.SEARCH


class Searchable:
    """A model whose rows a search box finds: `SEARCHED` names the attributes the key is made of."""

    SEARCHED: ClassVar[tuple[str, ...]] = ()

    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")


def key_from(parts: Iterable[Any]) -> str:
    """One key of several texts: strings as they are, a dict's values however nested (a post's channel texts,
    its language versions), a text in several languages with its derived versions, None skipped."""
    texts: list[str] = []
    for part in parts:
        _collect(part, texts)
    return normalise(" ".join(texts))


def _collect(part: Any, texts: list[str]) -> None:
    if isinstance(part, dict):
        for _, value in sorted(part.items()):
            _collect(value, texts)
    elif hasattr(part, "search_text"):  # publisher.core.multilingual.MultilingualText
        texts.append(part.search_text())
    elif part:
        texts.append(str(part))


def key_of(model: type[Searchable], values: Mapping[str, Any]) -> str:
    """The key of a row about to be inserted from `values` (for INSERT statements that bypass the session)."""
    return key_from(values.get(name) for name in model.SEARCHED)


def row_key(row: Searchable) -> str:
    return key_from(getattr(row, name) for name in row.SEARCHED)


def term(text: str) -> str:
    """The key of what someone typed into a search box; Invalid when it is longer than any search needs."""
    if len(text) > MAX_TERM:
        raise Invalid(f"search for at most {MAX_TERM} characters", code="bad_search",
                      details={"limit": MAX_TERM, "length": len(text)})
    return normalise(text)


def matches(column: ColumnElement[str], typed: str) -> ColumnElement[bool] | None:
    """`column LIKE '%key%'` for the key of `typed`, with % and _ taken literally; None when nothing was typed
    (the list is not filtered)."""
    key = term(typed)
    return column.contains(key, autoescape=True) if key else None


def labelled(labels: Mapping[str, Any], typed: str) -> list[str]:
    """The stored names whose label holds `typed`: the words a page shows for a stored name (an alert's kind,
    an audit action) are in the reader's language, so the page searches them itself and asks for the names."""
    key = term(typed)
    return [name for name, label in labels.items() if key and key in normalise(str(label))]


@event.listens_for(Session, "before_flush")
def _refresh_keys(session: Session, _context: Any, _instances: Any) -> None:
    for row in (*session.new, *session.dirty):
        if not isinstance(row, Searchable):
            continue
        state = inspect(row)
        if state.pending or any(state.attrs[name].history.has_changes() for name in row.SEARCHED):
            key = row_key(row)
            if state.pending or row.search_text != key:
                row.search_text = key
