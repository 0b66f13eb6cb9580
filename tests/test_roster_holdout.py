"""The HOLDOUT roster corpus itself (tests/rosters_holdout): complete, well-formed, and what its generator makes.

Like tests/test_roster_corpus.py, these tests check the yardstick, not the importer: how well the importer
does on the holdout corpus is printed by ``bench/bench_roster.py --corpus tests/rosters_holdout``.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from testkit.roster_holdout import ERROR_KINDS, STAGES, build_corpus, expected_bytes
from testkit.shared import shared_path

CORPUS = Path(__file__).parent / "rosters_holdout"
ZIP = b"PK\x03\x04"
MAGIC = {".xls": b"\xd0\xcf\x11\xe0", ".pdf": b"%PDF-", ".ods": ZIP, ".xlsx": ZIP, ".docx": ZIP}


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if not p.name.endswith(".expected.json") and p.name != "README.md")


def expected_of(path: Path) -> dict[str, Any]:
    return json.loads((CORPUS / f"{path.name}.expected.json").read_text("utf-8"))  # type: ignore[no-any-return]


def test_the_holdout_has_at_least_16_files_in_every_format_clerks_send() -> None:
    files = corpus_files()
    assert len(files) >= 16
    assert {".xlsx", ".xls", ".ods", ".csv", ".txt", ".docx", ".pdf"} <= {p.suffix for p in files}
    gbk = [p for p in files if p.suffix in {".csv", ".txt"} and not _is_utf8(p.read_bytes())]
    assert {p.suffix for p in gbk} == {".csv", ".txt"}  # the WPS ';' csv and the tab text are GBK
    assert all(p.read_bytes().decode("gbk") for p in gbk)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def test_every_file_has_an_expected_result_and_a_readme_row() -> None:
    names = {p.name for p in corpus_files()}
    expected = {p.name.removesuffix(".expected.json") for p in CORPUS.glob("*.expected.json")}
    assert names == expected
    readme = (CORPUS / "README.md").read_text("utf-8")
    rows = set(re.findall(r"^\| `([^`]+)` \|", readme, flags=re.MULTILINE))
    assert rows == names


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
        assert len(names) == len(set(names)), "a school twice in one group"
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
            assert c["name"] == "".join(c["name"].split())
            assert c["name"] or c["phones"]
    keys = [(e.get("sheet", ""), e.get("table"), e["row"]) for e in exp["errors"]]
    assert len(keys) == len(set(keys))
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


def test_the_generator_reproduces_the_committed_bytes_and_every_expected_result() -> None:
    shared_path("seeds")  # the notices the corpus is made from
    cases = build_corpus(deterministic_only=True)
    assert sorted(c.name for c in cases) == [p.name for p in corpus_files()]
    # LibreOffice's files (.xls/.ods/.pdf) differ by stamped bytes each run; their expected results do not.
    assert sum(1 for c in cases if not c.reproducible) == 3
    for case in cases:
        if case.reproducible:
            assert (CORPUS / case.name).read_bytes() == case.data, f"{case.name} differs from the generator's output"
        assert (CORPUS / f"{case.name}.expected.json").read_bytes() == expected_bytes(case), case.name


def _file_text(path: Path) -> str:
    """Every string a reproducible file holds, whitespace removed (to find the expected names in it)."""
    data = path.read_bytes()
    if path.suffix == ".xlsx":
        wb = load_workbook(io.BytesIO(data))
        parts = [str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    elif path.suffix == ".docx":
        doc = Document(io.BytesIO(data))
        parts = [p.text for p in doc.paragraphs]
        parts += [c.text for t in doc.tables for r in t.rows for c in r.cells]
    else:
        text = data.decode("utf-8") if _is_utf8(data) else data.decode("gbk")
        parts = [cell for row in csv.reader(io.StringIO(text), delimiter=";" if ";" in text else ",") for cell in row]
    return re.sub(r"[\s\u3000\u00a0]+", "", "\n".join(parts))


@pytest.mark.parametrize("path", [p for p in corpus_files() if p.suffix in {".xlsx", ".docx", ".csv", ".txt"}],
                         ids=lambda p: p.name)  # fmt: skip
def test_every_expected_school_and_contact_is_written_in_its_file(path: Path) -> None:
    text = _file_text(path)
    for g in expected_of(path)["groups"]:
        for name in [*g["supporting"], *g["supported"], *([g["coordinator"]] if "coordinator" in g else [])]:
            # a name completed by prefix inheritance is written without its prefix (彩虹小学 ← 杭州市滨江区)
            assert any(name[k:] in text for k in range(0, max(1, len(name) - 3))), name
        for c in g["contacts"]:
            assert c["name"] in text, c
            for phone in c["phones"]:
                assert re.sub(r"\s", "", phone) in text, phone


def test_the_bad_rows_cover_every_kind_and_one_file_has_nothing_but_bad_rows() -> None:
    with_errors = [p for p in corpus_files() if expected_of(p)["errors"]]
    kinds = {e["kind"] for p in with_errors for e in expected_of(p)["errors"]}
    assert kinds == ERROR_KINDS
    only_bad = [p for p in with_errors if not expected_of(p)["groups"]]
    assert [p.name for p in only_bad] == ["h14_dongguan_only_bad.xlsx"]
    assert len(expected_of(only_bad[0])["errors"]) == 4
    mixed = [p for p in with_errors if expected_of(p)["groups"]]
    assert len(mixed) >= 3  # every valid row of a file with bad rows still imports


def test_the_multi_sheet_workbook_expects_groups_from_every_county_sheet_and_none_from_the_summary() -> None:
    path = CORPUS / "h03_liuzhou_counties.xlsx"
    wb = load_workbook(path)
    assert wb.sheetnames == ["汇总", "融水县", "三江县", "鹿寨县"]
    exp = expected_of(path)
    expected_helpers = [g["supporting"][0] for g in exp["groups"]]
    on_sheets = [row[2] for ws in wb.worksheets[1:] for row in ws.iter_rows(min_row=3, values_only=True)]
    bad = {e["row"] for e in exp["errors"] if e["sheet"] == "鹿寨县"}
    assert bad == {wb["鹿寨县"].max_row}
    assert expected_helpers == on_sheets[:-1]  # sheet order; the last row of 鹿寨县 is the same_school row
    assert not any(h in {"县区", "合计"} for h in expected_helpers)
