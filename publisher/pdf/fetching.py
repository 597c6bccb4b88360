"""What a document may load while WeasyPrint prints it: its own static files, nothing from the network.

WeasyPrint asks its url_fetcher for every URL a document names (images, style sheets, fonts, links in CSS).
StaticOnly hands out a file under one folder (symbolic links resolved first, so none leads out of it) and
refuses everything else: http(s), ftp, data:, any other file. WeasyPrint logs a refusal and leaves the thing
out; the document is still made. Imported only when a PDF is made (it loads WeasyPrint and so pango).
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import URLFetcher
from weasyprint.urls import URLFetcherResponse

log = logging.getLogger(__name__)


class FetchRefused(ValueError):
    """A document asked for something outside its static files."""


class StaticOnly(URLFetcher):
    def __init__(self, folder: Path) -> None:
        super().__init__(allowed_protocols=("file",), allow_redirects=False)
        self.folder = folder.resolve()

    def allowed(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return None
        path = Path(unquote(parts.path)).resolve()
        return path if path.is_relative_to(self.folder) and path.is_file() else None

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        path = self.allowed(url)
        if path is None:
            log.warning("document fetch refused: %s", url[:200])
            raise FetchRefused(f"a document may load only its own static files, not {url[:200]}")
        return super().fetch(path.as_uri(), headers)
