"""An event's preparation, follow-up and links, as sections of its page (web.activities.sections), and the
forms they send: the checklist (tick, untick, add, remove), the notes, minutes and report, the posts and the
photos linked to the event. The briefing and follow-up documents are the documents pages' (web/documents.py),
under the record types "event" and "event_followup".

Every form goes back to the event's page at its section; a refusal is a 4xx page naming the problem."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import gettext
from flask_login import current_user

from publisher.activities import checklist, followup, links
from publisher.activities.event_documents import BRIEFING, FOLLOWUP
from publisher.activities.models import Event
from publisher.core.errors import Conflict, Invalid
from publisher.core.models import Media
from publisher.core.parse import record_id
from publisher.media import library
from publisher.posts.compose import recent_media
from web import labels, params
from web.activities import sections
from web.activities.preparation_words import POST_ROLES, RECORDS, event_title, item_label
from web.context import db
from web.roles import permission_required

bp = Blueprint("event_preparation", __name__)

POST_CHOICES = 10  # posts named when what was typed matches several
PHOTO_CHOICES = 12  # library items offered to link: the newest, or the first found
PHOTO_SEARCH = "photo_q"  # the event page's ?photo_q=: what the picker searches the library for


def event_page(event_id: int, section: str) -> str:
    """The event's page at one of its sections."""
    return url_for("activities.show", event_id=event_id, _anchor=section)


# --- the sections ---------------------------------------------------------------------------------------------

def _preparation(event: Event) -> dict[str, Any] | None:
    if not current_user.may("activities", "read"):
        return None
    actor = current_user.actor()
    items = checklist.ensure_checklist(db(), actor, event)
    db().commit()  # the defaults, once: the page that first opened the checklist keeps them
    return {"items": [(item, item_label(item.key, item.text)) for item in items],
            "done": sum(1 for item in items if item.done_at is not None),
            "can_edit": current_user.may("activities", "edit"), "record_type": BRIEFING}


def _followup(event: Event) -> dict[str, Any] | None:
    if not current_user.may("activities", "read"):
        return None
    return {"records": followup.records(db(), current_user.actor(), event.id),
            "can_edit": current_user.may("activities", "edit"), "record_type": FOLLOWUP, "words": RECORDS}


def _links(event: Event) -> dict[str, Any] | None:
    if not current_user.may("activities", "read"):
        return None
    can_edit = current_user.may("activities", "edit")
    photos = links.media_of(db(), event.id)
    linked = [p.media_id for p in photos]
    typed, problem = params.search_arg(PHOTO_SEARCH)
    return {"posts": links.posts_of(db(), event.id), "photos": photos, "can_edit": can_edit,
            "may_compose": current_user.may("posts", "write"), "roles": POST_ROLES, "states": labels.POST_STATES,
            "library": _library_choices(typed, linked) if can_edit else [], "photo_q": typed,
            "photo_problem": problem, "photo_search": PHOTO_SEARCH}


def _library_choices(typed: str, linked: list[int]) -> list[Media]:
    """What the picker offers: the newest items of the library, or those matching what was typed."""
    if not typed:
        return recent_media(db(), exclude=linked, limit=PHOTO_CHOICES)
    found = library.search(db(), typed, 1, PHOTO_CHOICES + len(linked)).items  # the linked ones are left out
    return [item for item in found if item.id not in set(linked)][:PHOTO_CHOICES]


sections.register(sections.Section("preparation", 20, "activities/_section_preparation.html", _preparation))
sections.register(sections.Section("followup", 40, "activities/_section_followup.html", _followup))
sections.register(sections.Section("links", 30, "activities/_section_links.html", _links))


# --- the checklist --------------------------------------------------------------------------------------------

@bp.post("/events/<int:event_id>/checklist")
@permission_required("activities", "edit")
def checklist_add(event_id: int) -> Response:
    try:
        checklist.add(db(), current_user.actor(), event_id, request.form.get("text", ""))
    except Invalid as exc:
        db().rollback()
        abort(422, {"required": gettext("Type what is to be done, then add it."),
                    "too_long": gettext("An item of the checklist is at most %(max)d characters.",
                                        max=checklist.TEXT),
                    "too_many": gettext("A checklist holds at most %(max)d items.", max=checklist.MAX_ITEMS),
                    }.get(exc.code, exc.message))
    db().commit()
    return redirect(event_page(event_id, "preparation"))


@bp.post("/events/<int:event_id>/checklist/<int:item_id>")
@permission_required("activities", "edit")
def checklist_tick(event_id: int, item_id: int) -> Response:
    done = request.form.get("done", "")
    if done not in ("0", "1"):
        abort(400, gettext("Say whether the item is done (done=1) or not (done=0)."))
    checklist.set_done(db(), current_user.actor(), event_id, item_id, done == "1")
    db().commit()
    return redirect(event_page(event_id, "preparation"))


@bp.post("/events/<int:event_id>/checklist/<int:item_id>/remove")
@permission_required("activities", "edit")
def checklist_remove(event_id: int, item_id: int) -> Response:
    checklist.remove(db(), current_user.actor(), event_id, item_id)
    db().commit()
    flash(gettext("The item is removed from the checklist."), "success")
    return redirect(event_page(event_id, "preparation"))


# --- the follow-up ---------------------------------------------------------------------------------------------

@bp.post("/events/<int:event_id>/followup/<kind>")
@permission_required("activities", "edit")
def followup_save(event_id: int, kind: str) -> Response:
    if kind not in followup.KINDS:
        abort(404)
    version = record_id(request.form.get("version", "")) if request.form.get("version") != "0" else 0
    if version is None:
        abort(400, gettext("The form did not say which version of the text you changed: reload the page."))
    try:
        followup.save(db(), current_user.actor(), event_id, kind, request.form.get("text", ""),
                      expected_version=version)
    except Conflict as exc:
        db().rollback()
        if exc.code != "stale":
            raise
        abort(409, gettext("Nothing was saved: someone else saved this text after you opened the page. Copy "
                           "your text, reload the page, and add your change to theirs."))
    except Invalid as exc:
        db().rollback()
        if exc.code != "too_long":
            raise
        abort(422, gettext("The text is too long: at most %(max)d characters.", max=followup.TEXT))
    db().commit()
    flash(gettext("Saved."), "success")
    return redirect(event_page(event_id, "followup"))


# --- the links ------------------------------------------------------------------------------------------------

def _post_typed(typed: str) -> int:
    """The post meant by what was typed: its number (#12 or 12), or the one post whose title matches."""
    number = record_id(typed.strip().removeprefix("#"))
    if number is not None:
        return number
    posts = links.find_posts(db(), typed, POST_CHOICES)
    if not posts:
        abort(422, gettext("No post matches “%(typed)s”. Type the post's number or words of its title.",
                           typed=typed[:100]))
    if len(posts) > 1:
        named = "; ".join(f"#{p.id} “{p.title or '…'}”" for p in posts)
        abort(422, gettext("Several posts match: %(posts)s. Type the number of the one you mean.", posts=named))
    return posts[0].id


@bp.post("/events/<int:event_id>/posts")
@permission_required("activities", "edit")
def post_link(event_id: int) -> Response:
    typed = request.form.get("post", "").strip()
    role = request.form.get("role", "announcement")
    if not typed:
        abort(422, gettext("Type the post's number or words of its title."))
    if role not in links.ROLES:
        abort(422, gettext("Choose whether the post announces the event, reports on it, or other."))
    links.link_post(db(), current_user.actor(), event_id, _post_typed(typed), role)
    db().commit()
    flash(gettext("The post is linked to the event."), "success")
    return redirect(event_page(event_id, "links"))


@bp.post("/events/<int:event_id>/posts/<int:post_id>/unlink")
@permission_required("activities", "edit")
def post_unlink(event_id: int, post_id: int) -> Response:
    links.unlink_post(db(), current_user.actor(), event_id, post_id)
    db().commit()
    flash(gettext("The post is no longer linked to the event; the post itself is unchanged."), "success")
    return redirect(event_page(event_id, "links"))


@bp.post("/events/<int:event_id>/media")
@permission_required("activities", "edit")
def media_link(event_id: int) -> Response:
    media_id = record_id(request.form.get("media", ""))
    if media_id is None or db().get(Media, media_id) is None:
        abort(422, gettext("Choose a photo or video of the media library."))
    links.link_media(db(), current_user.actor(), event_id, media_id)
    db().commit()
    return redirect(event_page(event_id, "links"))


@bp.post("/events/<int:event_id>/media/<int:media_id>/unlink")
@permission_required("activities", "edit")
def media_unlink(event_id: int, media_id: int) -> Response:
    links.unlink_media(db(), current_user.actor(), event_id, media_id)
    db().commit()
    return redirect(event_page(event_id, "links"))


@bp.app_template_global()
def events_of_post(post_id: int) -> list[links.EventPost]:
    """The events a post is linked to, for the post's page; none to whoever may not read events."""
    if not current_user.may("activities", "read"):
        return []
    return links.events_of_post(db(), post_id)


@bp.app_template_global()
def event_page_url(event_id: int, section: str) -> str:
    return event_page(event_id, section)


bp.add_app_template_global(event_title, "event_title")
