"""What one file per reading child costs, per kind of file, on the scale benchmark's own files (issue 13).

    PYTHONPATH=. .venv/bin/python bench/bench_child_cost.py                 # 80 files of bench_scale's mix
    PYTHONPATH=. .venv/bin/python bench/bench_child_cost.py --forms 120 --together

Each reader is a process of its own that reads the same files, in their order, one of two ways:
*in-process* (``docgen.extract.extract`` warm, on one thread: bench_scale's "reading itself", the ideal's
baseline) or *child* (``api.sandbox.run_child`` through the warm fork server: one forked child per file, as
``docgen worker`` reads). It counts CPU seconds — the reader's own and its fork server's with the children
it reaped — per file, for each kind alone (one reader at a time, the two ways alternating twice), and with
``--together`` for the whole mix with two readers at once each way (as two workers on two cores). The
difference child − in-process is what per-file isolation costs beyond the reading itself; the API, the
database and the queue are not in it (bench_scale counts those).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KINDS = ("docx", "pdf", "scan", "photo")


def reader(files_path: Path, way: str, kind: str) -> None:
    """One reader process: load, say READY, wait for a line, read every file (of ``kind``, or all), print
    the CPU milliseconds a file as JSON."""
    from bench.proc_stat import own_and_reaped, stat_fields

    files = [f for f in pickle.loads(files_path.read_bytes()) if kind in ("all", f[2])]
    if way == "in-process":
        import multiprocessing.forkserver

        from api.sandbox import read_threads
        from docgen.extract import extract
        from extractors import read
        from extractors.ocr import use_threads

        use_threads(read_threads(forked=True))
        for name, data, _ in {f[2]: f for f in files}.values():  # the readers and the OCR models loaded
            extract(data, name, reader=read)

        def step(name: str, data: bytes) -> Any:
            return extract(data, name, reader=read)

        server = multiprocessing.forkserver._forkserver._forkserver_pid  # type: ignore[attr-defined]
    else:
        from api import sandbox

        sandbox.start_warm()
        server = sandbox.warm_server_pid()
        args = [str(3 << 27), "0.9", "{}"]

        def step(name: str, data: bytes) -> Any:
            return sandbox.run_child("extract", data, name, args, timeout=120, memory=3 << 30)

        step(files[0][0], files[0][1])
        time.sleep(1.0)  # that child reaped (its CPU is counted when it is) before the count starts

    def used() -> float:
        me = resource.getrusage(resource.RUSAGE_SELF)
        return me.ru_utime + me.ru_stime + (own_and_reaped(stat_fields(Path(f"/proc/{server}"))) if server else 0.0)

    print("READY", flush=True)
    sys.stdin.readline()
    start = used()
    for name, data, _ in files:
        step(name, data)
    time.sleep(1.0)  # the last child reaped
    print(json.dumps((used() - start) / len(files) * 1000), flush=True)


def run(files_path: Path, way: str, kind: str, readers: int) -> list[float]:
    """CPU ms a file of each of ``readers`` reader processes started together."""
    procs = [
        subprocess.Popen([sys.executable, __file__, "--reader", way, kind, str(files_path)], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
        for _ in range(readers)
    ]  # fmt: skip
    for p in procs:
        assert p.stdout is not None
        while p.stdout.readline().strip() != "READY":
            pass
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("\n")
        p.stdin.flush()
    out = [float(p.stdout.readline()) for p in procs if p.stdout is not None]
    for p in procs:
        p.wait()
    return out


def _ms(values: list[float]) -> str:
    return " ".join(f"{v:.1f}" for v in values)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--reader":
        reader(Path(sys.argv[4]), sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--forms", type=int, default=80)
    parser.add_argument("--mix", default="docx=55,pdf=30,scan=10,photo=5")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--together", action="store_true", help="also the whole mix with two readers at once")
    args = parser.parse_args()
    from bench.bench_scale import build, parse_mix

    files = build(args.forms, parse_mix(args.mix), args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "files.pkl"
        path.write_bytes(pickle.dumps([(f.name, f.data, f.kind) for f in files]))
        counts = {k: sum(1 for f in files if f.kind == k) for k in KINDS}
        print(f"{len(files)} files {counts}; CPU ms a file (the reader and its fork server with the children it "
              f"reaped), load {os.getloadavg()[0]:.1f}")
        for kind in (k for k in KINDS if counts[k]):
            alone = {way: [run(path, way, kind, 1)[0] for _ in range(2)] for way in ("in-process", "child")}
            own, child = (sum(v) / len(v) for v in alone.values())
            print(f"  {kind:<6} in-process {own:8.1f}   child {child:8.1f}   child − in-process {child - own:+7.1f}"
                  f"   (runs: {_ms(alone['in-process'])}; {_ms(alone['child'])})")
        if args.together:
            both = {way: run(path, way, "all", 2) for way in ("in-process", "child")}
            own, child = (sum(v) / len(v) for v in both.values())
            print(f"  all, two readers at once: in-process {own:.1f}, child {child:.1f}: child − in-process "
                  f"{child - own:+.1f} (readers: {_ms(both['in-process'])}; {_ms(both['child'])})")


if __name__ == "__main__":
    main()
