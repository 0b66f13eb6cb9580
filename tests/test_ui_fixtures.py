"""Where the Chromium tests put their screenshots: outside the source tree unless asked (tests/ui_fixtures.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui_fixtures import ROOT, SCREENSHOTS_ENV, screenshot_dir


def test_screenshots_stay_out_of_the_source_tree_by_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(SCREENSHOTS_ENV, raising=False)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again
    folder = screenshot_dir()
    assert folder.is_dir() and folder.is_relative_to(tmp_path)
    assert not folder.resolve().is_relative_to(ROOT.resolve())


def test_the_environment_asks_for_docs_ui(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SCREENSHOTS_ENV, "docs/ui")
    assert screenshot_dir() == ROOT / "docs" / "ui"
