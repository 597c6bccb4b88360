"""The JSON API under /api/v1. Views parse and present; `publisher` services decide."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response, g, jsonify, request

from publisher.audit import trail
from publisher.core import limits, permissions
from publisher.core.actor import Actor
from publisher.core.errors import (
    Conflict,
    Malformed,
    PreconditionFailed,
    Unauthenticated,
)
from publisher.core.states import PostStatus
from publisher.destinations.channel_store import add_channel, get_channel, list_channels
from publisher.media.store import get_media, store_upload
from publisher.notifications import inbox
from publisher.notifications.models import Notification
from publisher.people import request_limits
from publisher.people.accounts import authenticate_token, note_token_use
from publisher.posts import browse, drafts, workflow
from publisher.publishing import alerts, credential_checks, deliveries, holds
from publisher.publishing.deliveries import DECISIONS
from publisher.text import translit
from web import params, presenters
from web.context import VERSION, db, runtime
from web.endpoints import endpoint
from web.files import send_media
from web.notifications import said
from web.openapi import build_document

bp = Blueprint("api", __name__, url_prefix="/api/v1")
PUBLIC = {"api.openapi"}

_TIME_FIELDS = {
    "scheduled_at": {"type": ["string", "null"], "maxLength": 64,
                     "description": "ISO 8601 with an offset, or a local time with `timezone`; null: once approved"},
    "timezone": {"type": "string", "maxLength": 64, "description": "IANA zone, e.g. Europe/Belgrade"},
    "dst_choice": {"enum": ["earlier", "later"], "description": "for a local time that happens twice"},
}
_MEDIA_REF = {"oneOf": [{"type": "integer"}, {
    "type": "object", "required": ["id"], "additionalProperties": False,
    "properties": {"id": {"type": "integer"}, "alt_text": {"type": "string", "maxLength": limits.ALT_TEXT}}}]}
_POST_FIELDS = {
    "title": {"type": "string", "maxLength": limits.TITLE},
    "body": {"type": "string", "maxLength": limits.BODY},
    "language": {"enum": list(workflow.LANGUAGES)},
    "channels": {"type": "array", "maxItems": 100, "items": {"type": ["string", "integer"]}},
    "media": {"type": "array", "maxItems": workflow.MAX_MEDIA, "items": _MEDIA_REF},
    "variants": {"type": "object", "additionalProperties": {"type": "string", "maxLength": limits.BODY}},
    "translations": {
        "type": "object", "maxProperties": len(workflow.LANGUAGES) - 1,
        "propertyNames": {"enum": list(workflow.LANGUAGES)},
        "additionalProperties": {"type": "object", "additionalProperties": False, "properties": {
            "title": {"type": "string", "maxLength": limits.TITLE},
            "body": {"type": "string", "maxLength": limits.BODY}}},
        "description": "the post's other language versions, language -> {title, body}; not the post's own "
                       "language. The other Serbian script is derived unless written here. A channel's "
                       "`languages` setting says which versions it publishes"},
    **_TIME_FIELDS,
}
POST_CREATE = {"type": "object", "required": ["body", "channels"], "additionalProperties": False,
               "properties": _POST_FIELDS}
POST_PATCH = {"type": "object", "additionalProperties": False, "minProperties": 1, "properties": _POST_FIELDS}
APPROVE = {"type": "object", "required": ["content_hash"], "additionalProperties": False,
           "properties": {"content_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$",
                                           "description": "the content_hash of the version the approver read "
                                                          "(GET /posts/{id}); exactly that version goes out"}}}
REJECT = {"type": "object", "required": ["comment"], "additionalProperties": False,
          "properties": {"comment": {"type": "string", "maxLength": limits.COMMENT}}}
RESOLVE = {"type": "object", "required": ["comment"], "additionalProperties": False,
           "properties": {"comment": {"type": "string", "maxLength": limits.COMMENT,
                                      "description": "what was done about it, for the next reader"}}}
CHANNEL_CREATE = {"type": "object", "required": ["kind", "name", "config"], "additionalProperties": False,
                  "properties": {"kind": {"type": "string", "maxLength": 100},
                                 "name": {"type": "string", "maxLength": limits.CHANNEL_NAME},
                                 "config": {"type": "object"}}}
LIST = {"type": "array", "items": {"type": "object"}}
# A person holds one or more roles; what each allows is docs/roles.md.
USER = {"type": "object", "required": ["id", "name", "display_name", "roles"], "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "display_name": {"type": "string"},
    "roles": {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"enum": list(permissions.ROLES)}}}}
TRANSLITERATE = {"type": "object", "required": ["text", "to"], "additionalProperties": False,
                 "properties": {"text": {"type": "string", "maxLength": limits.TRANSLITERATE}, "to": {"enum": ["sr-Latn", "sr-Cyrl"]}}}


@bp.before_request
def _authenticate() -> Response | None:
    if request.endpoint in PUBLIC:
        return None
    rt = runtime()
    address = request.remote_addr or "unknown"
    limit = rt.settings.api_refusals_per_minute
    with rt.read_sessions() as reader:
        refused = request_limits.current(reader, request_limits.API_REFUSED, address, rt.clock())
    if refused >= limit:
        return _rate_limited(rt.clock())
    scheme, _, plain = request.headers.get("Authorization", "").partition(" ")
    try:
        if scheme.lower() != "bearer" or not plain.strip():
            raise Unauthenticated("send the API token as 'Authorization: Bearer TOKEN'")
        # Own short sessions, before the request's session exists: nothing here waits on itself.
        with rt.read_sessions() as reader:
            user, token = authenticate_token(reader, plain.strip())
    except Unauthenticated as exc:
        _count_refusal(address, exc.message, limit)
        raise
    with rt.sessions() as writer:
        note_token_use(writer, token, rt.clock())
    g.actor = Actor(user=user, via=f"api-token:{token.id}", ip=request.remote_addr)
    return None


def _count_refusal(address: str, reason: str, limit: int) -> None:
    """One counter row per address and minute; audit rows only for its first refusal and for reaching the limit."""
    rt = runtime()
    now = rt.clock()
    with rt.sessions() as writer:
        refused = request_limits.count(writer, request_limits.API_REFUSED, address, now)
        actor = Actor(user=None, via="api", ip=request.remote_addr)
        if refused == 1:
            trail.record(writer, actor, "auth.refused", detail={
                "reason": reason, "path": request.path,
                "note": "further refusals of this address in this minute are counted, not logged one by one"})
        if refused == limit:
            trail.record(writer, actor, "auth.rate_limited", detail={
                "refusals": refused, "window": request_limits.window_start(now).isoformat(),
                "until": (request_limits.window_start(now) + request_limits.WINDOW).isoformat()})
        writer.commit()


def _rate_limited(now: datetime) -> Response:
    wait = request_limits.retry_after(now)
    response = jsonify({"error": {"code": "rate_limited", "message": (
        f"too many requests without a valid token from this address; try again in {wait} s")}})
    response.status_code = 429
    response.headers["Retry-After"] = str(wait)
    return response


def _done(payload: Any, status: int = 200) -> tuple[Response, int]:
    db().commit()
    return jsonify(payload), status


@endpoint(bp, "/openapi.json", "GET", "This API as an OpenAPI 3 document", tag="meta", auth=False,
          responses={200: ""})
def openapi() -> Response:
    return jsonify(build_document(VERSION))


@endpoint(bp, "/me", "GET", "Who the token belongs to", tag="meta", responses={200: ""}, response_schema=USER)
def me() -> tuple[Response, int]:
    return _done(presenters.user(g.actor.user))


SEARCH = {"q": {"type": "string", "maxLength": params.MAX_SEARCH,
                "description": "only items that hold this text, in any case, either Serbian script, with or "
                               "without diacritics (no control characters)"}}


@endpoint(bp, "/channels", "GET", "The configured channels", tag="channels", responses={200: ""},
          response_schema=LIST, query={**SEARCH})
def channels_list() -> tuple[Response, int]:
    checks = credential_checks.last_checks(db())
    return _done([presenters.channel(c, checks.get(c.id))
                  for c in list_channels(db(), text=params.query_search())])


@endpoint(bp, "/channels", "POST", "Add a channel (admin)", tag="channels", body=CHANNEL_CREATE,
          responses={201: "", 400: "", 403: "", 409: "A channel with that name exists", 422: "Bad settings"})
def channels_create(body: dict[str, Any]) -> tuple[Response, int]:
    permissions.require(g.actor, "channels", "add")
    rt = runtime()
    channel = add_channel(db(), rt.box, body["kind"], body["name"], body["config"], actor=g.actor)
    return _done(presenters.channel(channel), 201)


@endpoint(bp, "/media", "POST", "Upload an image, video or PDF", tag="media",
          multipart={"type": "object", "required": ["file"], "properties": {
              "file": {"type": "string", "format": "binary"}, "alt_text": {"type": "string"},
              "credit": {"type": "string", "maxLength": limits.CREDIT}}},
          responses={200: "The same file was uploaded before", 201: "", 400: "", 403: "", 413: "", 415: "", 422: ""})
def media_upload() -> tuple[Response, int]:
    upload = request.files.get("file")
    if upload is None:
        raise Malformed("send the file as multipart/form-data field 'file'")
    media, created = store_upload(
        db(), runtime().settings.media_dir, upload.stream, actor=g.actor, filename=upload.filename or "",
        alt_text=request.form.get("alt_text", ""), credit=request.form.get("credit", ""),
    )
    if not created:  # the upload may have given a known file its first alt text
        workflow.media_described(db(), runtime(), g.actor, media.id)
    return _done({**presenters.media(media), "created": created}, 201 if created else 200)


@endpoint(bp, "/media/<int:media_id>", "GET", "One media item", tag="media", responses={200: "", 404: ""})
def media_show(media_id: int) -> tuple[Response, int]:
    return _done(presenters.media(get_media(db(), media_id)))


@endpoint(bp, "/media/<int:media_id>/file", "GET", "The media file's bytes", tag="media",
          responses={200: "", 404: ""}, response_type="*/*")
def media_file(media_id: int) -> Response:
    return send_media(get_media(db(), media_id), inline=False)


@endpoint(bp, "/posts", "POST", "Write a post (a draft)", tag="posts", body=POST_CREATE,
          responses={201: "", 400: "", 403: "", 422: ""})
def posts_create(body: dict[str, Any]) -> tuple[Response, int]:
    post = workflow.create_post(db(), runtime(), g.actor, body)
    return _done(presenters.post(post, runtime()), 201)


@endpoint(bp, "/posts", "GET", "Posts, newest first", tag="posts",
          responses={200: "", 400: "", 404: "No channel of that name or id"},
          query={"status": {"enum": [str(s) for s in PostStatus]},
                 "channel": {"type": "string", "description": "channel name or id"},
                 "limit": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50},
                 "before": {"type": "integer", "description": "the id from `next_before` of the previous page"},
                 **SEARCH})
def posts_list() -> tuple[Response, int]:
    limit = params.query_number("limit", 50, 1, 200)
    before = params.query_number("before", None, 1)
    page, next_before = browse.newest_posts(db(), limit=limit, before=before, status=request.args.get("status"),
                                            channel=request.args.get("channel"), text=params.query_search())
    return _done({"items": [presenters.post(p, runtime(), brief=True) for p in page],
                  "next_before": next_before})

@endpoint(bp, "/posts/<int:post_id>", "GET", "One post with its deliveries and history; its ETag is the "
          "content hash that PATCH needs in If-Match", tag="posts", responses={200: "", 404: ""})
def posts_show(post_id: int) -> tuple[Response, int]:
    post = workflow.get_post(db(), post_id)
    return _with_etag(_done(presenters.post(post, runtime(), events=trail.events_for_post(db(), post.id))),
                      post.content_hash)


@endpoint(bp, "/posts/<int:post_id>", "PATCH", "Edit a post (If-Match: its ETag from GET); approved content goes "
          "back for approval", tag="posts", body=POST_PATCH,
          responses={200: "", 400: "", 403: "", 404: "", 409: "", 412: "", 422: "", 428: ""})
def posts_edit(post_id: int, body: dict[str, Any]) -> tuple[Response, int]:
    try:
        post = workflow.edit_post(db(), runtime(), g.actor, post_id, body, base_hash=_if_match())
    except Conflict as exc:
        if exc.code != "content_changed":
            raise
        raise PreconditionFailed(exc.message, details=exc.details) from None
    return _with_etag(_done(presenters.post(post, runtime())), post.content_hash)


@endpoint(bp, "/posts/<int:post_id>", "DELETE", "Delete a draft or a post sent back that has no delivery "
          "(If-Match: its ETag from GET); library files stay", tag="posts",
          responses={204: "Deleted", 403: "", 404: "", 409: "Not a draft or sent back", 412: "", 428: ""})
def posts_delete(post_id: int) -> Response:
    base = _if_match()
    try:
        drafts.delete_post(db(), g.actor, post_id, base_hash=base)
    except Conflict as exc:
        if exc.code != "content_changed":
            raise
        raise PreconditionFailed(exc.message, details=exc.details) from None
    db().commit()
    return Response(status=204)


@endpoint(bp, "/posts/<int:post_id>/duplicate", "POST", "A new draft with the post's content, by the caller; "
          "no time, no approval", tag="posts", responses={201: "", 403: "", 404: ""})
def posts_duplicate(post_id: int) -> tuple[Response, int]:
    return _done(presenters.post(drafts.duplicate(db(), runtime(), g.actor, post_id), runtime()), 201)


def _if_match() -> str | None:
    return params.if_match_tag("post", "/api/v1/posts/ID")


def _with_etag(answer: tuple[Response, int], content_hash: str) -> tuple[Response, int]:
    response, status = answer
    response.set_etag(content_hash)
    return response, status


@endpoint(bp, "/posts/<int:post_id>/submit", "POST", "Send for approval (runs every channel's checks)",
          tag="workflow", responses={200: "", 403: "", 404: "", 409: "", 422: ""})
def posts_submit(post_id: int) -> tuple[Response, int]:
    return _done(presenters.post(workflow.submit(db(), runtime(), g.actor, post_id), runtime()))


@endpoint(bp, "/posts/<int:post_id>/withdraw", "POST", "Take a post waiting for approval back to draft "
          "(its author or a contributor)", tag="workflow", responses={200: "", 403: "", 404: "", 409: ""})
def posts_withdraw(post_id: int) -> tuple[Response, int]:
    return _done(presenters.post(workflow.withdraw(db(), runtime(), g.actor, post_id), runtime()))


@endpoint(bp, "/posts/<int:post_id>/approve", "POST", "Approve someone else's post", tag="workflow",
          body=APPROVE, responses={200: "", 403: "", 404: "", 409: "", 422: ""})
def posts_approve(post_id: int, body: dict[str, Any]) -> tuple[Response, int]:
    post = workflow.approve(db(), runtime(), g.actor, post_id, seen_hash=body["content_hash"])
    return _done(presenters.post(post, runtime()))


@endpoint(bp, "/posts/<int:post_id>/reject", "POST", "Send a post back to its author with a comment",
          tag="workflow", body=REJECT, responses={200: "", 400: "", 403: "", 404: "", 409: "", 422: ""})
def posts_reject(post_id: int, body: dict[str, Any]) -> tuple[Response, int]:
    post = workflow.reject(db(), runtime(), g.actor, post_id, body["comment"])
    return _done(presenters.post(post, runtime()))


@endpoint(bp, "/posts/<int:post_id>/cancel", "POST", "Cancel a post that has not gone out", tag="workflow",
          responses={200: "", 403: "", 404: "", 409: ""})
def posts_cancel(post_id: int) -> tuple[Response, int]:
    return _done(presenters.post(workflow.cancel(db(), runtime(), g.actor, post_id), runtime()))


HOLD = {"type": "object", "required": ["on"], "additionalProperties": False,
        "properties": {"on": {"type": "boolean"}, "reason": {"type": "string", "maxLength": limits.HOLD_REASON},
                       "channel": {"type": ["string", "integer"], "description": "one channel; else everything"}}}
DECIDE = {"type": "object", "required": ["decision"], "additionalProperties": False,
          "properties": {"decision": {"enum": list(DECISIONS)},
                         "url": {"type": "string", "maxLength": limits.URL,
                                 "description": "with went_out: the live post's link"},
                         "remote_id": {"type": "string", "maxLength": limits.REMOTE_ID}}}


@endpoint(bp, "/holds", "GET", "Active holds: everything, or single channels", tag="publishing",
          responses={200: ""}, response_schema=LIST)
def holds_list() -> tuple[Response, int]:
    return _done([presenters.hold(h) for h in holds.active_holds(db())])


@endpoint(bp, "/holds", "POST", "Hold (on) or release (off) publishing, everywhere or on one channel",
          tag="publishing", body=HOLD, responses={200: "The active holds", 400: "", 403: "", 404: "", 409: "", 422: ""},
          response_schema=LIST)
def holds_set(body: dict[str, Any]) -> tuple[Response, int]:
    channel = get_channel(db(), body["channel"]) if body.get("channel") is not None else None
    if body["on"]:
        holds.hold(db(), g.actor, body.get("reason", ""), channel)
    else:
        holds.release(db(), g.actor, channel)
    return _done([presenters.hold(h) for h in holds.active_holds(db())])


@endpoint(bp, "/alerts", "GET", "Open alerts, newest first", tag="publishing", responses={200: ""},
          response_schema=LIST, query={**SEARCH})
def alerts_list() -> tuple[Response, int]:
    return _done([presenters.alert(a) for a in alerts.open_alerts(db(), text=params.query_search())])


@endpoint(bp, "/alerts/<int:alert_id>/resolve", "POST", "Mark an alert as handled, saying what was done",
          tag="publishing", body=RESOLVE, responses={200: "", 403: "", 404: "", 409: "", 422: ""})
def alerts_resolve(alert_id: int, body: dict[str, Any]) -> tuple[Response, int]:
    return _done(presenters.alert(alerts.resolve(db(), g.actor, alert_id, body["comment"])))


@endpoint(bp, "/notifications", "GET", "Your own notifications, newest first, with how many are unread",
          tag="notifications", responses={200: "", 400: ""},
          query={"limit": {"type": "integer", "minimum": 1, "maximum": inbox.MAX_PAGE, "default": 20},
                 "before": {"type": "integer", "description": "the id from `next_before` of the previous page"},
                 **SEARCH})
def notifications_list() -> tuple[Response, int]:
    limit = params.query_number("limit", 20, 1, inbox.MAX_PAGE)
    page = inbox.newest(db(), g.actor.user.id, before=params.query_number("before", None, 1), limit=limit,
                        text=params.query_search())  # by the post; kinds' names are words of the dashboard
    return _done({"items": [_notification(n) for n in page.items], "next_before": page.next_before,
                  "unread": inbox.unread_count(db(), g.actor.user.id)})


@endpoint(bp, "/notifications/<int:notification_id>/read", "POST", "Mark one of your notifications read",
          tag="notifications", responses={200: "", 404: "Not one of yours"})
def notifications_read(notification_id: int) -> tuple[Response, int]:
    return _done(_notification(inbox.mark_read(db(), g.actor, notification_id, runtime().clock())))


@endpoint(bp, "/notifications/read", "POST", "Mark all your notifications read", tag="notifications",
          responses={200: "How many were unread"})
def notifications_read_all() -> tuple[Response, int]:
    return _done({"marked": inbox.mark_all_read(db(), g.actor, runtime().clock())})


def _notification(n: Notification) -> dict[str, Any]:
    return presenters.notification(n, said(n).headline)  # the list's words: the page and the API say the same


@endpoint(bp, "/deliveries/<int:delivery_id>", "GET", "One delivery with its attempts", tag="publishing",
          responses={200: "", 404: ""})
def deliveries_show(delivery_id: int) -> tuple[Response, int]:
    return _done(presenters.delivery(deliveries.get_delivery(db(), delivery_id), attempts=True))


@endpoint(bp, "/deliveries/<int:delivery_id>/decide", "POST",
          "A person settles a delivery: went_out (with its URL), send_again, retry_now or cancel",
          tag="publishing", body=DECIDE, responses={200: "", 400: "", 403: "", 404: "", 409: "", 422: ""})
def deliveries_decide(delivery_id: int, body: dict[str, Any]) -> tuple[Response, int]:
    delivery = deliveries.decide(db(), g.actor, delivery_id, body["decision"], url=body.get("url"),
                                 remote_id=body.get("remote_id"))
    return _done(presenters.delivery(delivery, attempts=True))


@endpoint(bp, "/transliterate", "POST", "Serbian Cyrillic to Latin and back", tag="text", body=TRANSLITERATE,
          responses={200: "", 400: ""})
def transliterate(body: dict[str, Any]) -> tuple[Response, int]:
    return _done({"text": translit.derive(body["text"], body["to"]), "language": body["to"]})
