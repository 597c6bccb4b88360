"""The confirmation step before a destructive action (deleting, cancelling, holding, releasing): a
server-rendered page that says what will happen and asks, so it works without JavaScript.

A route that changes something on its first POST (the channels page's hold and pause forms, a delivery's
cancel button) answers that POST with this page instead, carrying the same fields plus `confirmed=yes`; the
page's button sends them again and only then is it done.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from flask import render_template, request

CONFIRMED = "confirmed"


def confirmed() -> bool:
    """Whether this POST comes from the confirmation page's button."""
    return request.form.get(CONFIRMED) == "yes"


def confirm_page(*, heading: str, effects: Sequence[str], action: str, confirm_label: str, back: str,
                 hidden: Iterable[tuple[str, str]] = (), problem: str | None = None, status: int = 200,
                 subject: str | None = None) -> tuple[str, int]:
    """The page: `effects` are sentences saying what will happen; `hidden` the fields sent again."""
    return render_template("confirm.html", heading=heading, effects=effects, action=action,
                           confirm_label=confirm_label, back=back, hidden=list(hidden), problem=problem,
                           subject=subject), status
