"""Issue 12 (4, 5): hostile PDFs give one clean line every time, however the CLI is started; a page the
reader or the interpreter trips on stays that page's problem; odd but valid files (owner-password PDF, broken
xref, CMYK and 16-bit images, a docx with an embedded Excel object, a ZIP with one bad member) are read."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from docx import Document
from docx.enum.text import WD_BREAK
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader, PdfWriter

import api.services.uploads as uploads_service
from docgen.extract import extract
from docgen.extraction import FormStatus
from extractors import read
from extractors.pdf import read_pdf
from testkit.forms import STATS_HEADER, stats_docx
from testkit.hostile_pdf import HOSTILE, broken_xref, pdf_of_objects
from tests.api_fixtures import create_pengzhou, make_settings, pdf_of, running_client, wait_record

ROOT = Path(__file__).resolve().parent.parent
UNRECOGNISED = "未能识别表单类型（无识别码、标题或表头可对应）；表格按原样输出"

# what each trap gives through `docgen extract --json`: its exit code and its problems, exactly
EXPECTED: dict[str, tuple[int, list[str]]] = {
    "reference_loop": (2, ["PDF 含循环引用（对象互相指向），已拒绝"]),
    "deep_page_tree": (2, ["PDF 结构嵌套过深或含循环引用，已拒绝"]),
    "flate_bomb": (2, ["PDF 解析内存超限（可能是压缩炸弹），已放弃"]),
    # traps pdfminer already walks safely: the page's harmless text is read, nothing else happens
    "page_tree_loop": (1, [UNRECOGNISED]),
    "form_xobject_loop": (1, [UNRECOGNISED]),
    "huge_object_stream": (1, [UNRECOGNISED]),
    "many_pages": (1, [UNRECOGNISED]),
    "deep_nesting": (1, [UNRECOGNISED]),
}


# the ones that failed before (a hang past 60 s, tracebacks on stderr), as cron would run them; every trap
# runs in-process below (each CLI start costs seconds)
BY_CLI = ("reference_loop", "deep_page_tree", "flate_bomb")


def test_hostile_pdfs_in_sequence_under_timeout_with_stdin_closed_each_give_one_clean_line(tmp_path: Path) -> None:
    """As cron or a supervisor starts the CLI: under `timeout`, no TTY (a new session), stdin closed."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name in BY_CLI:
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(HOSTILE[name]())
        run = subprocess.run(
            ["bash", "-c", 'exec timeout 60 "$0" -m cli extract --json "$1" <&-', sys.executable, str(path)],
            capture_output=True, text=True, cwd=tmp_path, env=env, start_new_session=True, timeout=90,
        )  # fmt: skip
        assert run.returncode != 124, f"{name}: still running after 60 s"
        assert run.stderr == "", f"{name}: {run.stderr[-2000:]}"
        out = json.loads(run.stdout)
        code, problems = EXPECTED[name]
        assert (run.returncode, [p["message"] for p in out["problems"]]) == (code, problems), name
        assert out["input_kind"] == "pdf"


def test_the_same_answer_for_every_trap_whatever_ran_before_in_one_process() -> None:
    """One service process, one fork server: every trap but the bomb (above), forwards then backwards."""
    assert set(EXPECTED) == set(HOSTILE)
    names = [n for n in HOSTILE if n != "flate_bomb"]
    files = {n: HOSTILE[n]() for n in names}
    for order in (names, names[::-1]):
        for name in order:
            result = extract(files[name], f"{name}.pdf", reader=read)
            code, problems = EXPECTED[name]
            assert ([p.message for p in result.problems], result.status.value) == (
                problems, "unreadable" if code == 2 else "needs_review"), name


def test_a_caller_script_without_a_main_guard_reads_the_same_as_the_cli(tmp_path: Path) -> None:
    """multiprocessing would run the caller's script again in the sandboxed child; it must not."""
    pdf = tmp_path / "loop.pdf"
    pdf.write_bytes(HOSTILE["reference_loop"]())
    script = tmp_path / "batch.py"
    script.write_text(
        "from docgen.extract import extract\nfrom extractors import read\n"
        f"print(open({str(tmp_path / 'ran')!r}, 'a').write('x'))\n"
        f"print(extract(open({str(pdf)!r}, 'rb').read(), 'loop.pdf', reader=read).problems[0].message)\n",
        encoding="utf-8",
    )
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=90,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, stdin=subprocess.DEVNULL)
    assert (run.returncode, run.stderr) == (0, "")
    assert run.stdout.splitlines()[-1] == "PDF 含循环引用（对象互相指向），已拒绝"
    assert (tmp_path / "ran").read_text() == "x"  # the script ran once: not again in the child


# ------------------------------------------------------------------------------ one page, one problem


def _two_page_stats(second_header: list[str]) -> bytes:
    """A 统计表 whose table continues on page 2 under a header of its own (as read from a scan)."""
    doc = Document()
    doc.add_paragraph("彭州·黑水“校校结对”教育交流活动情况统计表")
    doc.add_paragraph("填报单位：彭州市西郊小学        填报时间：2019年5月6日")
    rows = (
        (STATS_HEADER, ["1", "送教下乡", "张三", "2019年4月11日", "黑水县芦花完全小学校", "示范课", "120人次",
                        "图书500册", "良好", ""]),
        (second_header, ["2", "教研活动", "李四", "2019年4月20日", "黑水县中学", "听课", "80人次", "", "良好", ""]),
    )
    for page, (header, row) in enumerate(rows):
        if page:
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        table = doc.add_table(rows=2, cols=len(header))
        for i, (h, v) in enumerate(zip(header, row, strict=True)):
            table.rows[0].cells[i].text, table.rows[1].cells[i].text = h, v
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_a_second_page_whose_header_was_misread_keeps_the_first_pages_values() -> None:
    """The crash of issue 12: page 2's 序号 read as 序口号 made a new column, and a strict zip raised."""
    result = extract(_two_page_stats(["序口号", *STATS_HEADER[1:]]), "两页.docx", reader=read)
    assert result.status is FormStatus.NEEDS_REVIEW
    assert {k: v.raw for k, v in result.fields.items()} == {"unit": "彭州市西郊小学", "filled_on": "2019年5月6日"}
    main, extra = result.tables
    first = ["1", "送教下乡", "张三", "2019年4月11日", "黑水县芦花完全小学校", "示范课", "120人次", "图书500册",
             "良好", ""]
    second = ["", "教研活动", "李四", "2019年4月20日", "黑水县中学", "听课", "80人次", "", "良好", ""]
    assert [[v.raw for v in row] for row in main.rows] == [first, second]
    assert (extra.columns, [[v.raw for v in row] for row in extra.rows]) == (("序口号",), [[""], ["2"]])
    assert [p.message for p in result.problems] == ["表格中有表单没有的列：「序口号」（另列于附加表格）"]


def test_a_table_stage_that_fails_is_a_problem_and_the_fields_survive(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fault (a bug in a later stage) cannot be caused by input once such bugs are fixed: injected."""
    import docgen.interpret

    def broken(*args: object, **kwargs: object) -> None:
        raise IndexError("list index out of range")

    monkeypatch.setattr(docgen.interpret, "_build_table", broken)
    result = extract(stats_docx("03"), "统计表.docx", reader=read)
    assert result.status is FormStatus.NEEDS_REVIEW
    assert {k: v.raw for k, v in result.fields.items()} == FORM_FIELDS
    assert [p.message for p in result.problems] == ["明细表格解读出错（内部错误 IndexError），该部分请人工核对"]


def test_a_pdf_page_the_parser_fails_on_is_skipped_and_the_other_page_is_read() -> None:
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    text = b"BT /F1 12 Tf 72 760 Td (Filled by Xijiao) Tj ET"
    pdf = pdf_of_objects({
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 9 0 R >> >>"
           b" /Contents 5 0 R >>",
        4: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 7 0 R >> >>"
           b" /Contents 5 0 R >>",
        5: b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
        7: b"8 0 R",  # page 2's font is a reference loop: only that page trips on it
        8: b"7 0 R",
        9: font,
    })  # fmt: skip
    doc = read_pdf(pdf, "two.pdf")
    assert [(line.text, line.where.page) for line in doc.lines] == [("Filled by Xijiao", 1)]
    assert doc.problems == ("第2页无法读取（PDF 含循环引用（对象互相指向），已拒绝），已跳过",)


# ------------------------------------------------------------------------------ odd but valid files


@pytest.fixture(scope="module")
def form_pdf() -> bytes:
    """LibreOffice's PDF of a typed 统计表 (a born-digital PDF with a text layer)."""
    return pdf_of(stats_docx("03"))


def owner_locked(pdf: bytes) -> bytes:
    """``pdf`` with only an owner password, printing and copying not allowed (Word's "restrict editing")."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password="", owner_password="教务处", permissions_flag=-3904, algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


FORM_FIELDS = {"unit": "彭州市西郊小学", "filled_on": "2019年5月6日"}
IDENTITY = "DG1:pengzhou-heishui-2019:03:activity_stats:1"


@pytest.mark.parametrize("spoil", [owner_locked, broken_xref])
def test_an_owner_locked_or_broken_xref_pdf_reads_like_the_plain_one(form_pdf: bytes, spoil: Any) -> None:
    data = spoil(form_pdf)
    if spoil is owner_locked:
        assert PdfReader(io.BytesIO(data)).is_encrypted
    result = extract(data, "统计表.pdf", reader=read)
    plain = extract(form_pdf, "统计表.pdf", reader=read)
    assert {k: v.raw for k, v in result.fields.items()} == {k: v.raw for k, v in plain.fields.items()} == FORM_FIELDS
    assert result.identity is not None and result.identity.code == IDENTITY
    assert (result.input_kind.value, result.pages, result.form) == ("pdf", 1, "activity_stats")


def _form_picture() -> Image.Image:
    """The 统计表's title and fields, typed on white (what a school prints and photographs)."""
    image = Image.new("RGB", (1400, 330), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 40, index=2)
    for y, text in ((30, "彭州·黑水“校校结对”教育交流活动情况统计表"), (130, "填报单位：彭州市西郊小学"),
                    (230, "填报时间：2019年5月6日")):
        draw.text((30, y), text, fill="black", font=font)
    return image


def odd_pictures() -> dict[str, bytes]:
    """A CMYK JPEG (Pillow), a 16-bit grey PNG (Pillow) and a 48-bit RGB PNG (OpenCV) of the same form."""
    picture = _form_picture()
    cmyk = io.BytesIO()
    picture.convert("CMYK").save(cmyk, "JPEG", quality=90)
    grey16 = io.BytesIO()
    Image.fromarray(np.asarray(picture.convert("L")).astype(np.uint16) * 257).save(grey16, "PNG")
    ok, rgb48 = cv2.imencode(".png", np.asarray(picture)[..., ::-1].astype(np.uint16) * 257)
    assert ok
    assert Image.open(io.BytesIO(cmyk.getvalue())).mode == "CMYK"
    assert Image.open(io.BytesIO(grey16.getvalue())).mode.startswith("I;16")
    assert rgb48.tobytes()[24:26] == b"\x10\x02"  # PNG IHDR: bit depth 16, colour type 2 (RGB)
    return {"cmyk.jpg": cmyk.getvalue(), "grey16.png": grey16.getvalue(), "rgb48.png": rgb48.tobytes()}


def docx_with_embedded_excel() -> bytes:
    """A typed 统计表 with an Excel sheet embedded as an OLE object (``w:object`` → ``word/embeddings``) and
    a 12-megapixel photo (4000 × 3000)."""
    doc = Document(io.BytesIO(stats_docx("03")))
    ramp = np.linspace(0, 255, 4000, dtype=np.float32)
    photo = np.stack([np.add.outer(ramp[:3000] / 2, ramp / 2).astype(np.uint8)] * 3, axis=-1)
    picture = io.BytesIO()
    Image.fromarray(photo).save(picture, "JPEG", quality=85)
    doc.add_picture(picture)
    part = doc.part
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    ole = Part(PackURI("/word/embeddings/oleObject1.bin"), "application/vnd.openxmlformats-officedocument.oleObject",
               b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4088), part.package)
    rid = part.relate_to(ole, "http://schemas.openxmlformats.org/officeDocument/2006/relationships/oleObject")
    paragraph = doc.add_paragraph()
    from docx.oxml import parse_xml

    paragraph._p.append(parse_xml(
        '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:v="urn:schemas-microsoft-com:vml" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<w:object><v:shape id="_x0000_i1025" style="width:300pt;height:100pt"><v:textbox><w:txbxContent>'
        '</w:txbxContent></v:textbox></v:shape>'
        f'<o:OLEObject Type="Embed" ProgID="Excel.Sheet.12" ShapeID="_x0000_i1025" r:id="{rid}"/>'
        "</w:object></w:r>"
    ))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_a_zip_with_odd_valid_files_and_bad_members_reads_the_good_ones(tmp_path: Path, form_pdf: bytes) -> None:
    good = {"cmyk.jpg": odd_pictures()["cmyk.jpg"], "owner.pdf": owner_locked(form_pdf),
            "embedded.docx": docx_with_embedded_excel()}
    corrupt = io.BytesIO()
    with zipfile.ZipFile(corrupt, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in good.items():
            zf.writestr(name, data)
        zf.writestr("bomb.pdf", bytes(60 << 20))  # 60 MB of zeros: a ratio near 1000
        zf.writestr("damaged.docx", stats_docx("05"))
    archive = bytearray(corrupt.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(archive))) as zf:
        info = zf.getinfo("damaged.docx")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    archive[start + 200 : start + 232] = bytes(32)  # flipped bytes inside the compressed member
    settings = make_settings(tmp_path / "data", f"sqlite:///{tmp_path / 'docgen.db'}", start_worker=False)
    with running_client(settings) as client:
        program_id = create_pengzhou(client)
        r = client.post(f"/api/programs/{program_id}/uploads", files=[("files", ("回收.zip", bytes(archive)))])
        assert r.status_code == 202, r.text
        entries = {e["name"]: e for e in r.json()}
        refused = {name: e["error"] for name, e in entries.items() if e.get("error")}
        assert refused == {
            "bomb.pdf": "回收.zip 中的 bomb.pdf：压缩比异常（可能是压缩炸弹），未解压",
            "damaged.docx": "回收.zip 中的 damaged.docx：文件在压缩包中已损坏（校验失败），无法解压",
        }
        stored = {name: client.get(f"/api/uploads/{entries[name]['id']}").json()["detected_type"] for name in good}
        assert stored == {"cmyk.jpg": "jpeg", "owner.pdf": "pdf", "embedded.docx": "docx"}
        # read as the worker reads it, in the sandbox child (the others: as the CLI reads them, in-process)
        services = client.app.state.services
        status = uploads_service.process(services.db, services.blobs, entries["owner.pdf"]["id"], timeout=120,
                                         memory=settings.extract_memory_bytes, max_pixels=settings.image_max_pixels)
        assert status == "done"
        extraction = wait_record(client, entries["owner.pdf"]["id"])["extraction"]
        assert {k: v["value"] for k, v in extraction["fields"].items()} == FORM_FIELDS, extraction
        assert extraction["form"] == "activity_stats" and extraction["identity"]["code"] == IDENTITY
    embedded = extract(good["embedded.docx"], "embedded.docx", reader=read)
    assert {k: v.raw for k, v in embedded.fields.items()} == FORM_FIELDS
    assert embedded.identity is not None and embedded.identity.code == IDENTITY
    assert [[v.raw for v in row][:3] for row in embedded.tables[0].rows] == [["1", "送教下乡", "张三"]]


@pytest.mark.parametrize("name", ["cmyk.jpg", "grey16.png", "rgb48.png"])
def test_cmyk_and_16_bit_pictures_are_read_as_the_cli_reads_them(name: str) -> None:
    """What ``docgen extract`` runs: ``extract`` with ``extractors.read``."""
    result = extract(odd_pictures()[name], name, reader=read)
    assert {k: v.raw for k, v in result.fields.items()} == FORM_FIELDS
    assert (result.form, result.input_kind.value) == ("activity_stats", "image")


def test_zlib_damage_inside_a_member_is_not_a_server_error() -> None:
    """zipfile lets zlib.error through for a broken deflate stream; it is that member's problem only."""
    from api.services.uploads import Limits, expand_zip

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.docx", stats_docx("03"))
        zf.writestr("b.docx", stats_docx("05"))
    data = bytearray(out.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("b.docx")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start : start + 2] = b"\xff\xff"  # an invalid deflate block type at the very start
    with pytest.raises(zlib.error), zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        zf.read("b.docx")
    members = expand_zip("x.zip", bytes(data), Limits())
    got = [(label, content is not None, reason) for label, content, reason in members]
    assert got == [("a.docx", True, None), ("b.docx", False, "文件在压缩包中已损坏（校验失败），无法解压")]


def _with_part(docx: bytes, part: str, data: bytes) -> bytes:
    """``docx`` with ``part`` replaced by ``data`` (added when absent)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != part:
                target.writestr(info, source.read(info))
        target.writestr(part, data)
    return out.getvalue()


def test_a_damaged_footer_or_properties_part_is_a_problem_and_the_body_is_read() -> None:
    docx = _with_part(_with_part(stats_docx("03"), "word/footer1.xml", b"<w:ftr><w:p>"), "docProps/app.xml", b"<Pr")
    result = extract(docx, "统计表.docx", reader=read)
    assert {k: v.raw for k, v in result.fields.items()} == FORM_FIELDS
    assert result.identity is not None and result.identity.code == IDENTITY
    assert [p.message for p in result.problems] == [
        "word/footer1.xml 已损坏，已跳过（正文照常读取）", "docProps/app.xml 已损坏，已跳过（正文照常读取）",
    ]
    hostile = _with_part(stats_docx("03"), "word/footer1.xml", b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x/>')
    assert extract(hostile, "统计表.docx", reader=read).problems[0].message.startswith("文档含 DOCTYPE 声明")
