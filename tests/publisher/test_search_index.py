"""The search index: every searched row carries the search key of its texts, written on every write (the
session's listener, the two INSERT statements past the session, migration 0017 for older rows), and a search
is one LIKE on it that takes % and _ literally."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select, text

from publisher.core import schema, search_index
from publisher.core.db import make_engine
from publisher.core.errors import Invalid
from publisher.core.models import Alert, Channel, Media, Post, User
from publisher.media import library
from publisher.media.store import store_upload
from publisher.people import users
from publisher.posts import workflow
from publisher.publishing import alerts
from publisher.text.search_key import normalise
from tests.conftest import new_postgres_database
from tests.factories.media import png_bytes
from tests.factories.posts import draft_post


def key_in_database(session, model, row_id: int) -> str:
    session.expire_all()
    return session.scalar(select(model.search_text).where(model.id == row_id))


def test_a_post_is_keyed_by_its_title_body_and_channel_texts_and_rekeyed_when_edited(session, rt, office):
    post = draft_post(session, rt, office, title="Буџет за Чачак", body="Министарство објављује.",
                      variants={"portal": "Đorđe Balašević"})
    session.commit()
    key = key_in_database(session, Post, post.id)
    assert "budzet za cacak" in key and "ministarstvo" in key and "dorde balasevic" in key
    workflow.edit_post(session, rt, office.actor("ana"), post.id, {"title": "Konkurs za stipendije"})
    session.commit()
    key = key_in_database(session, Post, post.id)
    assert "konkurs za stipendije" in key and "budzet" not in key


def test_a_row_changed_elsewhere_keeps_its_key_and_its_version(session, rt, office):
    post = draft_post(session, rt, office, title="Саопштење")
    session.commit()
    version = post.version
    post.timezone = "Europe/Belgrade"  # no searched text changed: no new key, no extra write
    session.commit()
    assert post.version == version
    assert key_in_database(session, Post, post.id).startswith("saopstenje")


def test_an_upload_past_the_session_is_keyed_and_a_new_description_rekeys_it(session, rt, office):
    media, _ = store_upload(session, rt.settings.media_dir, io.BytesIO(png_bytes()), actor=office.actor("ana"),
                            filename="Zgrada_Vlade.png", alt_text="Зграда Владе", credit="Foto: Tanjug")
    session.commit()
    assert key_in_database(session, Media, media.id) == "zgrada_vlade.png zgrada vlade foto: tanjug"
    library.describe(session, office.actor("ana"), media.id, alt_text="Šetalište", credit="")
    session.commit()
    assert key_in_database(session, Media, media.id) == "zgrada_vlade.png setaliste"


def test_an_alert_raised_past_the_session_is_keyed_and_its_resolution_too(session, rt, office):
    alerts.raise_alert(session, "k1", "auth", "Mastodon refused the token of Ministarstvo")
    session.commit()
    alert = session.scalars(select(Alert)).one()
    assert key_in_database(session, Alert, alert.id) == "mastodon refused the token of ministarstvo"
    alerts.resolve(session, office.actor("admin"), alert.id, "Нови токен унет")
    session.commit()
    assert "novi token unet" in key_in_database(session, Alert, alert.id)


def test_people_and_channels_are_keyed(session, rt, office):
    person = users.create(session, office.actor("admin"), name="djordje", display_name="Ђорђе Јовановић",
                          email="dj@example.org", roles=["officer"], password="a long enough password 1")
    session.commit()
    assert key_in_database(session, User, person.id) == "dorde dorde jovanovic d@example.org"
    users.update(session, office.actor("admin"), person, display_name="Đorđe Petrović", email=None,
                 locale="sr-Latn", roles=["officer"], active=True, now=rt.clock())
    session.commit()
    assert "petrovic" in key_in_database(session, User, person.id)
    assert key_in_database(session, Channel, office.channels["portal"].id) == "portal state_portal"


@pytest.mark.parametrize(("typed", "found"), [
    ("100%", {"Rast od 100% u Čačku"}),
    ("%", {"Rast od 100% u Čačku"}),
    ("_", {"snake_case i Šabac"}),
    ("e_c", {"snake_case i Šabac"}),
    ("čačku", {"Rast od 100% u Čačku", "Rast od 1000 u Cacku"}),  # diacritics folded both ways
    ("ЧАЧКУ", {"Rast od 100% u Čačku", "Rast od 1000 u Cacku"}),
    ("100% u", {"Rast od 100% u Čačku"}),
    ("sabac", {"snake_case i Šabac"}),
    ("", {"Rast od 100% u Čačku", "snake_case i Šabac", "Rast od 1000 u Cacku"}),
])
def test_a_search_is_a_literal_substring_of_the_key(session, rt, office, typed, found):
    for title in ("Rast od 100% u Čačku", "snake_case i Šabac", "Rast od 1000 u Cacku"):
        draft_post(session, rt, office, title=title, body="")
    session.commit()
    condition = search_index.matches(Post.search_text, typed)
    query = select(Post.title) if condition is None else select(Post.title).where(condition)
    assert set(session.scalars(query)) == found


def test_a_search_longer_than_any_needs_is_refused():
    with pytest.raises(Invalid) as refused:
        search_index.matches(Post.search_text, "x" * 201)
    assert refused.value.code == "bad_search"
    assert search_index.matches(Post.search_text, "x" * 200) is not None


def test_labels_are_searched_in_the_readers_words():
    names = {"auth": "Kanal je odbio naše podatke", "failed": "Канал је одбио објаву"}
    assert search_index.labelled(names, "ODBIO") == ["auth", "failed"]
    assert search_index.labelled(names, "objavu") == ["failed"]
    assert search_index.labelled(names, "") == []


# --- migration 0017 keys the rows that were there before ------------------------------------------------

@pytest.fixture(params=["sqlite", "postgresql"])
def scratch_engine(request, tmp_path):
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'scratch.db'}")
        yield engine
        engine.dispose()
        return
    with new_postgres_database("publisher_search") as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


def test_the_migration_keys_every_existing_row(scratch_engine):
    schema.upgrade(scratch_engine, "0015")
    with scratch_engine.begin() as db:
        db.execute(text("INSERT INTO users (id, name, display_name, email, locale, active, created_at) VALUES "
                        "(1, 'ana', 'Ана Ђорђевић', NULL, 'sr-Latn', :yes, '2026-01-01 00:00:00')"), {"yes": True})
        db.execute(text("INSERT INTO channels (id, name, kind, enabled, config, credentials, max_concurrency, "
                        "created_at, updated_at) VALUES (1, 'Vlada Srbije', 'wordpress', :yes, '{}', '', 4, "
                        "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"), {"yes": True})
        db.execute(text("INSERT INTO posts (id, title, body, language, variants, status, timezone, content_hash, "
                        "author_id, created_at, updated_at, version) VALUES (1, 'Čačak', 'Министар', 'sr-Latn', "
                        ":variants, 'draft', 'Europe/Belgrade', '', 1, '2026-01-01 00:00:00', "
                        "'2026-01-01 00:00:00', 1)"), {"variants": '{"portal": "Shqipëri"}'})
        db.execute(text("INSERT INTO media (id, sha256, content_type, extension, size, alt_text, credit, "
                        "original_name, created_at) VALUES (1, :sha, 'image/png', '.png', 1, 'Зграда', '', "
                        "'a.png', '2026-01-01 00:00:00')"), {"sha": "0" * 64})
        db.execute(text("INSERT INTO alerts (id, key, kind, message, created_at) VALUES "
                        "(1, 'k', 'auth', 'Token ODBIJEN', '2026-01-01 00:00:00')"))
    schema.upgrade(scratch_engine)
    with scratch_engine.connect() as db:
        keys = {table: db.scalar(text(f"SELECT search_text FROM {table}"))
                for table in ("users", "channels", "posts", "media", "alerts")}
    assert keys == {"users": "ana ana dordevic", "channels": "vlada srbije wordpress",
                    "posts": "cacak ministar shqiperi", "media": "a.png zgrada", "alerts": "token odbijen"}
    assert keys["posts"] == normalise("Čačak Министар Shqipëri")
