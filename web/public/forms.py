"""Public forms on the web: what a form page carries, and reading a submission through the guard
(publisher/public/form_guard.py) with a page for each refusal, in the page's language.

A public form's view:
    RULES = FormRules("contact", {"name": 200, "message": 5000})
    GET:  render_template(..., **form_fields(RULES))            # the token and the honeypot's name
    POST: verdict = read_submission(RULES)
          if isinstance(verdict, Response): return verdict        # refused, with its page
          if verdict.accepted: store verdict.values; db().commit()  # the count commits with it
          show "thank you" (also when only the honeypot was filled: verdict.looks_accepted)
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, render_template, request
from flask_babel import gettext, ngettext
from werkzeug.exceptions import RequestEntityTooLarge

from publisher.public import form_guard
from publisher.public.form_guard import FormRules, GuardSettings, Outcome, Verdict
from web.context import db, runtime
from web.public.headers import keep_private


def form_fields(rules: FormRules) -> dict[str, Any]:
    """For the form's template: the time token (TOKEN_FIELD) and the honeypot's field name."""
    keep_private()  # the token says when this copy was shown: a cached copy would be too old, or too fast
    return {"form_token": form_guard.issue_token(current_app.secret_key, rules, runtime().now()),
            "token_field": form_guard.TOKEN_FIELD, "honeypot": rules.honeypot}


def read_submission(rules: FormRules) -> Verdict | Response:
    """The guard's verdict on this request's form (counted and committed), or the refusal page to answer."""
    keep_private()
    rt = runtime()
    settings = GuardSettings.from_settings(rt.settings)
    address = request.remote_addr or "unknown"  # waitress gives the client behind a trusted proxy (cli.py)
    session = db()
    too_large = request.content_length is not None and request.content_length > settings.max_bytes
    if not too_large:
        request.max_content_length = settings.max_bytes  # a body without Content-Length stops here
        try:
            sent = {name: request.form.get(name, "") for name in
                    (*rules.fields, rules.honeypot, form_guard.TOKEN_FIELD)}
        except RequestEntityTooLarge:
            too_large = True
    if too_large:
        form_guard.refuse_too_large(session, rules, address, rt.now())
        session.commit()
        return refusal(Verdict(Outcome.TOO_LARGE), settings)
    verdict = form_guard.check(session, rules, settings, current_app.secret_key, sent, address, rt.now())
    if verdict.accepted:
        return verdict  # the caller stores what was sent in this session and commits the count with it
    session.commit()
    if verdict.looks_accepted:
        return verdict  # the honeypot: "thank you", and nothing but the count was stored
    return refusal(verdict, settings)


def refusal(verdict: Verdict, settings: GuardSettings) -> Response:
    title, detail, status = _words(verdict, settings)
    response = Response(render_template("public/error.html", status=status, title=title, detail=detail,
                                        back=request.path), status=status)
    if verdict.retry_after:
        response.headers["Retry-After"] = str(verdict.retry_after)
    return response


def _words(verdict: Verdict, settings: GuardSettings) -> tuple[str, str, int]:
    again = gettext("Nothing was sent. Open the form again and send it from there.")
    match verdict.outcome:
        case Outcome.TOO_LARGE:
            return (gettext("What you sent is too large"),
                    gettext("At most %(size)d KB can be sent with this form. Nothing was sent.",
                            size=settings.max_bytes // 1024), 413)
        case Outcome.TOO_LONG:
            return (gettext("A field is too long"),
                    gettext("The field “%(field)s” may have at most %(num)d characters. Nothing was sent; go back, "
                            "shorten it and send the form again.", field=verdict.field, num=verdict.limit), 422)
        case Outcome.TOO_FAST:
            return (gettext("The form was sent too quickly"),
                    ngettext("It was sent less than %(num)d second after the page opened, faster than a person "
                             "fills it in.",
                             "It was sent less than %(num)d seconds after the page opened, faster than a person "
                             "fills it in.", max(1, round(settings.min_seconds))) + " " + again, 400)
        case Outcome.EXPIRED:
            return (gettext("The form has expired"),
                    ngettext("The page was opened more than %(num)d hour ago.",
                             "The page was opened more than %(num)d hours ago.",
                             max(1, round(settings.max_hours))) + " " + again, 400)
        case Outcome.LIMITED:
            minutes = max(1, -(-(verdict.retry_after or 60) // 60))
            return (gettext("Too many messages from your address"),
                    ngettext("This form was sent from your address too often in the last hour. Nothing was sent; "
                             "try again in %(num)d minute.",
                             "This form was sent from your address too often in the last hour. Nothing was sent; "
                             "try again in %(num)d minutes.", minutes), 429)
        case _:
            return (gettext("The form could not be checked"),
                    gettext("The form's security field is missing or damaged.") + " " + again, 400)
