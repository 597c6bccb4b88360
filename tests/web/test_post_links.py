"""No dead ends: every list that names a post links its title to the right place for the person looking.

A draft or a post sent back opens in the compose page for an officer; a post waiting for approval opens on its
approval page for an approver; anything else, and anything for anyone else, opens on the post's own page."""

from __future__ import annotations

import re

from tests.web.test_posts_api import new_post, scheduled_post, submitted_post, upload


def edit(post_id: int) -> str:
    return f'href="/posts/{post_id}/edit"'


def page(post_id: int) -> str:
    return f'href="/posts/{post_id}"'


def approval(post_id: int) -> str:
    return f'href="/approvals/{post_id}"'


def draft(api, **fields) -> int:
    created = new_post(api("ana"), **fields)
    assert created.status_code == 201, created.json
    return created.json["id"]


def sent_back(api, **fields) -> int:
    post_id = submitted_post(api, **fields)
    assert api("marko").post(f"/api/v1/posts/{post_id}/reject", json={"comment": "Dodaj izvor"}).status_code == 200
    return post_id


def test_the_overview_opens_drafts_and_posts_sent_back_in_the_compose_page(api, signed_in, people):
    mine, returned = draft(api, title="Nacrt"), sent_back(api, title="Vraćen")
    html = signed_in("ana").get("/").get_data(as_text=True)
    assert edit(mine) in html and edit(returned) in html
    assert signed_in("ana").get(f"/posts/{returned}/edit").status_code == 200


def test_the_overview_opens_what_waits_for_an_approver_on_its_approval_page(api, signed_in, people):
    waiting = submitted_post(api, title="Čeka")
    assert approval(waiting) in signed_in("marko").get("/").get_data(as_text=True)


def test_the_queue_and_the_calendar_link_every_post_for_every_role(api, signed_in, people):
    mine, waiting, approved = draft(api), submitted_post(api), scheduled_post(api)
    for path in ("/queue?from=2031-06-15", "/calendar?week=2031-06-15"):
        officer = signed_in("ana").get(path).get_data(as_text=True)
        assert edit(mine) in officer and page(waiting) in officer and page(approved) in officer
        approver = signed_in("marko").get(path).get_data(as_text=True)
        assert page(mine) in approver and approval(waiting) in approver and page(approved) in approver
        manager = signed_in("jelena").get(path).get_data(as_text=True)
        assert edit(mine) not in manager and page(mine) in manager


def test_the_approvals_list_opens_the_approval_page(api, signed_in, people):
    waiting = submitted_post(api)
    assert approval(waiting) in signed_in("marko").get("/approvals").get_data(as_text=True)


def test_the_media_page_links_the_posts_that_use_it(api, signed_in, people):
    image = upload(api("ana")).json["id"]
    mine = draft(api, media=[image])
    assert edit(mine) in signed_in("ana").get(f"/media/{image}").get_data(as_text=True)
    assert page(mine) in signed_in("jelena").get(f"/media/{image}").get_data(as_text=True)


def test_the_post_page_offers_the_compose_page_where_its_viewer_may_edit(api, signed_in, people):
    returned, approved = sent_back(api, title="Vraćen"), scheduled_post(api)
    assert edit(returned) in signed_in("ana").get(f"/posts/{returned}").get_data(as_text=True)
    assert edit(returned) not in signed_in("jelena").get(f"/posts/{returned}").get_data(as_text=True)
    assert not re.search(r'href="/posts/\d+/edit"', signed_in("ana").get(f"/posts/{approved}").get_data(as_text=True))
