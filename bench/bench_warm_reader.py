"""Per-file overhead of reading an upload in a limited child: a fresh interpreter (``DOCGEN_WARM_READER=false``)
vs a child forked from the warm fork server (``docgen worker``, ``docgen serve``), beyond the reading itself.

    PYTHONPATH=. .venv/bin/python bench/bench_warm_reader.py [--repeat 10]

For each file kind (a filled 统计表 .docx, its PDF, the same as a phone photo that needs OCR), it times, in one
run: the reading itself (``docgen.extract.extract`` in this process, warm, after one read to load everything), a
fresh child (``api.sandbox.run_child`` without the warm server) and a warm child (forked from the server
``start_warm`` started), alternating, ``--repeat`` times each, and prints the medians and the overhead of
each child = child − reading itself.

Wall time on a loaded machine is mostly waiting for a core (a warm read hands off between three processes),
so it also prints what a warm read costs in CPU seconds — this process's, the fork server's and its
children's (``/proc/<server>/stat``: the server reaps the children) — against the reading itself in this
process: the overhead that limits throughput when every core is busy.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from api import sandbox
from bench.proc_stat import own_and_reaped, stat_fields
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


def cpu_seconds(server: int) -> tuple[float, int]:
    """CPU seconds so far of this process, of the fork server ``server`` and of its reaped children; and their
    minor page faults (a page touched for the first time: a forked child's fresh memory)."""
    fields = stat_fields(Path(f"/proc/{server}"))
    mine = resource.getrusage(resource.RUSAGE_SELF)
    seconds = own_and_reaped(fields) + mine.ru_utime + mine.ru_stime
    return seconds, int(fields[7]) + int(fields[8]) + mine.ru_minflt


def cpu_per_read(step: Callable[[], object], server: int, repeat: int) -> tuple[float, float]:
    """Mean CPU seconds and minor faults of ``step`` (ticks are 10 ms: a mean over many reads)."""
    before, faults = cpu_seconds(server)
    for _ in range(repeat):
        step()
    after, faults_after = cpu_seconds(server)
    return (after - before) / repeat, (faults_after - faults) / repeat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--no-photo", action="store_true", help="only the .docx (no LibreOffice, no OCR)")
    parser.add_argument("--no-ocr", action="store_true", help="the .docx and its PDF (no photo)")
    parser.add_argument("--cpu-only", action="store_true",
                        help="only the CPU a read (no wall times, no fresh interpreters: minutes less when busy)")
    args = parser.parse_args()
    docx = stats_docx("03", activities=("送教下乡",))
    files = {"docx": ("统计表.docx", docx)}
    if not args.no_photo:
        from testkit.scan_fixtures import docx_to_pdf

        files["pdf"] = ("统计表.pdf", docx_to_pdf(docx))  # read by pdfplumber in a parse sandbox of its own
    if not (args.no_photo or args.no_ocr):
        files["photo"] = ("统计表.png", photo(docx))

    def itself(name: str, data: bytes) -> Callable[[], object]:
        return lambda: extract(data, name, reader=read)

    def child(name: str, data: bytes) -> Callable[[], object]:
        return lambda: json.loads(sandbox.run_child("extract", data, name, **LIMITS))

    from extractors.ocr import use_threads

    use_threads(sandbox.read_threads(forked=True))  # the reading itself on one thread, as a warm child reads
    start = time.perf_counter()
    sandbox.start_warm()
    started = time.perf_counter() - start
    warm = sandbox._warm  # switched off and on below: the three ways alternate, so the machine's load hits each alike
    times: dict[str, dict[str, list[float]]] = {kind: {"itself": [], "fresh": [], "warm": []} for kind in files}
    for kind, (name, data) in files.items():
        itself(name, data)()  # load the readers and the OCR models in this process first
        child(name, data)()  # the first fork after the server started
        for _ in range(0 if args.cpu_only else args.repeat):
            ways = (("itself", itself(name, data)), ("fresh", child(name, data)), ("warm", child(name, data)))
            for way, step in ways:
                sandbox._warm = warm if way == "warm" else None
                times[kind][way].append(median_seconds(step, 1))
    results = {kind: {way: statistics.median(t) for way, t in ways.items()} for kind, ways in times.items()
               if not args.cpu_only}
    import gc
    import multiprocessing.forkserver

    gc.freeze()  # as the warm server does: this process's collections do not walk what is loaded
    server = multiprocessing.forkserver._forkserver._forkserver_pid  # type: ignore[attr-defined]
    cpu = {}
    for kind, (name, data) in files.items():
        sandbox._warm = warm
        reps = args.repeat * 3
        cpu[kind] = (cpu_per_read(itself(name, data), server, reps), cpu_per_read(child(name, data), server, reps))
    print(f"warm fork server started in {started:.2f} s (once per worker process); medians of {args.repeat} reads")
    print(f"{'file':<8}{'reading itself':>16}{'fresh child':>14}{'warm child':>13}{'overhead fresh':>17}"
          f"{'overhead warm':>16}")
    for kind, r in results.items():
        print(f"{kind:<8}{r['itself']:>15.3f}s{r['fresh']:>13.3f}s{r['warm']:>12.3f}s"
              f"{r['fresh'] - r['itself']:>16.3f}s{r['warm'] - r['itself']:>15.3f}s")
    print(f"CPU seconds a read (means of {args.repeat * 3}; this process + fork server + its children), load "
          f"{os.getloadavg()[0]:.1f}:")
    for kind, ((own, own_faults), (warm_cpu, warm_faults)) in cpu.items():
        print(f"{kind:<8}reading itself {own * 1000:.1f} ms, warm child {warm_cpu * 1000:.1f} ms: "
              f"overhead {(warm_cpu - own) * 1000:.1f} ms; minor page faults {own_faults:.0f} vs {warm_faults:.0f}")


if __name__ == "__main__":
    main()
