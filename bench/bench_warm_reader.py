"""Per-file overhead of reading an upload in a limited child: a fresh interpreter (``docgen serve``) vs a child
forked from the warm fork server (``docgen worker``), beyond the reading itself.

    PYTHONPATH=. .venv/bin/python bench/bench_warm_reader.py [--repeat 10]

For each file kind (a filled 统计表 .docx, the same as a phone photo that needs OCR), it times, in one run:
the reading itself (``docgen.extract.extract`` in this process, warm, after one read to load everything), a
fresh child (``api.sandbox.run_child`` as ``docgen serve`` runs it) and a warm child (forked from the server
``start_warm`` started), alternating, ``--repeat`` times each, and prints the medians and the overhead of
each child = child − reading itself.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import time
from collections.abc import Callable

from api import sandbox
from docgen.extract import extract
from extractors import read
from testkit.forms import stats_docx

LIMITS = {"timeout": 120.0, "memory": 3 << 30}


def photo(docx: bytes) -> bytes:
    """The filled form as a phone photo (PNG): rendered by LibreOffice, rasterised, degraded."""
    from PIL import Image

    from testkit.scan_fixtures import docx_to_pdf, phone_photo, rasterise_pdf

    page = phone_photo(rasterise_pdf(docx_to_pdf(docx), dpi=150)[0])
    out = io.BytesIO()
    Image.fromarray(page).save(out, "PNG")
    return out.getvalue()


def median_seconds(step: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--no-photo", action="store_true", help="only the .docx (no LibreOffice, no OCR)")
    args = parser.parse_args()
    docx = stats_docx("03", activities=("送教下乡",))
    files = {"docx": ("统计表.docx", docx)}
    if not args.no_photo:
        files["photo"] = ("统计表.png", photo(docx))

    def itself(name: str, data: bytes) -> Callable[[], object]:
        return lambda: extract(data, name, reader=read)

    def child(name: str, data: bytes) -> Callable[[], object]:
        return lambda: json.loads(sandbox.run_child("extract", data, name, **LIMITS))

    start = time.perf_counter()
    sandbox.start_warm()
    started = time.perf_counter() - start
    warm = sandbox._warm  # switched off and on below: the three ways alternate, so the machine's load hits each alike
    times: dict[str, dict[str, list[float]]] = {kind: {"itself": [], "fresh": [], "warm": []} for kind in files}
    for kind, (name, data) in files.items():
        itself(name, data)()  # load the readers and the OCR models in this process first
        child(name, data)()  # the first fork after the server started
        for _ in range(args.repeat):
            ways = (("itself", itself(name, data)), ("fresh", child(name, data)), ("warm", child(name, data)))
            for way, step in ways:
                sandbox._warm = warm if way == "warm" else None
                times[kind][way].append(median_seconds(step, 1))
    results = {kind: {way: statistics.median(t) for way, t in ways.items()} for kind, ways in times.items()}
    print(f"warm fork server started in {started:.2f} s (once per worker process); medians of {args.repeat} reads")
    print(f"{'file':<8}{'reading itself':>16}{'fresh child':>14}{'warm child':>13}{'overhead fresh':>17}"
          f"{'overhead warm':>16}")
    for kind, r in results.items():
        print(f"{kind:<8}{r['itself']:>15.3f}s{r['fresh']:>13.3f}s{r['warm']:>12.3f}s"
              f"{r['fresh'] - r['itself']:>16.3f}s{r['warm'] - r['itself']:>15.3f}s")


if __name__ == "__main__":
    main()
