"""A returned 安排表 — typed, exported to PDF, or scanned — imports as a roster (柳州's high-school table)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from docx import Document
from typer.testing import CliRunner

from cli.main import app
from docgen.render.pdf import ConverterPool

pytestmark = pytest.mark.slow  # LibreOffice and OCR of a returned form

# seed 001: 帮扶学校 | 联系人及电话 | 受援学校 | 联系人及电话 (contacts are ours: the notice leaves them blank)
ROWS = [
    ("柳州高中", "张三 13807721234", "融水中学", "李四 0772-5123456"),
    ("柳铁一中", "王五 13907725678", "三江高中", "赵六 18977261234"),
    ("市一中", "", "三江民族高中", ""),
    ("市二中", "", "融水民族高中", ""),
    ("市铁二中", "", "柳城实验高中", ""),
]
runner = CliRunner()


def arrangement_docx() -> bytes:
    doc = Document()
    doc.add_paragraph("柳州市普通高中“市—县”结对帮扶安排表")
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("帮扶学校", "联系人及电话", "受援学校", "联系人及电话"), strict=True):
        cell.text = text
    for row in ROWS:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("arrangement")
    docx = arrangement_docx()
    with ConverterPool(workers=1) as pool:
        (result,) = pool.convert_many([("安排表", docx)])
    assert result.pdf is not None, result.error
    page = pdfium.PdfDocument(result.pdf)[0].render(scale=250 / 72).to_pil()
    png = io.BytesIO()
    page.save(png, "PNG")
    paths = {"docx": out / "安排表.docx", "pdf": out / "安排表.pdf", "png": out / "安排表.png"}
    paths["docx"].write_bytes(docx)
    paths["pdf"].write_bytes(result.pdf)
    paths["png"].write_bytes(png.getvalue())
    return paths


@pytest.mark.parametrize("kind", ["docx", "pdf", "png"])
def test_a_returned_arrangement_table_imports_as_a_roster(files: dict[str, Path], kind: str) -> None:
    result = runner.invoke(app, ["roster", str(files[kind]), "--json"])
    assert result.exit_code == 0, result.output
    groups = json.loads(result.stdout)["groups"]
    assert [(g["supporting"], g["supported"]) for g in groups] == [([a], [b]) for a, _, b, _ in ROWS]
    first = {s["name"]: s for s in groups[0]["schools"]}
    assert (first["柳州高中"]["contact"], first["柳州高中"]["phone"]) == ("张三", "13807721234")
    assert (first["融水中学"]["contact"], first["融水中学"]["phone"]) == ("李四", "0772-5123456")


def test_a_document_without_a_table_is_a_roster_error(tmp_path: Path) -> None:
    doc = Document()
    doc.add_paragraph("没有表格的回函")
    path = tmp_path / "回函.docx"
    doc.save(str(path))
    result = runner.invoke(app, ["roster", str(path)])
    assert result.exit_code == 2
    assert "回函.docx" in result.stderr and "没有表格" in result.stderr
