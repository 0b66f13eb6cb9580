"""The `docgen` command: thin, but its output shapes and exit codes are what users script against."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

from docx import Document
from typer.testing import CliRunner

from cli.main import app
from testkit.docx_text import docx_text

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
runner = CliRunner()


def test_roster_json_prints_the_groups() -> None:
    result = runner.invoke(app, ["roster", str(SAMPLES / "pengzhou_heishui" / "roster.txt"), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert (out["errors"], out["warnings"]) == ([], [])
    groups = out["groups"]
    assert len(groups) == 14
    assert groups[2]["supporting"] == ["彭州市西郊小学", "彭州市九尺镇小学"]
    assert groups[2]["supported"] == ["黑水县芦花完全小学校"]
    assert groups[12]["supporting"] == ["彭州市濛阳小学"]


def test_a_bad_row_exits_1_names_the_row_and_the_valid_rows_still_import(tmp_path: Path) -> None:
    # Before issue 9 a bad row refused the whole file (exit 2); now the valid rows import and the bad one is listed.
    bad = tmp_path / "bad.csv"
    bad.write_text("支援学校,受援学校\n甲小学,乙小学\n丙小学,丙小学\n", encoding="utf-8")
    result = runner.invoke(app, ["roster", str(bad)])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:2] == ["01  甲小学 → 乙小学  义务教育", "共 1 个结对组"]
    assert "  - bad.csv 第3行 “受援学校”：同一所学校不能既是支援学校又是受援学校（值：'丙小学'）" in result.stdout
    strict = runner.invoke(app, ["roster", str(bad), "--strict"])
    assert strict.exit_code == 1
    assert "整份未导入" in strict.stdout and "甲小学 → 乙小学" not in strict.stdout


def test_generate_no_pdf_writes_the_zip_and_prints_its_path(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["generate", str(SAMPLES / "pengzhou_heishui" / "roster.txt"), "--out", str(out), "--no-pdf"]
    )
    assert result.exit_code == 0, result.output
    assert f"ZIP: {out / 'pengzhou-heishui-2019.zip'}" in result.stdout
    archive = zipfile.ZipFile(out / "pengzhou-heishui-2019.zip")
    docs = [n for n in archive.namelist() if n.endswith(".docx")]
    agreements = [n for n in docs if "学校党建共建协议书" in n]
    assert len(agreements) == 14
    # the program sends out 备案表 and 统计表 per pair (per supporting school: two more for the 2:1 group 03)
    # and a 回执 per school (29 schools in 14 groups)
    assert len(docs) == 14 + 2 * 14 + 2 + 29
    third = docx_text(archive.read(next(n for n in agreements if n.startswith("03_"))))
    # the roster names no party organisation: blanks to fill, never an invented “彭州市九尺镇小学党组织”
    assert "彭州市九尺镇小学党组织" not in third and "一式五份" in third

    again = runner.invoke(
        app, ["generate", str(SAMPLES / "pengzhou_heishui" / "roster.txt"), "--out", str(out), "--no-pdf"]
    )
    assert f"沿用上次 {len(docs)} 份" in again.stderr

    only_agreements = runner.invoke(
        app,
        ["generate", str(SAMPLES / "pengzhou_heishui" / "roster.txt"), "--out", str(tmp_path / "a"), "--no-pdf",
         "--no-forms"],
    )
    assert only_agreements.exit_code == 0, only_agreements.output
    assert "计划 14 份" in only_agreements.stderr


def test_template_check_reports_missing_and_unused(tmp_path: Path) -> None:
    doc = Document()
    doc.add_paragraph("甲方：{{ party_a.party_orgs }}")
    doc.add_paragraph("校长：{{ party_a.principal }}")
    buf = io.BytesIO()
    doc.save(buf)
    path = tmp_path / "mine.docx"
    path.write_bytes(buf.getvalue())
    result = runner.invoke(
        app, ["template", "check", str(path), "--program", str(SAMPLES / "pengzhou_heishui" / "program.yaml")]
    )
    assert result.exit_code == 1
    assert "party_a.principal" in result.stdout and "校长：" in result.stdout
    assert "party_b.party_orgs" in result.stdout  # offered, unused


def test_template_check_passes_for_bundled_template() -> None:
    result = runner.invoke(
        app,
        [
            "template",
            "check",
            str(SAMPLES.parent / "docgen" / "templates" / "party_building.docx"),
            "--program",
            str(SAMPLES / "pengzhou_heishui" / "program.yaml"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "数据中缺少：无" in result.stdout


def test_unknown_kind_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "generate",
            str(SAMPLES / "pengzhou_heishui" / "roster.txt"),
            "--out",
            str(tmp_path),
            "--no-pdf",
            "--kind",
            "five_year",
        ],
    )
    assert result.exit_code == 2
    assert "five_year" in result.stderr and "party_building" in result.stderr


def test_docgen_worker_without_a_broker_says_that_serve_needs_none(monkeypatch: Any) -> None:
    monkeypatch.delenv("DOCGEN_BROKER_URL", raising=False)
    result = runner.invoke(app, ["worker", "--concurrency", "1"])
    assert result.exit_code == 2
    assert "未设置 DOCGEN_BROKER_URL" in result.output and "docgen serve 自己处理任务" in result.output


def test_docgen_worker_names_an_unknown_queue(monkeypatch: Any) -> None:
    monkeypatch.setenv("DOCGEN_BROKER_URL", "redis://127.0.0.1:1/0")  # never reached: refused before
    result = runner.invoke(app, ["worker", "-Q", "docgen.read,docgen.pdfs"])
    assert result.exit_code == 2
    assert "docgen.pdfs 不是队列" in result.output and "docgen.read、docgen.batch、docgen.pdf" in result.output
