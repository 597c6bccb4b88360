"""The approver sees the images: every medium of the post in order, as a thumbnail that opens the full file,
with the alt text that will be approved (the post's own or the library's), its credit and file name; an image
without alt text is flagged, an alt text changed since the last approval is highlighted. The post's page
(/posts/<id>) shows the same."""

from __future__ import annotations

import io
import re

from sqlalchemy import update

from publisher.core.models import Media
from tests.factories.media import jpeg_bytes, mp4_bytes, png_bytes
from tests.web.test_approvals import english
from tests.web.test_posts_api import scheduled_post, submitted_post, upload

IMG = re.compile(r'<img src="/media/(\d+)/preview" alt="([^"]*)"')


def clear_alt_text(session, media_id: int) -> None:
    """Every channel here refuses an image without alt text, so the library's is emptied behind their back
    (a channel that does not ask for it, or a row from before the rule): the page must still flag it."""
    session.execute(update(Media).where(Media.id == media_id).values(alt_text=""))
    session.commit()


def upload_with_credit(caller, data: bytes, name: str, alt: str, credit: str) -> int:
    response = caller.post("/api/v1/media", data={"file": (io.BytesIO(data), name), "alt_text": alt,
                                                  "credit": credit}, content_type="multipart/form-data")
    assert response.status_code in (200, 201), response.json
    return response.json["id"]


def test_the_approval_page_shows_every_medium_in_order_with_its_alt_text(api, signed_in, people, session):
    ana = api("ana")
    photo = upload_with_credit(ana, jpeg_bytes(64, 48), "konferencija.jpg", "Ministarka govori", "Foto: Tanjug")
    coat = upload(ana, png_bytes(30, 20), alt="Grb iz biblioteke", name="grb.png").json["id"]
    post_id = submitted_post(api, media=[{"id": coat}, {"id": photo, "alt_text": "Ministarka na konferenciji"}])
    english(session, people.users["marko"])

    marko = signed_in("marko")
    page = marko.get(f"/approvals/{post_id}").get_data(as_text=True)
    assert IMG.findall(page) == [(str(coat), "Grb iz biblioteke"), (str(photo), "Ministarka na konferenciji")]
    assert f'<a href="/media/{coat}/file" class="post-medium-view">' in page  # the thumbnail opens the original
    assert f'<a href="/media/{photo}/file" class="post-medium-view">' in page
    section = page.split('id="media-title"')[1]
    assert section.index("Grb iz biblioteke") < section.index("Ministarka na konferenciji")
    assert re.search(r"Ministarka na konferenciji\s*<span class=\"hint\">\(this post(&#39;|')s own\)</span>", section)
    assert re.search(r"Grb iz biblioteke\s*<span class=\"hint\">\(from the media library\)</span>", section)
    assert "Foto: Tanjug" in section and "konferencija.jpg" in section and "grb.png" in section
    assert "No alt text" not in section
    assert "changed since the last approval" not in section  # never approved: all of it is new

    # The approver may open what the page shows: the preview and the original file.
    assert marko.get(f"/media/{photo}/preview").status_code == 200
    assert marko.get(f"/media/{photo}/file").status_code == 200


def test_an_image_without_alt_text_is_flagged(api, signed_in, people, session):
    bare = upload(api("ana"), png_bytes(20, 20), alt="Opis", name="bez-opisa.png").json["id"]
    post_id = submitted_post(api, media=[{"id": bare}])
    clear_alt_text(session, bare)
    english(session, people.users["marko"])
    page = signed_in("marko").get(f"/approvals/{post_id}").get_data(as_text=True)
    assert IMG.findall(page) == [(str(bare), "")]
    assert "post-medium-missing" in page
    assert "No alt text: people who cannot see the image will not know what it shows." in page
    assert "open bez-opisa.png full size" in page  # the thumbnail's link still has a name


def test_a_video_plays_in_place_without_autoplay(api, signed_in, people, session):
    clip = upload(api("ana"), mp4_bytes(), alt="Snimak konferencije", name="snimak.mp4").json["id"]
    post_id = submitted_post(api, media=[{"id": clip}])
    english(session, people.users["marko"])
    page = signed_in("marko").get(f"/approvals/{post_id}").get_data(as_text=True)
    video = re.search(r"<video [^>]*>", page)
    assert video and f'src="/media/{clip}/file"' in video.group(0) and "controls" in video.group(0)
    assert "autoplay" not in video.group(0)
    assert f"/media/{clip}/preview" not in page  # no thumbnail is made of a video
    assert "Snimak konferencije" in page and "No alt text" not in page


def test_an_alt_text_changed_since_the_last_approval_is_highlighted(api, signed_in, people, session):
    same = upload(api("ana"), png_bytes(10, 10), alt="Isti opis", name="isti.png").json["id"]
    edited = upload(api("ana"), png_bytes(12, 10), alt="Stari opis", name="menjan.png").json["id"]
    post_id = scheduled_post(api, media=[{"id": same}, {"id": edited}])
    response = api("ana").edit(f"/api/v1/posts/{post_id}", json={
        "media": [{"id": same}, {"id": edited, "alt_text": "Novi opis"}]})
    assert response.status_code == 200, response.json
    english(session, people.users["vesna"])
    page = signed_in("vesna").get(f"/approvals/{post_id}").get_data(as_text=True)
    items = page.split('id="media-title"')[1].split('<li class="post-medium')[1:]
    assert len(items) == 2
    assert "post-medium-changed" not in items[0] and "changed since the last approval" not in items[0]
    assert items[1].startswith(" post-medium-changed") and "changed since the last approval" in items[1]
    assert 'alt="Novi opis"' in items[1]


def test_the_post_page_shows_the_same_thumbnails(api, signed_in, people, session):
    photo = upload(api("ana"), jpeg_bytes(40, 30), alt="Iz biblioteke", name="foto.jpg").json["id"]
    bare = upload(api("ana"), png_bytes(9, 9), alt="Opis", name="prazno.png").json["id"]
    post_id = scheduled_post(api, media=[{"id": photo}, {"id": bare}])
    clear_alt_text(session, bare)
    english(session, people.users["jelena"])
    page = signed_in("jelena").get(f"/posts/{post_id}").get_data(as_text=True)
    assert IMG.findall(page) == [(str(photo), "Iz biblioteke"), (str(bare), "")]
    assert "No alt text" in page and "foto.jpg" in page
