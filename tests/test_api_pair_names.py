"""The service confirms a school's name read unsure by the pair the form is filed under (docgen/pair_names.py,
applied in api.services.uploads.read_claimed once the identity code has named the pair)."""

from __future__ import annotations

import json
from typing import Any

import pytest

import api.services.uploads as uploads_service
from testkit.forms import stats_docx
from tests.api_fixtures import TestClient, admin, create_pengzhou, database_url, settings, wait_record

__all__ = ["admin", "database_url", "settings"]  # fixtures used by name


def test_a_name_read_under_a_seal_is_sure_only_when_it_is_the_filed_pair_s_school(
    admin: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The reader as it reads a grey scan with the school's seal over 填报单位: the name right, trusted 0.8.
    # (OCR cannot be made to land on exactly that on demand; the reading of the other values is the real one.)
    real = uploads_service.run_child

    def under_a_seal(mode: str, data: bytes, name: str, *args: Any, **kwargs: Any) -> Any:
        out = real(mode, data, name, *args, **kwargs)
        if mode != "extract":
            return out
        read = json.loads(out)
        read["fields"]["unit"].update(confidence=0.8, flags=["low_confidence"])
        read["problems"].append({"field": "填报单位", "row": None, "key": "unit",
                                 "message": "「填报单位」：识别置信度低（“彭州市西郊小学”，置信度 0.80）"})  # fmt: skip
        read["status"] = "needs_review"
        return json.dumps(read, ensure_ascii=False).encode()

    monkeypatch.setattr(uploads_service, "run_child", under_a_seal)
    program_id = create_pengzhou(admin)
    url = f"/api/programs/{program_id}/uploads"

    # pair 03 is 彭州市西郊小学's: the roster reads the name a second time
    r = admin.post(url, files=[("files", ("西郊统计表扫描.docx", stats_docx("03")))])
    assert r.status_code == 202, r.text
    own = wait_record(admin, r.json()[0]["id"])
    assert own["pair_label"] == "03"
    unit = own["extraction"]["fields"]["unit"]
    assert (unit["value"], unit["confidence"], unit["flags"]) == ("彭州市西郊小学", 0.95, [])
    assert not any(p["key"] == "unit" for p in own["extraction"]["problems"])
    assert own["status"] == "complete"

    # the same name on pair 04's form (彭州市清平小学 — 黑水县扎窝中心校): not its school, the doubt stays
    r = admin.post(url, files=[("files", ("清平统计表扫描.docx", stats_docx("04", activities=("教研交流",))))])
    assert r.status_code == 202, r.text
    other = wait_record(admin, r.json()[0]["id"])
    assert other["pair_label"] == "04"
    assert other["extraction"]["fields"]["unit"]["confidence"] == 0.8
    assert any(p["key"] == "unit" for p in other["extraction"]["problems"])
    assert other["status"] == "needs_review"
