"""Setting up a program in the browser, as a clerk types it from the notice (issue 11, item 1).

Each step takes a Playwright ``page`` signed in as an admin and the server's ``base`` URL, does what a clerk
does on the screen (no API call, no file editor) and returns what the next step needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TIMEOUT_MS = 60_000


@dataclass(frozen=True)
class Bureau:
    name: str
    side: str  # the words the form shows (支援方 / 受援方)
    party_office: str = ""


@dataclass(frozen=True)
class TaskRow:
    title: str
    due: str = ""  # YYYY-MM-DD
    times: int | None = None
    to: str = ""
    form: str = ""  # the form's title as the form shows it
    optional: bool = False


@dataclass(frozen=True)
class TargetRow:
    """A target as the notice states it, in the form's words (对象 每组结对, 期间 每年, 计数方式 按活动次数…)."""

    title: str
    quantity: int | None
    unit: str
    per: str = "每组结对"
    period: str = "每年"
    measure: str = "按活动次数（统计表每行一次）"
    match: str = ""
    note: str = ""
    source: str = ""


@dataclass(frozen=True)
class ProgramEntry:
    """What a clerk types into 新建项目 (the 彭州 notice by default: seed 000, 彭教育人事发〔2019〕8号)."""

    name: str = "彭州·黑水“校校结对”"
    key: str = "pengzhou-heishui-2019"  # '' keeps the suggested one
    issuer: str = "彭州市教育局"
    number: str = "彭教育人事发〔2019〕8号"
    notice: str = "关于进一步加强“校校结对工作”的通知"
    issued: str = "2019-03-14"
    period: tuple[str, str] = ("2019-03-14", "2019-11-30")
    bureaus: tuple[Bureau, ...] = (
        Bureau("彭州市教育局", "支援方", "彭州市教育局党办"),
        Bureau("黑水县教育局", "受援方", "黑水县教育局党办"),
    )
    template: str = "学校党建共建协议书"  # the template as the form lists it (its title)
    agreement_title: str = "学校党建共建协议书"
    term: tuple[int, str, str] = (1, "2019-04-01", "2020-03-31")
    reporting: dict[str, str] = field(
        default_factory=lambda: {
            "rep-activity": "援藏支教",
            "rep-activity-label": "援藏活动情况",
            "rep-filing": "人事科、党委办",
            "rep-report": "党委办、人事科",
            "rep-within": "一周内",
            "rep-group": "彭州教育政工人事群",
            "rep-staff": "彭州干部教师",
        }
    )
    tasks: tuple[TaskRow, ...] = (
        TaskRow("签订学校党建共建协议书", "2019-03-31"),
        TaskRow("确定联络员和分管领导并报人事科", "2019-03-20", to="人事科", form="联络员和分管领导回执"),
        TaskRow("学校管理层互访及管理工作交流", "2019-11-30", times=1),
        TaskRow("互派教师开展教研交流活动", "2019-11-30", times=1),
        TaskRow("指导建立校本培训制度并开展校本培训", "2019-11-30"),
        TaskRow("自选项目（“互联网+对口帮扶”、校园文化等）", optional=True),
    )
    # 二、（二）（三）: 每年不少于1次, counted from the returned 统计表 by the words of their activities
    targets: tuple[TargetRow, ...] = (
        TargetRow("学校管理层互访及管理工作交流", 1, "次", match="管理、互访", note="每年不少于1次",
                  source="二、（二）"),
        TargetRow("互派教师开展教研交流活动", 1, "次", match="教研、送教、示范课、听课、评课、讲座、同课异构",
                  note="每年不少于1次", source="二、（三）"),
    )


PENGZHOU = ProgramEntry()


def _fill_bureaus(page: Any, bureaus: tuple[Bureau, ...]) -> None:
    box = page.get_by_test_id("setup-bureaus")
    while box.get_by_test_id("bureau-name").count() < len(bureaus):
        page.get_by_test_id("setup-bureaus-add").click()
    while box.get_by_test_id("bureau-name").count() > len(bureaus):
        box.get_by_test_id("setup-bureaus-remove").last.click()
    for i, b in enumerate(bureaus):
        box.get_by_test_id("bureau-name").nth(i).fill(b.name)
        box.get_by_test_id("bureau-side").nth(i).select_option(label=b.side)
        box.get_by_test_id("bureau-office").nth(i).fill(b.party_office)


def _fill_tasks(page: Any, tasks: tuple[TaskRow, ...]) -> None:
    box = page.get_by_test_id("tasks")
    while box.get_by_test_id("task-title").count():
        box.get_by_test_id("tasks-remove").first.click()
    for i, t in enumerate(tasks):
        page.get_by_test_id("tasks-add").click()
        box.get_by_test_id("task-title").nth(i).fill(t.title)
        if t.due:
            box.get_by_test_id("task-due").nth(i).fill(t.due)
        if t.times is not None:
            box.get_by_test_id("task-times").nth(i).fill(str(t.times))
        if t.to:
            box.get_by_test_id("task-to").nth(i).fill(t.to)
        if t.form:
            box.get_by_test_id("task-form").nth(i).select_option(label=t.form)
        if t.optional:
            box.get_by_test_id("task-optional").nth(i).check()


def _fill_targets(page: Any, targets: tuple[TargetRow, ...]) -> None:
    box = page.get_by_test_id("targets")
    while box.get_by_test_id("target-title").count():
        box.get_by_test_id("targets-remove").first.click()
    for i, g in enumerate(targets):
        page.get_by_test_id("targets-add").click()
        box.get_by_test_id("target-title").nth(i).fill(g.title)
        if g.quantity is not None:
            box.get_by_test_id("target-quantity").nth(i).fill(str(g.quantity))
        box.get_by_test_id("target-unit").nth(i).fill(g.unit)
        box.get_by_test_id("target-per").nth(i).select_option(label=g.per)
        box.get_by_test_id("target-period").nth(i).select_option(label=g.period)
        box.get_by_test_id("target-measure").nth(i).select_option(label=g.measure)
        box.get_by_test_id("target-match").nth(i).fill(g.match)
        box.get_by_test_id("target-note").nth(i).fill(g.note)
        box.get_by_test_id("target-source").nth(i).fill(g.source)


def fill_program_form(page: Any, entry: ProgramEntry) -> None:
    """Type ``entry`` into the open 新建项目 / 编辑项目 form (does not save)."""
    page.get_by_test_id("setup-form").wait_for(timeout=TIMEOUT_MS)
    page.get_by_test_id("setup-name").fill(entry.name)
    page.get_by_test_id("setup-issuer").fill(entry.issuer)
    page.get_by_test_id("setup-number").fill(entry.number)
    page.get_by_test_id("setup-notice").fill(entry.notice)
    page.get_by_test_id("setup-issued").fill(entry.issued)
    page.get_by_test_id("setup-period-start").fill(entry.period[0])
    page.get_by_test_id("setup-period-end").fill(entry.period[1])
    if entry.key:
        page.get_by_text("项目代号（自动生成").click()  # the 项目代号 section is folded: codes are not for people
        page.get_by_test_id("setup-key").fill(entry.key)
    _fill_bureaus(page, entry.bureaus)
    agreement = page.get_by_test_id("agreements")
    template = agreement.get_by_test_id("agreement-template").first
    option = template.locator("option", has_text=entry.template).first.get_attribute("value")
    template.select_option(option)
    agreement.get_by_test_id("agreement-title").first.fill(entry.agreement_title)
    years, start, end = entry.term
    agreement.get_by_test_id("agreement-years").first.fill(str(years))
    agreement.get_by_test_id("agreement-start").first.fill(start)
    agreement.get_by_test_id("agreement-end").first.fill(end)
    for testid, value in entry.reporting.items():
        page.get_by_test_id(testid).fill(value)
    _fill_tasks(page, entry.tasks)
    _fill_targets(page, entry.targets)


def create_program_in_browser(page: Any, base: str, entry: ProgramEntry = PENGZHOU) -> int:
    """项目 → 新建项目 → type the notice's data → 新建项目; returns the new program's id (its page is shown)."""
    page.goto(f"{base}/#/programs")
    page.get_by_test_id("program-new").click()
    fill_program_form(page, entry)
    page.get_by_test_id("setup-save").click()
    page.wait_for_url(re.compile(r".*#/programs/\d+/roster$"), timeout=TIMEOUT_MS)
    page.get_by_test_id("program-title").filter(has_text=entry.name).wait_for(timeout=TIMEOUT_MS)
    return int(re.search(r"#/programs/(\d+)/", page.url).group(1))  # type: ignore[union-attr]


def program_row(page: Any, name: str) -> Any:
    """The row of the program list that shows ``name``."""
    return page.get_by_test_id("program-row").filter(
        has=page.get_by_test_id("program-link").get_by_text(name, exact=True)
    )


def copy_program_in_browser(page: Any, base: str, name: str, new_name: str) -> int:
    """项目 → 复制为新项目 of ``name`` → rename → 新建项目; returns the copy's id."""
    page.goto(f"{base}/#/programs")
    program_row(page, name).get_by_test_id("program-copy").click()
    page.get_by_test_id("setup-name").fill(new_name)
    page.get_by_test_id("setup-save").click()
    page.wait_for_url(re.compile(r".*#/programs/\d+/roster$"), timeout=TIMEOUT_MS)
    return int(re.search(r"#/programs/(\d+)/", page.url).group(1))  # type: ignore[union-attr]


def delete_program_in_browser(page: Any, base: str, name: str) -> str:
    """项目 → 删除 → read what it removes → 确认删除; returns the text the clerk confirmed."""
    page.goto(f"{base}/#/programs")
    program_row(page, name).get_by_test_id("program-delete").click()
    shown = str(page.get_by_test_id("delete-contents").inner_text(timeout=TIMEOUT_MS))
    page.get_by_test_id("delete-confirm").click()
    page.get_by_test_id("message").filter(has_text=f"已删除项目：{name}").wait_for(timeout=TIMEOUT_MS)
    return shown


def upload_template_in_browser(page: Any, base: str, docx: Path | bytes, name: str, title: str) -> str:
    """项目 → 模板 → choose the .docx, name it, describe it → 检查并上传; returns the message shown (success or
    the reason it was refused; the check's findings are listed under the form)."""
    page.goto(f"{base}/#/setup/templates")
    data = docx.read_bytes() if isinstance(docx, Path) else docx
    mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    page.get_by_test_id("template-file").set_input_files(
        files=[{"name": f"{name}.docx", "mimeType": mime, "buffer": data}]
    )
    page.get_by_test_id("template-name").fill(name)
    page.get_by_test_id("template-title").fill(title)
    page.get_by_test_id("template-upload").click()
    box = page.get_by_test_id("message")
    box.wait_for(state="visible", timeout=TIMEOUT_MS)
    return str(box.inner_text())
