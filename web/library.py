"""The media library pages: everyone signed in browses and searches; officers and admins upload files and
describe them (alt text, credit). Files are checked by their bytes in publisher.media.store, never by name."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import format_decimal, gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from publisher.core import parse
from publisher.core.errors import PublisherError
from publisher.core.models import Media
from publisher.media import library
from publisher.media.inspection import MediaLimits
from publisher.media.store import MAX_ALT_TEXT, get_media, store_upload
from publisher.posts import workflow
from web import params
from web.context import db, runtime
from web.files import sandboxed, send_media

bp = Blueprint("library", __name__)

PREVIEW_MAX_AGE = 3600  # a preview belongs to bytes that never change under the same id


class UploadForm(FlaskForm):
    file = FileField(_l("File"), validators=[FileRequired(_l("Choose a file to upload."))])
    alt_text = TextAreaField(_l("Alt text"), validators=[
        Length(max=MAX_ALT_TEXT, message=_l("Alt text is at most %(max)d characters."))])
    credit = StringField(_l("Credit"), validators=[
        Length(max=library.MAX_CREDIT, message=_l("A credit is at most %(max)d characters."))])


class DescribeForm(FlaskForm):
    alt_text = TextAreaField(_l("Alt text"), validators=[
        Length(max=MAX_ALT_TEXT, message=_l("Alt text is at most %(max)d characters."))])
    credit = StringField(_l("Credit"), validators=[
        Length(max=library.MAX_CREDIT, message=_l("A credit is at most %(max)d characters."))])


def _mb(size: int) -> int:
    return size // (1024 * 1024)


def refusal(exc: PublisherError) -> str:
    """Why an upload was refused, in the person's language (the service's words are English)."""
    limits = MediaLimits()
    messages = {
        "unsupported_type": gettext(
            "This file is not an image, video or PDF that can be used: its contents were checked, not its "
            "name. Accepted: JPEG, PNG, GIF, WebP, MP4, MOV and PDF."),
        "too_large": gettext(
            "The file is too large. Images may be at most %(image)d MB, videos %(video)d MB and PDF "
            "documents %(pdf)d MB.", image=_mb(limits.max_image_bytes), video=_mb(limits.max_video_bytes),
            pdf=_mb(limits.max_document_bytes)),
        "decompression_bomb": gettext(
            "The image has too many pixels to be opened safely: at most %(mp)d megapixels and %(side)s "
            "pixels on a side.", mp=limits.max_image_pixels // 1_000_000,
            side=format_decimal(limits.max_image_side)),
        "damaged_file": gettext(
            "The file is damaged or incomplete, so it cannot be used. Export or download it again and "
            "upload it anew."),
        "empty_file": gettext("The file is empty."),
    }
    return messages.get(exc.code, exc.message)


def file_size(size: int) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            return f"{format_decimal(size / scale, format='#,##0.#')} {unit}"
    return gettext("%(num)d B", num=size)


@bp.app_template_global()
def media_kind(media: Media) -> str:
    """How a page shows a file: "image" (a preview), "video" (a player) or "file" (a link only)."""
    if media.content_type in library.PREVIEWABLE:
        return "image"
    return "video" if media.content_type.startswith("video/") else "file"


@bp.app_template_global()
def can_upload() -> bool:
    return current_user.is_authenticated and current_user.may("media", "upload")


def _int_arg(name: str) -> int:
    try:
        return parse.whole_number(request.args.get(name, ""), 1, 999_999)
    except parse.ParseError:
        return 1


def _index_page(form: UploadForm, status: int = 200) -> tuple[str, int]:
    query, problem = params.search_arg("q")
    listing = library.search(db(), query, _int_arg("page"), library.PER_PAGE)
    return render_template("media.html", listing=listing, query=query, form=form, file_size=file_size,
                           problems={"q": problem} if problem else {}), 422 if problem else status


@bp.get("/media")
@login_required
def index() -> tuple[str, int]:
    return _index_page(UploadForm(formdata=None))


@bp.post("/media")
@login_required
def upload() -> Response | tuple[str, int]:
    if not can_upload():
        abort(403)
    form = UploadForm()
    if not form.validate():
        return _index_page(form, 422)
    upload = form.file.data
    try:
        media, created = store_upload(db(), runtime().settings.media_dir, upload.stream, actor=current_user.actor(),
                                      filename=upload.filename or "", alt_text=form.alt_text.data or "",
                                      credit=form.credit.data or "")
    except PublisherError as exc:
        if exc.status == 403:
            raise
        db().rollback()  # a file moved into place for this upload goes with the rollback (publisher.media.store)
        form.file.errors.append(refusal(exc))
        return _index_page(form, 422)
    sent_back = [] if created else workflow.media_described(db(), runtime(), current_user.actor(), media.id)
    db().commit()
    _say_sent_back(sent_back)
    if created:
        flash(gettext("The file is in the library."), "success")
    else:
        flash(gettext("This file was already in the library; here it is."), "info")
    return redirect(url_for("library.show", media_id=media.id))


def _show_page(media_id: int, form: DescribeForm, status: int = 200) -> tuple[str, int]:
    media = get_media(db(), media_id)
    return render_template("media_item.html", media=media, form=form, usage=library.usage(db(), media.id),
                           previewable=media.content_type in library.PREVIEWABLE, file_size=file_size), status


@bp.get("/media/<int:media_id>")
@login_required
def show(media_id: int) -> tuple[str, int]:
    media = get_media(db(), media_id)
    return _show_page(media_id, DescribeForm(formdata=None, alt_text=media.alt_text, credit=media.credit))


def _say_sent_back(post_ids: list[int]) -> None:
    if post_ids:
        flash(ngettext("%(num)d approved post used this alt text: it went back for approval.",
                       "%(num)d approved posts used this alt text: they went back for approval.",
                       len(post_ids)), "info")


@bp.post("/media/<int:media_id>")
@login_required
def describe(media_id: int) -> Response | tuple[str, int]:
    if not can_upload():
        abort(403)
    form = DescribeForm()
    if not form.validate():
        return _show_page(media_id, form, 422)
    library.describe(db(), current_user.actor(), media_id, alt_text=form.alt_text.data or "",
                     credit=form.credit.data or "")
    sent_back = workflow.media_described(db(), runtime(), current_user.actor(), media_id)
    db().commit()
    flash(gettext("The description is saved."), "success")
    _say_sent_back(sent_back)
    return redirect(url_for("library.show", media_id=media_id))


@bp.get("/media/<int:media_id>/preview")
@login_required
def preview(media_id: int) -> Response:
    media = get_media(db(), media_id)
    path = library.thumbnail(runtime().settings.media_dir, media)
    return sandboxed(send_file(path, mimetype=library.THUMBNAIL_TYPE, max_age=PREVIEW_MAX_AGE, conditional=True))


@bp.get("/media/<int:media_id>/file")
@login_required
def original(media_id: int) -> Response:
    media = get_media(db(), media_id)
    # Only images open in the browser; a PDF or a video is a download, never a page of this site.
    return send_media(media, inline=media.content_type in library.PREVIEWABLE)
