"""Posts on every network for the browser tests of the preview per channel (compose and approval). Ids are
predictable: each test starts with an empty database."""

from __future__ import annotations

import io

from sqlalchemy.orm import Session

from channels import registry
from publisher.core.models import PostChannel, PostMedia
from publisher.core.states import PostStatus
from publisher.destinations.content import content_hash
from publisher.media.store import store_upload
from tests.factories.media import jpeg_bytes, png_bytes
from tests.factories.office import Office, add_channel
from tests.web.browser.library_data import media_dir
from tests.web.browser.posts import WEEK, add_post

NETWORKS = {"X": "x", "Facebook": "facebook", "Mastodon": "mastodon", "Bluesky": "bluesky", "Telegram": "telegram",
            "Sajt": "wordpress", "Novinari": "email", "Vesti": "feed"}


def on_every_network(session: Session, office: Office) -> None:
    """1: Ana's post with two photos and a text too long for X and Bluesky; 2: a short one with a link (the
    networks that make cards make one); both waiting for approval, in Serbian Latin, on every network."""
    assert office.runtime is not None
    for name, kind in NETWORKS.items():
        add_channel(session, office.runtime, office, name, kind, registry.adapter_class(kind).example_settings)
    actor = office.actor("ana")
    photo, _ = store_upload(session, media_dir(office), io.BytesIO(jpeg_bytes(640, 480)), actor=actor,
                            filename="konferencija.jpg", alt_text="Ministarka govori na konferenciji za medije")
    chart, _ = store_upload(session, media_dir(office), io.BytesIO(png_bytes(300, 400)), actor=actor,
                            filename="grafikon-izvoza-po-mesecima.png", alt_text="Grafikon: izvoz raste od marta")
    long_text = ("Ministarstvo privrede objavljuje javni poziv za program podrške malim i srednjim preduzećima "
                 "u 2031. godini.\nPrijave traju do 30. juna, a sredstva se dodeljuju za opremu, obuku "
                 "zaposlenih i nastup na stranim tržištima. Uslovi, obrasci i odgovori na česta pitanja nalaze "
                 "se na sajtu ministarstva, a konsultacije se održavaju svakog utorka.")
    texts = {1: ("Javni poziv za mala preduzeća", long_text),
             2: ("Konferencija za medije", "Ministarka će u ponedeljak održati konferenciju za medije.\n"
                                           "Više: https://www.privreda.gov.rs/vesti/konferencija")}
    for number, (title, body) in texts.items():
        post = add_post(session, office, "ana", title, body, PostStatus.PENDING_APPROVAL, WEEK)
        post.channel_links = [PostChannel(channel_id=office.channels[name].id, channel=office.channels[name])
                              for name in ("portal", *NETWORKS)]
        if number == 1:
            post.media_links = [PostMedia(media_id=photo.id, media=photo, position=0),
                                PostMedia(media_id=chart.id, media=chart, position=1)]
        session.flush()
        post.content_hash = content_hash(post)
    session.flush()
