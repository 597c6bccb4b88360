"""Media, channel states and people for the browser tests of the library and the admin pages. Ids are
predictable: each test starts with an empty database."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from channels.base import Health
from publisher.core import clock
from publisher.core.actor import Actor
from publisher.core.models import PostMedia
from publisher.core.states import PostStatus
from publisher.media.store import store_upload
from publisher.people import accounts
from publisher.publishing import credential_checks, holds
from tests.factories.media import jpeg_bytes, png_bytes
from tests.factories.office import Office
from tests.web.browser.posts import WEEK, add_post

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def media_dir(office: Office) -> Path:
    # PAGES' prepare gets no runtime; tests/conftest.py's settings put the media folder next to the instance
    # folder, where the archive channel writes.
    return Path(office.channels["archive"].config["path"]).parent.parent / "media"


def library_files(session: Session, office: Office) -> None:
    """1: a photo used by two posts; 2: an image without alt text; 3: a PDF."""
    actor = office.actor("ana")
    photo, _ = store_upload(session, media_dir(office), io.BytesIO(jpeg_bytes(640, 480)), actor=actor,
                            filename="konferencija.jpg", alt_text="Ministarka govori na konferenciji za medije",
                            credit="Foto: Tanjug")
    store_upload(session, media_dir(office), io.BytesIO(png_bytes(300, 200)), actor=actor, filename="grb.png")
    store_upload(session, media_dir(office), io.BytesIO(PDF), actor=actor, filename="izvestaj.pdf")
    for title, status in (("Konferencija za medije", PostStatus.DRAFT), ("Program podrške", PostStatus.SCHEDULED)):
        post = add_post(session, office, "ana", title, "Ministarstvo obaveštava javnost.", status, WEEK)
        post.media_links = [PostMedia(media_id=photo.id, media=photo, position=0)]
    session.flush()


def approval_with_media(locale: str) -> Callable[[Session, Office], None]:
    """1: Ana's post waiting for approval with a photo (the library's alt text and credit), the same kind of image
    with the post's own alt text, and an image without alt text (flagged); Marko reads it in `locale`."""

    def prepare(session: Session, office: Office) -> None:
        actor = office.actor("ana")
        photo, _ = store_upload(session, media_dir(office), io.BytesIO(jpeg_bytes(640, 480)), actor=actor,
                                filename="konferencija.jpg", alt_text="Ministarka govori na konferenciji za medije",
                                credit="Foto: Tanjug")
        coat, _ = store_upload(session, media_dir(office), io.BytesIO(png_bytes(300, 200)), actor=actor,
                               filename="grb.png", alt_text="Grb")
        bare, _ = store_upload(session, media_dir(office), io.BytesIO(png_bytes(120, 90, (20, 90, 40))),
                               actor=actor, filename="bez-opisa-sa-veoma-dugim-imenom-fajla-koje-se-lomi.png")
        post = add_post(session, office, "ana", "Konferencija za medije", "Ministarstvo obaveštava javnost.",
                        PostStatus.PENDING_APPROVAL, WEEK)
        post.media_links = [PostMedia(media_id=photo.id, media=photo, position=0),
                            PostMedia(media_id=coat.id, media=coat, position=1, alt_text="Grb Republike Srbije"),
                            PostMedia(media_id=bare.id, media=bare, position=2)]
        office.users["marko"].locale = locale
        session.flush()

    return prepare


def channel_states(session: Session, office: Office) -> None:
    """The portal paused with its credentials refused, the archive checked and working but expiring in three
    days, all publishing on hold."""
    admin = office.actor("admin")
    holds.hold(session, admin, "Novi token se čeka", office.channels["portal"])
    holds.hold(session, admin, "Dan žalosti")
    now, policy = clock.now(session), credential_checks.CheckPolicy()
    credential_checks.record(session, admin, office.channels["archive"], Health(
        ok=True, message="writing to the outbox", expires_at=now + timedelta(days=3)), now, policy)
    credential_checks.record(session, Actor.system("worker"), office.channels["portal"], Health.refusal(
        "Facebook refused the page token (code 190, subcode 463): Error validating access token: Session has "
        "expired"), now, policy)


def more_people(session: Session, office: Office) -> None:
    """One deactivated person, one with many roles (the longest list of roles), and a revoked token for Ana."""
    accounts.add_user(session, "dragan", ["officer", "head_of_office", "cabinet", "info_officer"],
                      actor=office.actor("admin"), display_name="Dragan Ilić")
    nina = accounts.add_user(session, "nina", ["officer"], actor=office.actor("admin"), display_name="Nina Nikolić",
                             email="nina@ministarstvo.gov.rs")
    nina.active = False
    token, _ = accounts.create_token(session, office.users["ana"], actor=office.actor("admin"), name="stari")
    accounts.revoke_token(session, token.id, actor=office.actor("admin"))
