"""``Extraction.from_json`` reads back what ``to_json`` wrote: the service works on the domain's typed data."""

from __future__ import annotations

import json
from datetime import date

import pytest

from docgen.extraction import Extraction, FormStatus, InputKind, Problem, Provenance, Table, Value
from docgen.forms import ValueType
from testkit.corpus import available_styles, build_corpus


@pytest.fixture(scope="module")
def corpus_extractions() -> list[Extraction]:
    from docgen.extract import extract
    from extractors import read

    styles = available_styles()
    cases = build_corpus(len(styles), styles=styles, kinds=("docx",))
    return [extract(c.data, c.name, reader=read) for c in cases]


def test_every_real_extraction_of_the_corpus_reads_back_equal(corpus_extractions: list[Extraction]) -> None:
    assert len(corpus_extractions) >= 3
    forms = {e.form for e in corpus_extractions}
    assert "activity_stats" in forms and len(forms) >= 2, forms  # a table form and a key–value form
    for e in corpus_extractions:
        stored = json.loads(json.dumps(e.to_json(), ensure_ascii=False))  # what the database keeps
        assert Extraction.from_json(stored) == e, e.source
        assert Extraction.from_json(stored).to_json() == e.to_json()


def test_the_corpus_fields_are_keyed_by_schema_key_with_the_label_kept(corpus_extractions: list[Extraction]) -> None:
    stats = next(e for e in corpus_extractions if e.form == "activity_stats")
    assert "unit" in stats.fields and stats.label("unit") == "填报单位"
    assert stats.to_json()["fields"]["unit"]["label"] == "填报单位"
    assert stats.tables[0].keys[:4] == ("serial", "activity", "staff", "when")


def test_dates_ranges_boxes_identity_and_problem_keys_survive_the_round_trip() -> None:
    when = Value("2019年4月23日—26日", {"start": date(2019, 4, 23), "end": date(2019, 4, 26)}, 0.8765,
                 Provenance(2, (10.5, 20.25, 30.0, 40.125)), ("ocr_corrected",), ValueType.DATE)
    text = Value("2019-04-23", "2019-04-23", 1.0, type=ValueType.TEXT)  # text that looks like a date stays text
    e = Extraction(
        "扫描.png", InputKind.IMAGE, "activity_stats", None, {"filled_on": when, "note": text},
        (Table(("活动时间",), ((when,),), ("when",)), Table(("联系电话",), ((text,),))), FormStatus.NEEDS_REVIEW,
        (Problem("第1行「活动时间」：……", "活动时间", 1, "when"), Problem("未能识别表单类型")), 1,
        {"filled_on": "填报时间"},
    )
    back = Extraction.from_json(json.loads(json.dumps(e.to_json(), ensure_ascii=False)))
    assert back == e
    assert back.fields["note"].normalized == "2019-04-23"
    assert back.tables[0].column("when") == 0 and back.tables[1].column("when") is None
