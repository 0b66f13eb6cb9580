"""Scoring an extraction against a truth file: pure functions shared by the tests and the benchmark.

Both sides are plain JSON-shaped data:

* truth (written by :mod:`testkit.corpus`): ``{"form", "identity", "fields": {label: text},
  "tables": [{"columns": [...], "rows": [[...]]}]}``;
* got: ``Extraction.to_json()`` — ``fields[key]["label"|"value"]``, ``tables[i]["columns"|"rows"|"values"]``,
  ``problems[i]["field"|"row"]``; or, for a baseline that has no fields, confidences or problems, just
  ``{"tables": [{"columns", "rows"}]}`` (see :func:`table_from_grid`).

Rules (the same for docgen and the baselines):

* Texts compare exactly after removing all whitespace (a wrapped cell's line breaks are not content).
* A table row whose cells are all empty (序号 aside) is not a data row, on either side.
* Rows are aligned by a dynamic programme that maximises matching cells, so one missing row costs that
  row, not every row after it.
* A cell counts when the truth or the reading has text in it: an empty cell read as empty is not a point,
  text read where there is none is an error.
* A wrong value is *flagged* when its confidence is below the review threshold **and** a problem names it
  (its row and column label or key, or its field label); otherwise it is a *silent error*. Cells of rows
  that were missed or invented are silent unless a form-level problem (no field, no row) exists.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

REVIEW_THRESHOLD = 0.9
SERIAL_LABELS = ("序号", "编号")
_WS = re.compile(r"\s+")


def norm(text: object) -> str:
    """``text`` with every whitespace character removed (None → "")."""
    if text is None:
        return ""
    return _WS.sub("", str(text))


@dataclass(frozen=True)
class Miss:
    """One wrong cell or field: where, what the truth says, what was read, and whether it was flagged."""

    where: str
    truth: str
    got: str
    confidence: float | None
    flagged: bool


@dataclass
class Score:
    """Correct / counted for cells and fields, plus every miss."""

    cells_ok: int = 0
    cells: int = 0
    fields_ok: int = 0
    fields: int = 0
    misses: list[Miss] = field(default_factory=list)

    @property
    def cell_accuracy(self) -> float:
        return self.cells_ok / self.cells if self.cells else 1.0

    @property
    def field_accuracy(self) -> float:
        return self.fields_ok / self.fields if self.fields else 1.0

    @property
    def silent_errors(self) -> int:
        return sum(1 for m in self.misses if not m.flagged)

    def add(self, other: Score) -> Score:
        self.cells_ok += other.cells_ok
        self.cells += other.cells
        self.fields_ok += other.fields_ok
        self.fields += other.fields
        self.misses.extend(other.misses)
        return self


# ------------------------------------------------------------------------------------------------ problems


def _problem_index(got: Mapping[str, Any]) -> tuple[set[tuple[int | None, str | None]], bool]:
    probs = got.get("problems") or []
    keys = {(p.get("row"), p.get("field")) for p in probs}
    form_level = any(p.get("row") is None and p.get("field") is None for p in probs)
    return keys, form_level


def _flagged(conf: float | None, names: Iterable[str], row: int | None,
             problems: set[tuple[int | None, str | None]], threshold: float) -> bool:
    if conf is None or conf >= threshold:
        return False
    return any((row, n) in problems or (None, n) in problems for n in names)


# ------------------------------------------------------------------------------------------------ fields


def score_fields(truth: Mapping[str, Any], got: Mapping[str, Any], *, threshold: float = REVIEW_THRESHOLD) -> Score:
    """Field accuracy: every truth label with text (or read with text) must match exactly."""
    s = Score()
    problems, _ = _problem_index(got)
    # fields are keyed by schema key and carry their printed label; truth (and older output) is by label
    got_fields: Mapping[str, Any] = {
        (str(entry["label"]) if isinstance(entry, Mapping) and entry.get("label") else key): entry
        for key, entry in (got.get("fields") or {}).items()
    }
    for label, want in (truth.get("fields") or {}).items():
        entry = got_fields.get(label)
        have = entry.get("value") if isinstance(entry, Mapping) else entry
        conf = entry.get("confidence") if isinstance(entry, Mapping) else None
        if not norm(want) and not norm(have):
            continue
        s.fields += 1
        if norm(want) == norm(have):
            s.fields_ok += 1
        else:
            s.misses.append(Miss(f"字段 {label}", norm(want), norm(have), conf,
                                 _flagged(conf, [label], None, problems, threshold)))
    return s


# ------------------------------------------------------------------------------------------------ tables


def _is_blank(row: Sequence[object], columns: Sequence[str]) -> bool:
    return all(not norm(v) for c, v in zip(columns, row, strict=False) if c not in SERIAL_LABELS)


def _align(a: Sequence[Sequence[str]], b: Sequence[Sequence[str]]) -> list[tuple[int | None, int | None]]:
    """Order-preserving alignment of rows ``a`` and ``b`` maximising equal non-empty cells."""
    n, m = len(a), len(b)

    def sim(i: int, j: int) -> int:
        return sum(1 for x, y in zip(a[i], b[j], strict=True) if x and x == y)

    best = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            best[i][j] = max(best[i + 1][j], best[i][j + 1], best[i + 1][j + 1] + sim(i, j))
    out: list[tuple[int | None, int | None]] = []
    i = j = 0
    while i < n and j < m:
        if best[i][j] == best[i + 1][j + 1] + sim(i, j):
            out.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            out.append((i, None))
            i += 1
        else:
            out.append((None, j))
            j += 1
    out += [(k, None) for k in range(i, n)] + [(None, k) for k in range(j, m)]
    return out


def score_table(truth_table: Mapping[str, Any], got_table: Mapping[str, Any] | None,
                problems: set[tuple[int | None, str | None]] = frozenset(),  # type: ignore[assignment]
                form_level_problem: bool = False, *, threshold: float = REVIEW_THRESHOLD,
                keys: Mapping[str, str] | None = None, name: str = "表") -> Score:
    """Cell accuracy of one table; columns matched by label (the truth's columns are the schema's labels)."""
    s = Score()
    cols: list[str] = list(truth_table["columns"])
    keys = keys or {}
    t_rows = [[norm(v) for v in r] for r in truth_table["rows"] if not _is_blank(r, cols)]
    g_cols: list[str] = list(got_table["columns"]) if got_table else []
    pos = {c: g_cols.index(c) for c in cols if c in g_cols}
    g_values = (got_table or {}).get("values")
    g_kept: list[tuple[int, list[str], list[float | None]]] = []
    for idx, row in enumerate((got_table or {}).get("rows") or []):
        texts = [norm(row[pos[c]]) if c in pos and pos[c] < len(row) else "" for c in cols]
        if _is_blank(texts, cols):
            continue
        confs: list[float | None] = []
        for c in cols:
            conf = None
            if g_values is not None and c in pos:
                try:
                    conf = g_values[idx][pos[c]].get("confidence")
                except (IndexError, AttributeError):
                    conf = None
            confs.append(conf)
        g_kept.append((idx, texts, confs))
    pairs = _align(t_rows, [t for _, t, _ in g_kept])
    for ti, gi in pairs:
        want = t_rows[ti] if ti is not None else [""] * len(cols)
        if gi is not None:
            g_idx, have, confs = g_kept[gi]
        else:
            g_idx, have, confs = -1, [""] * len(cols), [None] * len(cols)
        for k, c in enumerate(cols):
            if not want[k] and not have[k]:
                continue
            s.cells += 1
            if want[k] == have[k]:
                s.cells_ok += 1
                continue
            if ti is None or gi is None:
                flagged = form_level_problem
            else:
                names = [c] + ([keys[c]] if c in keys else [])
                flagged = _flagged(confs[k], names, g_idx + 1, problems, threshold)
            where = f"{name} 第{(ti + 1) if ti is not None else '?'}行 {c}"
            s.misses.append(Miss(where, want[k], have[k], confs[k], flagged))
    return s


def score(truth: Mapping[str, Any], got: Mapping[str, Any], *, threshold: float = REVIEW_THRESHOLD,
          keys: Mapping[str, str] | None = None) -> Score:
    """Fields and every truth table; each truth table is matched to the read table sharing most columns."""
    s = score_fields(truth, got, threshold=threshold)
    problems, form_level = _problem_index(got)
    free = list(got.get("tables") or [])
    for n, tt in enumerate(truth.get("tables") or []):
        best = max(free, key=lambda g: len(set(g["columns"]) & set(tt["columns"])), default=None)
        if best is not None:
            free.remove(best)
        s.add(score_table(tt, best, problems, form_level, threshold=threshold, keys=keys, name=f"表{n + 1}"))
    return s


def merged_carried(truth: Mapping[str, Any], got: Mapping[str, Any]) -> bool | None:
    """True when every merged span recorded in ``truth["meta"]["merged"]`` reads the same text in each row
    it covers (None when the truth has no merged span)."""
    spans = ((truth.get("meta") or {}).get("merged")) or []
    if not spans:
        return None
    tables = got.get("tables") or []
    for span in spans:
        text, col = norm(span["text"]), span["column"]
        found = False
        for t in tables:
            if col not in t["columns"]:
                continue
            k = t["columns"].index(col)
            texts = [norm(r[k]) for r in t["rows"]]
            # the covered rows are consecutive rows reading the merged text
            for i in range(len(texts) - span["rows"] + 1):
                if all(x == text for x in texts[i : i + span["rows"]]):
                    found = True
        if not found:
            return False
    return True


# ------------------------------------------------------------------------------------------------ baselines


def header_to_label(header: str, columns: Sequence[tuple[str, Sequence[str]]]) -> str | None:
    """The schema label whose label or synonym the (normalised) header text equals or starts with;
    the longest match wins (资金、物品… before 物品)."""
    h = unicodedata.normalize("NFKC", norm(header))
    best: tuple[int, str] | None = None
    for label, synonyms in columns:
        for name in (label, *synonyms):
            n = unicodedata.normalize("NFKC", norm(name))
            if n and (h == n or h.startswith(n)) and (best is None or len(n) > best[0]):
                best = (len(n), label)
    return best[1] if best else None


def table_from_grid(grid: Sequence[Sequence[object]], columns: Sequence[tuple[str, Sequence[str]]],
                    footer_labels: Sequence[str] = ("备注：", "备注:")) -> dict[str, Any] | None:
    """A baseline's raw grid (header row somewhere near the top, None for cells it did not fill) mapped to
    ``{"columns": schema labels, "rows": [...]}``: the first row where at least three headers map to schema
    labels is the header; rows after it up to a footer row are data. None when no header row is found."""
    heads = [[header_to_label(str(v or ""), columns) for v in row] for row in grid]
    h = next((i for i, labels in enumerate(heads) if sum(1 for x in labels if x) >= 3), None)
    if h is None:
        return None
    labels = heads[h]
    cols = [lab for lab, _ in columns]
    rows: list[list[str]] = []
    for row in grid[h + 1 :]:
        first = norm(next((v for v in row if norm(v)), ""))
        if any(first.startswith(norm(f)) for f in footer_labels):
            break
        out = [""] * len(cols)
        for lab, v in zip(labels, row, strict=False):
            if lab is not None and not out[cols.index(lab)]:
                out[cols.index(lab)] = norm(v)
        rows.append(out)
    return {"columns": cols, "rows": rows}
