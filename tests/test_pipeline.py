"""One document, one pipeline: the CLI and the service make the same archive, and every single-document
path of the service (regenerating a document, a record's clean form) renders through the batch's renderer —
its failures are typed errors answered 422/500, never a substitute document."""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from collections.abc import Iterable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.worker import Converters
from cli.main import app as cli
from docgen.files import builtin_templates
from docgen.render.converter import ConversionResult
from testkit.docx_text import docx_text
from testkit.forms import PENGZHOU, stats_docx
from tests.api_fixtures import (
    TestClient,
    admin,
    create_pengzhou,
    database_url,
    make_settings,
    running_client,
    settings,
    wait_batch,
    wait_record,
)

__all__ = ["admin", "database_url", "settings"]  # fixtures used by name


def _members(archive: zipfile.ZipFile) -> dict[str, bytes]:
    return {name: archive.read(name) for name in archive.namelist()}


def test_the_cli_and_the_service_write_the_same_archive_for_the_same_batch(admin: TestClient, tmp_path: Path) -> None:
    out = tmp_path / "cli"
    result = CliRunner().invoke(cli, ["generate", str(PENGZHOU / "roster.txt"), "--out", str(out), "--no-pdf"])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out / "pengzhou-heishui-2019.zip") as zf:
        from_cli = _members(zf)

    program_id = create_pengzhou(admin)
    job = wait_batch(admin, admin.post(f"/api/programs/{program_id}/batches", json={"pdf": False}).json()["id"])
    assert job["status"] == "done", job.get("error")
    # the batch's proofreading, as the batch view shows it, and each document's in the documents list
    # (seed 000 names no party organisation: the 14 党建共建协议书 are drafts, flagged, and nothing else is found)
    assert job["proof"] == "校对 73 份：73 份无问题，0 份有问题，草稿 14 份"
    listed = admin.get(f"/api/programs/{program_id}/documents").json()
    assert len(listed) == 73 and {d["proof"] for d in listed if d["kind"] != "party_building"} == {"无"}
    assert {d["proof"] for d in listed if d["kind"] == "party_building"} == {"草稿"}
    download = admin.get(f"/api/batches/{job['id']}/download")
    assert download.status_code == 200
    with zipfile.ZipFile(io.BytesIO(download.content)) as zf:
        from_service = _members(zf)

    assert list(from_cli) == list(from_service)  # same members, same order
    assert from_cli["manifest.json"] == from_service["manifest.json"]
    assert from_cli["清单.csv"] == from_service["清单.csv"]
    assert from_cli == from_service  # and every document byte for byte
    assert len(from_cli) == 14 + 2 * 14 + 2 + 29 + 2
    table = from_cli["清单.csv"].decode("utf-8-sig").splitlines()
    assert table[0] == "结对序号,支援学校,受援学校,文书种类,文书名称,文件,格式,页数,sha256,草稿,草稿原因,校对"
    # every document proofread (DOCX only here: placeholders, blanks, party names), the same in both lists
    # (the 党建共建协议书 are flagged drafts, 草稿 in that column: seed 000 names no party organisation)
    proofs = {(row[3], row[-1]) for row in csv.reader(table[1:])}
    assert {proof for kind, proof in proofs if kind == "学校党建共建协议书"} == {"草稿"}
    assert {proof for kind, proof in proofs if kind != "学校党建共建协议书"} == {"无"}
    # per-school forms are told apart by kind and title, in the CLI's list as in the service's
    # the kind in words (the code form:liaison_reply#3 stays in manifest.json only)
    assert any(",联络员和分管领导回执,联络员和分管领导回执（黑水县芦花完全小学校）," in line for line in table)
    assert not any("form:" in line for line in table)


def _broken_templates(tmp_path: Path) -> Path:
    """A copy of the templates whose 统计表 asks for a value no record has."""
    folder = tmp_path / "templates"
    shutil.copytree(str(builtin_templates()), folder)
    stats = folder / "forms" / "activity_stats.docx"
    with zipfile.ZipFile(stats) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    xml = parts["word/document.xml"].decode("utf-8")
    parts["word/document.xml"] = xml.replace("{{ title }}", "{{ title }}{{ fields.no_such_field }}", 1).encode()
    assert parts["word/document.xml"] != xml.encode()
    with zipfile.ZipFile(stats, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return folder


def test_a_record_form_that_does_not_render_is_422_naming_the_variable_not_a_substitute(
    tmp_path: Path, database_url: str
) -> None:
    settings = make_settings(tmp_path / "data", database_url, templates_dir=_broken_templates(tmp_path))
    with running_client(settings) as client:
        program_id = create_pengzhou(client)
        upload = client.post(f"/api/programs/{program_id}/uploads", files=[("files", ("统计表.docx", stats_docx()))])
        record = wait_record(client, upload.json()[0]["id"])
        assert record["pair_label"] == "03"
        r = client.get(f"/api/records/{record['id']}/document", params={"format": "docx"})
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert f"记录 {record['id']}" in detail and "no_such_field" in detail and "activity_stats.docx" in detail
    assert str(tmp_path) not in detail


def test_a_record_form_is_the_batch_form_of_its_pair_filled_with_the_record(admin: TestClient) -> None:
    program_id = create_pengzhou(admin)
    upload = admin.post(
        f"/api/programs/{program_id}/uploads",
        files=[("files", ("统计表.docx", stats_docx("03", activities=("送教下乡", "同课异构"))))],
    )
    record = wait_record(admin, upload.json()[0]["id"])
    r = admin.get(f"/api/records/{record['id']}/document", params={"format": "docx"})
    assert r.status_code == 200, r.text
    assert "同课异构" in docx_text(r.content)
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        # the batch's form, identity and QR code and all
        assert "word/media/qr.png" in zf.namelist()
        headers = "".join(zf.read(n).decode() for n in zf.namelist() if n.startswith("word/header"))
    # 03 is 2:1 (its supporting schools each get their own 统计表 now), but this copy is coded for the whole
    # group: its clean form keeps that identity
    assert "DG1:pengzhou-heishui-2019:03:activity_stats:1" in headers


def test_a_record_of_a_pair_not_in_the_roster_is_409_naming_the_pair(admin: TestClient) -> None:
    program_id = create_pengzhou(admin)
    upload = admin.post(
        f"/api/programs/{program_id}/uploads", files=[("files", ("统计表.docx", stats_docx("99", "某不存在学校")))]
    )
    record = wait_record(admin, upload.json()[0]["id"])
    r = admin.get(f"/api/records/{record['id']}/document")
    assert r.status_code == 409, r.text
    assert "结对序号" in r.json()["detail"] and "不在当前花名册中" in r.json()["detail"]


class _FakePdf:
    """Stands in for LibreOffice behind the service's converter: a PDF per document, or a failure."""

    failing = False

    def convert_many(self, items: Iterable[tuple[str, bytes]]) -> list[ConversionResult]:
        if self.failing:
            return [ConversionResult(name, None, 0, f"{name}: time limit of 30 s exceeded") for name, _ in items]
        return [ConversionResult(name, b"%PDF-1.7 " + name.encode(), 3) for name, _ in items]


def test_a_failed_pdf_conversion_is_500_and_stores_nothing(admin: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = _FakePdf()
    monkeypatch.setattr(Converters, "convert_many", lambda _, items: fake.convert_many(items))
    program_id = create_pengzhou(admin)
    job = wait_batch(admin, admin.post(f"/api/programs/{program_id}/batches", json={"pdf": True}).json()["id"])
    assert job["status"] == "done" and job["failed"] == 0, job
    [doc] = [d for d in admin.get(f"/api/programs/{program_id}/documents", params={"pair": "03"}).json()
             if d["kind"] == "party_building" and d["format"] == "pdf"]  # fmt: skip
    assert doc["pages"] == 3

    fake.failing = True
    r = admin.post(f"/api/documents/{doc['id']}/regenerate")
    assert r.status_code == 500, r.text
    assert "PDF 转换失败" in r.json()["detail"] and f"文书 {doc['id']}" in r.json()["detail"]
    after = admin.get(f"/api/programs/{program_id}/documents", params={"pair": "03"}).json()
    assert next(d for d in after if d["id"] == doc["id"])["sha256"] == doc["sha256"]

    upload = admin.post(f"/api/programs/{program_id}/uploads", files=[("files", ("统计表.docx", stats_docx()))])
    record = wait_record(admin, upload.json()[0]["id"])
    pdf = admin.get(f"/api/records/{record['id']}/document", params={"format": "pdf"})
    assert pdf.status_code == 500 and "PDF 转换失败" in pdf.json()["detail"]
    fake.failing = False
    pdf = admin.get(f"/api/records/{record['id']}/document", params={"format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-1.7 03/form:activity_stats")
