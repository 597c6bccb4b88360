"""`publisher serve --public` as an operator starts it: a real waitress process serving the public site alone,
on PostgreSQL through the read-only role (with a credentials key of its own that opens nothing), on SQLite
through the file opened read-only."""

from __future__ import annotations

import subprocess
import sys

import pytest
import requests
from sqlalchemy.engine import make_url

from publisher.public.role import create_public_role
from tests.publisher.test_cli_run import Lines, free_port
from tests.support.worker_process import worker_env

START_TIMEOUT = 60.0


def test_the_public_site_serves_alone(rt, settings, database_url, published, public_event, public_role, tmp_path):
    from cryptography.fernet import Fernet

    env = worker_env(settings)
    env["PUBLISHER_CREDENTIALS_KEY"] = Fernet.generate_key().decode()  # not the key of the channels' secrets
    env["PUBLISHER_SECRET_KEY"] = "the public host's own secret"
    env["PUBLISHER_INSTANCE_DIR"] = str(tmp_path / "public-instance")
    if rt.engine.dialect.name == "postgresql":
        create_public_role(rt.engine, public_role, "public-pass")
        env["PUBLISHER_PUBLIC_DATABASE_URL"] = make_url(database_url).set(
            username=public_role, password="public-pass").render_as_string(hide_password=False)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", "from publisher.cli import main; raise SystemExit(main())",
         "serve", "--public", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = Lines(process.stdout), Lines(process.stderr)
    base = f"http://127.0.0.1:{port}"
    try:
        assert out.wait_for(lambda line: line.startswith("publisher's public site is serving on"), START_TIMEOUT), \
            (out.lines, err.lines)
        landing = requests.get(f"{base}/public/?lang=en", timeout=10)
        assert landing.status_code == 200 and 'href="/feed/vesti.atom"' in landing.text
        assert "Set-Cookie" not in landing.headers
        feed = requests.get(f"{base}/feed/vesti.atom", timeout=10)
        assert feed.status_code == 200 and "Javno saopštenje" in feed.text
        agenda = requests.get(f"{base}/agenda?lang=sr-Latn&week=2026-W50", timeout=10)  # agenda_entries, as the role
        assert agenda.status_code == 200 and "Konferencija za medije ministra" in agenda.text, agenda.text[:500]
        assert requests.get(f"{base}/agenda/{public_event}?lang=sr-Cyrl", timeout=10).status_code == 200
        assert requests.get(f"{base}/agenda/meetings.csv", timeout=10).status_code == 200
        assert requests.get(f"{base}/login", timeout=10).status_code == 404
        assert requests.get(f"{base}/api/v1/posts", timeout=10).status_code == 404
        assert requests.get(f"{base}/healthz", timeout=10).json() == {"status": "ok"}
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    assert not [line for line in err.lines if "Traceback" in line], err.lines


@pytest.fixture
def public_role(request, database_url):
    """The conftest's role on PostgreSQL; on SQLite there is none."""
    if not database_url.startswith("postgresql"):
        return None
    return request.getfixturevalue("pg_public_role")
