"""GET /agenda.ics: the public agenda as an iCalendar feed (RFC 5545), for anyone's calendar program.

`?lang=` picks the language (sr-Cyrl, sr-Latn, sq, en; the office's default without it); another value is
refused with 400 naming it. The answer carries an ETag of its bytes and answers 304 to If-None-Match. It
answers 304 to nothing else: Last-Modified is sent, but a date alone cannot say that an event was withdrawn
from the agenda since, so If-Modified-Since always gets the feed.
"""

from __future__ import annotations

import hashlib

from flask import Response, abort, request

from publisher.activities.agenda_feed import public_agenda
from publisher.core.multilingual import LANGUAGES
from web.context import db, runtime
from web.i18n import DEFAULT_LANGUAGE
from web.public.headers import public_blueprint

bp = public_blueprint("agenda_ics", __name__)
MEDIA_TYPE = "text/calendar; charset=utf-8"


@bp.get("/agenda.ics")
def feed() -> Response:
    language = request.args.get("lang", DEFAULT_LANGUAGE)
    if language not in LANGUAGES:
        abort(400, description=f"lang={language[:20]} is not one of {', '.join(LANGUAGES)}")
    settings = runtime().settings
    agenda = public_agenda(db(), runtime().clock(), language=language, office_name=settings.office_name,
                           days_back=settings.agenda_feed_days_back, days_ahead=settings.agenda_feed_days_ahead)
    response = Response(agenda.body, content_type=MEDIA_TYPE)
    response.headers["Content-Disposition"] = 'inline; filename="agenda.ics"'
    response.headers["Cache-Control"] = f"public, max-age={settings.public_max_age}"
    response.set_etag(hashlib.sha256(agenda.body).hexdigest()[:32])
    if agenda.last_modified is not None:
        response.last_modified = agenda.last_modified
    if request.if_none_match.contains(response.get_etag()[0]):
        not_modified = Response(status=304)
        not_modified.headers["ETag"] = response.headers["ETag"]
        not_modified.headers["Cache-Control"] = response.headers["Cache-Control"]
        return not_modified
    return response
