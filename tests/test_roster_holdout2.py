"""The second holdout roster corpus (``tests/rosters_holdout2``) is complete, well-formed and reproducible.

These tests check the yardstick, not the importer: every file has an expected result in the README's schema,
every school, person, phone and lead school an expected result names is written in its file (a later name of a
list may take the first name's prefix), every bad row points at a row that has something in it, and the
generator (``testkit.roster_holdout2``) still makes the committed files. Each check is a function returning its
problems, and each is also run on a tampered copy to show that it fails.
"""

from __future__ import annotations

import codecs
import copy
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import docx
import pdfplumber
import pytest
import python_calamine

from testkit import roster_holdout2

CORPUS = Path(__file__).resolve().parent / "rosters_holdout2"
STAGES = {"学前教育", "义务教育", "普通高中", "特殊教育"}
KINDS = {"empty", "same_school", "duplicate", "phone", "unknown_stage", "placeholder"}
SPREADSHEETS = (".xlsx", ".xls", ".ods")
_SPACE = re.compile(r"[\s\u3000\u00a0]+")
#: The last character of an administrative unit a later name of a list may inherit (README: prefix inheritance).
_UNIT_END = ("省", "区", "市", "州", "盟", "县", "旗", "镇", "乡")


def _squash(text: str) -> str:
    return _SPACE.sub("", text)


def expected_results(corpus: Path) -> dict[str, dict[str, Any]]:
    """Every ``<file>.expected.json`` of ``corpus`` by file name."""
    return {p.name.removesuffix(".expected.json"): json.loads(p.read_text("utf-8"))
            for p in sorted(corpus.glob("*.expected.json"))}


def decode_text(data: bytes) -> str:
    """A csv/txt file's text: its BOM decides UTF-16 BE/LE or UTF-8; otherwise UTF-8."""
    if data.startswith(codecs.BOM_UTF16_BE):
        return data[2:].decode("utf-16-be")
    if data.startswith(codecs.BOM_UTF16_LE):
        return data[2:].decode("utf-16-le")
    return data.decode("utf-8-sig")


def file_rows(path: Path) -> list[list[str]]:
    """The file as rows of cell texts, numbered as the user sees them (row ``n`` is ``rows[n - 1]``).

    Spreadsheets: the first sheet's rows; csv/txt: the physical lines (CR, LF or CRLF) split at ``,`` or tab;
    docx: every table's rows one after another (a Word table's rows are checked per table by its caller).
    """
    suffix = path.suffix
    if suffix in SPREADSHEETS:
        sheet = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        return [["" if v is None else str(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]
    if suffix in (".csv", ".txt"):
        lines = re.split(r"\r\n|\r|\n", decode_text(path.read_bytes()))
        return [re.split(r"[,\t]", line) for line in lines]
    raise ValueError(f"no row view for {path.name}")


def word_tables(path: Path) -> list[list[list[str]]]:
    """A .docx file's tables, each as rows of cell texts (a cell's paragraphs joined by a line break)."""
    document = docx.Document(str(path))
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]


def file_text(path: Path) -> str:
    """All the text of a corpus file, whitespace removed (what a reader could find in it)."""
    suffix = path.suffix
    if suffix == ".pdf":
        with pdfplumber.open(str(path)) as pdf:
            return _squash("".join(page.extract_text() or "" for page in pdf.pages))
    if suffix == ".docx":
        document = docx.Document(str(path))
        parts = [p.text for p in document.paragraphs]
        parts += [cell for table in word_tables(path) for row in table for cell in row]
        return _squash("\n".join(parts))
    return _squash("\n".join("\n".join(row) for row in file_rows(path)))


def _written(name: str, first: str, text: str) -> bool:
    """``name`` is in ``text``, or its tail is and its head is the prefix it inherits from ``first``."""
    if _squash(name) in text:
        return True
    return any(name[k:] in text and first.startswith(name[:k]) and name[k - 1] in _UNIT_END
               for k in range(2, len(name) - 1))


def schema_problems(exp: dict[str, Any], name: str) -> list[str]:
    """What in one expected result breaks the README's schema (an empty list when nothing does)."""
    problems = []
    if exp.get("file") != name:
        problems.append(f"{name}: file is {exp.get('file')!r}")
    if set(exp) != {"file", "groups", "errors", "notes"}:
        problems.append(f"{name}: keys {sorted(exp)}")
    if not isinstance(exp.get("notes"), str) or len(exp.get("notes", "")) < 20:
        problems.append(f"{name}: notes must say in words what is special")
    pairs = set()
    for n, group in enumerate(exp.get("groups", []), start=1):
        where = f"{name} group {n}"
        if not set(group) <= {"supporting", "supported", "stage", "contacts", "coordinator"}:
            problems.append(f"{where}: keys {sorted(group)}")
        sides = [group.get("supporting"), group.get("supported")]
        if not all(isinstance(side, list) and side and all(isinstance(s, str) and s for s in side) for side in sides):
            problems.append(f"{where}: each side must list at least one school")
            continue
        if any(_squash(s) != s for side in sides for s in side):
            problems.append(f"{where}: a name keeps whitespace")
        if set(sides[0]) & set(sides[1]):
            problems.append(f"{where}: a school on both sides")
        if len(sides[0]) > 1 and len(sides[1]) > 1:
            problems.append(f"{where}: N:M group")
        key = (frozenset(sides[0]), frozenset(sides[1]))
        if key in pairs:
            problems.append(f"{where}: the same pair twice")
        pairs.add(key)
        stage = group.get("stage")
        stages = stage if isinstance(stage, list) else [stage]
        if not (stage is None or all(s in STAGES for s in stages)):
            problems.append(f"{where}: stage {stage!r}")
        for c in group.get("contacts", []):
            if not set(c) <= {"school", "name", "phones", "title"} or c.get("school") not in sides[0] + sides[1]:
                problems.append(f"{where}: contact {c}")
            if not isinstance(c.get("phones"), list) or not all(isinstance(p, str) and p for p in c["phones"]):
                problems.append(f"{where}: phones of {c}")
            if not c.get("name") and not c.get("phones"):
                problems.append(f"{where}: a contact without name or phone")
        if "coordinator" in group and group["coordinator"] in sides[0] + sides[1]:
            problems.append(f"{where}: the coordinator is a party")
    rows = [e.get("row") for e in exp.get("errors", [])]
    for e in exp.get("errors", []):
        if e.get("kind") not in KINDS or not isinstance(e.get("row"), int) or e["row"] < 1:
            problems.append(f"{name}: error {e}")
        if not set(e) <= {"row", "kind", "table", "sheet"}:
            problems.append(f"{name}: error keys {sorted(e)}")
    if rows != sorted(rows):
        problems.append(f"{name}: errors not in row order")
    return problems


def content_problems(path: Path, exp: dict[str, Any]) -> list[str]:
    """Expected values that are not written in the file, and bad rows that point at nothing."""
    text = file_text(path)
    problems = []
    for n, group in enumerate(exp["groups"], start=1):
        for side in (group["supporting"], group["supported"]):
            problems += [f"{path.name} group {n}: school {s} not in the file"
                         for s in side if not _written(s, side[0], text)]
        for c in group["contacts"]:
            if _squash(c["name"]) not in text:
                problems.append(f"{path.name} group {n}: {c['name']} not in the file")
            problems += [f"{path.name} group {n}: phone {p} not in the file" for p in c["phones"] if p not in text]
            if c.get("title") and c["title"] not in text:
                problems.append(f"{path.name} group {n}: title {c['title']} not in the file")
        if group.get("coordinator") and group["coordinator"] not in text:
            problems.append(f"{path.name} group {n}: coordinator not in the file")
    for e in exp["errors"]:
        if path.suffix == ".docx":
            tables = word_tables(path)
            rows = tables[e.get("table", 1) - 1] if e.get("table", 1) <= len(tables) else []
        elif path.suffix == ".pdf":
            continue
        else:
            rows = file_rows(path)
        if e["row"] > len(rows) or not any(cell.strip() for cell in rows[e["row"] - 1]):
            problems.append(f"{path.name}: error row {e['row']} is blank or past the end")
    return problems


# ---------------------------------------------------------------------------------------------------------


def test_the_corpus_has_every_generated_file_with_its_expected_result_and_readme_row() -> None:
    names = sorted(p.name for p in CORPUS.iterdir() if p.name != "README.md" and not p.name.endswith(".json"))
    assert names == sorted(roster_holdout2.FILES)
    assert len(names) >= 14
    assert sorted(expected_results(CORPUS)) == names
    readme = (CORPUS / "README.md").read_text("utf-8")
    assert [n for n in names if f"`{n}`" not in readme] == []
    assert {p.suffix for p in CORPUS.iterdir()} >= {".xlsx", ".xls", ".ods", ".csv", ".txt", ".docx", ".pdf"}


def test_every_expected_result_follows_the_schema() -> None:
    results = expected_results(CORPUS)
    assert [p for name, exp in results.items() for p in schema_problems(exp, name)] == []
    kinds = {e["kind"] for exp in results.values() for e in exp["errors"]}
    assert kinds == KINDS  # every kind of bad row is in the corpus
    assert sum(len(exp["groups"]) for exp in results.values()) == 199


def test_the_schema_check_fails_on_a_broken_expected_result() -> None:
    exp = copy.deepcopy(expected_results(CORPUS)["09_dongguan_mixed_eol.csv"])
    exp["groups"][0]["stage"] = "初中"
    exp["groups"][1]["supported"] = exp["groups"][1]["supporting"]
    exp["errors"][0]["kind"] = "typo"
    exp["groups"].append(copy.deepcopy(exp["groups"][2]))
    problems = schema_problems(exp, "09_dongguan_mixed_eol.csv")
    assert [p.split(": ", 1)[1].split(" {")[0] for p in problems] == [
        "stage '初中'", "a school on both sides", "contact", "the same pair twice", "error"]


def test_every_expected_school_person_and_phone_is_written_in_its_file() -> None:
    results = expected_results(CORPUS)
    assert [p for name, exp in results.items() for p in content_problems(CORPUS / name, exp)] == []


@pytest.mark.parametrize("name", ["13_heze_bad_rows.xlsx", "11_binjiang_jianshi.pdf", "12_heze_utf16be.txt",
                                  "10_pengzhou_stages.docx", "07_pengzhou_contacts.xls"])
def test_the_content_check_fails_on_a_name_or_phone_the_file_does_not_have(name: str) -> None:
    exp = copy.deepcopy(expected_results(CORPUS)[name])
    exp["groups"][0]["supported"][0] += "分校"
    exp["groups"][-1]["supporting"] = ["黑水县不存在小学"]
    assert len(content_problems(CORPUS / name, exp)) == 2
    exp = copy.deepcopy(expected_results(CORPUS)[name])
    if exp["groups"][0]["contacts"]:
        exp["groups"][0]["contacts"][0]["phones"] = ["13800000000"]
        assert content_problems(CORPUS / name, exp) == [f"{name} group 1: phone 13800000000 not in the file"]


def test_the_content_check_fails_on_an_error_row_that_is_blank() -> None:
    exp = copy.deepcopy(expected_results(CORPUS)["08_jianshi_mac_cr.csv"])
    blank = next(n for n, row in enumerate(file_rows(CORPUS / "08_jianshi_mac_cr.csv"), start=1)
                 if not any(c.strip() for c in row))
    exp["errors"] = [{"row": blank, "kind": "empty"}]
    assert content_problems(CORPUS / "08_jianshi_mac_cr.csv", exp) == [
        f"08_jianshi_mac_cr.csv: error row {blank} is blank or past the end"]


def test_the_text_files_are_in_the_encodings_and_line_endings_the_readme_names() -> None:
    mac = (CORPUS / "08_jianshi_mac_cr.csv").read_bytes()
    assert mac.startswith(codecs.BOM_UTF8) and b"\r" in mac and b"\n" not in mac
    mixed = (CORPUS / "09_dongguan_mixed_eol.csv").read_bytes()
    assert mixed.count(b"\r\n") == 6 and mixed.count(b"\n") == 12
    assert (CORPUS / "12_heze_utf16be.txt").read_bytes().startswith(codecs.BOM_UTF16_BE)


def test_the_pdf_table_crosses_a_page_with_its_header_repeated() -> None:
    with pdfplumber.open(str(CORPUS / "11_binjiang_jianshi.pdf")) as pdf:
        pages = [page.extract_text() or "" for page in pdf.pages]
    assert len(pages) == 2
    assert all("序号 帮扶学校 联系人及电话 受援学校 联系人及电话 学段" in page for page in pages)


def test_the_generator_reproduces_the_committed_files() -> None:
    assert roster_holdout2.check(CORPUS) == []


def test_the_reproduction_check_fails_on_a_changed_file(tmp_path: Path) -> None:
    copy_dir = tmp_path / "corpus"
    shutil.copytree(CORPUS, copy_dir)
    data = bytearray((copy_dir / "08_jianshi_mac_cr.csv").read_bytes())
    data[-2:-1] = b"9"
    (copy_dir / "08_jianshi_mac_cr.csv").write_bytes(bytes(data))
    exp_path = copy_dir / "13_heze_bad_rows.xlsx.expected.json"
    exp_path.write_text(exp_path.read_text("utf-8").replace('"row": 12', '"row": 13'), "utf-8")
    assert roster_holdout2.check(copy_dir) == ["08_jianshi_mac_cr.csv", "13_heze_bad_rows.xlsx.expected.json"]


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n, (_, conversion) in roster_holdout2.FILES.items() if conversion])
def test_libreoffice_files_have_the_content_the_generator_makes_now(name: str, tmp_path: Path) -> None:
    data, _ = roster_holdout2.build(name)
    fresh = tmp_path / name
    fresh.write_bytes(data)
    if name.endswith(".pdf"):
        with pdfplumber.open(io.BytesIO(data)) as now, pdfplumber.open(str(CORPUS / name)) as committed:
            assert [p.extract_text() for p in now.pages] == [p.extract_text() for p in committed.pages]
    else:
        assert file_rows(fresh) == file_rows(CORPUS / name)
