"""Golden files: documents people made in Word, WPS and Word's PDF export (not by our code), read by
``docgen extract --json`` and compared with what the document really says (``tests/golden/<file>.json``).

The documents are other projects' files: they live in ``../shared/golden`` (provenance in
``tests/golden/README.md``), the expectations here. An expectation is what the rendered page shows; where
our reader disagrees the test is an honest ``xfail(strict=True)`` with the reason, not an expectation bent
to pass.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app
from testkit.shared import shared_path

EXPECTED = Path(__file__).resolve().parent / "golden"
EXIT_CODE = {"complete": 0, "needs_review": 1, "unreadable": 2}

KNOWN_FAILURES = {
    "pdfplumber_word365_structure.pdf": "PDF reader drops the space inside cell text (“En-tête1”, “Ligne1”) and "
    "splits Word's 3-column table into 9 columns (6 empty) — see tests/golden/README.md",
    "poi-tl_okr.docx": "a later table with the same header is appended to the one before even though its own title "
    "row (管理目标 vs 业务目标) makes it another table — see tests/golden/README.md",
}


def _cases() -> list[Any]:
    names = sorted(p.name.removesuffix(".json") for p in EXPECTED.glob("*.json"))
    cases: list[Any] = []
    for n in names:
        if n in KNOWN_FAILURES:  # only a wrong reading is the known failure, never a missing file
            n = pytest.param(n, marks=pytest.mark.xfail(strict=True, raises=AssertionError, reason=KNOWN_FAILURES[n]))
        cases.append(n)
    return cases


def test_every_golden_expectation_names_a_known_failure_that_exists() -> None:
    names = {p.name.removesuffix(".json") for p in EXPECTED.glob("*.json")}
    assert len(names) >= 4
    assert set(KNOWN_FAILURES) <= names


@pytest.mark.parametrize("name", _cases())
def test_reading_a_document_made_in_word_or_wps_gives_what_it_shows(name: str) -> None:
    document = shared_path("golden", name, required_in_ci=False)
    expected = json.loads((EXPECTED / f"{name}.json").read_text(encoding="utf-8"))
    result = CliRunner().invoke(app, ["extract", str(document), "--json"])
    out = json.loads(result.stdout)
    assert result.exit_code == EXIT_CODE[out["status"]], result.output
    got = {
        "input_kind": out["input_kind"],
        "form": out["form"],
        "status": out["status"],
        "table_count": len(out["tables"]),
        # only the tables checked against the page are in the expectation (the first N)
        "tables": [{"columns": t["columns"], "rows": t["rows"]} for t in out["tables"][: len(expected["tables"])]],
    }
    assert got == expected
