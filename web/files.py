"""Library files as responses: the detected type, a safe name, and no right to run anything."""

from __future__ import annotations

from flask import Response, send_file

from publisher.core.models import Media
from publisher.media.downloads import content_disposition, download_name, stored_file
from web.context import runtime

# Files are served with no right to run anything, even if a browser were to take one for a page.
FILE_CSP = "default-src 'none'; sandbox"


def sandboxed(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = FILE_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.public = False
    response.cache_control.private = True  # only this person's browser: the library is not public
    return response


def send_media(media: Media, *, inline: bool) -> Response:
    """The library file with the type found in its bytes and a name ending in that type's extension."""
    response = send_file(stored_file(runtime().settings.media_dir, media), mimetype=media.content_type,
                         conditional=True)
    response.headers["Content-Disposition"] = content_disposition(
        download_name(media), inline=inline, fallback=f"media-{media.id}{media.extension}")
    return sandboxed(response)
