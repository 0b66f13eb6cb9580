"""Clerk steps through the web UI as plain functions (a Playwright page, the base URL, what the step needs →
what the next step needs), composed by the end-to-end walks."""

from typing import Any


def open_screen(page: Any, url: str) -> None:
    """Show the screen at ``url`` afresh: the same hash again would not render it, so it is reloaded."""
    if page.url == url:
        page.reload()
    else:
        page.goto(url)
