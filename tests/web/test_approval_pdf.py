"""The approval record on the dashboard: a PDF of the version the post's last approval bound, downloaded from
the post's page by anyone who may read the post, its labels in the reader's language; refusals in words."""

from __future__ import annotations

import sys

import pytest
from sqlalchemy import delete, update

from publisher.core.models import User, UserRole
from publisher.pdf import readiness
from tests.factories.posts import approved_post, pending_post
from tests.support.pdf_reading import pdftotext, string_values

FIELDS = {"title": "Министар у Нишу", "body": "Министар је данас посетио Ниш.", "language": "sr-Cyrl",
          "translations": {"sq": {"title": "Ministri në Nish", "body": "Ministri sot vizitoi Nishin."}}}
# The reader's language -> the record's heading, a label, the file name (ASCII, then RFC 5987 when it differs)
READERS = {
    "sr-Latn": ("Odobrenje objave {id}", "Odobrio/la marko", 'filename="Odobrenje objave {id}.pdf"'),
    "sr-Cyrl": ("Одобрење објаве {id}", "Одобрио/ла marko",
                "filename=\"Odobrenje objave {id}.pdf\"; filename*=UTF-8''%D0%9E%D0%B4%D0%BE%D0%B1%D1%80%D0%B5%D1%9A"
                "%D0%B5%20%D0%BE%D0%B1%D1%98%D0%B0%D0%B2%D0%B5%20{id}.pdf"),
    "sq": ("Miratimi i postimit {id}", "Miratoi marko", 'filename="Miratimi i postimit {id}.pdf"'),
    "en": ("Approval of post {id}", "Approved by marko", 'filename="Approval of post {id}.pdf"'),
}


@pytest.fixture(autouse=True)
def fresh_readiness():
    readiness.missing.cache_clear()
    yield
    readiness.missing.cache_clear()


def reads_in(session, people, name: str, language: str) -> None:
    session.execute(update(User).where(User.id == people.users[name].id).values(locale=language))
    session.commit()


@pytest.mark.parametrize("language", READERS)
def test_the_record_is_a_pdf_in_the_readers_language(signed_in, people, session, rt, tmp_path, language):
    post_id = approved_post(session, rt, people, **FIELDS)
    reads_in(session, people, "jelena", language)
    response = signed_in("jelena").get(f"/posts/{post_id}/approval.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    heading, label, filename = (words.format(id=post_id) for words in READERS[language])
    assert response.headers["Content-Disposition"] == f"attachment; {filename}"
    assert response.headers["Cache-Control"] == "private, no-store"
    pdf = response.get_data()
    assert pdf.startswith(b"%PDF-") and string_values(pdf, "Lang") == [language]
    assert heading in string_values(pdf, "Title")
    text = " ".join(pdftotext(pdf, tmp_path).split())
    assert heading in text and label in text
    assert "Министар је данас посетио Ниш." in text and "Ministri sot vizitoi Nishin." in text


def test_the_post_page_links_the_record_once_approved(signed_in, people, session, rt):
    approved, pending = approved_post(session, rt, people), pending_post(session, rt, people)
    browser = signed_in("ana")
    assert f'href="/posts/{approved}/approval.pdf" download>Zapis o odobrenju (PDF)</a>' in \
        browser.get(f"/posts/{approved}").get_data(as_text=True)
    assert "approval.pdf" not in browser.get(f"/posts/{pending}").get_data(as_text=True)


def test_a_post_never_approved_or_unknown_is_a_404_in_words(signed_in, people, session, rt):
    pending = pending_post(session, rt, people)
    browser = signed_in("ana")
    never = browser.get(f"/posts/{pending}/approval.pdf")
    assert never.status_code == 404 and never.mimetype == "text/html"
    assert "Ova objava nije odobrena, pa još nema zapis o odobrenju." in never.get_data(as_text=True)
    unknown = browser.get("/posts/2000000000/approval.pdf")
    assert unknown.status_code == 404 and "Takva objava ne postoji." in unknown.get_data(as_text=True)
    assert browser.get("/posts/99999999999999999999/approval.pdf").status_code == 404  # beyond any id
    assert browser.get("/posts/-1/approval.pdf").status_code == 404


def test_signed_out_and_roleless_people_get_no_record(client, signed_in, people, session, rt):
    post_id = approved_post(session, rt, people)
    response = client.get(f"/posts/{post_id}/approval.pdf")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    browser = signed_in("bojan")
    session.execute(delete(UserRole).where(UserRole.user_id == people.users["bojan"].id))
    session.commit()
    refused = browser.get(f"/posts/{post_id}/approval.pdf")
    assert refused.status_code == 403 and refused.mimetype == "text/html"


def test_a_server_without_pdf_libraries_says_what_is_missing(signed_in, people, session, rt, monkeypatch):
    post_id = approved_post(session, rt, people)
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as when cffi cannot load pango
    reads_in(session, people, "ana", "sr-Cyrl")
    response = signed_in("ana").get(f"/posts/{post_id}/approval.pdf")
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "ПДФ се овде не може направити" in html
    assert "Библиотеке које странице претварају у ПДФ датотеке (Pango, HarfBuzz) нису инсталиране на серверу." in html
    assert "Technical details" not in html and "Технички детаљи" in html  # the loader's words, for experts


def test_a_server_without_the_font_says_so(signed_in, people, session, rt, monkeypatch):
    post_id = approved_post(session, rt, people)
    monkeypatch.setattr("publisher.pdf.fonts.FAMILY", "No Such Family Anywhere")
    reads_in(session, people, "ana", "sq")
    response = signed_in("ana").get(f"/posts/{post_id}/approval.pdf")
    assert response.status_code == 503
    assert "Fonti me të cilin shtypen dokumentet (DejaVu Serif, me format serbe të shkronjave cirilike) nuk është " \
        "i instaluar në server." in response.get_data(as_text=True)
