"""Measure the grid of generated PDFs with pdfplumber: characters per full line, lines per page, characters
outside the 156 mm text block, characters the PDF lacks against its .docx.

    .venv/bin/python tools/measure_grid.py OUT/documents/*/*协议*.pdf

A full line: 3号 text reaching the right edge of the block, starting at its left edge (not an indented first
line), followed by a line of the same paragraph, and made of full-width characters only (so its count is in
characters). Prints one line per PDF and the totals; the .docx beside each PDF is its source.
"""

from __future__ import annotations

import io
import itertools
import sys
from collections import Counter
from pathlib import Path

import pdfplumber

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from docgen.layout import MM  # noqa: E402
from docgen.proof import compare_text, docx_text  # noqa: E402

LEFT, RIGHT, TOP, BOTTOM = 28 * MM, 184 * MM, 37 * MM, 262 * MM


def measure(pdf_path: Path) -> tuple[Counter[int], list[int], str, str]:
    """(full-line lengths, 3号 lines per page, characters outside the block, characters the PDF lacks)."""
    full: Counter[int] = Counter()
    per_page: list[int] = []
    outside: list[str] = []
    pages_text: list[list[str]] = []
    with pdfplumber.open(io.BytesIO(pdf_path.read_bytes())) as pdf:
        for page in pdf.pages:
            height = float(page.height)
            rows: dict[float, list[dict[str, object]]] = {}
            for c in page.chars:
                text = str(c["text"])
                if not text.strip():
                    continue
                x0, x1 = float(c["x0"]), float(c["x1"])  # type: ignore[arg-type]
                if x0 < LEFT - 0.5 or x1 > RIGHT + 0.5:
                    outside.append(text)
                baseline = height - float(c["matrix"][5])  # type: ignore[index]
                if abs(float(c["size"]) - 16) < 0.1 and TOP < baseline < BOTTOM + 2:  # type: ignore[arg-type]
                    key = next((k for k in rows if abs(k - baseline) < 3), baseline)
                    rows.setdefault(key, []).append(c)
            lines = [sorted(rows[k], key=lambda c: float(c["x0"])) for k in sorted(rows)]  # type: ignore[arg-type]
            per_page.append(len(lines))
            for line, nxt in itertools.pairwise(lines):
                widths = [float(c["x1"]) - float(c["x0"]) for c in line]  # type: ignore[arg-type]
                if (
                    float(line[-1]["x1"]) > RIGHT - 2  # type: ignore[arg-type]
                    and float(line[0]["x0"]) < LEFT + 2  # type: ignore[arg-type]
                    and float(nxt[0]["x0"]) < LEFT + 2  # type: ignore[arg-type]
                    and all(w > 15 for w in widths)
                ):
                    full[len(line)] += 1
            pages_text.append(["".join(str(c["text"]) for c in page.chars if str(c["text"]).strip())])
    source = docx_text(pdf_path.with_suffix(".docx").read_bytes())
    # page numbers ride along in pages_text: compare_text only reports what the PDF lacks here
    lacks = compare_text(source.paragraphs, pages_text, source.furniture).missing
    return full, per_page, "".join(outside), lacks


def main(paths: list[str]) -> None:
    total: Counter[int] = Counter()
    outside_docs = lacking_docs = 0
    for name in paths:
        full, per_page, outside, lacks = measure(Path(name))
        total += full
        outside_docs += bool(outside)
        lacking_docs += bool(lacks)
        counts = ", ".join(f"{n}×{k}" for k, n in sorted(full.items()))
        print(
            f"{Path(name).name}: full lines {counts}; lines/page {per_page}; outside “{outside}”; PDF lacks “{lacks}”"
        )
    counts = ", ".join(f"{n} lines of {k}" for k, n in sorted(total.items()))
    print(f"{len(paths)} PDFs: full lines: {counts}; outside the block in {outside_docs}; text lost in {lacking_docs}")


if __name__ == "__main__":
    main(sys.argv[1:])
