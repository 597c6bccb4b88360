"""The compose page: an officer writes a post, or edits one, and saves it as a draft or sends it for approval.

Everything goes through `publisher.posts.workflow` (the same moves the API makes) and `publisher.media.store`; the
per-channel counts and problems come from `publisher.posts.compose`, which runs the channels' own code. A refused
save rolls the whole transaction back: no post row, no audit event, no uploaded file is left behind.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectMultipleField, StringField, TextAreaField
from wtforms.form import BaseForm
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional
from wtforms.widgets import DateInput, TimeInput

from channels.base import Problem
from publisher.activities import links as event_links
from publisher.activities.models import Event
from publisher.core import limits, parse
from publisher.core.errors import Conflict, Invalid, PublisherError, TooLarge, Unpublishable, UnsupportedMedia
from publisher.core.models import Channel, Media, Post
from publisher.core.multilingual import LANGUAGES, MultilingualText
from publisher.core.parse import record_id
from publisher.core.states import PostStatus
from publisher.destinations.content import file_label
from publisher.media.inspection import ACCEPTED_DESCRIPTION
from publisher.media.store import MAX_ALT_TEXT, store_upload
from publisher.posts import publishable, workflow
from publisher.posts.compose import (
    ChannelCheck,
    Draft,
    check_draft,
    recent_media,
    selectable_channels,
    with_problems,
)
from publisher.posts.schedule_time import ScheduleTimeError, parse_schedule, to_local
from publisher.publishing import channel_health
from publisher.text import translit
from web import labels, multilingual_field, previews
from web.activities import post_prefill
from web.context import db, runtime
from web.i18n import LANGUAGE_NAMES
from web.multilingual_field import MultilingualField

bp = Blueprint("compose", __name__)

EDITABLE = frozenset({PostStatus.DRAFT, PostStatus.PENDING_APPROVAL, PostStatus.SCHEDULED, PostStatus.REJECTED})
ACTIONS = ("save", "submit", "check", "preview", "to-cyrl", "to-latn")
WHEN_APPROVED, WHEN_AT = "approved", "at"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)  # ASCII: "\d" also takes "٣"
_TIME = re.compile(r"\d{2}:\d{2}", re.ASCII)


class ComposeForm(FlaskForm):
    """The fixed fields; `compose_form` adds one variant and one alt-text field per channel and media item."""

    title = StringField(_l("Title"), validators=[
        Length(max=workflow.MAX_TITLE, message=_l("A title is at most %(max)d characters."))])
    body = TextAreaField(_l("Text"), validators=[
        DataRequired(_l("Write the text of the post.")),
        Length(max=workflow.MAX_BODY, message=_l("The text is at most %(max)d characters."))],
        render_kw={"rows": 8})
    language = StringField(_l("Language of the post"), validators=[
        InputRequired(_l("Choose the language of the post.")),
        AnyOf(workflow.LANGUAGES, message=_l("Choose one of the languages listed."))])
    channels = SelectMultipleField(_l("Channels"), coerce=int, validate_choice=False)
    media = SelectMultipleField(_l("Images and files"), coerce=int, validate_choice=False)
    upload = FileField(_l("Upload a new file"))
    upload_alt = StringField(_l("Alt text for the new file"), validators=[
        Length(max=MAX_ALT_TEXT, message=_l("Alt text is at most %(max)d characters."))])
    when = StringField(_l("When to publish"), default=WHEN_APPROVED, validators=[
        AnyOf((WHEN_APPROVED, WHEN_AT), message=_l("Choose when to publish."))])
    date = StringField(_l("Date"), widget=DateInput(), validators=[Optional()])
    time = StringField(_l("Time"), widget=TimeInput(), validators=[Optional()])
    dst_choice = StringField(_l("Which of the two"), validators=[
        Optional(), AnyOf(("earlier", "later"), message=_l("Choose one of the two times."))])
    base_hash = HiddenField()  # the version the person opened: a save over someone else's change is refused


def compose_form(channels: list[Channel], media: list[Media], post: Post | None, **kw: Any) -> ComposeForm:
    """A form class for this page: one variant field per channel, one alt-text field per media item."""
    attrs: dict[str, Any] = {}
    for channel in channels:
        attrs[f"variant_{channel.id}"] = TextAreaField(
            gettext("Own text for %(channel)s", channel=channel.name), render_kw={"rows": 4},
            validators=[Length(max=workflow.MAX_BODY, message=_l("The text is at most %(max)d characters."))])
    for item in media:
        attrs[f"alt_{item.id}"] = _alt_field(item)
    form_class = type("PageComposeForm", (ComposeForm,), attrs)
    if post is None or request.method == "POST":
        return form_class(**kw)
    return form_class(data=_post_data(post, channels))


def _alt_field(item: Media) -> Any:
    return StringField(gettext("Alt text for %(file)s", file=_media_name(item)),
                       validators=[Length(max=MAX_ALT_TEXT, message=_l("Alt text is at most %(max)d characters."))])


def _media_name(item: Media) -> str:
    return file_label(item.original_name, item.sha256, item.extension)


def _post_data(post: Post, channels: list[Channel]) -> dict[str, Any]:
    data: dict[str, Any] = {"title": post.title, "body": post.body, "language": post.language,
                            "channels": [c.id for c in post.channels], "media": [m.media_id for m in post.media_links],
                            "when": WHEN_APPROVED, "base_hash": post.content_hash}
    names = {c.name: c.id for c in channels}
    for name, text in (post.variants or {}).items():
        if name in names:
            data[f"variant_{names[name]}"] = text
    for link in post.media_links:
        data[f"alt_{link.media_id}"] = link.effective_alt_text
    if post.scheduled_at is not None:
        local = to_local(post.scheduled_at, post.timezone)
        data.update(when=WHEN_AT, date=local.date().isoformat(), time=local.strftime("%H:%M"),
                    dst_choice="later" if local.fold else "earlier")
    return data


# --- the page ------------------------------------------------------------------------------------------

def _require_officer() -> None:
    if not current_user.may("posts", "write"):
        abort(403)  # the workflow would refuse too; a page nobody may use is not shown at all


def _editable_post(post_id: int) -> Post:
    post = workflow.get_post(db(), post_id)
    if post.status not in EDITABLE:
        abort(409)
    return post


@bp.get("/posts/new")
@login_required
def new() -> tuple[str, int]:
    _require_officer()
    page = Page(None)
    if request.args.get("at"):  # an empty slot of the calendar: that wall-clock minute in the office's zone
        try:
            at = parse.local_minute(request.args["at"])
        except parse.ParseError:
            abort(400, gettext("The time in the address must be year-month-day, T, hour:minute, for example "
                               "2026-12-07T10:00."))
        page.form.when.data, page.form.date.data, page.form.time.data = WHEN_AT, at.date().isoformat(), \
            at.strftime("%H:%M")
    if page.event_link:
        event, role = page.event_link
        language = page.form.language.data or ""
        page.form.title.data = post_prefill.title(event, language)
        if role == "announcement":
            page.form.body.data = post_prefill.when_and_where(event, language) + "\n\n"
    return _page(None, page)


def _event_link(values: Any) -> tuple[Event, str] | None:
    """The event (and the role) a new post is written for, from `?event=ID&role=...` or the form's copy of
    them; None when none is named. A post is linked only by who may edit events: for others the page is the
    plain compose page."""
    raw = values.get("event", "")
    if not raw or not current_user.may("activities", "edit"):
        return None
    event_id = record_id(raw)
    event = db().get(Event, event_id) if event_id is not None and event_id < 2**31 else None
    if event is None:
        abort(404)
    role = values.get("event_role") or values.get("role") or "announcement"
    if role not in event_links.ROLES:
        abort(400, gettext("The post's role for the event must be announcement, report or other."))
    return event, role


@bp.get("/posts/<int:post_id>/edit")
@login_required
def edit(post_id: int) -> tuple[str, int]:
    _require_officer()
    return _page(_editable_post(post_id))


@bp.post("/posts/new")
@login_required
def create() -> Response | tuple[str, int]:
    _require_officer()
    return _save(None)


@bp.post("/posts/<int:post_id>/edit")
@login_required
def update(post_id: int) -> Response | tuple[str, int]:
    _require_officer()
    return _save(_editable_post(post_id))


class Page:
    """What one rendering of the page needs, built from the post and/or the sent form."""

    def __init__(self, post: Post | None) -> None:
        session = db()
        self.post = post
        keep = [c.id for c in post.channels] if post else []
        if request.method == "POST":
            keep += _ints(request.form.getlist("channels"))  # a switched-off channel still chosen shows why
        self.channels = selectable_channels(session, keep)
        chosen_media = _ints(request.form.getlist("media")) if request.method == "POST" else (
            [m.media_id for m in post.media_links] if post else [])
        offered = [m for m in (session.get(Media, i) for i in chosen_media) if m is not None]
        self.media = offered + recent_media(session, exclude=[m.id for m in offered])
        self.uploaded: Media | None = None  # this request's upload, until the transaction is kept
        self.form = compose_form(self.channels, self.media, post)
        if not self.form.when.data:
            self.form.when.data = WHEN_APPROVED
        if not self.form.language.data:
            self.form.language.data = workflow.LANGUAGES[1] if current_user.locale == "sr-Latn" else "sr-Cyrl"
        self.form_errors: list[str] = []
        self.zone = post.timezone if post else runtime().settings.timezone
        self.version_titles, self.version_bodies = _version_fields(self.form, post)
        # "Compose a post for this event" (web.activities): the new post is linked to it once saved.
        self.event_link = _event_link(request.form if request.method == "POST" else request.args) \
            if post is None else None

    def variant_field(self, channel: Channel) -> Any:
        return self.form[f"variant_{channel.id}"]

    def alt_field(self, item: Media) -> Any:
        return self.form[f"alt_{item.id}"]

    def draft(self, extra_media: tuple[tuple[int, str], ...] = ()) -> Draft:
        chosen = {c.id: c for c in self.channels if c.id in set(self.form.channels.data or [])}
        variants = {c.name: text for c in chosen.values() if (text := self.variant_field(c).data or "").strip()}
        media_ids = [i for i in (self.form.media.data or []) if any(m.id == i for m in self.media)]
        media = tuple((i, (self.form[f"alt_{i}"].data or "").strip()) for i in media_ids) + extra_media
        return Draft(self.form.title.data or "", self.form.body.data or "", self.form.language.data or "",
                     tuple(chosen), variants, media, self.translations())

    def fields(self, extra_media: tuple[tuple[int, str], ...] = ()) -> dict[str, Any]:
        """The workflow's fields for this form."""
        draft = self.draft(extra_media)
        fields: dict[str, Any] = {
            "title": draft.title, "body": draft.body, "language": draft.language,
            "channels": list(draft.channel_ids), "variants": dict(draft.variants),
            "media": [{"id": i, "alt_text": alt} for i, alt in draft.media],
            "timezone": self.zone, "scheduled_at": None, "translations": self.translations(),
        }
        if self.form.when.data == WHEN_AT:
            fields["scheduled_at"] = f"{self.form.date.data}T{self.form.time.data}"
            if self.form.dst_choice.data:
                fields["dst_choice"] = self.form.dst_choice.data
        return fields

    def translations(self) -> dict[str, dict[str, str]]:
        """The other languages' versions as typed (the workflow refuses one in the primary language)."""
        out = {}
        for language in LANGUAGES:
            title = self.version_titles.submitted.get(language, "")
            body = self.version_bodies.submitted.get(language, "")
            if title.strip() or body.strip():
                out[language] = {"title": title, "body": body}
        return out

    def dst_options(self) -> list[dict[str, Any]]:
        """When the chosen local time happens twice (clocks go back), the two moments to choose from."""
        if self.form.when.data != WHEN_AT or not _DATE.fullmatch(self.form.date.data or "") \
                or not _TIME.fullmatch(self.form.time.data or ""):
            return []
        try:
            parse_schedule(f"{self.form.date.data}T{self.form.time.data}", self.zone)
        except ScheduleTimeError as exc:
            if exc.code == "ambiguous_local_time":
                return exc.details["choices"]
        return []


def _version_fields(form: ComposeForm, post: Post | None) -> tuple[MultilingualField, MultilingualField]:
    """The title and text in the other languages: as sent, else as stored. The primary version (the main
    title and text) is what the other Serbian script is derived from, so the page shows it derived."""
    if request.method == "POST":
        titles = multilingual_field.read(request.form, "version_title", limit=limits.TITLE)
        bodies = multilingual_field.read(request.form, "version_body", limit=limits.BODY)
    else:
        stored = (post.translations if post else None) or {}
        titles, bodies = (multilingual_field.from_text(
            f"version_{part}", MultilingualText({lang: v.get(part, "") for lang, v in stored.items()}),
            limit=limit) for part, limit in (("title", limits.TITLE), ("body", limits.BODY)))
    primary = form.language.data or ""
    for versions, main in ((titles, form.title.data), (bodies, form.body.data)):
        versions.around = {primary: main or ""} if primary in LANGUAGES else {}
        # A version typed in what is now the primary language stays on the page, with its error.
        versions.shown = tuple(lang for lang in LANGUAGES
                               if lang != primary or versions.submitted.get(lang, "").strip())
    return titles, bodies


def _ints(values: list[str]) -> list[int]:
    return [found for v in values if (found := record_id(v)) is not None]


def _page(post: Post | None, page: Page | None = None, status: int = 200,
          checks: list[ChannelCheck] | None = None) -> tuple[str, int]:
    page = page or Page(post)
    if checks is None:
        checks = check_draft(db(), runtime(), page.draft()) if post or request.method == "POST" else []
    return render_template(
        "compose.html", page=page, form=page.form, post=post, checks=[_check_view(c, page) for c in checks],
        language_names=[(code, LANGUAGE_NAMES[code]) for code in workflow.LANGUAGES],
        dst_options=page.dst_options(), accepted=ACCEPTED_DESCRIPTION,
        approver=current_user.may("posts", "approve"), EDITABLE=EDITABLE, channel_warnings=_channel_warnings(),
        script_warning=script_warning(page), **_preview_context(page, post),
    ), status


def _preview_context(page: Page, post: Post | None) -> dict[str, Any]:
    """The preview per channel: of the form as sent, else of the saved post as it is now (templates/_preview.html)."""
    if request.method == "POST":
        found = previews.draft_previews(page.draft())
    else:
        found = previews.saved_previews(post, live=True).channels if post else []
    return previews.context(found, page.form.language.data, "compose")


def _channel_warnings() -> dict[int, str]:
    """Beside a failing or broken channel's box, before one chooses it (issue 11): its verdict in words."""
    rt = runtime()
    verdicts = channel_health.channel_health(db(), rt.clock(), timedelta(days=rt.settings.credential_warn_days))
    return {v.channel.id: f"{labels.CHANNEL_HEALTH[v.state]}: {labels.channel_reason(v)}"
            for v in channel_health.unhealthy(verdicts)}


SCRIPT_WARNINGS = {
    translit.CYRILLIC: _l("The text is written in Cyrillic, but the post's language is Serbian (Latin). Convert it "
                          "to Latin, or choose Serbian (Cyrillic) as the language."),
    translit.LATIN: _l("The text is written in Latin script, but the post's language is Serbian (Cyrillic). "
                       "Convert it to Cyrillic, or choose Serbian (Latin) as the language."),
}


def script_warning(page: Page) -> str | None:
    """A warning, not a refusal, when the title and text are in the other Serbian script than the language."""
    form = page.form
    found = translit.mismatched_script(f"{form.title.data or ''}\n{form.body.data or ''}", form.language.data or "")
    return str(SCRIPT_WARNINGS[found]) if found else None


# --- saving --------------------------------------------------------------------------------------------

def _save(post: Post | None) -> Response | tuple[str, int]:
    action = request.form.get("action", "save")
    if action not in ACTIONS:
        action = "save"
    page = Page(post)
    form = page.form
    if action in ("to-cyrl", "to-latn"):
        _transliterate_form(page, translit.CYRILLIC if action == "to-cyrl" else translit.LATIN)
        return _page(post, page)
    valid = form.validate()
    _check_form(page)
    _check_versions(page)
    valid = valid and not _has_errors(form)
    if action in ("check", "preview"):
        return _page(post, page)
    if not valid:
        return _page(post, page, 422)
    session, rt = db(), runtime()
    try:
        extra = _store_upload(page)
        # A draft that goes on to workflow.submit is validated there, once; any other save is checked here.
        submitting = action == "submit" and (post is None or post.status == PostStatus.DRAFT)
        checks = check_draft(session, rt, page.draft(extra), validate=not submitting)
        if any(c.problems for c in checks):
            _attach_problems(page, checks)
            raise _Refused
        actor = current_user.actor()
        if post is None:
            post = workflow.create_post(session, rt, actor, page.fields(extra))
            if page.event_link:
                event_links.link_post(session, actor, page.event_link[0].id, post.id, page.event_link[1])
        else:
            # The version this form started from is compared under the post's lock: of two saves of one
            # version exactly one wins.
            post = workflow.edit_post(session, rt, actor, post.id, page.fields(extra),
                                      base_hash=form.base_hash.data or None)
        if action == "submit" and post.status == PostStatus.DRAFT:
            try:
                workflow.submit(session, rt, actor, post.id)
            except Unpublishable as refused:
                checks = with_problems(checks, refused.problems)
                _attach_problems(page, checks, [p for p in refused.problems if not p.channel])
                raise _Refused from None
    except _Refused:
        _roll_back(page)
        return _page(page.post, page, 422, checks)
    except Conflict as exc:
        if exc.code != "content_changed":
            raise
        _roll_back(page)
        _error(form, None, page, _l("Someone else changed this post after you opened it. Your version is below: "
                                    "read the saved one in another tab, then save again to keep yours."))
        form.base_hash.data = page.post.content_hash  # a second save is a deliberate choice to overwrite
        return _page(page.post, page, 409)
    except (Invalid, UnsupportedMedia, TooLarge) as exc:
        _roll_back(page)
        _service_refusal(page, exc)
        return _page(page.post, page, 422)
    was = page.post.status if page.post else None
    session.commit()
    flash(_saved_message(action, was, post.status), "success")
    return redirect(url_for("compose.edit", post_id=post.id))


def _roll_back(page: Page) -> None:
    db().rollback()  # also removes a file this request uploaded (publisher.media.store)
    if page.uploaded is not None:
        page.media.remove(page.uploaded)
        page.form.upload.errors = [*page.form.upload.errors, gettext(
            "The file you chose was not kept, because nothing was saved: choose it again.")]
        page.uploaded = None


class _Refused(Exception):
    """The form's problems are attached to its fields; roll back and show them."""


def _saved_message(action: str, was: str | None, now: str) -> str:
    if now == PostStatus.PENDING_APPROVAL and was == PostStatus.SCHEDULED:
        return gettext("Saved. The post was approved before; it now waits for approval again and will not go "
                       "out until it is approved.")
    if now == PostStatus.PENDING_APPROVAL:
        return gettext("Saved and sent for approval. An approver other than you will read it.")
    return gettext("The draft is saved. It goes nowhere until you send it for approval.")


def _store_upload(page: Page) -> tuple[tuple[int, str], ...]:
    upload = page.form.upload.data
    if upload is None or not getattr(upload, "filename", ""):
        return ()
    alt = (page.form.upload_alt.data or "").strip()
    try:
        media, created = store_upload(db(), runtime().settings.media_dir, upload.stream,
                                      actor=current_user.actor(), filename=upload.filename, alt_text=alt)
    except (Invalid, UnsupportedMedia, TooLarge) as exc:
        raise _UploadRefused(exc) from None
    if created:
        page.uploaded = media
    else:
        workflow.media_described(db(), runtime(), current_user.actor(), media.id)  # it may have had no alt text
    if all(m.id != media.id for m in page.media):
        page.media.insert(0, media)
    if f"alt_{media.id}" not in page.form:
        # The same bytes as an older library item the form was built without: it joins the chosen items
        # with the alt text typed for the upload, so a refusal shows it with its own field (was a KeyError).
        BaseForm.__setitem__(page.form, f"alt_{media.id}", _alt_field(media))  # Form refuses new fields
        page.form[f"alt_{media.id}"].process(None, alt)
        page.form.media.data = [*(page.form.media.data or []), media.id]
    if media.id in (page.form.media.data or []):
        return ()  # the same bytes as an item already attached: once is enough
    return ((media.id, alt or media.alt_text),)


class _UploadRefused(Invalid):
    def __init__(self, cause: PublisherError) -> None:
        super().__init__(cause.message, code="upload")
        self.cause = cause


def _check_form(page: Page) -> None:
    """What the form itself can tell before the workflow is asked."""
    form = page.form
    if not form.channels.data:
        _error(form, "channels", page, _l("Choose at least one channel."))
    chosen = set(form.channels.data or [])
    for channel in page.channels:
        if channel.id not in chosen and (page.variant_field(channel).data or "").strip():
            _error(form, f"variant_{channel.id}", page, _l(
                "You wrote an own text for %(channel)s, but the channel is not chosen. Choose it, or empty "
                "this text.", channel=channel.name))
    if form.when.data == WHEN_AT:
        if not _DATE.fullmatch(form.date.data or ""):
            _error(form, "date", page, _l("Enter the date, for example 2031-03-30."))
        if not _TIME.fullmatch(form.time.data or ""):
            _error(form, "time", page, _l("Enter the time as hours and minutes, for example 09:30."))
        elif _TIME.fullmatch(form.time.data or ""):
            _check_time(page)  # told together with the other problems, not one round later
        if page.dst_options() and not form.dst_choice.data:
            _error(form, "dst_choice", page, _l(
                "%(time)s happens twice on %(date)s in %(zone)s, because the clocks go back an hour that night. "
                "Choose which of the two you mean.", time=form.time.data, date=form.date.data, zone=page.zone))


def _error(form: FlaskForm, name: str | None, page: Page, message: Any) -> None:
    if name is None:
        page.form_errors.append(str(message))
        form.form_errors.append(str(message))
        return
    target = form[name]
    target.errors = [*target.errors, str(message)]  # a list even when validate() never ran for it


def _has_errors(form: FlaskForm) -> bool:
    return bool(form.form_errors) or any(f.errors for f in form)


def _check_versions(page: Page) -> None:
    """The other languages' versions: within the limits, and none in the post's own language."""
    primary = page.form.language.data or ""
    for versions in (page.version_titles, page.version_bodies):
        if versions.submitted.get(primary, "").strip():
            versions.errors.setdefault(primary, gettext(
                "The post's own language is now %(language)s: move this text into the main title and text, "
                "or empty it here.", language=labels.language_name(primary)))
        for message in versions.errors.values():
            _error(page.form, None, page, message)


# A channel's problem in the person's language, by its code (channels.base.Problem); its params fill the
# placeholders. A code not listed here is shown in the adapter's own (English) words.
PROBLEM_WORDS = {
    "title_required": _l("a title is required"),
    "title_too_long": _l("the title has %(used)s characters; at most %(limit)s fit"),
    "text_empty": _l("the text is empty"),
    "text_too_long": _l("the text has %(used)s characters; at most %(limit)s fit"),
    "too_many_images": _l("%(used)s images; at most %(limit)s"),
    "too_many_videos": _l("%(used)s videos; at most %(limit)s"),
    "alt_text_missing": _l("%(item)s: write its alt text (what the image shows, for people who cannot see it)"),
    "media_type_refused": _l("%(item)s: %(type)s files are not accepted"),
    "media_too_large": _l("%(item)s is too large: %(used)s bytes; at most %(limit)s"),
    "channel_disabled": _l("the channel is switched off; choose another one"),
    "channel_misconfigured": _l("the channel's settings do not work; tell the administrator"),
    "no_channels": _l("Choose at least one channel."),
    "text_too_many_bytes": _l("the text takes %(used)s bytes; at most %(limit)s fit"),
    "text_needed_beside_media": _l("the text is empty (this channel shows text only)"),
    "caption_too_long": _l("with media the text is a caption: %(used)s characters, at most %(limit)s; shorten it "
                           "or post the text without media"),
    "too_many_attachments": _l("%(used)s attachments; at most %(limit)s"),
    "attachments_too_large": _l("the attachments take %(used)s MB together; at most %(limit)s MB"),
    "images_and_video": _l("a post takes images or one video, not both"),
    "alt_text_too_long": _l("%(item)s: the alt text has %(used)s characters; at most %(limit)s fit"),
    "unknown_category": _l("the website has no category “%(name)s”; tell the administrator"),
}


def problem_text(problem: Problem) -> str:
    """The problem in the person's language, prefixed with its channel."""
    if problem.code == "language_missing":  # names the language in the reader's language, and its channel
        return labels.language_problem(problem.params)
    words = PROBLEM_WORDS.get(problem.code)
    text = str(words) % {"item": problem.item or "", **problem.params} if words is not None else problem.message
    return f"{problem.channel}: {text}" if problem.channel else text


ALT_TEXT_CODES = frozenset({"alt_text_missing", "alt_text_too_long"})


def problem_target(page: Page | None, check: ChannelCheck, problem: Problem) -> str | None:
    """The form field a channel's problem is about: what aria-describedby ties the message to."""
    if problem.field == "body":
        return f"variant_{check.channel.id}" if check.own_text else "body"
    if problem.field == "media" and page is not None:
        for item in page.media:
            if problem.item is not None and problem.item == _media_name(item):
                about_alt = problem.code in ALT_TEXT_CODES
                if item is page.uploaded:
                    return "upload_alt" if about_alt else "upload"
                return f"alt_{item.id}" if about_alt else "media"
        return "media"
    return problem.field if problem.field in ("title", "channels") else None


def _attach_problems(page: Page, checks: list[ChannelCheck], post_problems: Sequence[Problem] = ()) -> None:
    for problem in post_problems:
        target = problem.field if problem.field in page.form else None
        _error(page.form, target, page, problem_text(problem))
    for check in checks:
        for problem in check.problems:
            target = problem_target(page, check, problem)
            if target is not None and target in page.form:
                _error(page.form, target, page, problem_text(problem))
            else:
                _error(page.form, None, page, problem_text(problem))


SCHEDULE_WORDS = {
    "time_in_past": ("time", _l("This time has already passed. Choose a later time, or “as soon as approved”.")),
    "invalid_format": ("date", _l("Enter a real date and time, for example 2031-03-30 and 09:30.")),
    "unknown_timezone": ("time", _l("The post's time zone is not known; tell the administrator.")),
}


SCHEDULE_CODES = frozenset({"nonexistent_local_time", *SCHEDULE_WORDS})


def _check_time(page: Page) -> None:
    form = page.form
    try:
        moment = parse_schedule(f"{form.date.data}T{form.time.data}", page.zone, dst_choice=form.dst_choice.data)
    except ScheduleTimeError as exc:
        if exc.code in SCHEDULE_CODES:
            _schedule_refusal(page, exc.code, exc.details)
        return
    if moment is not None and publishable.time_problems(moment.utc, runtime().clock()):
        _schedule_refusal(page, "time_in_past", {})


def _schedule_refusal(page: Page, code: str, details: dict[str, Any]) -> None:
    form = page.form
    if code == "nonexistent_local_time":
        _error(form, "time", page, _l(
            "%(time)s does not exist on %(date)s in %(zone)s: the clocks jump from %(start)s to %(end)s that "
            "night. Choose a time before %(start)s or from %(end)s on.", time=form.time.data, date=form.date.data,
            zone=page.zone, start=str(details.get("gap_start", ""))[11:16], end=str(details.get("gap_end", ""))[11:16]))
    else:
        name, message = SCHEDULE_WORDS[code]
        _error(form, name, page, message)


def _service_refusal(page: Page, exc: PublisherError) -> None:
    form = page.form
    if isinstance(exc, _UploadRefused):
        cause = exc.cause
        if isinstance(cause, UnsupportedMedia):
            message = _l("This file is not an image or another kind the channels take (%(accepted)s). Nothing "
                         "was saved.", accepted=ACCEPTED_DESCRIPTION)
        elif isinstance(cause, TooLarge):
            message = _l("This file is too large. Nothing was saved.")
        else:
            message = _l("This file cannot be used: %(reason)s Nothing was saved.", reason=cause.message)
        _error(form, "upload", page, message)
        return
    if exc.code in SCHEDULE_CODES:
        _schedule_refusal(page, exc.code, exc.details or {})
    elif exc.code == "invalid_content":
        for item in (exc.details or {}).get("problems", []):
            field = {"scheduled_at": "time", "channels": "channels", "title": "title"}.get(item.get("field"), None)
            _error(form, field, page, problem_text(Problem(item.get("channel", ""), item["message"])))
    else:
        _error(form, None, page, exc.message)


# --- transliteration -----------------------------------------------------------------------------------

def _text_fields(page: Page) -> list[Any]:
    return [page.form.title, page.form.body, *(page.variant_field(c) for c in page.channels)]


def _transliterate_form(page: Page, target: str) -> None:
    for text_field in _text_fields(page):
        text_field.data = translit.derive(text_field.data or "", target)
    page.form.language.data = target
    # The form was not validated; its fields' error lists are empty tuples until now.


@bp.post("/posts/compose/transliterate")
@login_required
def transliterate() -> tuple[Response, int]:
    """For compose.js: the form's texts in the other script, from the same code as the no-script button."""
    if not current_user.may("posts", "write"):
        return jsonify({"error": gettext("You may not do this")}), 403
    target = request.args.get("to", "")
    if target not in (translit.LATIN, translit.CYRILLIC):
        return jsonify({"error": "to must be sr-Latn or sr-Cyrl"}), 400
    if any(len(v) > limits.TRANSLITERATE for v in request.form.values()):
        return jsonify({"error": gettext("The text is too long to convert: at most %(max)d characters.",
                                         max=limits.TRANSLITERATE)}), 413
    page = Page(None)
    _transliterate_form(page, target)
    return jsonify({"language": target, "fields": {f.id: f.data for f in _text_fields(page)}}), 200


# --- the live counters ---------------------------------------------------------------------------------

COUNTING_HINTS = {
    "characters": None,
    "graphemes": _l("counted as a reader sees them: an emoji or a letter with its accent is one"),
    "x-weighted": _l("counted the way X counts: a link is 23, an emoji 2"),
}


def check_name(check: ChannelCheck) -> str:
    """The channel's name, and the language when it gets the post in several deliveries (one a version)."""
    return f"{check.channel.name} · {labels.language_name(check.language)}" if check.language else check.channel.name


def _check_view(check: ChannelCheck, page: Page | None = None) -> dict[str, Any]:
    if check.limit is None:
        count = gettext("%(used)s characters", used=check.used)
    else:
        count = gettext("%(used)s of %(limit)s", used=check.used, limit=check.limit)
    hint = COUNTING_HINTS.get(check.counting)
    return {
        "id": check.channel.id, "name": check_name(check), "label": check.label, "used": check.used,
        "limit": check.limit, "over": check.over, "count": count, "hint": str(hint) if hint else None,
        "own_text": check.own_text,
        "problems": [{"message": problem_text(p), "target": problem_target(page, check, p)} for p in check.problems],
    }


@bp.post("/posts/compose/check")
@login_required
def check() -> tuple[Response, int]:
    """For compose.js: each chosen channel's count and problems for the form as it is; saves nothing."""
    if not current_user.may("posts", "write"):
        return jsonify({"error": gettext("You may not do this")}), 403
    page = Page(None)
    checks = check_draft(db(), runtime(), page.draft())
    return jsonify({"channels": [_check_view(c, page) for c in checks], "script_warning": script_warning(page),
                    "no_channel": not checks, "message": gettext("Choose at least one channel.")}), 200


@bp.post("/posts/compose/preview")
@login_required
def preview() -> tuple[str | Response, int]:
    """For preview.js: the previews of the form as it is, as the HTML the page shows them in; saves nothing."""
    if not current_user.may("posts", "write"):
        return jsonify({"error": gettext("You may not do this")}), 403
    page = Page(None)
    found = previews.draft_previews(page.draft())
    return render_template("_preview.html", preview_fragment=True,
                           **previews.context(found, page.form.language.data, "compose")), 200
