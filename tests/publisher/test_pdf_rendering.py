"""Documents as PDF: the language in <html lang> and the PDF's /Lang, the words from the catalog of that
language without a request, the font with the Serbian forms embedded and applied, and nothing fetched but the
document's own static files."""

from __future__ import annotations

import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from publisher.pdf.rendering import LANGUAGES, DocumentSetup, render_html, render_pdf
from tests.factories.media import png_bytes
from tests.support.pdf_reading import font_names, glyph_runs, inflated, pdftotext, string_values
from web.catalogs import TRANSLATIONS

# A template of this test's own, with words the catalogs have ("Approved by" and "Written by").
SAMPLE = """<!doctype html><html lang="{{ language }}"><head><meta charset="utf-8"><title>{{ title }}</title>
<meta name="author" content="{{ author }}"></head>
<body style="font-family: '{{ font_family }}'"><h1>{{ _("Approved by") }}: {{ author }}</h1>
<p>{{ _("Written by") }}: {{ when|moment }}</p>{% block more %}{% endblock %}</body></html>"""
SERBIAN_LETTERS = """{% extends "sample.html" %}{% block more %}<p lang="{{ lang }}">б <i>г д п т</i></p>{% endblock %}"""
REMOTE = """{% extends "sample.html" %}{% block more %}
<link rel="stylesheet" href="{{ remote }}/style.css">
<style>@import url("{{ remote }}/imported.css"); p { background: url("{{ remote }}/bg.png"); }</style>
<img src="{{ remote }}/remote.png" alt="remote">
<img src="file:///etc/hostname" alt="outside">
<img src="../outside.png" alt="beside the static folder">
<img src="{{ local }}" alt="our own">
{% endblock %}"""
WORDS = {"sr-Latn": ("Odobrio/la", "Autor"), "sr-Cyrl": ("Одобрио/ла", "Аутор"), "sq": ("Miratoi", "Autori"),
         "en": ("Approved by", "Written by")}


@pytest.fixture
def setup(tmp_path: Path) -> DocumentSetup:
    templates, static = tmp_path / "templates", tmp_path / "static"
    templates.mkdir()
    static.mkdir()
    (templates / "sample.html").write_text(SAMPLE, encoding="utf-8")
    (templates / "letters.html").write_text(SERBIAN_LETTERS, encoding="utf-8")
    (templates / "remote.html").write_text(REMOTE, encoding="utf-8")
    (static / "logo.png").write_bytes(png_bytes(40, 20))
    (tmp_path / "outside.png").write_bytes(png_bytes(30, 30))
    return DocumentSetup(templates, TRANSLATIONS, static, format_moment=lambda value, locale: f"{locale} {value:%H:%M}")


def context(**more: object) -> dict[str, object]:
    return {"title": "Саопштење – Njoftim", "author": "Ана Анић", "when": datetime(2031, 6, 15, 10, 5), **more}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_document_is_a_pdf_in_its_language_with_its_metadata(setup, tmp_path, language):
    pdf = render_pdf("sample.html", context(), language, setup=setup)
    assert pdf.startswith(b"%PDF-")
    assert string_values(pdf, "Lang") == [language]
    assert "Саопштење – Njoftim" in string_values(pdf, "Title")  # the document's (the rest: its bookmarks)
    assert string_values(pdf, "Author") == ["Ана Анић"]
    approved, written = WORDS[language]
    text = pdftotext(pdf, tmp_path)
    assert f"{approved}: Ана Анић" in text
    assert f"{written}: {language.replace('-', '_')} 10:05" in text  # the moment through the setup's words


def test_the_html_says_its_language_and_escapes_what_it_is_given(setup):
    html = render_html("sample.html", context(author="<b>Ana</b>"), "sq", setup=setup)
    assert html.startswith('<!doctype html><html lang="sq">')
    assert "&lt;b&gt;Ana&lt;/b&gt;" in html and "<b>Ana</b>" not in html


def test_an_unknown_language_is_refused_by_name(setup):
    with pytest.raises(ValueError, match="unknown document language 'ru'"):
        render_pdf("sample.html", context(), "ru", setup=setup)


def test_the_font_with_the_serbian_forms_is_embedded(setup):
    pdf = render_pdf("letters.html", context(lang="sr-Cyrl"), "sr-Cyrl", setup=setup)
    names = {name.split("+", 1)[1] for name in font_names(pdf) if "+" in name}  # subsets: "ABCDEF+name"
    assert {"DejaVu-Serif", "DejaVu-Serif-Italic"} <= names


def test_serbian_text_takes_the_serbian_letter_forms(setup, tmp_path):
    """The same letters, marked Serbian and marked Russian: DejaVu Serif's locl for 'SRB ' swaps б upright and
    г д п т in italic, so the glyphs shown differ while the text read back is the same."""
    serbian = render_pdf("letters.html", context(lang="sr-Cyrl"), "en", setup=setup)
    russian = render_pdf("letters.html", context(lang="ru"), "en", setup=setup)
    letters = slice(-2, None)  # the last two runs: б, then the italic г д п т
    serbian_runs, russian_runs = glyph_runs(serbian)[letters], glyph_runs(russian)[letters]
    assert len(serbian_runs) == 2
    assert serbian_runs[0] != russian_runs[0]  # б
    assert serbian_runs[1] != russian_runs[1]  # italic г д п т
    for pdf in (serbian, russian):
        assert "бгдпт" in "".join(pdftotext(pdf, tmp_path).split())


class Counting(BaseHTTPRequestHandler):
    asked: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        Counting.asked.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(png_bytes())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def remote_server():
    Counting.asked = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Counting)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def image_count(pdf: bytes) -> int:
    return inflated(pdf).count(b"/Subtype /Image")


def test_a_document_loads_its_own_static_files_and_nothing_else(setup, remote_server):
    with_local = render_pdf("remote.html", context(remote=remote_server, local="logo.png"), "en", setup=setup)
    without = render_pdf("remote.html", context(remote=remote_server, local="missing.png"), "en", setup=setup)
    assert Counting.asked == []  # the server was there to answer; nobody asked it
    assert image_count(with_local) == 1 and image_count(without) == 0  # only our own logo, not outside.png


def test_a_link_out_of_the_static_folder_is_refused(setup, remote_server, tmp_path):
    (setup.static / "sneaky.png").symlink_to(tmp_path / "outside.png")
    pdf = render_pdf("remote.html", context(remote=remote_server, local="sneaky.png"), "en", setup=setup)
    assert image_count(pdf) == 0


def test_documents_asked_for_at_once_from_several_threads_all_come_out(setup, tmp_path):
    """Waitress serves in threads: eight documents asked for at once (four threads, two each) are all whole and
    each in its own language. Bounded: eight documents, and each thread is waited for at most 120 s."""
    made: dict[tuple[int, int], bytes] = {}
    failed: list[BaseException] = []

    def make(thread: int) -> None:
        try:
            for turn in range(2):
                made[thread, turn] = render_pdf("sample.html", context(), LANGUAGES[thread], setup=setup)
        except BaseException as exc:  # noqa: BLE001 (reported below, with the thread's number)
            failed.append(exc)

    threads = [threading.Thread(target=make, args=(n,), daemon=True) for n in range(len(LANGUAGES))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads) and failed == []
    assert len(made) == 8
    for (thread, _turn), pdf in made.items():
        assert string_values(pdf, "Lang") == [LANGUAGES[thread]]
        assert WORDS[LANGUAGES[thread]][0] in pdftotext(pdf, tmp_path)
