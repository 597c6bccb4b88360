"""The preview per channel on the compose page (a Preview button without JavaScript, a fragment for
preview.js) and on the approval page (the version to be approved): each network's text as it counts it, the
part over its limit marked, images with the alt text it gets, a link card where it makes one."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select, update

from channels import registry
from publisher.core.models import Channel, Media, Post, PostApproval
from publisher.destinations.content import content_hash
from tests.factories.office import add_channel
from tests.web.test_posts_api import submitted_post, upload

LINK = "https://www.privreda.gov.rs/vesti"
BODY = f"Ministarstvo privrede objavljuje novi program.\nViše: {LINK}"


@pytest.fixture(autouse=True)
def networks(rt, session, office, english):
    """X, Bluesky and Telegram besides the office's portal and archive; everyone reads English."""
    for kind, name in (("x", "X nalog"), ("bluesky", "Bluesky nalog"), ("telegram", "Telegram kanal")):
        add_channel(session, rt, office, name, kind, registry.adapter_class(kind).example_settings)
    session.commit()
    english("ana", "marko")


def ids(office, *names: str) -> list[str]:
    return [str(office.channels[n].id) for n in names]


def form(office, *names: str, **fields) -> dict:
    return {"title": "Saopštenje", "body": BODY, "language": "sr-Latn", "when": "approved",
            "channels": ids(office, *names), **fields}


def previews(page: str) -> dict[str, str]:
    """Each channel's preview card by channel name."""
    cards = re.findall(r'<li class="preview preview-[a-z_]+">(.*?)</article>', page, re.S)
    return {re.search(r'<strong id="preview-\d+(?:-[A-Za-z-]+)?-name">(.*?)</strong>', c).group(1): c for c in cards}


def text_of(card: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", re.search(r'<p class="preview-text"[^>]*>(.*?)</p>', card,
                                                         re.S).group(1)))


def test_the_preview_button_shows_each_channel_without_saving(signed_in, office, rt):
    ana = signed_in("ana")
    ana.get("/posts/new")
    response = ana.post("/posts/new", form(office, "X nalog", "Bluesky nalog", "Telegram kanal", "portal",
                                           action="preview"))

    assert response.status_code == 200
    with rt.read_sessions() as reader:
        assert reader.scalar(select(func.count()).select_from(Post)) == 0  # a preview saves nothing
    page = response.get_data(as_text=True)
    cards = previews(page)
    assert sorted(cards) == ["Bluesky nalog", "Telegram kanal", "X nalog", "portal"]
    x = cards["X nalog"]
    assert text_of(x) == BODY and 'lang="sr-Latn"' in x
    assert f"{len(BODY) - len(LINK) + 23}/280" in x  # X counts the link as 23
    assert "counted the way X counts" in x
    assert '<span class="preview-card-domain">www.privreda.gov.rs</span>' in x  # X makes a card of the link
    assert f"{len(BODY)}/4096" in cards["Telegram kanal"] and "preview-card-domain" in cards["Telegram kanal"]
    assert f"{len(BODY)}/300" in cards["Bluesky nalog"] and "preview-card" not in cards["Bluesky nalog"]
    assert "@ministarstvo.bsky.social" in cards["Bluesky nalog"]  # the account the post appears from
    assert '<p class="preview-title" lang="sr-Latn">Saopštenje</p>' in cards["portal"]
    assert 'formaction="/posts/new#previews"' in page  # without JavaScript the button lands on the previews


def test_the_part_over_a_limit_is_marked_where_the_network_cuts(signed_in, office):
    ana = signed_in("ana")
    ana.get("/posts/new")
    body = "a" * 270 + " " + LINK + " " + "b" * 40
    page = ana.post("/posts/new", form(office, "X nalog", "Telegram kanal", body=body, action="preview"))
    cards = previews(page.get_data(as_text=True))
    x = cards["X nalog"]
    over = re.search(r'<mark class="preview-overflow">(.*?)</mark>', x, re.S).group(1)
    # 270 + 1 + 23 for the link = 294: X's limit falls inside the letters before the link.
    assert over == body[280:] and "Too long by 55" in x and "preview-over" in x
    assert "preview-overflow" not in cards["Telegram kanal"]  # 4096 characters fit there


def test_images_show_with_the_alt_text_each_network_gets(api, signed_in, office):
    photo = upload(api("ana"), alt="Ministar na konferenciji", name="konferencija.png").json["id"]
    ana = signed_in("ana")
    ana.get("/posts/new")
    page = ana.post("/posts/new", form(office, "X nalog", "Telegram kanal", "archive", media=[str(photo)],
                                       **{f"alt_{photo}": "Ministar na konferenciji"}, action="preview"))
    cards = previews(page.get_data(as_text=True))
    x, telegram, archive = cards["X nalog"], cards["Telegram kanal"], cards["archive"]
    assert f'<img src="/media/{photo}/preview" alt="Ministar na konferenciji"' in x
    assert "preview-media-wide" in x and "preview-card" not in x  # cropped 16:9; no card beside an image
    assert "This network takes no alt text with images." in telegram and "preview-media-natural" in telegram
    assert "caption" in telegram and f"{len(BODY)}/1024" in telegram  # with media the text is a caption
    assert "Attachment: konferencija.png" in archive  # the folder keeps files, it shows no pictures


def test_the_fragment_for_the_script(signed_in, office):
    ana = signed_in("ana")
    ana.get("/posts/new")
    response = ana.post("/posts/compose/preview", form(office, "X nalog"))
    assert response.status_code == 200 and response.mimetype == "text/html"
    fragment = response.get_data(as_text=True)
    assert "<html" not in fragment and "<section" not in fragment
    assert list(previews(fragment)) == ["X nalog"]
    nothing = ana.post("/posts/compose/preview", form(office, language="<b>", title="x" * 5000))
    assert nothing.status_code == 200 and "Choose channels" in nothing.get_data(as_text=True)
    odd = ana.post("/posts/compose/preview", form(office, "X nalog", language="xx\"><b>"))
    assert odd.status_code == 200 and 'lang="xx' not in odd.get_data(as_text=True)  # a made-up language is not used
    marko = signed_in("marko")
    marko.get("/")
    assert marko.post("/posts/compose/preview", form(office, "X nalog")).status_code == 403
    assert ana.post("/posts/compose/preview", form(office, "X nalog"), csrf=False).status_code == 400


def test_the_edit_page_previews_the_saved_post(api, signed_in, office):
    post_id = submitted_post(api, channels=["X nalog"], body=BODY, language="sr-Latn", title="Saopštenje")
    page = signed_in("ana").get(f"/posts/{post_id}/edit").get_data(as_text=True)
    assert text_of(previews(page)["X nalog"]) == BODY
    assert f'formaction="/posts/{post_id}/edit#previews"' in page


def test_the_approver_sees_the_version_to_be_approved_per_channel(api, signed_in, office):
    photo = upload(api("ana"), alt="Ministar na konferenciji", name="konferencija.png").json["id"]
    post_id = submitted_post(api, channels=["X nalog", "Bluesky nalog"], body=BODY, language="sr-Latn",
                             media=[{"id": photo}])
    page = signed_in("marko").get(f"/approvals/{post_id}").get_data(as_text=True)
    cards = previews(page)
    assert sorted(cards) == ["Bluesky nalog", "X nalog"]
    for card in cards.values():
        assert text_of(card) == BODY
        assert f'<img src="/media/{photo}/preview" alt="Ministar na konferenciji"' in card
    assert "Exactly the version you approve" in page
    assert 'value="preview"' not in page  # nothing to press on the approval page


def test_odd_input_gets_a_preview_or_nothing_never_an_error(signed_in, office, session):
    ana = signed_in("ana")
    ana.get("/posts/new")
    x = str(office.channels["X nalog"].id)
    unreadable = ana.post("/posts/compose/preview", {**form(office), "channels": ["abc", "99999999999999999999", x]})
    assert unreadable.status_code == 200 and "Choose channels" in unreadable.get_data(as_text=True)
    unknown = ana.post("/posts/compose/preview", {**form(office), "channels": ["0", "2147483647", x],
                                                  "media": ["424242"], "alt_424242": "nema"})
    assert unknown.status_code == 200
    assert list(previews(unknown.get_data(as_text=True))) == ["X nalog"]  # no such channel or file: left out


def test_a_channel_whose_settings_do_not_work_says_so(signed_in, office, session):
    session.execute(update(Channel).where(Channel.id == office.channels["X nalog"].id).values(
        config={"timeout": "forever"}))
    session.commit()
    ana = signed_in("ana")
    ana.get("/posts/new")
    cards = previews(ana.post("/posts/compose/preview", form(office, "X nalog", "portal")).get_data(as_text=True))
    assert "No preview: the channel's settings do not work" in cards["X nalog"]
    assert "preview-text" in cards["portal"]


def test_the_approval_binds_the_version_the_previews_show(api, signed_in, office, session, rt):
    photo = upload(api("ana"), alt="Ministar na konferenciji", name="konferencija.png").json["id"]
    post_id = submitted_post(api, channels=["X nalog"], body=BODY, language="sr-Latn", media=[{"id": photo}])
    # Behind every service's back: the library's alt text changes, the post's stored hash does not.
    session.execute(update(Media).where(Media.id == photo).values(alt_text="Ministar na skijanju"))
    session.commit()
    marko = signed_in("marko")
    page = marko.get(f"/approvals/{post_id}").get_data(as_text=True)
    assert 'alt="Ministar na skijanju"' in previews(page)["X nalog"]
    bound = re.search(r'name="content_hash" type="hidden" value="([0-9a-f]{64})"', page).group(1)
    with rt.read_sessions() as reader:
        post = reader.get(Post, post_id)
        assert bound == content_hash(post) != post.content_hash  # what is shown, not what was stored

    approved = marko.post(f"/approvals/{post_id}/approve", {"content_hash": bound})
    assert approved.status_code == 302
    with rt.read_sessions() as reader:
        (frozen,) = reader.scalars(select(PostApproval.frozen).where(PostApproval.post_id == post_id))
    assert [m["alt_text"] for m in frozen["media"]] == ["Ministar na skijanju"]  # exactly what marko saw
