"""Recogniser runs: the engine's loop against RapidOCR's own, on the line crops of real pages, in one run.

    .venv/bin/python bench/bench_ocr_runs.py --corpus /work/corpus_field --kinds scan300,photo --per-kind 2

The chosen files of a field corpus (``bench/make_field_corpus.py``) are read once by the product reader with
an engine that keeps every list of crops it is asked to recognise (cells, outside-text pieces, detected
lines, the page-turn test). Those lists are then recognised again and again, alternating:

* baseline — RapidOCR's loop: crops in width order, 8 a run, each padded to the widest of its run (at least
  320 × 48), onnxruntime's memory arena off (RapidOCR's setting);
* product — :class:`extractors.ocr.RapidOcrV6Engine` as it is.

Printed: CPU (process) and wall seconds of each, the product as a ratio of the baseline (the machine is
shared, so CPU time is the figure to trust), and how many crops read another text or confidence.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from extractors.ocr import MIN_WH_RATIO, RapidOcrV6Engine, twin_confidences  # noqa: E402
from extractors.read import read  # noqa: E402

U8 = npt.NDArray[np.uint8]


class RapidOcrLoop(RapidOcrV6Engine):
    """The engine with RapidOCR's own recogniser loop and its arena setting: the baseline."""

    def __init__(self, threads: int) -> None:
        super().__init__(threads=threads)
        from rapidocr import RapidOCR

        self._ocr = RapidOCR(params={**self._params, "EngineConfig.onnxruntime.enable_cpu_mem_arena": False})

    def _recognise_batched(self, bgr: Sequence[U8]) -> list[tuple[tuple[str, float], Any]]:
        rec = self._ocr._load_rec_model()
        order = sorted(range(len(bgr)), key=lambda i: bgr[i].shape[1] / max(1, bgr[i].shape[0]))
        out: list[tuple[tuple[str, float], Any]] = [(("", 0.0), None)] * len(bgr)
        twins = self._twins(rec)
        for start in range(0, len(order), 8):
            chunk = order[start:start + 8]
            ratios = [bgr[i].shape[1] / max(1, bgr[i].shape[0]) for i in chunk]
            widest = max(MIN_WH_RATIO, *ratios)
            batch = np.concatenate([rec.resize_norm_img(bgr[i], widest)[np.newaxis, :] for i in chunk])
            preds = rec.session(batch.astype(np.float32))
            lines, words = rec.postprocess_op(preds, True, wh_ratio_list=ratios, max_wh_ratio=widest)
            for k, i in enumerate(chunk):
                if words[k] is not None and getattr(words[k], "confs", None):
                    words[k].confs = twin_confidences(np.asarray(preds[k]), words[k].confs, twins)
                out[i] = ((str(lines[k][0]), float(lines[k][1])), words[k])
        return out


class Recording(RapidOcrV6Engine):
    """The product engine, keeping every list of crops it recognises."""

    def __init__(self, threads: int) -> None:
        super().__init__(threads=threads)
        self.calls: list[list[U8]] = []

    def recognize_lines(self, images: Sequence[U8]) -> list[tuple[str, float]]:
        self.calls.append([np.ascontiguousarray(i) for i in images])
        return super().recognize_lines(images)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=ROOT / "bench/corpus_field")
    ap.add_argument("--kinds", default="scan300,grey200,photo,imagepdf")
    ap.add_argument("--per-kind", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1, help="onnxruntime threads (the warm worker reads with 1)")
    args = ap.parse_args(argv)

    kinds = args.kinds.split(",")
    chosen: list[dict[str, Any]] = []
    for m in json.loads((args.corpus / "manifest.json").read_text(encoding="utf-8"))["files"]:
        if m["kind"] in kinds and sum(c["kind"] == m["kind"] for c in chosen) < args.per_kind:
            chosen.append(m)
    recorder = Recording(args.threads)
    for m in chosen:
        read((args.corpus / m["file"]).read_bytes(), m["file"], ocr=recorder)
    calls = recorder.calls
    print(f"{len(chosen)} files, {len(calls)} recogniser calls, {sum(map(len, calls))} crops")

    engines: dict[str, RapidOcrV6Engine] = {"baseline": RapidOcrLoop(args.threads),
                                            "product": RapidOcrV6Engine(threads=args.threads)}
    reads: dict[str, list[tuple[str, float]]] = {}
    spent: dict[str, list[tuple[float, float]]] = {name: [] for name in engines}
    for rep in range(args.repeats):
        for name in (("baseline", "product") if rep % 2 == 0 else ("product", "baseline")):
            c0, w0 = time.process_time(), time.perf_counter()
            got = [r for crops in calls for r in engines[name].recognize_lines(crops)]
            spent[name].append((time.process_time() - c0, time.perf_counter() - w0))
            reads.setdefault(name, got)

    def median(xs: list[float]) -> float:
        return sorted(xs)[len(xs) // 2]

    base_cpu, base_wall = (median([s[k] for s in spent["baseline"]]) for k in (0, 1))
    print("| engine | CPU s (median) | wall s (median) | CPU ratio | wall ratio |")
    print("|---|---|---|---|---|")
    for name, runs in spent.items():
        cpu, wall = median([s[0] for s in runs]), median([s[1] for s in runs])
        print(f"| {name} | {cpu:.2f} | {wall:.2f} | {cpu / base_cpu:.2f} | {wall / base_wall:.2f} |")
    pairs = list(zip(reads["baseline"], reads["product"], strict=True))
    texts = [(a[0], b[0]) for a, b in pairs if a[0] != b[0]]
    print(f"crops read as another text: {len(texts)} of {len(pairs)}; another confidence: "
          f"{sum(a[1] != b[1] for a, b in pairs)}")
    for a, b in texts:
        print(f"  {a!r} → {b!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
