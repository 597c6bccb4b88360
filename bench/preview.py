"""Preview benchmark: server time of the preview per channel, on every channel kind at once.

    .venv/bin/python bench/preview.py                  # 50 requests each, SQLite
    .venv/bin/python bench/preview.py --requests 200

What is measured (the real app, called in-process through Flask's test client, as bench/web.py does): the
approval page of a post waiting for approval on one channel of every registered kind with four photos (its
previews are built from the frozen version: one adapter and one `outgoing` per channel), the compose page
of the same post, and the fragment preview.js asks for as one types (`POST /posts/compose/preview`), once
with a text that fits everywhere and once with a text over X's and Bluesky's limits (the limit is searched
for with the adapter's own count). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import io
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from cryptography.fernet import Fernet  # noqa: E402
from PIL import Image  # noqa: E402

from channels import registry  # noqa: E402
from publisher.core import schema  # noqa: E402
from publisher.core.actor import Actor  # noqa: E402
from publisher.core.config import Settings  # noqa: E402
from publisher.core.runtime import Runtime  # noqa: E402
from publisher.destinations import channel_store  # noqa: E402
from publisher.media.store import store_upload  # noqa: E402
from publisher.people import accounts  # noqa: E402
from web import create_app  # noqa: E402

PASSWORD = "bench-password-123"
SYSTEM = Actor.system("bench")
FITS = "Ministarstvo privrede objavljuje javni poziv za program podrške.\nViše: https://www.privreda.gov.rs/vesti"
TOO_LONG = FITS + " " + "Uslovi i obrasci su na sajtu ministarstva. " * 12


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * p // 100) - 1)]


def photo(n: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1200, 800), (40 * n, 90, 160)).save(out, "JPEG", quality=80)
    return out.getvalue()


def build(rt: Runtime, tmp: Path) -> tuple[list[int], list[int]]:
    with rt.sessions() as session:
        ana = Actor(user=accounts.add_user(session, "ana", ["officer"], actor=SYSTEM, password=PASSWORD), via="bench")
        accounts.add_user(session, "marko", ["approver"], actor=SYSTEM, password=PASSWORD)
        session.flush()
        channel_ids = []
        for kind, cls in registry.kinds().items():
            settings = dict(cls.example_settings)
            if kind == "local_folder":
                settings["path"] = str(tmp / "outbox")
            channel_ids.append(channel_store.add_channel(session, rt.box, kind, kind, settings, actor=SYSTEM).id)
        media_ids = []
        for n in range(4):
            media, _ = store_upload(session, rt.settings.media_dir, io.BytesIO(photo(n)), actor=ana,
                                    filename=f"foto-{n}.jpg", alt_text=f"Fotografija broj {n + 1} sa konferencije")
            media_ids.append(media.id)
        session.commit()
    return channel_ids, media_ids


def timed(call: Callable[[], Any], n: int, warmup: int = 3) -> dict[str, float]:
    for _ in range(warmup):
        call()
    times = []
    for _ in range(n):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return {"n": n, "p50": percentile(times, 50), "p95": percentile(times, 95), "max": max(times)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="publisher-bench-preview-"))
    try:
        settings = Settings(database_url=f"sqlite:///{tmp / 'bench.db'}", media_dir=tmp / "media",
                            secret_key="bench-secret", credential_keys=(Fernet.generate_key().decode(),),
                            instance_dir=tmp / "instance", cookie_secure=False)
        rt = Runtime.from_settings(settings)
        schema.upgrade(rt.engine)
        channel_ids, media_ids = build(rt, tmp)
        app = create_app({"RUNTIME": rt})
        officer, approver = app.test_client(), app.test_client()
        tokens = {}
        for client, name in ((officer, "ana"), (approver, "marko")):
            page = client.get("/login").get_data(as_text=True)
            token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
            assert client.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": token}
                               ).status_code == 302
            tokens[name] = token
        form = {"title": "Javni poziv", "body": FITS, "language": "sr-Latn", "when": "approved",
                "channels": [str(i) for i in channel_ids], "media": [str(i) for i in media_ids],
                **{f"alt_{i}": f"Fotografija {i}" for i in media_ids}}
        page = officer.get("/posts/new").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        saved = officer.post("/posts/new", data={**form, "action": "submit", "csrf_token": csrf})
        if saved.status_code != 302:
            problems = re.findall(r'<p class="error"[^>]*>(.*?)</p>', saved.get_data(as_text=True), re.S)
            raise SystemExit(f"the post could not be sent for approval: HTTP {saved.status_code} {problems[:5]}")
        post_id = int(re.search(r"/posts/(\d+)/edit", saved.location).group(1))

        def get(client: Any, path: str) -> Callable[[], None]:
            def run() -> None:
                response = client.get(path)
                assert response.status_code == 200 and b"preview-list" in response.get_data(), path
            return run

        def fragment(body: str) -> Callable[[], None]:
            def run() -> None:
                response = officer.post("/posts/compose/preview", data={**form, "body": body, "csrf_token": csrf})
                assert response.status_code == 200 and b"preview-account" in response.get_data()
            return run

        cases = [
            (f"approval page ({len(channel_ids)} channels, 4 photos)", get(approver, f"/approvals/{post_id}")),
            ("compose page of the saved post", get(officer, f"/posts/{post_id}/edit")),
            ("fragment, text fits everywhere", fragment(FITS)),
            ("fragment, text over X's and Bluesky's limit", fragment(TOO_LONG)),
        ]
        print(f"{'what':48} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
        for name, call in cases:
            r = timed(call, args.requests)
            print(f"{name:48} {r['n']:>4} {r['p50']:>8.1f} {r['p95']:>8.1f} {r['max']:>8.1f}")
        rt.dispose()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
