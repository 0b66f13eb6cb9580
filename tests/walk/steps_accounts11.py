"""Clerk steps of the 账号 / 我的账号 screens and the 台账 export (issue 11 items 2 and 8).

Each step takes a Playwright ``page`` (signed in as whoever does the step), the base URL and what it needs, and
returns what the next step needs. They click what a person clicks and read what a person reads; they assert
only that the screen answered (the tests assert the content).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

NO_OVERFLOW = "() => document.documentElement.scrollWidth <= window.innerWidth"


def login(page: Any, base: str, username: str, password: str) -> None:
    """Sign in on 登录 and wait for the 项目 list (or the header, for an account that sees no program)."""
    page.goto(f"{base}/#/login")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("nav-me").wait_for()


def logout(page: Any) -> None:
    """退出 in the header."""
    page.get_by_test_id("logout").click()
    page.get_by_test_id("login-form").wait_for()


def _account_row(page: Any, username: str) -> Any:
    """The 账号 table's row of ``username`` (its name cell equal to it, not merely containing it)."""
    name = page.get_by_test_id("account-name").get_by_text(username, exact=True)
    return page.get_by_test_id("account-row").filter(has=name)


def open_accounts(page: Any, base: str) -> None:
    """The 账号 screen, from the header link (admins only)."""
    page.goto(f"{base}/#/programs")
    page.get_by_test_id("nav-accounts").click()
    page.get_by_test_id("accounts-table").wait_for()


def create_school_account(
    page: Any, base: str, school_name: str, username: str | None = None, program_name: str | None = None
) -> tuple[str, str]:
    """An admin creates a 学校联络员 account for ``school_name`` (picked from the program's schools) with a
    one-time password; returns (username, the one-time password shown once)."""
    open_accounts(page, base)
    username = username or f"lianluo-{abs(hash(school_name)) % 10000:04d}"
    page.get_by_test_id("account-username").fill(username)
    page.get_by_test_id("account-role").select_option("school")
    if program_name:
        page.get_by_test_id("account-program").select_option(label=program_name)
    page.get_by_test_id("account-school").select_option(label=school_name)
    page.get_by_test_id("account-create").click()
    secret = page.get_by_test_id("account-password")
    secret.wait_for()
    return username, str(secret.inner_text()).strip()


def reset_password(page: Any, base: str, username: str) -> str:
    """An admin resets ``username``'s password on 账号 (confirming the dialog); returns the new one-time password."""
    open_accounts(page, base)
    row = _account_row(page, username)
    page.once("dialog", lambda d: d.accept())
    row.get_by_test_id("account-reset").click()
    secret = page.get_by_test_id("account-password")
    secret.wait_for()
    return str(secret.inner_text()).strip()


def set_account_active(page: Any, base: str, username: str, active: bool) -> None:
    """An admin deactivates (停用) or reactivates (启用) ``username`` on 账号."""
    open_accounts(page, base)
    row = _account_row(page, username)
    toggle = row.get_by_test_id("account-toggle")
    if (toggle.inner_text().strip() == "启用") == active:
        toggle.click()
        page.get_by_test_id("message").get_by_text(username).wait_for()


def change_own_password(page: Any, base: str, old: str, new: str) -> None:
    """Anyone: 我的账号 (header) → 修改密码."""
    page.goto(f"{base}/#/programs")
    page.get_by_test_id("nav-me").click()
    page.get_by_test_id("me-old").fill(old)
    page.get_by_test_id("me-new").fill(new)
    page.get_by_test_id("me-again").fill(new)
    page.get_by_test_id("me-save").click()
    page.get_by_test_id("message").get_by_text("密码已修改").wait_for()


def create_api_token(page: Any, base: str, name: str) -> str:
    """Anyone: 我的账号 → API 令牌 → 新建令牌; returns the token (shown once)."""
    page.goto(f"{base}/#/me")
    page.get_by_test_id("token-name").fill(name)
    page.get_by_test_id("token-create").click()
    secret = page.get_by_test_id("token-secret")
    secret.wait_for()
    return str(secret.inner_text()).strip()


def revoke_api_token(page: Any, base: str, name: str) -> None:
    """Anyone: 我的账号 → 撤销 on the token named ``name`` (confirming the dialog)."""
    page.goto(f"{base}/#/me")
    row = page.get_by_test_id("token-row").filter(has_text=name)
    page.once("dialog", lambda d: d.accept())
    row.get_by_test_id("token-revoke").click()
    page.get_by_test_id("message").get_by_text("令牌已撤销").wait_for()


def export_ledger(page: Any, base: str, program_id: int, as_of: str, out_dir: Path) -> dict[str, Path]:
    """Staff: 导出 tab → 截至日期 ``as_of`` (yyyy-mm-dd) → 台账 Excel / Word / PDF; returns format → saved file."""
    page.goto(f"{base}/#/programs/{program_id}/export")
    page.get_by_test_id("ledger-as-of").fill(as_of)
    saved: dict[str, Path] = {}
    for fmt in ("xlsx", "docx", "pdf"):
        with page.expect_download(timeout=120_000) as info:
            page.get_by_test_id(f"ledger-{fmt}").click()
        path = out_dir / f"台账-{as_of}.{fmt}"
        info.value.save_as(path)
        saved[fmt] = path
    return saved
