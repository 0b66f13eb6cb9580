"""Clerk steps for 目标与报告 (targets and periodic reports), as plain functions over a Playwright ``page``.

Each step takes the page, the server's base URL and what it needs, and returns what the next step needs. The
page must be signed in already. Used by tests/test_ui_targets.py; the issue-11 walk composes them.
"""

from __future__ import annotations

from typing import Any


def open_targets(page: Any, base: str, program_id: int) -> None:
    """Open the program's 目标与报告 tab and wait for the targets to show."""
    page.goto(f"{base}/#/programs/{program_id}/targets")
    page.get_by_test_id("targets").wait_for()


def set_as_of(page: Any, day: str) -> None:
    """Count up to ``day`` (``2019-06-30``): the 截至 date, then wait for the panel to redraw with it."""
    # fill fires change itself (Playwright sets a date input's value and fires input and change): one ask, one
    # new panel. This step once fired a second change after it — when the first answer came between the two, the
    # panel drew the day twice and the walk read the pairs table while the second draw replaced it (KeyError
    # '04', CI, twice). The panel on screen is marked old first: the day alone does not tell a new panel from
    # the one already showing that day.
    page.get_by_test_id("targets").evaluate("(e) => { e.dataset.old = '1'; }")
    page.get_by_test_id("targets-as-of").fill(day)
    page.locator(f'[data-testid=targets][data-as-of="{day}"]:not([data-old])').wait_for()
    page.get_by_test_id("target").first.wait_for()


def targets_table(page: Any, base: str, program_id: int, as_of: str | None = None) -> list[dict[str, Any]]:
    """The targets as the tab shows them: ``[{key, title, goal, percent (the bar's value, None without a
    quantity), pairs: [[结对, 支援学校, 受援学校, 完成数, (本期目标)]…]}]`` (the pairs table opened)."""
    open_targets(page, base, program_id)
    if as_of:
        set_as_of(page, as_of)
    out = []
    for block in page.get_by_test_id("target").all():
        bar = block.get_by_test_id("target-bar")
        details = block.locator("details")
        pairs: list[list[str]] = []
        if details.count():
            details.locator("summary").click()
            pairs = [
                [c.inner_text().strip() for c in row.locator("td").all()]
                for row in block.get_by_test_id("target-pair").all()
            ]
        out.append({
            "key": block.get_attribute("data-key"),
            "title": block.locator("h3").inner_text().strip(),
            "goal": block.get_by_test_id("target-goal").inner_text().strip(),
            "percent": int(bar.get_attribute("aria-valuenow")) if bar.count() else None,
            "pairs": pairs,
        })
    return out


def download_report(page: Any, base: str, program_id: int, key: str, year: int, part: int, fmt: str) -> bytes:
    """Download report ``key`` (``monthly``, ``half_year``) for ``year`` and month/half ``part`` as ``fmt``
    (``docx`` or ``pdf``) from the tab's 定期报告 card: returns the file's bytes."""
    open_targets(page, base, program_id)
    page.get_by_test_id(f"report-year-{key}").fill(str(year))
    page.get_by_test_id(f"report-part-{key}").select_option(str(part))
    with page.expect_download() as info:
        page.get_by_test_id(f"report-{key}-{fmt}").click()
    path = info.value.path()
    with open(path, "rb") as f:
        return f.read()


def monthly_report(page: Any, base: str, program_id: int, month: str, fmt: str = "docx") -> bytes:
    """The monthly report for ``month`` (``2019-05``) as ``fmt``: the bytes of the downloaded document."""
    year, number = (int(x) for x in month.split("-"))
    return download_report(page, base, program_id, "monthly", year, number, fmt)
