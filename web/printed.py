"""Printed documents (PDF) on the dashboard: where their templates and words are (SETUP, handed to publisher.pdf), and the
routes that hand them out. The first: a post's approval record (publisher.posts.approval_record), linked from
the post's page.

A document's labels are in the reader's language; each language version of a post keeps its own `lang`. Where
this machine cannot make PDFs (publisher.pdf.readiness), the route says in words what is missing (503), with
the loader's message for the administrator behind "Technical details".
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, render_template
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from publisher.core.errors import NotFound
from publisher.media.downloads import content_disposition
from publisher.pdf import fonts, readiness
from publisher.pdf.rendering import DocumentSetup
from publisher.posts import approval_record
from web import dates
from web.catalogs import TRANSLATIONS
from web.context import db, runtime
from web.i18n import interface_language
from web.roles import permission_required

bp = Blueprint("printed", __name__)

WEB = Path(__file__).parent
SETUP = DocumentSetup(templates=WEB / "templates" / "pdf", catalogs=TRANSLATIONS, static=WEB / "static",
                      format_moment=lambda value, locale: dates.format_wall_time(value, "medium", locale))

# Names stay as written in every script: placeholders (the Cyrillic catalog is made by transliteration).
MISSING = {
    readiness.LIBRARIES: _l("The libraries that turn pages into PDF files (%(libraries)s) are not installed on "
                            "the server."),
    readiness.FONT: _l("The font the documents are printed in (%(font)s, with the Serbian Cyrillic letter forms) "
                       "is not installed on the server."),
}
NAMES = {"libraries": "Pango, HarfBuzz", "font": fonts.FAMILY}


def unavailable(missing: tuple[readiness.Missing, ...]) -> tuple[str, int]:
    """The page that says, in words, what stops this machine from making PDFs (503)."""
    said = dict.fromkeys(m.what for m in missing)  # the font once, however many of its styles are missing
    return render_template("document_unavailable.html", reasons=[str(MISSING[what]) % NAMES for what in said],
                           details="; ".join(m.detail for m in missing)), 503


@bp.get("/posts/<int:post_id>/approval.pdf")
@permission_required("posts", "history")
def approval_pdf(post_id: int) -> Response | tuple[str, int]:
    """The version the post's last approval bound, as a PDF to keep (404: never approved)."""
    missing = readiness.missing()
    if missing:
        return unavailable(missing)
    try:
        pdf = approval_record.approval_record_pdf(db(), current_user.actor(), post_id, interface_language(),
                                                  setup=SETUP, office_zone=runtime().settings.timezone)
    except NotFound as exc:
        abort(404, gettext("This post has not been approved, so it has no approval record yet.")
              if exc.code == approval_record.NEVER_APPROVED else gettext("There is no such post."))
    name = gettext("Approval of post %(id)d", id=post_id) + ".pdf"
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": content_disposition(name, inline=False, fallback=f"approval-{post_id}.pdf"),
        "Cache-Control": "private, no-store"})
