"""Reading the field corpus (forms filled, scanned and photographed apart from the reader).

    .venv/bin/python bench/bench_field.py --corpus bench/corpus_field            # every file
    .venv/bin/python bench/bench_field.py --kinds grey200,photo --per-kind 6      # a subset
    .venv/bin/python bench/bench_field.py --details out.json                      # every compared value
    .venv/bin/python bench/bench_field.py --rosters       # school names checked against the pair, as filed

The corpus is written by ``bench/make_field_corpus.py`` (run here first when ``manifest.json`` is missing).
Each file goes through the product's one reading entry point, as ``docgen extract`` calls it:
``docgen.extract.extract(data, name, reader=extractors.read)``, default schemas and threshold, and its
``to_json()`` is compared with the values the generator typed (``<file>.expected.json``). With ``--rosters``
the extraction then goes through what the service does once the identity code has filed it under its pair
(``docgen.pair_names.checked_by_pair`` with the schools of the pair the code read names in the samples'
rosters); without it, the reading alone.

How a value is judged (fixed before the first run; do not loosen it to move the figures)
-------------------------------------------------------------------------------------
* The values counted are those the school typed or docgen pre-filled (school names, pair rows): every
  non-empty expected field and table cell. Fields left empty on purpose are not counted; a value read
  where nothing was typed is reported as *spurious*.
* A field is looked up by its schema key in ``fields``. A table row is matched to an expected row
  greedily: each expected row takes the unused row of ``tables[0]`` (by ``keys``) that has the most
  matching cells (ties: the first); cells are then compared by key.
* *missing*: no value, or an empty one. Otherwise the read text (``value``) is compared by type:
  text / school / name / count / money — NFKC, all whitespace and the separators ``、，,；;`` removed,
  curly quotes as straight ones: equal strings; a money cell typed as ``/`` or ``无`` (none) is also
  right when ``normalized`` is ``{"items": []}`` with the text dropped. phone — the digits, in order,
  equal. integer — the same number. contact (安排表 联系人及电话) — the name part as text and the digits
  equal. date — the day(s) written equal the typed day(s) (a year left out matches any year), and if
  ``normalized`` is a full date or range it must be the typed one (a right text normalised to the wrong
  year is wrong).
* *flagged*: the value's confidence is below 0.9, or a problem names its key (for a table cell: with the
  cell's row, or with no row). A missing value also counts as flagged when the record has a form-level
  problem (no key) or is ``unreadable`` — a reviewer is sent to the file.
* Figures per input kind: share right; wrong and not flagged; missing and not flagged; review share =
  flagged values / all counted values; records that came out ``complete`` while holding a wrong or missing
  value; seconds per page (mean, max). The first extraction of the run (the OCR models loading) is done
  once untimed before timing.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from docgen.extraction import FormIdentity

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

KINDS = ("docx", "retyped", "pdf", "scan300", "grey200", "photo", "rotated", "imagepdf")
REVIEW = 0.9
_SEPARATORS = re.compile(r"[\s、，,；;]+")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


_NONE = {"/", "无", "—", "-", "／"}


def canon(text: str) -> str:
    """Text as compared: NFKC, no whitespace or list separators, straight quotes."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text).translate(_QUOTES))


def digits(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isdigit())


_DATE = re.compile(r"(?:(\d{4})\s*[年./\-]\s*)?(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*日?")
_DAY_ONLY = re.compile(r"[—\-~～至]\s*(\d{1,2})\s*日")


def days_written(text: str) -> list[tuple[int | None, int, int]]:
    """The days a date text names, in order: (year or None, month, day); ``4月23日—26日`` gives two."""
    t = unicodedata.normalize("NFKC", text)
    out: list[tuple[int | None, int, int]] = []
    pos = 0
    while pos < len(t):
        m = _DATE.search(t, pos)
        if m is None:
            break
        year = int(m.group(1)) if m.group(1) else (out[-1][0] if out else None)
        out.append((year, int(m.group(2)), int(m.group(3))))
        pos = m.end()
        tail = _DAY_ONLY.match(t, pos)
        if tail is not None:
            out.append((year, int(m.group(2)), int(tail.group(1))))
            pos = tail.end()
    return out


def _iso_days(norm: Any) -> list[tuple[int, int, int]] | None:
    def one(s: Any) -> tuple[int, int, int] | None:
        if isinstance(s, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
            y, m, d = s.split("-")
            return int(y), int(m), int(d)
        return None

    if isinstance(norm, str):
        d = one(norm)
        return [d] if d else None
    if isinstance(norm, dict) and "start" in norm and "end" in norm:
        a, b = one(norm["start"]), one(norm["end"])
        return [a, b] if a and b else None
    return None


def date_right(read: str, normalized: Any, truth: dict[str, Any]) -> bool:
    expect = _iso_days(truth["norm"])
    assert expect is not None
    got = days_written(read)
    if len(got) != len(expect):
        return False
    for (gy, gm, gd), (ey, em, ed) in zip(got, expect, strict=True):
        if (gm, gd) != (em, ed) or (gy is not None and gy != ey):
            return False
    concrete = _iso_days(normalized)
    return concrete is None or concrete == expect


def value_right(read: str, normalized: Any, truth: dict[str, Any]) -> bool:
    kind = truth["type"]
    if kind == "date":
        return date_right(read, normalized, truth)
    if kind == "phone":
        return digits(read) == digits(truth["text"])
    if kind == "integer":
        return digits(read) != "" and int(digits(read)) == int(digits(truth["text"]))
    if kind == "contact":
        name = re.sub(r"[\d\-()（）+]", "", truth["text"])
        got_name = re.sub(r"[\d\-()（）+]", "", read)
        return canon(got_name) == canon(name) and digits(read) == digits(truth["text"])
    return canon(read) == canon(truth["text"])


@dataclass
class Tally:
    files: int = 0
    pages: int = 0
    seconds: float = 0.0
    max_page_s: float = 0.0
    values: int = 0
    right: int = 0
    wrong: int = 0
    wrong_unflagged: int = 0
    missing: int = 0
    missing_unflagged: int = 0
    flagged: int = 0
    spurious: int = 0
    complete: int = 0
    complete_with_error: int = 0
    form_right: int = 0
    unreadable: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name in ("files", "pages", "seconds", "values", "right", "wrong", "wrong_unflagged", "missing",
                     "missing_unflagged", "flagged", "spurious", "complete", "complete_with_error", "form_right",
                     "unreadable"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.max_page_s = max(self.max_page_s, other.max_page_s)


def _problem_keys(got: dict[str, Any]) -> tuple[set[tuple[str, int | None]], bool]:
    keyed: set[tuple[str, int | None]] = set()
    form_level = False
    for p in got.get("problems") or []:
        if p.get("key"):
            keyed.add((p["key"], p.get("row")))
        else:
            form_level = True
    return keyed, form_level


def judge(got: dict[str, Any], expected: dict[str, Any], detail: list[dict[str, Any]]) -> Tally:
    """Compare one extraction with its expected values (rules in the module docstring)."""
    t = Tally(files=1)
    keyed, form_level = _problem_keys(got)
    unreadable = got.get("status") == "unreadable"
    t.unreadable = int(unreadable)
    t.form_right = int(got.get("form") == expected["form"])
    had_error = False

    def one(where: str, key: str, row: int | None, truth: dict[str, Any], cell: dict[str, Any] | None) -> None:
        nonlocal had_error
        read = (cell or {}).get("value") or ""
        read = read if isinstance(read, str) else str(read)
        by_problem = (key, None) in keyed or (row is not None and (key, row) in keyed)
        if not truth["text"].strip():
            if read.strip():
                t.spurious += 1
                detail.append({"where": where, "key": key, "row": row, "verdict": "spurious", "read": read})
            return
        t.values += 1
        none_typed = truth["type"] == "money_goods" and canon(truth["text"]) in _NONE
        if none_typed and not read.strip() and (cell or {}).get("normalized") == {"items": []}:
            read = truth["text"]  # a "none" the reader kept as no items, not as text
        if not read.strip():
            flagged = by_problem or form_level or unreadable
            t.missing += 1
            t.missing_unflagged += int(not flagged)
            t.flagged += int(flagged)
            had_error = True
            verdict = "missing"
        else:
            conf = float((cell or {}).get("confidence", 1.0))
            flagged = conf < REVIEW or by_problem
            t.flagged += int(flagged)
            if value_right(read, (cell or {}).get("normalized"), truth):
                t.right += 1
                verdict = "right"
            else:
                t.wrong += 1
                t.wrong_unflagged += int(not flagged)
                had_error = True
                verdict = "wrong"
        detail.append({"where": where, "key": key, "row": row, "verdict": verdict, "flagged": flagged,
                       "truth": truth["text"], "read": read})

    fields = got.get("fields") or {}
    for key, truth in expected["fields"].items():
        one("field", key, None, truth, fields.get(key))

    table = expected.get("table")
    if table:
        rows_got: list[dict[str, Any]] = []
        tables = got.get("tables") or []
        if tables and tables[0].get("keys"):
            keys = tables[0]["keys"]
            for vals in tables[0].get("values") or []:
                rows_got.append({k: v for k, v in zip(keys, vals, strict=False)})
        used: set[int] = set()
        for ri, truth_row in enumerate(table["rows"], start=1):
            best, best_score = None, -1
            for gi, grow in enumerate(rows_got):
                if gi in used:
                    continue
                score = sum(1 for k, tv in truth_row.items() if tv["text"].strip() and grow.get(k)
                            and value_right(str(grow[k].get("value") or ""), grow[k].get("normalized"), tv))
                if score > best_score:
                    best, best_score = gi, score
            grow = {}
            if best is not None:
                used.add(best)
                grow = rows_got[best]
            row_no = best + 1 if best is not None else None
            for key, truth in truth_row.items():
                one(f"row {ri}", key, row_no, truth, grow.get(key))
    if got.get("status") == "complete":
        t.complete = 1
        t.complete_with_error = int(had_error)
    return t


def ensure_corpus(corpus: Path) -> None:
    if (corpus / "manifest.json").is_file():
        return
    print(f"{corpus}: no manifest.json — generating the corpus (LibreOffice; a few minutes)", flush=True)
    subprocess.run([sys.executable, str(ROOT / "bench/make_field_corpus.py"), "--out", str(corpus)], check=True)


def fmt_row(name: str, t: Tally) -> str:
    v = max(t.values, 1)
    per_page = t.seconds / max(t.pages, 1)
    return (f"| {name} | {t.files} | {t.pages} | {t.values} | {100 * t.right / v:.1f} % | {t.wrong_unflagged} "
            f"| {t.missing_unflagged} | {100 * t.flagged / v:.1f} % | {t.complete_with_error} / {t.complete} "
            f"| {t.spurious} | {t.form_right}/{t.files} | {per_page:.2f} (max {t.max_page_s:.2f}) |")


# the programs make_field_corpus.py prints its blank forms for: their rosters, as the service holds them
SAMPLE_ROSTERS = (
    ("samples/pengzhou_heishui/roster.txt", "samples/pengzhou_heishui/program.yaml"),
    ("samples/liuzhou_high_schools/roster.csv", "samples/liuzhou_high_schools/program.yaml"),
    ("samples/heze/roster.xlsx", "samples/heze/program.yaml"),
)


def sample_rosters() -> Callable[[FormIdentity | None], tuple[str, ...]]:
    """identity → the names of the schools of the pair it names in the samples' rosters (none when unknown)."""
    from cli.common import import_roster_file
    from docgen.files import load_program
    from docgen.pair_names import schools_of

    units = []
    for roster, program in SAMPLE_ROSTERS:
        prog = load_program(ROOT / program)
        units.append((prog.key, import_roster_file(ROOT / roster).roster.units(prog.group_policy)))

    def schools(identity: FormIdentity | None) -> tuple[str, ...]:
        return next((names for key, of in units if (names := schools_of(of, identity, key))), ())

    return schools


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=ROOT / "bench/corpus_field")
    ap.add_argument("--kinds", default="", help="comma-separated input kinds (default: all)")
    ap.add_argument("--per-kind", type=int, default=0, help="at most N files per kind (manifest order)")
    ap.add_argument("--details", type=Path, default=None, help="write every compared value here (JSON)")
    ap.add_argument("--rosters", action="store_true",
                    help="check school names against the pair the identity code names, as the service does "
                         "once it has filed the form (the samples' rosters; docgen/pair_names.py)")
    args = ap.parse_args(argv)

    ensure_corpus(args.corpus)
    from docgen.extract import extract
    from docgen.pair_names import checked_by_pair
    from extractors import read

    pair_schools = sample_rosters() if args.rosters else None

    manifest = json.loads((args.corpus / "manifest.json").read_text(encoding="utf-8"))["files"]
    kinds = [k for k in args.kinds.split(",") if k] or list(KINDS)
    chosen: list[dict[str, Any]] = []
    count: dict[str, int] = defaultdict(int)
    for m in manifest:
        if m["kind"] in kinds and (not args.per_kind or count[m["kind"]] < args.per_kind):
            chosen.append(m)
            count[m["kind"]] += 1

    warm = next((m for m in chosen if m["kind"] not in ("docx", "retyped", "pdf")), None)
    if warm is not None:
        extract((args.corpus / warm["file"]).read_bytes(), warm["file"], reader=read)

    per_kind: dict[str, Tally] = defaultdict(Tally)
    per_layout: dict[str, Tally] = defaultdict(Tally)
    details: list[dict[str, Any]] = []
    for i, m in enumerate(chosen, start=1):
        data = (args.corpus / m["file"]).read_bytes()
        expected = json.loads((args.corpus / m["expected"]).read_text(encoding="utf-8"))
        t0 = time.perf_counter()
        result = extract(data, m["file"], reader=read)
        if pair_schools is not None:
            result = checked_by_pair(result, pair_schools(result.identity))
        got = result.to_json()
        dt = time.perf_counter() - t0
        detail: list[dict[str, Any]] = []
        t = judge(got, expected, detail)
        pages = int(got.get("pages") or m["pages"] or 1)
        t.pages, t.seconds, t.max_page_s = pages, dt, dt / pages
        per_kind[m["kind"]].add(t)
        per_layout[m["layout"]].add(t)
        details.append({"file": m["file"], "kind": m["kind"], "status": got.get("status"), "form": got.get("form"),
                        "seconds": round(dt, 2), "problems": got.get("problems"), "values": detail})
        print(f"[{i}/{len(chosen)}] {m['file']}: {got.get('status')} form={got.get('form')} "
              f"right {t.right}/{t.values}, wrong {t.wrong} ({t.wrong_unflagged} unflagged), "
              f"missing {t.missing} ({t.missing_unflagged} unflagged), {dt:.1f}s", flush=True)

    head = ("| input kind | files | pages | values | right | wrong, not flagged | missing, not flagged | review share "
            "| complete with an error / complete | spurious | form found | s/page |")
    print()
    print(head)
    print("|" + "---|" * 12)
    total = Tally()
    for k in KINDS:
        if k in per_kind:
            print(fmt_row(k, per_kind[k]))
            total.add(per_kind[k])
    print(fmt_row("all", total))
    print()
    print(head.replace("input kind", "layout"))
    print("|" + "---|" * 12)
    for k, t in sorted(per_layout.items()):
        print(fmt_row(k, t))
    if args.details:
        args.details.write_text(json.dumps(details, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
