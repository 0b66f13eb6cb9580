"""Tables in digital PDFs: docgen's reader beside camelot (lattice, stream), pdfplumber and img2table.

    .venv/bin/pip install -e '.[bench]'                                   # camelot-py: a bench extra only
    .venv/bin/python bench/bench_tables.py --corpus bench/corpus_field    # our returned forms + seed tables
    .venv/bin/python bench/bench_tables.py --repeat 3                     # seed tables only, 3 timed runs

Engines, each turning a PDF into grids of cell texts:

* ``docgen`` — ``extractors.pdf.parse_pdf`` (what the worker runs, in process, without the sandbox's
  process start): pdfplumber's characters and ruling lines, cells and their spans from the lines
  (``table_from_rects``);
* ``pdfplumber`` — ``page.extract_tables()``, the library's own table finder (None where a cell is merged);
* ``camelot-lattice`` — ``camelot.read_pdf(flavor="lattice", copy_text=["h", "v"])`` (ruling lines found
  in a rendering of the page, pdfium backend; a merged cell's text copied into every position it covers);
* ``camelot-stream`` — ``flavor="stream"`` (columns from text alignment, no lines);
* ``img2table`` — ``img2table.document.PDF(pdf_text_extraction=True)`` (lines found in a rendering, the
  PDF's own text; no OCR).

Every engine's grids then go through the SAME interpreter (``docgen.interpret.interpret``) as tables alone —
no text lines, no identity code — so what differs is only how each one finds and reads tables:

* **our forms** (``<corpus>/*.pdf`` of kind ``pdf`` with an expected table — 统计表 and 安排表 of the
  field corpus, ``bench/make_field_corpus.py``): interpreted with the form's own schema and judged cell by
  cell with ``bench/bench_field.py``'s rules (``judge``: every non-empty typed cell);
* **the seed notices' tables** (``testkit/seed_tables.py``, exported by LibreOffice here): interpreted with
  every bundled schema; right = the 柳州 高中 table read as the 安排表 (its 帮扶学校/受援学校 cells) and every
  other table read as the generic table written in ``testkit.seed_tables.NOT_OURS`` (each header and each
  cell, compared after NFKC with whitespace removed).

Seconds per page: the engine's reading alone (interpreting is the same for all), after one untimed warm-up
per engine, best of ``--repeat`` runs per file.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_field import judge  # noqa: E402
from docgen.extraction import Cell, InputKind, ReadDocument, ReadTable, Table  # noqa: E402
from docgen.forms import load_schemas  # noqa: E402
from docgen.interpret import interpret  # noqa: E402

Grid = list[list[str | None]]
Tables = list[ReadTable]


# ----------------------------------------------------------------------------------------------- engines


def _from_grids(grids: Sequence[tuple[int, Grid]]) -> Tables:
    """Raw ``(page, grid)`` as read tables without spans (what a grid-only engine knows); None → nothing read
    there. The page (1-based) lets a table cut by a page break continue on the next one, as docgen's does."""
    out: Tables = []
    for page, grid in grids:
        width = max((len(r) for r in grid), default=0)
        cells = tuple(Cell(str(text), r, c) for r, row in enumerate(grid) for c, text in enumerate(row)
                      if text is not None)
        if width:
            out.append(ReadTable(cells, len(grid), width, page=page))
    return out


def read_docgen(data: bytes, path: Path) -> Tables:
    from extractors.pdf import parse_pdf

    return list(parse_pdf(data, path.name).tables)


def read_pdfplumber(data: bytes, path: Path) -> Tables:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return _from_grids([(n, g) for n, page in enumerate(pdf.pages, start=1) for g in page.extract_tables()])


def _camelot(flavor: str) -> Callable[[bytes, Path], Tables]:
    def read(data: bytes, path: Path) -> Tables:
        import camelot

        options: dict[str, Any] = {"copy_text": ["h", "v"]} if flavor == "lattice" else {}
        found = camelot.read_pdf(str(path), pages="all", flavor=flavor, **options)
        return _from_grids([(int(t.page), [[str(v) for v in row] for row in t.df.values.tolist()]) for t in found])

    return read


def read_img2table(data: bytes, path: Path) -> Tables:
    from img2table.document import PDF

    doc = PDF(data, pdf_text_extraction=True)
    found = [(page + 1, t) for page, tables in doc.extract_tables(ocr=None).items() for t in tables]
    return _from_grids([(page, [[c.value for c in row] for row in t.content.values()]) for page, t in found])


ENGINES: dict[str, Callable[[bytes, Path], Tables]] = {
    "docgen": read_docgen,
    "pdfplumber": read_pdfplumber,
    "camelot-lattice": _camelot("lattice"),
    "camelot-stream": _camelot("stream"),
    "img2table": read_img2table,
}


# ------------------------------------------------------------------------------------------------- cases


@dataclass(frozen=True)
class Case:
    path: Path
    pages: int
    form: str | None  # our form: its kind; a seed notice: None
    expected: dict[str, Any]  # our form: the corpus' expected.json; a seed notice: {"title": …}


def field_cases(corpus: Path) -> list[Case]:
    """The corpus' digital PDFs (kind ``pdf``) whose form has a table."""
    manifest = json.loads((corpus / "manifest.json").read_text("utf-8"))
    out: list[Case] = []
    for entry in manifest["files"]:
        if entry["kind"] != "pdf":
            continue
        expected = json.loads((corpus / entry["expected"]).read_text("utf-8"))
        if expected.get("table"):
            out.append(Case(corpus / entry["file"], int(entry["pages"]), expected["form"], expected))
    return out


def seed_cases(work: Path) -> list[Case]:
    """The seed notices' tables as PDFs (python-docx → LibreOffice), written into ``work``."""
    import pypdfium2 as pdfium

    from testkit.office import convert_many
    from testkit.seed_tables import HEZE, JIANSHI, LIUZHOU, notice_docx

    out: list[Case] = []
    notices = (LIUZHOU, JIANSHI, HEZE)
    pdfs = convert_many([(notice_docx(notice), ".docx") for notice in notices], "pdf")
    for n, (notice, data) in enumerate(zip(notices, pdfs, strict=True), start=1):
        path = work / f"seed{n}.pdf"
        path.write_bytes(data)
        out.append(Case(path, len(pdfium.PdfDocument(data)), None, {"title": notice.title}))
    return out


# ---------------------------------------------------------------------------------------------- judging


def _canon(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


@dataclass
class Tally:
    files: int = 0
    pages: int = 0
    seconds: float = 0.0
    cells: int = 0
    right: int = 0
    tables_exact: int = 0
    tables: int = 0
    failed: int = 0

    def add(self, right: int, cells: int) -> None:
        self.right += right
        self.cells += cells


def judge_form(tables: Tables, case: Case, tally: Tally) -> None:
    assert case.form is not None
    schema = load_schemas()[case.form]
    got = interpret(ReadDocument(case.path.name, InputKind.PDF, case.pages, tuple(tables)),
                    {case.form: schema}).to_json()
    t = judge(got, {**case.expected, "fields": {}}, [])
    tally.add(t.right, t.values)


def _generic_score(got: Table, want: tuple[tuple[str, ...], list[list[str]]]) -> int:
    columns, rows = want
    right = sum(_canon(a) == _canon(b) for a, b in zip(got.columns, columns, strict=False))
    for got_row, want_row in zip(got.rows, rows, strict=False):
        right += sum(_canon(v.raw) == _canon(w) for v, w in zip(got_row, want_row, strict=False))
    return right


def judge_seed(tables: Tables, case: Case, tally: Tally) -> None:
    from testkit.seed_tables import HIGH_SCHOOL_PAIRS, NOT_OURS

    e = interpret(ReadDocument(case.path.name, InputKind.PDF, case.pages, tuple(tables)))
    generic = [t for t in e.tables if not t.keys]
    for want in NOT_OURS[case.expected["title"]]:
        size = len(want[0]) + sum(len(r) for r in want[1])
        best = max((_generic_score(t, want) for t in generic), default=0)
        tally.add(best, size)
        tally.tables += 1
        tally.tables_exact += any(
            [_canon(c) for c in t.columns] == [_canon(c) for c in want[0]]
            and [[_canon(v.raw) for v in r] for r in t.rows] == [[_canon(w) for w in r] for r in want[1]]
            for t in generic
        )
    if case.expected["title"].startswith("柳州"):
        ours = next((t for t in e.tables if t.keys and e.form == "arrangement"), None)
        read = [[_canon(r[0].raw), _canon(r[2].raw)] for r in ours.rows] if ours is not None else []
        want_pairs = [[_canon(a), _canon(b)] for a, b in HIGH_SCHOOL_PAIRS]
        right = sum(g == w for gr, wr in zip(read, want_pairs, strict=False) for g, w in zip(gr, wr, strict=True))
        tally.add(right, 2 * len(want_pairs))
        tally.tables += 1
        tally.tables_exact += read == want_pairs


# ------------------------------------------------------------------------------------------------- runs


def run(cases: Sequence[Case], engines: Sequence[str], repeat: int) -> dict[tuple[str, str], Tally]:
    """Every engine on every case: (engine, "ours" | "seeds") → tally."""
    out: dict[tuple[str, str], Tally] = {}
    for name in engines:
        engine = ENGINES[name]
        if cases:
            engine(cases[0].path.read_bytes(), cases[0].path)  # warm-up: imports, models, caches
        for case in cases:
            data = case.path.read_bytes()
            tally = out.setdefault((name, "ours" if case.form else "seeds"), Tally())
            best = float("inf")
            tables: Tables = []
            try:
                for _ in range(repeat):
                    t0 = time.perf_counter()
                    tables = engine(data, case.path)
                    best = min(best, time.perf_counter() - t0)
            except Exception as exc:  # a baseline that fails on a file scores nothing on it
                print(f"    {name} {case.path.name}: {type(exc).__name__}: {exc}", flush=True)
                tally.failed += 1
                best = 0.0
            tally.files += 1
            tally.pages += case.pages
            tally.seconds += best
            (judge_form if case.form else judge_seed)(tables, case, tally)
    return out


def report(results: dict[tuple[str, str], Tally], engines: Sequence[str]) -> str:
    lines = [f"  {'engine':16s} {'material':6s} {'files':>5s} {'pages':>5s} {'s/page':>7s}  "
             f"{'cells right':22s} {'tables exact':>12s} {'failed':>6s}"]
    for material in ("ours", "seeds"):
        for name in engines:
            t = results.get((name, material))
            if t is None or not t.files:
                continue
            pct = f"{100 * t.right / t.cells:6.2f}% ({t.right}/{t.cells})" if t.cells else "-"
            exact = f"{t.tables_exact}/{t.tables}" if t.tables else "-"
            lines.append(f"  {name:16s} {material:6s} {t.files:5d} {t.pages:5d} {t.seconds / t.pages:7.3f}  "
                         f"{pct:22s} {exact:>12s} {t.failed:6d}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="PDF tables: docgen's reader vs camelot, pdfplumber, img2table")
    ap.add_argument("--corpus", type=Path, help="a field corpus (bench/make_field_corpus.py): its digital PDFs")
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--repeat", type=int, default=1, help="timed runs per file (the best counts)")
    args = ap.parse_args(argv)
    engines = [e for e in args.engines.split(",") if e]
    with tempfile.TemporaryDirectory(prefix="bench-tables-") as tmp:
        cases = (field_cases(args.corpus) if args.corpus else []) + seed_cases(Path(tmp))
        ours = sum(1 for c in cases if c.form)
        print(f"{ours} PDFs of our forms, {len(cases) - ours} seed notices; engines: {', '.join(engines)}; "
              f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}", flush=True)
        results = run(cases, engines, args.repeat)
    print(report(results, engines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
