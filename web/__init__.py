"""The Flask side: the JSON API now, the dashboard pages later."""

from web.app import create_app

__all__ = ["create_app"]
