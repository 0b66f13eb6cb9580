"""The messy roster corpus itself (tests/rosters): complete, well-formed, and what the generator makes.

These tests check the yardstick, not the importer: how well ``load_roster`` does on the corpus is printed
by ``bench/bench_roster.py`` (docs/roster.md, "Messy corpus").
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from testkit.roster_corpus import ERROR_KINDS, STAGE_WORDS, build_corpus, expected_bytes
from testkit.shared import shared_path

CORPUS = Path(__file__).parent / "rosters"
STAGES = set(STAGE_WORDS.values())
ZIP = b"PK\x03\x04"
MAGIC = {".xls": b"\xd0\xcf\x11\xe0", ".pdf": b"%PDF-", ".ods": ZIP, ".xlsx": ZIP, ".docx": ZIP}


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if not p.name.endswith(".expected.json") and p.name != "README.md")


def expected_of(path: Path) -> dict[str, Any]:
    return json.loads((CORPUS / f"{path.name}.expected.json").read_text("utf-8"))  # type: ignore[no-any-return]


def test_the_corpus_has_at_least_24_files_in_every_format_the_issue_names() -> None:
    files = corpus_files()
    assert len(files) >= 24
    suffixes = {p.suffix for p in files}
    assert {".xlsx", ".xls", ".ods", ".csv", ".txt", ".docx", ".pdf"} <= suffixes
    raw = {p.name: p.read_bytes() for p in files}
    assert any(b.startswith(b"\xef\xbb\xbf") for n, b in raw.items() if n.endswith(".csv"))  # UTF-8 with BOM
    assert any(b.startswith(b"\xff\xfe") for b in raw.values())  # UTF-16LE (Excel "Unicode 文本")
    gbk = [b for n, b in raw.items() if n.endswith(".csv") and not b.startswith(b"\xef\xbb\xbf")]
    assert any(_not_utf8(b) for b in gbk)  # a GBK file


def _not_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def test_every_file_has_an_expected_result_and_every_expected_result_a_file() -> None:
    names = {p.name for p in corpus_files()}
    expected = {p.name.removesuffix(".expected.json") for p in CORPUS.glob("*.expected.json")}
    assert names == expected


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_an_expected_result_follows_the_documented_schema(path: Path) -> None:
    exp = expected_of(path)
    assert set(exp) == {"file", "groups", "errors", "notes"}
    assert exp["file"] == path.name
    assert isinstance(exp["notes"], str) and exp["notes"]
    assert exp["groups"] or exp["errors"]
    seen_pairs: set[tuple[frozenset[str], frozenset[str]]] = set()
    for g in exp["groups"]:
        assert set(g) <= {"supporting", "supported", "stage", "contacts", "coordinator"}
        assert g["supporting"] and g["supported"]
        names = [*g["supporting"], *g["supported"]]
        assert all(isinstance(n, str) and n and n == "".join(n.split()) for n in names), names
        assert not set(g["supporting"]) & set(g["supported"]), "a school on both sides of a group"
        pair = (frozenset(g["supporting"]), frozenset(g["supported"]))
        assert pair not in seen_pairs, f"group listed twice: {pair}"
        seen_pairs.add(pair)
        stage = g["stage"]
        if isinstance(stage, list):
            assert len(stage) > 1 and set(stage) <= STAGES
        else:
            assert stage is None or stage in STAGES
        if "coordinator" in g:
            assert g["coordinator"] not in names, "a lead school is not a party to its pairs"
        for c in g["contacts"]:
            assert set(c) <= {"school", "name", "phones", "title"}
            assert c["school"] in names, f"contact of a school outside its group: {c}"
            assert isinstance(c["phones"], list) and all(isinstance(p, str) and p for p in c["phones"])
            assert c["name"] or c["phones"]
    rows = [(e.get("sheet", ""), e.get("table"), e["row"]) for e in exp["errors"]]
    assert len(rows) == len(set(rows))
    for e in exp["errors"]:
        assert set(e) <= {"row", "kind", "table", "sheet"}
        assert isinstance(e["row"], int) and e["row"] >= 1
        assert e["kind"] in ERROR_KINDS


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_a_binary_file_is_what_its_name_says(path: Path) -> None:
    magic = MAGIC.get(path.suffix)
    if magic is None:
        return
    data = path.read_bytes()
    assert data.startswith(magic)
    if path.suffix == ".ods":
        assert zipfile.ZipFile(path).read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"


def test_the_generator_reproduces_the_committed_bytes_and_expected_results() -> None:
    shared_path("seeds")  # the notices the corpus is made from
    cases = build_corpus(deterministic_only=True)
    assert len(cases) >= 20
    for case in cases:
        assert (CORPUS / case.name).read_bytes() == case.data, f"{case.name} differs from the generator's output"
        assert (CORPUS / f"{case.name}.expected.json").read_bytes() == expected_bytes(case), case.name


def test_the_bad_row_files_still_hold_valid_groups_besides_their_bad_rows() -> None:
    with_errors = [p for p in corpus_files() if expected_of(p)["errors"]]
    assert len(with_errors) >= 3
    kinds = {e["kind"] for p in with_errors for e in expected_of(p)["errors"]}
    assert {"empty", "same_school", "duplicate", "phone", "unknown_stage"} <= kinds
    assert all(expected_of(p)["groups"] for p in with_errors)
