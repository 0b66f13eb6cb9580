"""Forms as the notice wrote them (issue 10, items 5 and 7).

* The instructions say where to file and by when from the PROGRAM (its ``reporting`` block and the task that
  returns the form), in the notice's own words; labels agree with them (援藏活动情况 with 援藏支教).
* A 2:1 group gets a 备案表 and a 统计表 per supporting school, each with its own readable identity.
* Titles break between words and carry only the program's own stages.
* A regenerated form is a filled form: no ``    年  月  日`` beside a date, no padding rows.
* The templates are Word files; the tables come from the schemas. Tested by properties of the templates and of
  what they render (A4, margins, fonts, every schema column in order, QR decodes, one page), not by identity
  with a generator. The PDF tests convert every form in one LibreOffice run.
"""

from __future__ import annotations

import dataclasses
import io
import random
import shutil
import zipfile
from datetime import date
from pathlib import Path

import cv2
import numpy as np
import pytest
from lxml import etree

from docgen.batch import job_context, plan_batch, plan_document
from docgen.errors import ProgramError
from docgen.extract import extract
from docgen.extraction import FormIdentity
from docgen.files import load_program
from docgen.forms import ColumnSpec, FormSchema, PageOrientation, load_schemas
from docgen.forms.generate import QR_PART, filled_context, form_context, heading_lines, render_form
from docgen.model import PairGroup, Program, Reporting, School
from docgen.program import parse_program_yaml
from docgen.render.docx import CompiledTemplate
from docgen.roster import read_roster
from docgen.titles import break_points, own_stages_only, title_lines
from extractors import read
from extractors.image import qr_text
from testkit import docx_inspect as di
from testkit.corpus import activity_row

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
FORMS = ROOT / "docgen" / "templates" / "forms"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

XIJIAO = School("彭州市西郊小学")
JIUCHI = School("彭州市九尺镇小学")
LUHUA = School("黑水县芦花完全小学校")
PAIR_3 = PairGroup(3, (XIJIAO, JIUCHI), (LUHUA,))
HIGH = PairGroup(3, (School("市一中"),), (School("三江民族高中"),))

# 彭教育人事发〔2019〕8号 附件2 说明 and 附件3 备注, verbatim (seed 000)
SEED_FILING_NOTES = [
    "1.此表用于学校自行联系组织的援藏支教活动。",
    "2.履行援藏支教活动备案手续，此表一式两份，活动前将此表和活动方案分别交人事科和党委办备案。活动结束后，一周内上报"
    "活动简报和活动情况统计表至党委办和人事科，并将电子邮件发送至彭州教育政工人事群共享。",
    "3.遵守援藏支教期间的学习、生活等各项纪律，并注意自身安全。",
    "4.严格执行中央八项规定及省市有关要求，维护彭州干部教师良好形象。",
]
SEED_STATS_FOOTER = (
    "活动结束后，一周内上报活动材料和活动情况统计表至党委办和人事科，并将电子邮件发送至彭州教育政工人事群共享。"
)


@pytest.fixture(scope="module")
def pengzhou() -> Program:
    return load_program(SAMPLES / "pengzhou_heishui" / "program.yaml")


@pytest.fixture(scope="module")
def liuzhou() -> Program:
    return load_program(SAMPLES / "liuzhou_high_schools" / "program.yaml")


def _template(kind: str) -> CompiledTemplate:
    return CompiledTemplate.compile((FORMS / f"{kind}.docx").read_bytes(), f"{kind}.docx")


def _render(program: Program, group: PairGroup, kind: str, school: School | None = None,
            schema: FormSchema | None = None) -> bytes:
    schema = schema or load_schemas()[kind]
    return render_form(_template(kind), schema, form_context(program, group, schema, school))


def _save(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _tables(path: Path) -> list[list[list[str]]]:
    """Every body table as rows of cell texts (paragraphs of a cell joined without separator)."""
    root = di.part(path, "word/document.xml")
    assert root is not None
    out = []
    for table in root.iter(f"{{{W}}}tbl"):
        rows = []
        for tr in table.iterfind(f"{{{W}}}tr"):
            rows.append(["".join(t.text or "" for t in tc.iter(f"{{{W}}}t")) for tc in tr.iterfind(f"{{{W}}}tc")])
        out.append(rows)
    return out


def _notes(path: Path) -> list[str]:
    """The 说明 lines, without the lead and the hanging indent."""
    lines = [p.text for p in di.paragraphs(path)]
    start = next(i for i, t in enumerate(lines) if t.startswith("说明："))
    return [t.removeprefix("说明：").lstrip("\u3000") for t in lines[start:] if t.strip()]


def _qr(png: bytes) -> str:
    return qr_text(cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE))


# --- instructions, recipients, deadlines: program data --------------------------------------------------


def test_the_filing_form_notes_are_the_notices_own_words_from_the_program(pengzhou: Program, tmp_path: Path) -> None:
    path = _save(tmp_path, "f.docx", _render(pengzhou, PAIR_3, "filing", XIJIAO))
    assert _notes(path) == SEED_FILING_NOTES
    # the merged label says what the notes say: 援藏 activities
    assert _tables(path)[-1][0][0] == "援藏活动情况"


def test_the_statistics_footer_says_where_to_file_from_the_program(pengzhou: Program, tmp_path: Path) -> None:
    path = _save(tmp_path, "s.docx", _render(pengzhou, PAIR_3, "activity_stats", JIUCHI))
    footer = _tables(path)[-1][-1]
    assert footer == ["备注：", SEED_STATS_FOOTER]


def test_a_program_without_reporting_data_names_no_other_programs_offices(
    pengzhou: Program, tmp_path: Path
) -> None:
    bare = dataclasses.replace(pengzhou, reporting=Reporting(), tasks=())
    filing = _save(tmp_path, "f.docx", _render(bare, PAIR_3, "filing", XIJIAO))
    stats = _save(tmp_path, "s.docx", _render(bare, PAIR_3, "activity_stats", XIJIAO))
    reply = _save(tmp_path, "r.docx", _render(bare, PAIR_3, "liaison_reply", LUHUA))
    assert _notes(filing) == [
        "1.此表用于学校自行联系组织的结对交流活动。",
        "2.履行结对交流活动备案手续。活动结束后，上报活动简报和活动情况统计表。",
        "3.遵守结对交流期间的学习、生活等各项纪律，并注意自身安全。",
        "4.严格执行中央八项规定及省市有关要求，维护干部教师良好形象。",
    ]
    assert _tables(filing)[-1][0][0] == "结对交流活动情况"  # the label follows the program, never 援藏 by default
    assert _tables(stats)[-1][-1] == ["备注：", "活动结束后，上报活动材料和活动情况统计表。"]
    for path in (filing, stats, reply):
        text = di.text(path)
        for word in ("人事科", "党委办", "彭州教育政工人事群", "3月20日", "援藏"):
            assert word not in text, (path.name, word)
    assert _notes(reply)[0] == "1.每所结对学校确定一名联络员和一名分管领导，具体负责结对帮扶工作，每校填报一份。"


def test_the_liaison_reply_carries_its_deadline_recipient_and_the_leader(pengzhou: Program, tmp_path: Path) -> None:
    path = _save(tmp_path, "r.docx", _render(pengzhou, PAIR_3, "liaison_reply", LUHUA))
    title = next(p for p in di.paragraphs(path) if p.style == "DocTitle")
    assert title.text == "彭州·黑水“校校结对”联络员和分管领导回执"
    assert _notes(path)[0] == (
        "1.每所结对学校确定一名联络员和一名分管领导，具体负责结对帮扶工作，每校填报一份，于2019年3月20日前报人事科。"
    )
    assert _tables(path)[-1] == [["", "姓名", "职务", "联系电话"], ["联络员", "", "", ""], ["分管领导", "", "", ""]]
    # the deadline is the task's: move the task, the form follows
    moved = dataclasses.replace(
        pengzhou,
        tasks=tuple(dataclasses.replace(t, due=date(2019, 3, 25)) if t.form == "liaison_reply" else t
                    for t in pengzhou.tasks),
    )
    path = _save(tmp_path, "r2.docx", _render(moved, PAIR_3, "liaison_reply", LUHUA))
    assert "于2019年3月25日前报人事科" in _notes(path)[0]


def test_the_program_file_carries_offices_recipients_and_copy_keepers() -> None:
    program = load_program(SAMPLES / "pengzhou_heishui" / "program.yaml")
    assert program.reporting.filing_offices == ("人事科", "党委办")
    assert program.reporting.email_group == "彭州教育政工人事群"
    task = program.task_for_form("liaison_reply")
    assert task is not None and (task.due, task.recipient) == (date(2019, 3, 20), "人事科")
    heze = load_program(SAMPLES / "heze" / "program.yaml")
    assert [b.name for b in heze.copy_keepers] == ["菏泽市教育局"]  # the province files no copy


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("reporting: {offices: [人事科]}\n", "reporting"),
        ("reporting: {filing_offices: 人事科}\n", "reporting.filing_offices"),
        ("tasks: [{key: t, title: 回执, form: arrangement}]\n", "tasks[0].form"),
        ("bureaus: [{name: 省厅, side: supporting, keeps_copy: 否}]\n", "bureaus[0].keeps_copy"),
    ],
)
def test_bad_reporting_data_is_an_error_naming_the_key(text: str, message: str) -> None:
    base = "key: k\nname: n\nagreements: [{key: a, title: t, template: party_building.docx}]\nforms: [filing]\n"
    with pytest.raises(ProgramError) as caught:
        parse_program_yaml(base + text, source="p.yaml")
    assert message in str(caught.value) and "p.yaml" in str(caught.value)


# --- a 2:1 group: forms per supporting school --------------------------------------------------------------


def test_a_two_to_one_group_gets_a_filing_and_a_statistics_form_per_supporting_school(pengzhou: Program) -> None:
    roster = read_roster((SAMPLES / "pengzhou_heishui" / "roster.txt").read_bytes(), "roster.txt")
    jobs = plan_batch(pengzhou, roster, [], with_forms=True)
    codes = [job_context(pengzhou, job)["identity"]["code"] for job in jobs]
    assert len(set(codes)) == len(codes) == 2 * 14 + 2 + 29  # every form's identity is its own
    group_3 = {code for code in codes if ":03" in code}
    assert group_3 == {
        "DG1:pengzhou-heishui-2019:03.1:filing:1",
        "DG1:pengzhou-heishui-2019:03.2:filing:1",
        "DG1:pengzhou-heishui-2019:03.1:activity_stats:1",
        "DG1:pengzhou-heishui-2019:03.2:activity_stats:1",
        "DG1:pengzhou-heishui-2019:03.1:liaison_reply:1",
        "DG1:pengzhou-heishui-2019:03.2:liaison_reply:1",
        "DG1:pengzhou-heishui-2019:03.3:liaison_reply:1",
    }
    # a 1:1 group keeps one 备案表 and one 统计表 under its own label
    assert "DG1:pengzhou-heishui-2019:04:filing:1" in codes
    units = [job_context(pengzhou, j)["fields"]["unit"] for j in jobs
             if j.group.label == "03" and j.kind.key == "form:activity_stats"]
    assert units == ["彭州市西郊小学", "彭州市九尺镇小学"]


def test_a_copy_coded_for_the_whole_two_to_one_group_is_regenerated_as_the_groups(pengzhou: Program) -> None:
    job = plan_document(pengzhou, PAIR_3, "form:activity_stats")  # a copy printed as 03 before the change
    assert job is not None and job.school is None
    assert job_context(pengzhou, job)["identity"]["code"] == "DG1:pengzhou-heishui-2019:03:activity_stats:1"
    one = plan_document(pengzhou, PAIR_3, "form:activity_stats#2")
    assert one is not None and one.school == JIUCHI
    assert plan_document(pengzhou, PAIR_3, "form:arrangement") is None  # not a form of this program


def test_each_supporting_schools_form_reads_back_as_its_own(pengzhou: Program) -> None:
    data = _render(pengzhou, PAIR_3, "activity_stats", JIUCHI)
    result = extract(data, "统计表.docx", reader=read)
    assert result.form == "activity_stats"
    assert result.identity == FormIdentity("pengzhou-heishui-2019", "03.2", "activity_stats", 1)
    assert result.fields["unit"].raw == "彭州市九尺镇小学"


# --- titles -----------------------------------------------------------------------------------------------


def test_titles_break_between_words_never_inside_one() -> None:
    title = "柳州市中小学（幼儿园）结对帮扶（普通高中）安排表"
    lines = title_lines(title, ("结对帮扶", "安排表"), per_line=20)
    assert "".join(lines) == title and len(lines) == 2
    assert not any(line.endswith("普通") for line in lines)  # the break that was printed before
    assert all(0 < i < len(title) and title[i - 1:i + 1] != "普高" for i in break_points(title))
    assert 14 not in break_points(title)  # 普通|高中 is inside a parenthesised word
    assert title_lines("彭州·黑水“校校结对”教育交流活动备案表", ("教育交流", "活动", "备案表"), 19) == (
        "彭州·黑水“校校结对”",
        "教育交流活动备案表",
    )
    assert title_lines("短标题", (), 19) == ("短标题",)


def test_form_titles_carry_only_the_programs_own_stages(liuzhou: Program) -> None:
    assert heading_lines(liuzhou, load_schemas()["arrangement"]) == ("柳州市普通高中结对帮扶安排表",)
    # without forms_heading the name is cut down to the program's stage
    plain = dataclasses.replace(liuzhou, forms_heading="")
    assert "幼儿园" not in "".join(heading_lines(plain, load_schemas()["arrangement"]))
    whole = "柳州市中小学（幼儿园）结对帮扶（学前教育）"
    assert own_stages_only(whole, []) == whole  # a program of every stage keeps them all


def test_a_two_line_title_is_printed_with_one_explicit_break(pengzhou: Program, tmp_path: Path) -> None:
    path = _save(tmp_path, "f.docx", _render(pengzhou, PAIR_3, "filing", XIJIAO))
    root = di.part(path, "word/document.xml")
    assert root is not None
    title = next(p for p in root.iter(f"{{{W}}}p") if p.find(f".//{{{W}}}pStyle[@{{{W}}}val='DocTitle']") is not None)
    texts = []
    for node in title.iter(f"{{{W}}}t", f"{{{W}}}br"):
        texts.append("\n" if node.tag == f"{{{W}}}br" else node.text or "")
    assert "".join(texts) == "彭州·黑水“校校结对”\n教育交流活动备案表"


# --- regenerated forms ------------------------------------------------------------------------------------


def test_a_regenerated_statistics_form_is_a_filled_form_without_leftover_blanks(
    pengzhou: Program, tmp_path: Path
) -> None:
    schema = load_schemas()["activity_stats"]
    context = form_context(pengzhou, PAIR_3, schema, XIJIAO)
    rows = [{"serial": "1", "activity": "送教下乡", "when": "2019年6月18日"},
            {"serial": "2", "activity": "同课异构", "when": "2019年6月19日"}]
    filled = filled_context(context, schema, {"filled_on": "2019年6月20日"}, rows)
    path = _save(tmp_path, "s.docx", render_form(_template("activity_stats"), schema, filled))
    text = di.text(path)
    assert "填报时间：2019年6月20日" in text
    assert "年  月  日" not in text
    table = _tables(path)[-1]
    assert [r[1] for r in table[1:-1]] == ["送教下乡", "同课异构"]  # the record's rows, no blank padding

    reply = load_schemas()["liaison_reply"]
    filled = filled_context(form_context(pengzhou, PAIR_3, reply, LUHUA), reply,
                            {"liaison_name": "张三", "filled_on": "2019年3月18日"}, [])
    path = _save(tmp_path, "r.docx", render_form(_template("liaison_reply"), reply, filled))
    assert "填报日期：2019年3月18日" in di.text(path) and "年  月  日" not in di.text(path)
    # the blank keeps its date blank
    blank = _save(tmp_path, "b.docx", _render(pengzhou, PAIR_3, "liaison_reply", LUHUA))
    assert "填报日期：    年  月  日" in di.text(blank)


def test_values_are_escaped_in_the_built_table(pengzhou: Program, tmp_path: Path) -> None:
    schema = load_schemas()["activity_stats"]
    hostile = [{"activity": "A&B</w:t><w:t>x", "plan": "<script>"}]
    filled = filled_context(form_context(pengzhou, PAIR_3, schema, XIJIAO), schema, {}, hostile)
    path = _save(tmp_path, "s.docx", render_form(_template("activity_stats"), schema, filled))
    assert _tables(path)[-1][1][1:6:4] == ["A&B</w:t><w:t>x", "<script>"]


# --- templates are Word files; tables come from the schemas ----------------------------------------------


@pytest.mark.parametrize("kind", ["filing", "activity_stats", "liaison_reply", "arrangement"])
def test_a_form_template_is_an_official_word_file_with_one_table_slot(kind: str) -> None:
    path = FORMS / f"{kind}.docx"
    schema = load_schemas()[kind]
    page = di.page_setup(path)
    landscape = schema.layout.page is PageOrientation.LANDSCAPE
    assert (page["width"], page["height"]) == ((16838, 11906) if landscape else (11906, 16838))  # A4
    # 28 / 26 mm sides; 37 mm top (30 mm on the landscape 统计表, whose header starts 8 mm from the edge)
    assert (page["left"], page["right"], page["top"]) == (1588, 1474, 1701 if landscape else 2098)
    texts = [p.text for p in di.paragraphs(path)]
    assert texts.count("{{p form_table }}") == 1
    root = di.part(path, "word/document.xml")
    assert root is not None
    assert root.find(f".//{{{W}}}body/{{{W}}}tbl") is None  # no table in the template: the schema's is used
    xml = etree.tostring(root, encoding="unicode")
    for column in (schema.table.columns if schema.table else ()):
        assert column.label not in xml  # a column label is defined once, in the schema


@pytest.mark.parametrize(
    ("kind", "school"),
    [("filing", XIJIAO), ("activity_stats", JIUCHI), ("liaison_reply", LUHUA), ("arrangement", None)],
)
def test_every_rendered_form_prints_its_schema_in_order_in_official_fonts_with_a_decodable_qr(
    pengzhou: Program, liuzhou: Program, tmp_path: Path, kind: str, school: School | None
) -> None:
    program, group = (liuzhou, HIGH) if kind == "arrangement" else (pengzhou, PAIR_3)
    schema = load_schemas()[kind]
    context = form_context(program, group, schema, school)
    path = _save(tmp_path, f"{kind}.docx", render_form(_template(kind), schema, context))
    table = _tables(path)[-1]
    layout = schema.layout
    if schema.table is not None:
        assert table[0] == [c.printed_label for c in schema.table.columns]
    elif layout.grid_rows:
        assert table[0][1:] == list(layout.grid_columns)
        assert [r[0] for r in table[1:]] == [g.label for g in layout.grid_rows]
    else:
        printed = [r[-2] for r in table]
        assert printed == [schema.field_spec(k).printed_label for g in layout.groups for k in g.fields]
    for part_name in ("word/document.xml", "word/header1.xml", "word/header2.xml"):
        part = di.part(path, part_name)
        assert part is not None
        for run in part.iter(f"{{{W}}}r"):
            if run.find(f"{{{W}}}t") is None:
                continue
            fonts = run.find(f"{{{W}}}rPr/{{{W}}}rFonts")
            lang = run.find(f"{{{W}}}rPr/{{{W}}}lang")
            assert fonts is not None and fonts.get(f"{{{W}}}eastAsia"), part_name
            assert lang is not None and lang.get(f"{{{W}}}eastAsia") == "zh-CN"
    with zipfile.ZipFile(path) as z:
        assert _qr(z.read(QR_PART)) == context["identity"]["code"]


def test_a_column_added_to_the_schema_is_printed_without_touching_the_template(
    pengzhou: Program, tmp_path: Path
) -> None:
    schema = load_schemas()["activity_stats"]
    assert schema.table is not None
    extra = ColumnSpec(key="photos", label="照片张数", width=15)
    wider = dataclasses.replace(schema, table=dataclasses.replace(schema.table, columns=(*schema.table.columns, extra)))
    path = _save(tmp_path, "s.docx", _render(pengzhou, PAIR_3, "activity_stats", XIJIAO, schema=wider))
    assert _tables(path)[-1][0][-1] == "照片张数"


# --- through LibreOffice: one page, room to write, titles and QR in the PDF --------------------------------


def _ten_typical_rows() -> list[dict[str, str]]:
    rng = random.Random(2019)
    return [{"serial": str(i), **activity_row(rng, long_effect=i % 3 == 0)} for i in range(1, 11)]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_forms_in_pdf_fit_one_page_leave_room_to_write_and_keep_titles_and_codes(
    pengzhou: Program, liuzhou: Program
) -> None:
    import pdfplumber
    import pypdfium2

    from docgen.render.pdf import LibreOfficeConverter

    stats = load_schemas()["activity_stats"]
    filled = filled_context(form_context(pengzhou, PAIR_3, stats, JIUCHI), stats,
                            {"filled_on": "2019年6月20日"}, _ten_typical_rows())
    docs = {
        "filing": _render(pengzhou, PAIR_3, "filing", XIJIAO),
        "stats_blank": _render(pengzhou, PAIR_3, "activity_stats", JIUCHI),
        "stats_filled": render_form(_template("activity_stats"), stats, filled),
        "reply": _render(pengzhou, PAIR_3, "liaison_reply", LUHUA),
        "arrangement": _render(liuzhou, HIGH, "arrangement"),
    }
    with LibreOfficeConverter(timeout=120) as converter:
        results = dict(zip(docs, converter.convert_many(list(docs.items())), strict=True))
    for name, result in results.items():
        assert result.pdf is not None, (name, result.error)
        assert result.pages == 1, name  # a filled 统计表 of ten typical rows too

    def page_text(name: str) -> str:
        pdf = results[name].pdf
        assert pdf is not None
        with pdfplumber.open(io.BytesIO(pdf)) as doc:
            return doc.pages[0].extract_text() or ""

    lines = page_text("filing").splitlines()
    # the title's two lines as chosen between words, then the form
    assert "彭州·黑水“校校结对”" in lines[:4] and "教育交流活动备案表" in lines[:5]
    assert "于2019年3月20日前报人事科。" in page_text("reply").replace("\n", "")
    assert "柳州市普通高中结对帮扶安排表" in page_text("arrangement").splitlines()[:4]
    assert "填报时间：2019年6月20日" in page_text("stats_filled").replace(" ", "")

    # room to write: every blank row of the blank 统计表 is 8.5 mm high or more, and the page has room left
    blank = results["stats_blank"].pdf
    assert blank is not None
    with pdfplumber.open(io.BytesIO(blank)) as doc:
        page = doc.pages[0]
        [table] = page.find_tables()
        heights = [(row.bbox[3] - row.bbox[1]) * 25.4 / 72 for row in table.rows]
        assert min(heights[1:-1]) >= 8.45, heights
        spare = (page.height - table.bbox[3]) * 25.4 / 72
        assert spare >= 30, spare  # 20 mm bottom margin + at least 10 mm for rows that wrap

    for name, code in (("filing", "03.1:filing"), ("stats_filled", "03.2:activity_stats"),
                       ("reply", "03.3:liaison_reply")):
        pdf = results[name].pdf
        assert pdf is not None
        image = np.array(pypdfium2.PdfDocument(pdf)[0].render(scale=200 / 72).to_pil().convert("L"))
        assert qr_text(image) == f"DG1:pengzhou-heishui-2019:{code}:1"
