"""Text in several languages (publisher.core.multilingual): what a person wrote, and the other Serbian script
derived unless written by hand."""

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select

from publisher.core.errors import Invalid
from publisher.core.multilingual import MultilingualColumn, MultilingualText


def test_the_other_serbian_script_is_derived_from_the_written_one():
    text = MultilingualText({"sr-Latn": "Ministar u Čačku"})
    assert text.get("sr-Cyrl") == "Министар у Чачку"
    assert text.is_derived("sr-Cyrl") and not text.is_derived("sr-Latn")
    assert text.languages() == ("sr-Cyrl", "sr-Latn")
    assert text.get("sq") is None


def test_a_hand_written_script_wins_over_the_derived_one():
    text = MultilingualText({"sr-Latn": "Njujork", "sr-Cyrl": "Њујорк (написано руком)"})
    assert text.get("sr-Cyrl") == "Њујорк (написано руком)"
    assert not text.is_derived("sr-Cyrl")


def test_empty_texts_are_not_written_and_missing_languages_are_named():
    text = MultilingualText({"sr-Cyrl": "Вест", "sq": "  ", "en": ""})
    assert text.to_json() == {"sr-Cyrl": "Вест"}
    assert text.missing(["sr-Latn", "sq", "en"]) == ["sq", "en"]


@pytest.mark.parametrize("bad", [{"de": "Nachricht"}, {"sq": 5}, ["sr-Latn", "x"], "text"])
def test_bad_values_are_refused_by_name(bad):
    with pytest.raises(Invalid):
        MultilingualText.from_json(bad)


def test_search_text_holds_every_version_derived_ones_included():
    text = MultilingualText({"sr-Latn": "Čačak", "sq": "Çaçak"})
    assert "Чачак" in text.search_text() and "Çaçak" in text.search_text()


def test_the_column_stores_only_what_was_written():
    engine = create_engine("sqlite://")
    table = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("caption", MultilingualColumn))
    table.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(table).values(id=1, caption=MultilingualText({"sr-Cyrl": "Фото", "en": "Photo"})))
        raw = conn.exec_driver_sql("SELECT caption FROM t").scalar_one()
        value = conn.execute(select(table.c.caption)).scalar_one()
    assert raw == '{"sr-Cyrl": "\\u0424\\u043e\\u0442\\u043e", "en": "Photo"}'
    assert value.get("sr-Latn") == "Foto" and value.get("en") == "Photo"
