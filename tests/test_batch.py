"""The batch: every agreement for every group, one ZIP with a manifest, resumable, failures isolated."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import pytest

from docgen.batch import (
    BatchReport,
    DocumentJob,
    DocumentResult,
    Status,
    generate_batch,
    plan_batch,
    plan_document,
    render_document,
)
from docgen.errors import ConversionError, DocgenError, TemplateError
from docgen.model import GroupPolicy, PairGroup, Program, Roster, School
from docgen.output import DirectorySink
from docgen.render.converter import ConversionResult
from docgen.render.docx import CompiledTemplate
from docgen.school_names import BLANK
from testkit.docx_text import docx_text

XIJIAO = School("彭州市西郊小学")
JIUCHI = School("彭州市九尺镇小学")
LUHUA = School("黑水县芦花完全小学校")
MENGYANG = School("彭州市濛阳小学", party_org="中共彭州市濛阳小学支部委员会")
SHIDIAOLOU = School("黑水县石碉楼小学")


def small_roster() -> Roster:
    return Roster(
        (
            PairGroup(1, (MENGYANG,), (SHIDIAOLOU,)),
            PairGroup(2, (XIJIAO, JIUCHI), (LUHUA,)),
        ),
        source="test",
    )


def run(program: Program, roster: Roster, templates: dict[str, CompiledTemplate], out: Path) -> BatchReport:
    return generate_batch(program, roster, templates, DirectorySink(out, program.key))


def test_each_group_gets_its_agreement_with_names_dates_and_copy_count(
    pengzhou_program: Program, pengzhou_templates: dict[str, CompiledTemplate], tmp_path: Path
) -> None:
    report = run(pengzhou_program, small_roster(), pengzhou_templates, tmp_path)
    assert report.ok and report.generated == 2 and report.skipped == 0

    archive = zipfile.ZipFile(report.archive)
    names = sorted(archive.namelist())
    assert names == sorted(
        [
            "01_彭州市濛阳小学—黑水县石碉楼小学/01_学校党建共建协议书_彭州市濛阳小学—黑水县石碉楼小学.docx",
            "02_彭州市西郊小学等2校—黑水县芦花完全小学校/02_学校党建共建协议书_彭州市西郊小学等2校—黑水县芦花完全小学校.docx",
            "清单.csv",
            "manifest.json",
        ]
    )
    one = docx_text(archive.read(names[0] if names[0].startswith("01_") else names[1]))
    assert "中共彭州市濛阳小学支部委员会" in one
    # no party organisation given for 黑水县石碉楼小学: a blank to fill, never an invented “…党组织”
    assert f"乙方：{BLANK}" in one and "黑水县石碉楼小学党组织" not in one
    assert "2019年4月1日" in one and "2020年3月31日" in one
    assert "一式四份" in one  # two party organisations + two bureaus' party offices

    joint = docx_text(next(archive.read(n) for n in names if n.startswith("02_")))
    assert f"甲方：{BLANK}、{BLANK}" in joint and "彭州市九尺镇小学党组织" not in joint
    assert "一式五份" in joint  # three party organisations + two bureaus


def test_manifest_lists_every_file_with_its_hash(
    pengzhou_program: Program, pengzhou_templates: dict[str, CompiledTemplate], tmp_path: Path
) -> None:
    report = run(pengzhou_program, small_roster(), pengzhou_templates, tmp_path)
    archive = zipfile.ZipFile(report.archive)
    manifest = json.loads(archive.read("manifest.json"))
    assert [row["pair"] for row in manifest] == ["01", "02"]
    import hashlib

    for row in manifest:
        assert hashlib.sha256(archive.read(row["file"])).hexdigest() == row["sha256"]
        assert row["kind"] == "party_building" and row["format"] == "docx"
    table = list(csv.reader(io.StringIO(archive.read("清单.csv").decode("utf-8-sig"))))
    assert table[0][:3] == ["结对序号", "支援学校", "受援学校"]
    assert table[2][1] == "彭州市西郊小学、彭州市九尺镇小学"


def test_rerun_skips_what_is_done_and_redoes_what_changed(
    pengzhou_program: Program, pengzhou_templates: dict[str, CompiledTemplate], tmp_path: Path
) -> None:
    first = run(pengzhou_program, small_roster(), pengzhou_templates, tmp_path)
    assert first.generated == 2
    again = run(pengzhou_program, small_roster(), pengzhou_templates, tmp_path)
    assert (again.generated, again.skipped) == (0, 2)

    new_school = School("黑水县新学校", party_org="中共黑水县新学校支部委员会")
    changed = Roster((small_roster().groups[0], replace(small_roster().groups[1], supported=(new_school,))))
    third = run(pengzhou_program, changed, pengzhou_templates, tmp_path)
    assert (third.generated, third.skipped) == (1, 1)
    text = docx_text(
        zipfile.ZipFile(third.archive).read(json.loads(zipfile.ZipFile(third.archive).read("manifest.json"))[1]["file"])
    )
    assert "黑水县新学校" in text


def test_a_document_deleted_from_the_output_is_made_again(
    pengzhou_program: Program, pengzhou_templates: dict[str, CompiledTemplate], tmp_path: Path
) -> None:
    run(pengzhou_program, small_roster(), pengzhou_templates, tmp_path)
    victim = next((tmp_path / "documents").rglob("01_*.docx"))
    victim.write_bytes(b"truncated")
    again = run(pengzhou_program, small_roster(), pengzhou_templates, tmp_path)
    assert (again.generated, again.skipped) == (1, 1)
    assert victim.read_bytes().startswith(b"PK")


def test_a_failing_document_is_reported_and_the_rest_go_on(
    pengzhou_program: Program, pengzhou_templates: dict[str, CompiledTemplate], tmp_path: Path
) -> None:
    broken = CompiledTemplate.compile(_docx_with("{{ pair.label }} {{ party_a.no_such_field }}"), "broken.docx")
    kinds = (
        pengzhou_program.agreements[0],
        replace(pengzhou_program.agreements[0], key="extra", title="附加协议"),
    )
    program = replace(pengzhou_program, agreements=kinds)
    report = run(program, small_roster(), {**pengzhou_templates, "extra": broken}, tmp_path)
    assert report.generated == 2
    assert [name for name, _ in report.failures] == ["01 附加协议", "02 附加协议"]  # documents in words
    assert "no_such_field" in report.failures[0][1] and "broken.docx" in report.failures[0][1]
    archive = zipfile.ZipFile(report.archive)
    assert "失败清单.csv" in archive.namelist()
    assert len(json.loads(archive.read("manifest.json"))) == 2


def test_split_policy_makes_one_agreement_per_school_pair(
    pengzhou_program: Program, pengzhou_templates: dict[str, CompiledTemplate]
) -> None:
    program = replace(pengzhou_program, group_policy=GroupPolicy.SPLIT)
    jobs = plan_batch(program, small_roster())
    assert [j.group.label for j in jobs] == ["01", "02-1", "02-2"]
    assert [j.group.supporting[0].name for j in jobs] == [
        "彭州市濛阳小学",
        "彭州市西郊小学",
        "彭州市九尺镇小学",
    ]


def test_pdf_failures_from_the_converter_are_isolated(
    pengzhou_program: Program, pengzhou_templates: dict[str, CompiledTemplate], tmp_path: Path
) -> None:
    """A converter that fails one document: the fault we cannot cause on demand in LibreOffice."""

    class OneBadDocument:
        def convert_many(self, items: Iterable[tuple[str, bytes]]) -> list[ConversionResult]:
            return [
                ConversionResult(
                    name,
                    None if name.startswith("01") else b"%PDF-1.7 fake",
                    3,
                    "time-out" if name.startswith("01") else None,
                )
                for name, _ in items
            ]

        def close(self) -> None:
            pass

    sink = DirectorySink(tmp_path, "t")
    report = generate_batch(pengzhou_program, small_roster(), pengzhou_templates, sink, converter=OneBadDocument())
    assert report.generated == 1
    assert report.failures == [("01 学校党建共建协议书", "PDF 转换失败：time-out")]
    again = generate_batch(
        pengzhou_program,
        small_roster(),
        pengzhou_templates,
        DirectorySink(tmp_path, "t"),
        converter=OneBadDocument(),
    )
    assert again.skipped == 1 and len(again.failures) == 1  # the failed one is retried, the good one kept


def _docx_with(text: str) -> bytes:
    from docx import Document

    doc = Document()
    doc.add_paragraph(text)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def test_results_keep_job_identity() -> None:
    job = DocumentJob(small_roster().groups[0], _kind(), "f", "s")
    assert DocumentResult(job, "fp", b"x").ok
    assert not DocumentResult(job, "fp", None, error=DocgenError("bad")).ok
    assert job.key == "01/party_building"


def _kind():  # type: ignore[no-untyped-def]
    from docgen.model import AgreementKind, Term

    return AgreementKind("party_building", "学校党建共建协议书", "party_building.docx", Term(1))


@pytest.mark.parametrize("policy", list(GroupPolicy))
def test_plan_is_in_roster_order(pengzhou_program: Program, policy: GroupPolicy) -> None:
    jobs = plan_batch(replace(pengzhou_program, group_policy=policy), small_roster())
    assert jobs[0].group.number == 1 and jobs[-1].group.number == 2


def test_a_journal_line_cut_short_by_a_crash_only_redoes_that_document(
    pengzhou_program: Program, pengzhou_templates: dict[str, CompiledTemplate], tmp_path: Path
) -> None:
    run(pengzhou_program, small_roster(), pengzhou_templates, tmp_path)
    journal = tmp_path / ".docgen" / "journal.jsonl"
    lines = journal.read_text("utf-8").splitlines()
    journal.write_text(lines[0] + "\n" + lines[1][: len(lines[1]) // 2], encoding="utf-8")
    again = run(pengzhou_program, small_roster(), pengzhou_templates, tmp_path)
    assert (again.generated, again.skipped) == (1, 1)
    assert len(json.loads(zipfile.ZipFile(again.archive).read("manifest.json"))) == 2


class FakePdf:
    """A converter that turns every document into a small fake PDF, or fails every one."""

    def __init__(self, error: str | None = None) -> None:
        self.error = error
        self.calls: list[list[str]] = []

    def convert_many(self, items: Iterable[tuple[str, bytes]]) -> list[ConversionResult]:
        names = [name for name, _ in items]
        self.calls.append(names)
        if self.error:
            return [ConversionResult(n, None, 0, self.error) for n in names]
        return [ConversionResult(n, f"%PDF-1.7 {n}".encode(), 2) for n in names]

    def close(self) -> None:
        pass


def test_render_document_gives_the_batch_document_with_its_files_and_hashes(
    pengzhou_program: Program, pengzhou_templates: dict[str, CompiledTemplate], tmp_path: Path
) -> None:
    import hashlib

    run(pengzhou_program, small_roster(), pengzhou_templates, tmp_path)
    job = plan_document(pengzhou_program, small_roster().groups[1], "party_building")
    assert job is not None and job.key == "02/party_building"
    result = render_document(pengzhou_program, job, pengzhou_templates[job.kind.key], converter=FakePdf())
    assert result.status is Status.GENERATED and result.error is None
    docx, pdf = result.files
    assert (docx.format, docx.pages, pdf.format, pdf.pages) == ("docx", None, "pdf", 2)
    folder = "02_彭州市西郊小学等2校—黑水县芦花完全小学校"
    assert docx.name == f"{folder}/02_学校党建共建协议书_彭州市西郊小学等2校—黑水县芦花完全小学校.docx"
    assert docx.sha256 == hashlib.sha256(docx.data).hexdigest() and pdf.data == b"%PDF-1.7 02/party_building"
    # the one-document path makes the very bytes the batch stored
    assert (tmp_path / "documents" / docx.name).read_bytes() == docx.data


def test_render_document_reports_errors_as_typed_docgen_errors_instead_of_raising(
    pengzhou_program: Program, pengzhou_templates: dict[str, CompiledTemplate]
) -> None:
    job = plan_document(pengzhou_program, small_roster().groups[0], "party_building")
    assert job is not None
    broken = CompiledTemplate.compile(_docx_with("{{ party_a.no_such_field }}"), "broken.docx")
    failed = render_document(pengzhou_program, job, broken)
    assert failed.status is Status.FAILED and isinstance(failed.error, TemplateError)
    assert "no_such_field" in failed.reason and failed.files == ()

    converter = FakePdf(error="time limit of 30 s exceeded")
    unconverted = render_document(pengzhou_program, job, pengzhou_templates[job.kind.key], converter=converter)
    assert isinstance(unconverted.error, ConversionError) and unconverted.files == ()
    assert unconverted.reason == "PDF 转换失败：time limit of 30 s exceeded"
    assert plan_document(pengzhou_program, small_roster().groups[0], "no_such_kind") is None


def test_progress_is_reported_per_document_and_an_exception_from_it_stops_the_batch_before_the_zip(
    pengzhou_program: Program, pengzhou_templates: dict[str, CompiledTemplate], tmp_path: Path
) -> None:
    seen: list[tuple[int, int]] = []

    class Cancelled(Exception):
        pass

    def cancel_after_first(done: int, total: int) -> None:
        seen.append((done, total))
        if done:
            raise Cancelled

    with pytest.raises(Cancelled), DirectorySink(tmp_path, "t") as sink:
        generate_batch(pengzhou_program, small_roster(), pengzhou_templates, sink, on_progress=cancel_after_first)
    # the plan's size first (0 of 2, before anything renders), then per document
    assert seen == [(0, 2), (1, 2)] and not (tmp_path / "t.zip").exists()
    seen.clear()
    again = generate_batch(
        pengzhou_program,
        small_roster(),
        pengzhou_templates,
        DirectorySink(tmp_path, "t"),
        on_progress=lambda done, total: seen.append((done, total)),
    )
    assert seen == [(0, 2), (1, 2), (2, 2)]
    assert (again.skipped, again.generated) == (1, 1)  # the document made before the cancel is kept
