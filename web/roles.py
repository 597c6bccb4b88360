"""The one role check of dashboard views: a route names its (area, action) in publisher.core.permissions.

The server refuses whatever the navigation shows; pages ask `current_user.may(area, action)` for what to
offer.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required

from publisher.core import permissions


def permission_required(area: str, action: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Signed in (else to the sign-in page) and allowed by the permissions table (else 403)."""
    permissions.rule(area, action)  # a typo fails when the module loads, not when someone visits

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if not current_user.may(area, action):
                abort(403)
            return view(*args, **kwargs)

        return login_required(checked)

    return decorate
