"""GET /api/programs/{id}/targets and /reports/{key} against the real app: the 建始·滨江 sample, returned 统计表
summed per pair and for the program, a school seeing only its own pairs, the monthly report as a document."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from api.models import beijing_today
from testkit.forms import stats_docx
from tests.api_fixtures import TestClient, login_client, make_settings, running_client, wait_record

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "jianshi_binjiang"
PROGRAM_KEY = "jianshi-binjiang-2019"
FIRST = "建始县第01号结对学校"


def create_jianshi(client: TestClient) -> int:
    """The 建始·滨江 sample as a clerk sets it up: program.yaml, then its roster of 28 pairs."""
    r = client.post("/api/programs", files={"file": ("program.yaml", (SAMPLE / "program.yaml").read_bytes())})
    assert r.status_code == 201, r.text
    program_id = int(r.json()["id"])
    r = client.post(
        f"/api/programs/{program_id}/roster", files={"file": ("roster.csv", (SAMPLE / "roster.csv").read_bytes())}
    )
    assert r.status_code == 200, r.text
    return program_id


def returned(
    client: TestClient, program_id: int, pair: str, activities: tuple[str, ...], dates: tuple[str, ...]
) -> None:
    """Pair ``pair`` returns a 统计表 (派出人员 张三 on every row) and the worker reads it into a record."""
    data = stats_docx(pair, f"建始县第{pair}号结对学校", activities, program=PROGRAM_KEY, dates=dates)
    r = client.post(f"/api/programs/{program_id}/uploads", files=[("files", (f"{pair}.docx", data))])
    assert r.status_code == 202, r.text
    record = wait_record(client, int(r.json()[0]["id"]))
    assert record["pair_label"] == pair, record


def school(admin: TestClient, program_id: int, username: str, name: str) -> TestClient:
    body: dict[str, Any] = {"username": username, "password": "orchid-lantern-73", "role": "school",
                            "programs": [program_id], "school_name": name}
    r = admin.post("/api/users", json=body)
    assert r.status_code == 201, r.text
    return login_client(admin, username, "orchid-lantern-73")


def by_key(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["key"]: t for t in body["targets"]}


def paragraphs(docx: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, int]]:
    """One app for the module (SQLite; the queries are the 台账's, tested on PostgreSQL there): the sample set
    up, pair 01 returning two activities in May 2019 and pair 02 one in October."""
    tmp = tmp_path_factory.mktemp("targets")
    with running_client(make_settings(tmp / "data", f"sqlite:///{tmp / 'docgen.db'}")) as client:
        program_id = create_jianshi(client)
        returned(client, program_id, "01", ("专题讲座", "跟岗培训"), ("2019年5月11日", "2019年5月20日"))
        returned(client, program_id, "02", ("优质课展示",), ("2019年10月9日",))
        yield client, program_id


@pytest.fixture
def admin(world: tuple[TestClient, int]) -> TestClient:
    return world[0]


@pytest.fixture
def jianshi(world: tuple[TestClient, int]) -> int:
    return world[1]


def test_targets_are_summed_per_pair_and_for_the_program(admin: TestClient, jianshi: int) -> None:
    r = admin.get(f"/api/programs/{jianshi}/targets", params={"as_of": "2019-06-30"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["as_of"] == "2019-06-30" and body["pairs"] == 28
    targets = by_key(body)
    visits = targets["teaching_visits"]
    assert (visits["title"], visits["quantity"], visits["unit"], visits["done"], visits["percent"]) == (
        "滨江教师支教建始", 100, "人次", 1, 1)
    assert [(p["pair"], p["done"]) for p in visits["pairs"][:3]] == [("01", 1), ("02", 0), ("03", 0)]
    assert targets["shadow_training"]["done"] == 1 and targets["teacher_exchange"]["done"] == 2
    semester = targets["pair_teaching"]
    assert semester["span"] == {"start": "2019-03-01", "end": "2019-08-31", "label": "2019年春季学期"}
    assert (semester["quantity"], semester["per_pair"], semester["pairs_reached"], semester["reached"]) == (
        28, 1, 1, False)
    # the autumn: pair 02's 优质课展示 counts, pair 01's spring activities do not
    autumn = by_key(admin.get(f"/api/programs/{jianshi}/targets", params={"as_of": "2019-12-31"}).json())
    assert [p["pair"] for p in autumn["pair_teaching"]["pairs"] if p["reached"]] == ["02"]
    assert autumn["teaching_visits"]["done"] == 2  # the whole year
    assert [r["key"] for r in body["reports"]] == ["monthly", "half_year"]
    monthly = body["reports"][0]
    assert (monthly["title"], monthly["due"], monthly["year"], monthly["part"]) == (
        "东西部教育扶贫协作工作进展情况", "每月19日前报送", 2019, 6)
    assert monthly["parts"][4] == {"part": 5, "label": "5月"} and len(monthly["parts"]) == 12
    assert [p["label"] for p in body["reports"][1]["parts"]] == ["上半年", "下半年"]


def test_a_school_sees_only_its_own_pairs_counts_and_no_report(admin: TestClient, jianshi: int) -> None:
    first = school(admin, jianshi, "jianshi-school-01", FIRST)
    body = first.get(f"/api/programs/{jianshi}/targets", params={"as_of": "2019-06-30"}).json()
    visits = by_key(body)["teaching_visits"]
    assert body["pairs"] == 1 and [p["pair"] for p in visits["pairs"]] == ["01"] and visits["done"] == 1
    second = school(admin, jianshi, "jianshi-school-02", "建始县第02号结对学校")
    visits = by_key(second.get(f"/api/programs/{jianshi}/targets", params={"as_of": "2019-06-30"}).json())
    assert [(p["pair"], p["done"]) for p in visits["teaching_visits"]["pairs"]] == [("02", 0)]
    r = first.get(f"/api/programs/{jianshi}/reports/monthly", params={"year": 2019, "part": 5})
    assert r.status_code == 404 and "不存在" in r.json()["detail"]


def test_the_monthly_report_lists_who_reported_and_who_did_not(admin: TestClient, jianshi: int) -> None:
    today = beijing_today()
    r = admin.get(f"/api/programs/{jianshi}/reports/monthly", params={"year": today.year, "part": today.month})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in r.headers["content-disposition"]
    text = paragraphs(r.content)
    on_time, late = (2, 0) if today.day <= 19 else (0, 2)
    assert f"本期应报送的结对28个，按时报送{on_time}个，逾期报送{late}个，未报送26个" in text
    assert "未报送：03（滨江区第03号结对学校—建始县第03号结对学校）；" in text
    assert "01（滨江区第01号结对学校—建始县第01号结对学校）；" not in text.split("未报送：")[1].split("\n")[0]
    assert "本期回传的统计表中没有本期开展的活动。" in text  # the activities are dated 2019
    # May 2019: the activities are there, and nobody had reported yet (the forms arrived today)
    may = paragraphs(admin.get(f"/api/programs/{jianshi}/reports/monthly", params={"year": 2019, "part": 5}).content)
    assert "东西部教育扶贫协作工作进展情况\n（2019年5月）\n\n县扶贫办、滨江区教育局：" in may
    assert "5月11日，结对01开展“专题讲座”，派出人员：张三，受援人次：120人次。" in may
    assert "5月20日，结对01开展“跟岗培训”" in may and "优质课展示" not in may
    assert "按时报送0个，逾期报送0个，未报送28个（报送截止日期：2019年5月19日）" in may
    assert "1．两地教师交流：目标250人（250名），截至2019年5月31日完成2人（0%）。" in may
    assert may.endswith("建始县教育局\n2019年5月20日")


def test_report_errors_say_what_is_wrong(admin: TestClient, jianshi: int) -> None:
    r = admin.get(f"/api/programs/{jianshi}/reports/weekly", params={"year": 2019, "part": 5})
    assert r.status_code == 404 and "没有报告 'weekly'" in r.json()["detail"]
    r = admin.get(f"/api/programs/{jianshi}/reports/half_year", params={"year": 2019, "part": 3})
    assert r.status_code == 422 and "1（上半年）或 2（下半年）" in r.json()["detail"]
    r = admin.get(f"/api/programs/{jianshi}/reports/monthly", params={"year": 2019, "part": 13})
    assert r.status_code == 422
    r = admin.get(f"/api/programs/{jianshi}/targets", params={"as_of": "9999-12-31"})
    assert r.status_code == 422  # not a server error: the semester would end in the year 10000


@pytest.mark.slow
def test_the_half_year_summary_comes_as_pdf(admin: TestClient, jianshi: int) -> None:
    r = admin.get(f"/api/programs/{jianshi}/reports/half_year", params={"year": 2019, "part": 1, "format": "pdf"})
    assert r.status_code == 200, r.text
    assert r.content.startswith(b"%PDF") and r.headers["content-type"] == "application/pdf"
    assert "%E5%B7%A5%E4%BD%9C%E6%80%BB%E7%BB%93" in r.headers["content-disposition"]  # 工作总结


def test_the_ledger_carries_the_targets(admin: TestClient, jianshi: int) -> None:
    from openpyxl import load_workbook

    r = admin.get(f"/api/programs/{jianshi}/ledger", params={"format": "xlsx", "as_of": "2019-06-30"})
    assert r.status_code == 200, r.text
    sheet = load_workbook(io.BytesIO(r.content))["目标完成情况"]
    values = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert values[1] == ["目标", "统计期间", "目标数", "已完成", "完成情况"]
    assert values[3] == ["滨江教师支教建始", "项目期内", "100人次", "1人次", "1%"]
    assert values[7] == ["结对学校赴建始开展支教活动", "2019年春季学期", "每个结对1次", "1次", "1/28 个结对达标"]
    assert values[10][:3] == ["01", 2, 1]  # pair 01: 两地教师交流 2 人, 支教 1 人次
    docx = admin.get(f"/api/programs/{jianshi}/ledger", params={"format": "docx", "as_of": "2019-06-30"}).content
    tables = Document(io.BytesIO(docx)).tables
    assert [c.text for c in tables[-1].rows[2].cells] == ["滨江教师支教建始", "项目期内", "100人次", "1人次", "1%"]
