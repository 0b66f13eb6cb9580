"""The main job end to end: the 彭州·黑水 sample roster → every agreement as DOCX + PDF in one ZIP.

Real LibreOffice, real fonts; assertions on the text, page numbers, page size and fonts inside the PDFs.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import replace
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader

from docgen.batch import generate_batch, load_templates
from docgen.files import load_program, template_reader
from docgen.output import DirectorySink
from docgen.render.pdf import ConverterPool
from docgen.roster import read_roster
from docgen.school_names import SchoolName, build_school_names

pytestmark = pytest.mark.slow  # LibreOffice conversion of every agreement

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "pengzhou_heishui"
A4 = (595.3, 841.9)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    roster = read_roster((SAMPLE / "roster.txt").read_bytes(), "roster.txt")
    # seed 000 names no party organisation and they sign these agreements: the clerk's table names each one
    # (without it every agreement is a draft with blanks — tests/test_school_names.py), so the names are printed
    schools = dict.fromkeys(school.name for group in roster.groups for school in group.schools)
    table = build_school_names([SchoolName(name, (), f"中共{name}支部委员会") for name in schools])
    program = replace(load_program(SAMPLE / "program.yaml"), school_names=table)
    templates = load_templates(program, template_reader(SAMPLE))
    out = tmp_path_factory.mktemp("pengzhou")
    with ConverterPool(workers=2) as pool:
        report = generate_batch(program, roster, templates, DirectorySink(out, program.key), converter=pool)
    assert report.ok, report.failures
    assert report.generated == 14 and report.drafts == 0
    return zipfile.ZipFile(report.archive)


def pdf_pages_text(data: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def test_every_pair_gets_a_docx_and_a_pdf(archive: zipfile.ZipFile) -> None:
    names = archive.namelist()
    assert len([n for n in names if n.endswith(".docx")]) == 14
    assert len([n for n in names if n.endswith(".pdf")]) == 14
    folders = sorted({n.split("/")[0] for n in names if "/" in n})
    assert folders[0] == "01_成都石室白马中学—黑水县中学"
    assert folders[2] == "03_彭州市西郊小学等2校—黑水县芦花完全小学校"
    assert folders[13] == "14_彭州市机关幼儿园—黑水县城关幼儿园"


def test_each_pdf_has_its_own_pair_and_terms_in_it(archive: zipfile.ZipFile) -> None:
    manifest = json.loads(archive.read("manifest.json"))
    pdfs = [row for row in manifest if row["format"] == "pdf"]
    assert len(pdfs) == 14
    for row in pdfs:
        pages = pdf_pages_text(archive.read(row["file"]))
        assert len(pages) == row["pages"] >= 2
        text = "".join(pages).replace(" ", "").replace("\n", "")
        for school in row["supporting"].split("、") + row["supported"].split("、"):
            assert school in text, (row["file"], school)
        assert "2019年4月1日" in text and "2020年3月31日" in text
        expected = "一式五份" if row["pair"] == "03" else "一式四份"
        assert expected in text, row["file"]
        # page numbers restart in every document: — 1 —, — 2 —, …
        for number, page in enumerate(pages, start=1):
            assert f"—{number}—" in page.replace(" ", ""), (row["file"], number)


def test_meng_reaches_the_pdf(archive: zipfile.ZipFile) -> None:
    name = next(n for n in archive.namelist() if n.startswith("13_") and n.endswith(".pdf"))
    text = "".join(pdf_pages_text(archive.read(name)))
    assert "中共彭州市濛阳小学支部委员会" in text.replace(" ", "").replace("\n", "")


def test_pdfs_are_a4_with_embedded_official_faces(archive: zipfile.ZipFile) -> None:
    name = next(n for n in archive.namelist() if n.startswith("03_") and n.endswith(".pdf"))
    reader = PdfReader(io.BytesIO(archive.read(name)))
    fonts: dict[str, bool] = {}
    for page in reader.pages:
        box = page.mediabox
        assert (round(float(box.width), 1), round(float(box.height), 1)) == A4
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            descriptor = descriptor.get_object()
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts[str(font["/BaseFont"]).split("+")[-1]] = embedded
    assert all(fonts.values()), fonts
    assert any(f.startswith("FandolFang") for f in fonts)  # 仿宋_GB2312 body text
    assert any("Serif" in f and "SemiBold" in f for f in fonts)  # 方正小标宋简体 title
    assert any(f.startswith("NotoSansCJK") for f in fonts)  # 黑体 headings
