"""Reading returned forms: docgen per input kind against off-the-shelf baselines, in the same run.

    .venv/bin/python bench/bench_extract.py               # corpus of 10 filled forms, every input kind
    .venv/bin/python bench/bench_extract.py --n 20
    .venv/bin/python bench/bench_extract.py --corpus DIR  # a corpus written by `python -m testkit.corpus`

For every input kind (docx, pdf, scan300, scan200, photo, scan_pdf) it prints seconds per form and per page,
cell and field accuracy (exact text after whitespace removal, ``bench/accuracy.py``), silent errors (wrong
values not flagged for review), merged cells carried, identities recovered. Baselines, scored the same way
on the table cells (they read no fields): pdfplumber ``page.extract_tables()`` on the digital PDFs, and
img2table 2.0 (``Image`` / ``PDF`` documents) on the scans with a RapidOCR backend — an ``OCRInstance``
over docgen's own engine (RapidOCR 3, PP-OCRv6, Chinese): img2table's bundled ``img2table.ocr.RapidOCR``
defaults to English recognition.
Every extraction is timed warm (one untimed warm-up per input kind loads the OCR models).
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from testkit.accuracy import REVIEW_THRESHOLD, Score, merged_carried, score, score_table, table_from_grid  # noqa: E402
from testkit.corpus import ALL_KINDS, IMAGE_KINDS, Case, build_corpus, read_corpus  # noqa: E402


@dataclass
class Tally:
    forms: int = 0
    pages: int = 0
    seconds: float = 0.0
    score: Score = field(default_factory=Score)
    merged: list[bool] = field(default_factory=list)
    identity: list[bool] = field(default_factory=list)
    form_ok: int = 0
    worst: float = 0.0
    values: int = 0  # non-empty table values read
    to_review: int = 0  # of those, below the review threshold: the clerk's review load


def _columns(form: str) -> tuple[list[tuple[str, Sequence[str]]], Sequence[str]]:
    from docgen.forms import load_schemas

    schema = load_schemas()[form]
    assert schema.table is not None
    return [(c.label, c.synonyms) for c in schema.table.columns], schema.table.footer_labels


def _merge_tables(grids: list[list[list[Any]]], form: str) -> dict[str, Any] | None:
    cols, footer = _columns(form)
    found = [t for g in grids if (t := table_from_grid(g, cols, footer)) is not None]
    if not found:
        return None
    return {"columns": found[0]["columns"], "rows": [r for t in found for r in t["rows"]]}


def _table_score(case: Case, table: dict[str, Any] | None) -> Score:
    s = Score()
    for tt in case.truth.get("tables") or []:
        s.add(score_table(tt, table))
    return s


# ------------------------------------------------------------------------------------------------ baselines


def pdfplumber_tables(case: Case) -> dict[str, Any] | None:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(case.data)) as pdf:
        grids = [g for page in pdf.pages for g in page.extract_tables()]
    return _merge_tables(grids, case.truth["form"])


def img2table_ocr() -> Any:
    """An img2table ``OCRInstance`` over docgen's own OCR engine (RapidOCR, PP-OCRv6 — the same models
    docgen reads with, so the comparison is about finding and reading tables, not about the recogniser),
    giving the records img2table's own ``RapidOCR`` gives (one word record per line, confidence 0–100)."""
    from img2table.ocr._types import OCRData, OCRInstance

    from extractors.ocr import default_engine

    class DocgenOcr(OCRInstance):  # type: ignore[misc]
        def __init__(self) -> None:
            self.engine = default_engine()

        def of(self, document: Any) -> Any:
            records: dict[int, list[dict[str, Any]]] = {}
            for page, img in enumerate(document.images):
                for idx, (word, conf, (x0, y0, x1, y1)) in enumerate(self.engine.recognize(img)):
                    records.setdefault(page, []).append({
                        "id": f"word_{page + 1}_{idx + 1}", "parent": f"word_{page + 1}_{idx + 1}", "value": word,
                        "confidence": int(100 * float(conf)), "x1": int(x0), "y1": int(y0),
                        "x2": int(x1), "y2": int(y1),
                    })
            return OCRData(records=records) if records else None

    return DocgenOcr()


def img2table_tables(case: Case, ocr: Any) -> dict[str, Any] | None:
    from img2table.document import PDF, Image

    if case.input_kind == "scan_pdf":
        doc: Any = PDF(case.data, pdf_text_extraction=False)
        found = [t for tables in doc.extract_tables(ocr=ocr).values() for t in tables]
    else:
        doc = Image(case.data)
        found = doc.extract_tables(ocr=ocr)
    grids = [[[c.value for c in row] for row in t.content.values()] for t in found]
    return _merge_tables(grids, case.truth["form"])


# ------------------------------------------------------------------------------------------------ runs


def run_docgen(cases: list[Case]) -> dict[str, Tally]:
    """``docgen.extract.extract`` with the real reader on every case, scored against its truth; misses printed
    as they come."""
    from docgen.extract import extract
    from extractors import read

    tallies: dict[str, Tally] = defaultdict(Tally)
    warmed: set[str] = set()
    for c in cases:
        if c.input_kind not in warmed:
            extract(c.data, c.name, reader=read)
            warmed.add(c.input_kind)
        t0 = time.perf_counter()
        got = extract(c.data, c.name, reader=read).to_json()
        dt = time.perf_counter() - t0
        t = tallies[c.input_kind]
        t.forms += 1
        t.pages += max(1, got.get("pages") or c.pages)
        t.seconds += dt
        t.worst = max(t.worst, dt / max(1, got.get("pages") or c.pages))
        s = score(c.truth, got)
        t.score.add(s)
        for table in got["tables"][:1]:  # the form's own table (an extra column is reported apart)
            read = [v for row in table["values"] for v in row if v["value"]]
            t.values += len(read)
            t.to_review += sum(v["confidence"] < REVIEW_THRESHOLD for v in read)
        t.form_ok += got.get("form") == c.truth["form"]
        if (m := merged_carried(c.truth, got)) is not None:
            t.merged.append(m)
        if c.truth.get("identity"):
            t.identity.append(bool(got.get("identity")) and got["identity"]["code"] == c.truth["identity"])
        if s.misses:
            print(f"    {c.name}: cells {s.cells_ok}/{s.cells} fields {s.fields_ok}/{s.fields} "
                  f"silent {s.silent_errors} ({dt:.2f} s)", flush=True)
            for m in s.misses[:4]:
                print(f"      {m.where}: want {m.truth[:30]!r} got {m.got[:30]!r} conf={m.confidence} "
                      f"flagged={m.flagged}", flush=True)
    return tallies


def _baseline(case: Case, ocr: Any) -> dict[str, Any] | None:
    return pdfplumber_tables(case) if case.input_kind == "pdf" else img2table_tables(case, ocr)


def run_baselines(cases: list[Case]) -> dict[str, Tally]:
    """The baselines on every case they apply to, warmed like :func:`run_docgen` (one untimed run per kind)."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    ocr: Any = None
    warmed: set[str] = set()
    for c in cases:
        name = c.input_kind
        if name != "pdf" and name not in IMAGE_KINDS:
            continue
        if name in IMAGE_KINDS and ocr is None:
            ocr = img2table_ocr()
        if name not in warmed:
            _baseline(c, ocr)
            warmed.add(name)
        t0 = time.perf_counter()
        table = _baseline(c, ocr)
        dt = time.perf_counter() - t0
        t = tallies[name]
        t.forms += 1
        t.pages += c.pages
        t.seconds += dt
        t.worst = max(t.worst, dt / c.pages)
        t.score.add(_table_score(c, table))
        t.form_ok += table is not None
    return tallies


def _pct(ok: int, n: int) -> str:
    return f"{100 * ok / n:6.2f}% ({ok}/{n})" if n else "      -"


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def report(docgen: dict[str, Tally], base: dict[str, Tally]) -> str:
    """The result tables: docgen per input kind, then the baselines beside docgen's cell accuracy."""
    lines = ["docgen (docgen.extract.extract, reader extractors.read)",
             f"  {'kind':9s} {'forms':>5s} {'pages':>5s} {'s/form':>7s} {'s/page':>7s} {'worst':>6s}  "
             f"{'cells right':22s} {'fields right':18s} {'silent':>6s} {'review':>6s} {'merged':>6s} {'identity':>8s}"]
    for kind in ALL_KINDS:
        t = docgen.get(kind)
        if t is None or not t.forms:
            continue
        s = t.score
        merged = f"{sum(t.merged)}/{len(t.merged)}" if t.merged else "-"
        ident = f"{sum(t.identity)}/{len(t.identity)}" if t.identity else "-"
        lines.append(f"  {kind:9s} {t.forms:5d} {t.pages:5d} {t.seconds / t.forms:7.3f} {t.seconds / t.pages:7.3f} "
                     f"{t.worst:6.2f}  {_pct(s.cells_ok, s.cells):22s} {_pct(s.fields_ok, s.fields):18s} "
                     f"{s.silent_errors:6d} {_share(t.to_review, t.values):>6s} {merged:>6s} {ident:>8s}")
    lines += ["baselines (table cells only; every wrong cell is silent: no confidence, no problems)",
              f"  {'kind':9s} {'tool':28s} {'s/page':>7s}  {'cells right':22s} {'table found':>11s}   "
              f"docgen cells"]
    for kind in ALL_KINDS:
        b = base.get(kind)
        if b is None or not b.forms:
            continue
        tool = "pdfplumber extract_tables" if kind == "pdf" else "img2table + RapidOCR v6"
        d = docgen.get(kind)
        dcells = _pct(d.score.cells_ok, d.score.cells) if d else "-"
        lines.append(f"  {kind:9s} {tool:28s} {b.seconds / b.pages:7.3f}  {_pct(b.score.cells_ok, b.score.cells):22s} "
                     f"{b.form_ok:>5d}/{b.forms:<5d}   {dcells}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="docgen form reading vs pdfplumber / img2table")
    ap.add_argument("--n", type=int, default=10, help="filled forms in the corpus (each in every input kind)")
    ap.add_argument("--seed", type=int, default=2019)
    ap.add_argument("--corpus", type=Path, help="read this corpus directory instead of building one")
    ap.add_argument("--kinds", default=",".join(ALL_KINDS))
    ap.add_argument("--no-baselines", action="store_true")
    args = ap.parse_args(argv)
    kinds = [k for k in args.kinds.split(",") if k]
    t0 = time.perf_counter()
    if args.corpus:
        cases = [c for c in read_corpus(args.corpus) if c.input_kind in kinds]
    else:
        cases = build_corpus(args.n, seed=args.seed, kinds=kinds)
    by_kind: dict[str, int] = defaultdict(int)
    for c in cases:
        by_kind[c.input_kind] += 1
    print(f"corpus: {len(cases)} files ({', '.join(f'{k} {v}' for k, v in by_kind.items())}), "
          f"built in {time.perf_counter() - t0:.1f} s", flush=True)
    docgen = run_docgen(cases)
    base = {} if args.no_baselines else run_baselines(cases)
    print(report(docgen, base))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
