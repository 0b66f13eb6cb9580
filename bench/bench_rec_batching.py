"""Recognising a page's line crops: packed and cost-planned runs vs 8 crops at a time in width order.

    PYTHONPATH=. .venv/bin/python bench/bench_rec_batching.py --corpus /work/corpus_field \\
        --kinds scan300,grey200 [--per-kind 4]

Each file of the field corpus (``bench/make_field_corpus.py``) is read by ``docgen.extract.extract`` with
``extractors.read`` twice in the same process, alternating which goes first: once with the engine as it is
(:func:`extractors.ocr.pack_short` + :func:`extractors.ocr.plan_batches`) and once with the recogniser loop
it replaced (crops sorted by width, 8 per run, each run padded to its widest, kept here as the baseline).
Prints wall and CPU time of each and their ratio, and every value whose text or review side (confidence
below 0.9 or not) differs — so a gain in speed is never bought with a different reading unseen.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from docgen.extract import extract
from extractors.ocr import MIN_WH_RATIO, RapidOcrV6Engine, default_engine
from extractors.read import read


def width_order_batches(eng: RapidOcrV6Engine, bgr: Any) -> list[tuple[tuple[str, float], Any]]:
    """The loop before packing: 8 crops per run in width order, each run padded to its widest."""
    rec = eng._ocr._load_rec_model()
    order = sorted(range(len(bgr)), key=lambda i: bgr[i].shape[1] / max(1, bgr[i].shape[0]))
    out: list[tuple[tuple[str, float], Any]] = [(("", 0.0), None)] * len(bgr)
    for start in range(0, len(order), 8):
        chunk = order[start:start + 8]
        ratios = [bgr[i].shape[1] / max(1, bgr[i].shape[0]) for i in chunk]
        widest = max(MIN_WH_RATIO, *ratios)
        batch = np.concatenate([rec.resize_norm_img(bgr[i], widest)[np.newaxis, :] for i in chunk])
        preds = rec.session(batch.astype(np.float32))
        lines, words = rec.postprocess_op(preds, True, wh_ratio_list=ratios, max_wh_ratio=widest)
        for k, i in enumerate(chunk):
            out[i] = ((str(lines[k][0]), float(lines[k][1])), words[k])
    return out


def values(doc: dict[str, Any]) -> dict[str, tuple[str, bool]]:
    """Every value's text and whether it is reviewed, by field key or table/row/column."""
    out = {f"field {k}": (v["value"], v["confidence"] < 0.9) for k, v in doc["fields"].items()}
    for t, table in enumerate(doc["tables"]):
        for r, row in enumerate(table["values"]):
            for c, v in enumerate(row):
                out[f"table {t} row {r + 1} col {c + 1}"] = (v["value"], v["confidence"] < 0.9)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=Path("bench/corpus_field"))
    ap.add_argument("--kinds", default="scan300,grey200")
    ap.add_argument("--per-kind", type=int, default=4)
    args = ap.parse_args()
    manifest = json.loads((args.corpus / "manifest.json").read_text(encoding="utf-8"))["files"]
    kinds = args.kinds.split(",")
    files = [m["file"] for k in kinds for m in [m for m in manifest if m["kind"] == k][:args.per_kind]]
    eng = default_engine()
    planned = eng._recognise_batched
    loops = {"packed": planned, "width order": lambda bgr: width_order_batches(eng, bgr)}
    spent = {k: [0.0, 0.0] for k in loops}

    def run(which: str, data: bytes, name: str) -> dict[str, Any]:
        eng._recognise_batched = loops[which]  # type: ignore[method-assign]
        wall, cpu = time.perf_counter(), time.process_time()
        got = extract(data, name, reader=lambda d, n: read(d, n, ocr=eng)).to_json()
        spent[which][0] += time.perf_counter() - wall
        spent[which][1] += time.process_time() - cpu
        return got

    run("width order", (args.corpus / files[0]).read_bytes(), files[0])  # load the models
    spent = {k: [0.0, 0.0] for k in loops}
    changed = 0
    for n, name in enumerate(files):
        data = (args.corpus / name).read_bytes()
        order = ["width order", "packed"] if n % 2 == 0 else ["packed", "width order"]
        got = {which: values(run(which, data, name)) for which in order}
        before, after = got["width order"], got["packed"]
        for key in sorted(set(before) | set(after)):
            if before.get(key) != after.get(key):
                changed += 1
                print(f"  {name} {key}: {before.get(key)} → {after.get(key)}")
        print(f"[{n + 1}/{len(files)}] {name}", flush=True)
    (w0, c0), (w1, c1) = spent["width order"], spent["packed"]
    print(f"{len(files)} files: width order {w0 / len(files):.2f} s wall, {c0 / len(files):.2f} s CPU per file; "
          f"packed {w1 / len(files):.2f} s wall, {c1 / len(files):.2f} s CPU per file; "
          f"ratio packed/width order: wall {w1 / w0:.3f}, CPU {c1 / c0:.3f}; values whose text or review "
          f"side changed: {changed}")


if __name__ == "__main__":
    main()
