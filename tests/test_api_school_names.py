"""The service's 学校全称表: GET lists the roster's names still lacking a full name, PUT (admins) replaces the
table, and the next batch and a regenerated document sign with the full names; drafts are marked."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

from testkit.docx_text import docx_text
from tests.api_fixtures import TestClient, admin, database_url, settings, wait_batch

__all__ = ["admin", "database_url", "settings"]  # fixtures used by name

LIUZHOU = Path(__file__).resolve().parent.parent / "samples" / "liuzhou_high_schools"
BLANK = "_" * 12


def _liuzhou(client: TestClient) -> int:
    r = client.post("/api/programs", files={"file": ("program.yaml", (LIUZHOU / "program.yaml").read_bytes())})
    assert r.status_code == 201, r.text
    program_id = int(r.json()["id"])
    r = client.post(
        f"/api/programs/{program_id}/roster", files={"file": ("roster.csv", (LIUZHOU / "roster.csv").read_bytes())}
    )
    assert r.status_code == 200, r.text
    return program_id


def _docs(client: TestClient, program_id: int, pair: str) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = client.get(f"/api/programs/{program_id}/documents", params={"pair": pair}).json()
    return [d for d in docs if d["kind"] == "five_year"]


def test_the_table_round_trip_and_what_the_service_then_generates(admin: TestClient) -> None:
    program_id = _liuzhou(admin)
    url = f"/api/programs/{program_id}/school-names"
    before = admin.get(url)
    assert before.status_code == 200
    assert before.json()["entries"] == []
    unresolved = {u["name"]: u["reason"] for u in before.json()["unresolved"]}
    assert len(unresolved) == 17 and unresolved["市一中"] == "像是简称（“X一中”式），不是学校全称"

    bad = admin.put(url, json={"entries": [{"full_name": "柳州市第一中学", "short_names": ["市一中"]},
                                           {"full_name": "钢一中", "short_names": []}]})  # fmt: skip
    assert bad.status_code == 422
    assert bad.json()["detail"] == "学校全称表第2条有误：全称像是简称（“X一中”式），不是学校全称"
    assert bad.json()["errors"] == [
        {"source": "school_names", "row": 2, "field": "全称", "value": "钢一中",
         "message": "全称像是简称（“X一中”式），不是学校全称"}
    ]  # fmt: skip
    assert admin.get(url).json()["entries"] == []  # nothing stored

    entry = {"full_name": "柳州市第一中学", "short_names": ["市一中"], "party_org": "中共柳州市第一中学委员会"}
    saved = admin.put(url, json={"entries": [entry]})
    assert saved.status_code == 200, saved.text
    assert saved.json()["entries"] == [entry]
    assert "市一中" not in {u["name"] for u in saved.json()["unresolved"]}
    assert admin.get(url).json() == saved.json()
    (event,) = admin.get("/api/audit", params={"action": "school_names.replace"}).json()
    assert event["target"] == f"program:{program_id}" and event["detail"] == {"entries": 1}

    job = wait_batch(admin, admin.post(f"/api/programs/{program_id}/batches", json={"pdf": False}).json()["id"])
    assert job["status"] == "done", job.get("error")
    (mine,) = _docs(admin, program_id, "03")
    assert (mine["draft"], mine["draft_reasons"]) == (False, "")
    text = docx_text(admin.get(f"/api/documents/{mine['id']}/download").content)
    assert "甲方（帮扶学校）：\n柳州市第一中学\n（盖章）" in text and "市一中" not in text
    (steel,) = _docs(admin, program_id, "07")
    assert steel["draft"] is True
    assert steel["draft_reasons"] == (
        "“钢一中”像是简称（“X一中”式），不是学校全称，学校全称表中没有它的全称；"
        "“融安二中”像是简称（“X一中”式），不是学校全称，学校全称表中没有它的全称"
    )
    steel_text = docx_text(admin.get(f"/api/documents/{steel['id']}/download").content)
    assert f"甲方（帮扶学校）：\n{BLANK}\n（盖章）" in steel_text
    with zipfile.ZipFile(io.BytesIO(admin.get(f"/api/batches/{job['id']}/download").content)) as zf:
        manifest = {row["pair"]: row for row in json.loads(zf.read("manifest.json")) if row["kind"] == "five_year"}
    assert manifest["07"]["draft"] is True and manifest["03"]["draft"] is False

    # the table filled later: the same document regenerated signs with the full name, and is no longer a draft
    steel_entry = {"full_name": "柳州钢铁集团第一中学", "short_names": ["钢一中"], "party_org": ""}
    two_names = {"full_name": "融安县第二中学", "short_names": ["融安二中"], "party_org": ""}
    assert admin.put(url, json={"entries": [entry, steel_entry, two_names]}).status_code == 200
    (regenerated,) = admin.post(f"/api/documents/{steel['id']}/regenerate").json()
    assert regenerated["draft"] is False and regenerated["pair_label"] == "07"
    text = docx_text(admin.get(f"/api/documents/{steel['id']}/download").content)
    assert "甲方（帮扶学校）：\n柳州钢铁集团第一中学\n（盖章）" in text
    assert "乙方（受援学校）：\n融安县第二中学\n（盖章）" in text


def test_only_admins_write_the_table_and_the_body_is_bounded(admin: TestClient) -> None:
    program_id = _liuzhou(admin)
    url = f"/api/programs/{program_id}/school-names"
    too_many = {"entries": [{"full_name": f"柳州市第{i}小学"} for i in range(5001)]}
    assert admin.put(url, json=too_many).status_code == 422
    too_long = {"entries": [{"full_name": "柳" * 201}]}
    assert admin.put(url, json=too_long).status_code == 422
    long_name = admin.put(url, json={"entries": [{"full_name": "柳州市" + "一" * 100 + "中学"}]})
    assert long_name.status_code == 422 and long_name.json()["errors"][0]["message"] == "超过 100 个字"
    without_csrf = TestClient(admin.app)
    without_csrf.cookies = admin.cookies
    r = without_csrf.put(url, json={"entries": []})
    assert r.status_code == 403 and "无法确认来自本站页面" in r.json()["detail"]  # the cookie alone writes nothing
    assert admin.get(url).json()["entries"] == []


def test_the_migration_keeps_documents_as_they_were_and_adds_the_table(database_url: str) -> None:
    from sqlalchemy import text

    from api.db import make_engine, migrate
    from api.settings import Settings

    engine = make_engine(Settings(database_url=database_url).resolved_database_url())
    migrate(engine, "roster_identity")
    now = "2026-01-01 00:00:00"
    with engine.begin() as conn:
        conn.execute(
            text(f"INSERT INTO programs (id, key, name, yaml_text, created_at) VALUES (1, 'p', 'P', '', '{now}')")
        )
        conn.execute(
            text(
                "INSERT INTO documents (id, program_id, pair_label, kind, title, format, file_name, blob_key,"
                f" sha256, size, fingerprint, updated_at) VALUES (1, 1, '01', 'k', '', 'docx', 'f', 'b', 's', 1,"
                f" 'fp', '{now}')"
            )
        )
    try:
        migrate(engine)
        with engine.begin() as conn:
            # made before the rule: not drafts
            assert conn.execute(text("SELECT id, draft, draft_reasons FROM documents")).all() == [(1, False, "")]
            conn.execute(
                text(
                    "INSERT INTO school_names (program_id, position, full_name, short_names, party_org)"
                    " VALUES (1, 0, '柳州市第一中学', '市一中', '')"
                )
            )
            conn.execute(text("DELETE FROM programs WHERE id = 1"))
            assert conn.execute(text("SELECT COUNT(*) FROM school_names")).scalar() == 0  # the program's own
    finally:
        engine.dispose()


PENGZHOU = Path(__file__).resolve().parent.parent / "samples" / "pengzhou_heishui"


def test_a_party_building_program_asks_for_each_party_organisation_and_signs_with_the_names_given(
    admin: TestClient,
) -> None:
    """彭州's 党建共建协议书 is signed by party organisations (``signatories: party_orgs``) and seed 000 names
    none: the 学校全称 answer lists every school for one; a name given in the table signs, the rest are drafts."""
    r = admin.post("/api/programs", files={"file": ("program.yaml", (PENGZHOU / "program.yaml").read_bytes())})
    assert r.status_code == 201, r.text
    program_id = int(r.json()["id"])
    r = admin.post(
        f"/api/programs/{program_id}/roster", files={"file": ("roster.txt", (PENGZHOU / "roster.txt").read_bytes())}
    )
    assert r.status_code == 200, r.text
    url = f"/api/programs/{program_id}/school-names"
    before = admin.get(url).json()
    assert before["unresolved"] == []  # every school's own name can sign
    missing = {u["name"]: u["reason"] for u in before["missing_party_orgs"]}
    assert len(missing) == 29
    assert missing["成都石室白马中学"] == (
        "“成都石室白马中学”没有党组织名称（如“中共成都石室白马中学支部委员会”），请在学校全称表中填写"
    )
    entries = [
        {"full_name": "成都石室白马中学", "short_names": [], "party_org": "中共成都石室白马中学支部委员会"},
        {"full_name": "黑水县中学", "short_names": [], "party_org": "中共黑水县中学总支部委员会"},
    ]
    saved = admin.put(url, json={"entries": entries}).json()
    assert {u["name"] for u in saved["missing_party_orgs"]} == set(missing) - {"成都石室白马中学", "黑水县中学"}

    job = wait_batch(admin, admin.post(f"/api/programs/{program_id}/batches", json={"pdf": False}).json()["id"])
    assert job["status"] == "done", job.get("error")
    docs = {
        d["pair_label"]: d
        for d in admin.get(f"/api/programs/{program_id}/documents").json()
        if d["kind"] == "party_building"
    }
    assert (docs["01"]["draft"], docs["01"]["draft_reasons"]) == (False, "")
    text = docx_text(admin.get(f"/api/documents/{docs['01']['id']}/download").content)
    assert "甲方：中共成都石室白马中学支部委员会" in text and "乙方：中共黑水县中学总支部委员会" in text
    assert docs["02"]["draft"] is True
    assert docs["02"]["draft_reasons"].startswith("“彭州市隆丰镇初级中学”没有党组织名称")
    # a program whose agreements the schools sign asks for no party organisation
    liuzhou = admin.get(f"/api/programs/{_liuzhou(admin)}/school-names").json()
    assert liuzhou["missing_party_orgs"] == []
