"""账号, 我的账号 and the 台账 export in a real browser, at 1366×768 and 390×844 (issue 11 items 2 and 8).

A clerk creates a school account by picking its school (one-time password shown once), the school signs in on
a phone, is told to change that password and does, makes an API token (shown once; it works; revoked, it does
not), the clerk resets and deactivates the account, and exports the 台账 as of a date picked (one column per
task; a landscape PDF). Real ``docgen serve``, Debian's Chromium through Playwright; the steps are
tests/walk/steps_accounts11.py; screenshots accounts11-*.png (tests/ui_fixtures.py)."""

from __future__ import annotations

import io
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from testkit.forms import PENGZHOU, stats_docx
from tests.ui_fixtures import (
    ADMIN,
    BROWSER_MARKS,
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    TIMEOUT_MS,
    api_session,
    screenshot_dir,
    serve,
    shot,
)
from tests.ui_fixtures import DESKTOP as DESK
from tests.ui_fixtures import write as _write
from tests.walk import steps_accounts11 as steps

pytestmark = BROWSER_MARKS
# snake_case keys and status codes (not admin/school: those are also usernames people type)
CODE = re.compile(r"\b[a-z]+_[a-z_]+\b|\b(?:complete|needs_review|unreadable|readonly)\b")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(tmp_path_factory, "docgen-accounts11") as base:
        yield base


def _no_codes(page: Any, where: str) -> None:
    """The page's text holds no code (snake_case keys, status or role codes)."""
    # a one-time password or token on the screen is random text, not a code: left out
    text = page.evaluate("""() => { const b = document.body.cloneNode(true);
        b.querySelectorAll('code.secret').forEach((c) => c.remove()); return b.innerText; }""")
    assert not CODE.findall(text), f"{where} shows codes: {CODE.findall(text)}"


def _png(page: Any) -> bytes:
    """A PDF page as PNG (to look at the 台账's layout)."""
    out = io.BytesIO()
    page.render(scale=1.2).to_pil().save(out, "PNG")
    return out.getvalue()


def _record(request: Any, base: str, upload_id: int) -> dict[str, Any]:
    """The record read from upload ``upload_id`` (waits for the reader)."""
    deadline = time.monotonic() + 120
    while True:
        upload = json.loads(request.get(f"{base}/api/uploads/{upload_id}").text())
        if upload["status"] in ("done", "failed") and upload["record_id"]:
            record: dict[str, Any] = json.loads(request.get(f"{base}/api/records/{upload['record_id']}").text())
            return record
        assert time.monotonic() < deadline, f"upload {upload_id} was not read"
        time.sleep(0.3)


def _docgen_stats() -> bytes:
    """Pair 07's 统计表 as docgen prints it for 彭州·黑水 (footer 备注：<the program's instruction>), filled in."""
    from docgen.files import load_program
    from docgen.forms import load_schemas
    from docgen.forms.generate import filled_context, form_context, render_form
    from docgen.model import PairGroup, School
    from docgen.render.docx import CompiledTemplate

    schema = load_schemas()["activity_stats"]
    forms = Path(__file__).resolve().parent.parent / "docgen" / "templates" / "forms"
    template = CompiledTemplate.compile((forms / "activity_stats.docx").read_bytes(), "activity_stats.docx")
    pair = PairGroup(7, (School("彭州市通济镇蓝天小学"),), (School("黑水县红岩寄宿制小学校"),))
    context = form_context(load_program(PENGZHOU / "program.yaml"), pair, schema, None)
    row = {"serial": "1", "activity": "送教下乡", "when": "2019年4月11日", "beneficiaries": "120人次"}
    return render_form(template, schema, filled_context(context, schema, {"filled_on": "2019年5月6日"}, [row]))


def _fits(page: Any, where: str) -> None:
    assert page.evaluate(steps.NO_OVERFLOW), (
        f"{where} is {page.evaluate('() => document.documentElement.scrollWidth')} px wide at "
        f"{page.evaluate('() => window.innerWidth')} px"
    )


def test_accounts_and_the_ledger_from_the_browser(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    base = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        bureau = api_session(p.request.new_context(), base)
        program_id = _write(bureau, base, "POST", "/api/programs", multipart={"file": {
            "name": "program.yaml", "mimeType": "text/yaml", "buffer": (PENGZHOU / "program.yaml").read_bytes()}})["id"]
        _write(bureau, base, "POST", f"/api/programs/{program_id}/roster", multipart={"file": {
            "name": "roster.txt", "mimeType": "text/plain", "buffer": (PENGZHOU / "roster.txt").read_bytes()}})

        desk = browser.new_context(viewport=DESK, locale="zh-CN", accept_downloads=True)
        desk.set_default_timeout(TIMEOUT_MS)
        page = desk.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        steps.login(page, base, *ADMIN)

        # 账号: the school is picked from the roster's schools; a school account without one is refused in words
        steps.open_accounts(page, base)
        options = page.get_by_test_id("account-school").locator("option").all_inner_texts()
        assert "彭州市西郊小学" in options and "黑水县芦花完全小学校" in options
        page.get_by_test_id("account-username").fill("no-school")
        page.get_by_test_id("account-create").click()
        expect(page.get_by_test_id("message")).to_have_text("请选择学校联络员所属的学校。")
        username, once = steps.create_school_account(page, base, "彭州市西郊小学", "xijiao-lianluo")
        assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", once)
        row = page.get_by_test_id("account-row").filter(has_text=username)
        expect(row).to_contain_text("学校联络员")
        expect(row).to_contain_text("彭州市西郊小学")
        expect(row).to_contain_text("从未登录")
        shot(page, "accounts11-accounts-desktop")
        _no_codes(page, "账号")
        _fits(page, "账号 at 1366")
        page.reload()  # shown once: gone after a reload
        page.get_by_test_id("accounts-table").wait_for()
        expect(page.get_by_test_id("account-password")).to_have_count(0)

        # the school on a phone: told to change the one-time password, changes it, makes and revokes a token
        phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
        phone.set_default_timeout(TIMEOUT_MS)
        small = phone.new_page()
        small.on("pageerror", lambda e: errors.append(str(e)))
        steps.login(small, base, username, once)
        expect(small.get_by_test_id("message")).to_contain_text("一次性密码")
        expect(small.get_by_test_id("nav-accounts")).to_be_hidden()  # not an admin
        small.goto(f"{base}/#/me")
        expect(small.get_by_test_id("must-change")).to_be_visible()
        steps.change_own_password(small, base, once, "bamboo-river-5521")
        expect(small.get_by_test_id("must-change")).to_have_count(0)
        token = steps.create_api_token(small, base, "月报脚本")
        assert token.startswith("dg_")
        expect(small.get_by_test_id("token-row")).to_have_count(1)
        expect(small.get_by_test_id("token-row")).to_contain_text("未使用")
        shot(small, "accounts11-me-phone")
        _fits(small, "我的账号 at 390")
        _no_codes(small, "我的账号")
        api = p.request.new_context()
        me = api.get(f"{base}/api/me", headers={"Authorization": f"Bearer {token}"})
        assert me.ok and me.json()["school_name"] == "彭州市西郊小学"
        steps.revoke_api_token(small, base, "月报脚本")
        expect(small.get_by_test_id("token-row")).to_have_count(0)
        assert api.get(f"{base}/api/me", headers={"Authorization": f"Bearer {token}"}).status == 401

        # the clerk: last login shown, a reset gives a new one-time password, deactivating locks the school out
        steps.open_accounts(page, base)
        expect(page.get_by_test_id("account-row").filter(has_text=username)).not_to_contain_text("从未登录")
        fresh = steps.reset_password(page, base, username)
        assert fresh != once
        expect(page.get_by_test_id("account-password-box")).to_contain_text("只显示这一次")
        steps.set_account_active(page, base, username, active=False)
        expect(page.get_by_test_id("account-row").filter(has_text=username).get_by_test_id("account-active")).to_have_text("已停用")
        steps.logout(small)
        small.get_by_test_id("login-username").fill(username)
        small.get_by_test_id("login-password").fill(fresh)
        small.get_by_test_id("login-submit").click()
        expect(small.get_by_test_id("message")).to_have_text("用户名或密码错误")
        steps.set_account_active(page, base, username, active=True)
        steps.login(small, base, username, fresh)

        # the admin's screens on a phone: 账号 fits
        admin_phone = phone.new_page()
        steps.login(admin_phone, base, *ADMIN)
        steps.open_accounts(admin_phone, base)
        shot(admin_phone, "accounts11-accounts-phone")
        _fits(admin_phone, "账号 at 390")
        page.goto(f"{base}/#/me")
        page.get_by_test_id("tokens").wait_for()
        shot(page, "accounts11-me-desktop")

        # 导出: the 台账 as of a date picked, one column per task, a landscape PDF
        files = steps.export_ledger(page, base, program_id, "2019-12-31", tmp_path)
        shot(page, "accounts11-export-desktop")
        _no_codes(page, "导出")
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(files["xlsx"].read_bytes())).active
        assert sheet is not None
        rows = list(sheet.iter_rows(values_only=True))
        assert str(rows[0][0]).endswith("工作台账（截至 2019年12月31日）")
        header = list(rows[1])
        assert header[:6] == ["结对序号", "支援学校", "受援学校", "回传表单", "活动次数", "最近活动日期"]
        assert "签订学校党建共建协议书（2019年3月31日前）" in header and "逾期任务" not in header
        assert len(rows) == 2 + 14 and rows[2][6] == "逾期"  # nothing returned by the end of 2019
        import pypdfium2

        pdf = pypdfium2.PdfDocument(files["pdf"].read_bytes())
        width, height = pdf[0].get_size()
        assert width > height, "the 台账 PDF is portrait"
        assert len(pdf) <= 2, f"the 台账 of 14 pairs takes {len(pdf)} pages"
        text = re.sub(r"\s+", "", pdf[0].get_textpage().get_text_range())
        assert "截至2019年12月31日" in text and "逾期" in text and "彭州市西郊小学" in text
        (screenshot_dir() / "accounts11-ledger.png").write_bytes(_png(pdf[0]))
        # every screen of the program in words: a typed 统计表 with a vague date, and docgen's own 统计表 whose
        # printed 备注 footer is the program's instruction (read by the service: no 备注 value comes of it)
        typed = stats_docx("03", activities=("送教下乡", "教研交流"), dates=("2019年4月11日", "四月中"))
        uploads = _write(bureau, base, "POST", f"/api/programs/{program_id}/uploads", multipart={
            "files": {"name": "03_统计表.docx", "mimeType": "application/octet-stream", "buffer": typed}})
        printed_form = _write(bureau, base, "POST", f"/api/programs/{program_id}/uploads", multipart={
            "files": {"name": "07_统计表.docx", "mimeType": "application/octet-stream", "buffer": _docgen_stats()}})
        records = [_record(bureau, base, u["id"]) for u in [*uploads, *printed_form]]
        assert records[0]["status"] == "needs_review"
        printed = records[1]["extraction"]
        assert printed["form"] == "activity_stats" and "remarks" not in printed["fields"], printed["fields"]
        for tab in ("roster", "names", "batch", "uploads", "review", "export"):
            page.goto(f"{base}/#/programs/{program_id}/{tab}")
            page.get_by_test_id(f"screen-{tab}").wait_for()
            page.wait_for_load_state("networkidle")
            _no_codes(page, f"the {tab} tab")
        for record in records:
            page.goto(f"{base}/#/records/{record['id']}")
            page.get_by_test_id("corrections").get_by_role("heading").wait_for()
            page.wait_for_load_state("networkidle")
            _no_codes(page, f"record {record['source'] if 'source' in record else record['id']}")
        expect(page.get_by_test_id("record-fields")).not_to_contain_text("活动结束后")
        admin_phone.goto(f"{base}/#/programs/{program_id}/export")
        admin_phone.get_by_test_id("ledger-as-of").wait_for()
        shot(admin_phone, "accounts11-export-phone")
        _fits(admin_phone, "导出 at 390")
        assert errors == []
        browser.close()
