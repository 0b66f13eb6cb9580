"""Scale benchmark (issue 13): returned forms uploaded by many clients, read by ``docgen serve``'s own thread, by
one ``docgen worker`` process and by two, side by side in one run.

    PYTHONPATH=. .venv/bin/python bench/bench_scale.py                      # 120 forms, 20 clients
    PYTHONPATH=. .venv/bin/python bench/bench_scale.py --forms 1000 --pdfs 200 --scans 100   # the issue's size

Each mode gets a fresh PostgreSQL database (127.0.0.1:5432, dropped afterwards), data folder and — for the
worker modes — a redis-server of its own on a free port; the API is ``docgen serve`` (uvicorn) on a free
port, with ``DOCGEN_BROKER_URL`` in the worker modes. The files: typed 统计表 .docx (each its own bytes),
digital PDFs of some (one LibreOffice run), PNG scans of a few (a PDF page at 150 dpi, OCR), shuffled
and sent one per request from ``--clients`` threads with their own API tokens. The worker modes start
``docgen worker --concurrency 1`` processes (own data folder and TMPDIR each) and wait until they are warm.

Prints per mode: uploads/s (requests answered per second of sending), upload → record p50 and p95 (the
upload row's creation to its record, server clock, per kind and overall), reading throughput (forms read per
second from the first upload to the last record) and its ratio to the in-process mode, and checks every
upload was read exactly once (one record each, one attempt).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_service import PASSWORD, File, _form, _free_port, _scan, _to_pdfs, send  # noqa: E402
from testkit.forms import PENGZHOU  # noqa: E402

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
MODES = {"in-process": 0, "1 worker": 1, "2 workers": 2}  # worker processes (0: docgen serve's own thread)


def build(forms: int, pdfs: int, scans: int, work: Path, seed: int) -> list[File]:
    """``forms`` files: .docx, of which ``pdfs`` sent as digital PDFs and ``scans`` as PNG scans."""
    docs = [_form(i) for i in range(forms)]
    as_pdf = _to_pdfs([d for d, _ in docs[: pdfs + scans]], work, timeout=600)
    files = []
    for i, (data, pair) in enumerate(docs):
        if i < pdfs:
            files.append(File(f"统计表{i:04d}.pdf", as_pdf[i], "pdf", pair))
        elif i < pdfs + scans:
            files.append(File(f"统计表{i:04d}.png", _scan(as_pdf[i]), "scan", pair))
        else:
            files.append(File(f"统计表{i:04d}.docx", data, "docx", pair))
    random.Random(seed).shuffle(files)
    return files


@contextlib.contextmanager
def database() -> Iterator[str]:
    name = f"docgen_bench_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def process(cmd: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A child in its own process group, its output in ``log``; the group is stopped at the end."""
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)  # fmt: skip
    try:
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(30)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def setup(url: str, clients: int) -> tuple[int, list[str]]:
    """The 彭州 program and roster as the admin (a browser's Origin and CSRF token); a token per client."""
    with httpx.Client(base_url=url, timeout=60, headers={"Origin": url}) as http:
        http.post("/api/auth/login", json={"username": "admin", "password": PASSWORD}).raise_for_status()
        http.headers["X-CSRF-Token"] = http.cookies["docgen_csrf"]
        tokens = [http.post("/api/tokens", json={"name": f"bench-{k:02d}"}).json()["token"] for k in range(clients)]
        r = http.post("/api/programs", files={"file": ("program.yaml", (PENGZHOU / "program.yaml").read_bytes())})
        r.raise_for_status()
        program_id = int(r.json()["id"])
        roster = {"file": ("roster.txt", (PENGZHOU / "roster.txt").read_bytes())}
        http.post(f"/api/programs/{program_id}/roster", files=roster).raise_for_status()
    return program_id, tokens


def wait_until(check: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.2)


def run_mode(mode: str, workers: int, files: list[File], clients: int, work: Path) -> dict[str, Any]:
    folder = work / mode.replace(" ", "-")
    folder.mkdir()
    with contextlib.ExitStack() as stack:
        db = stack.enter_context(database())
        env = {"DOCGEN_DATABASE_URL": db, "DOCGEN_BLOB_STORE": str(folder / "blobs"), "DOCGEN_ADMIN_PASSWORD": PASSWORD,
               "DOCGEN_SECRET_KEY": "bench", "DOCGEN_WORKER_POLL_SECONDS": "0.1", "PYTHONUNBUFFERED": "1"}  # fmt: skip
        if workers:
            port = _free_port()
            stack.enter_context(process(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                         "--dir", str(folder)], {}, folder / "redis.log"))  # fmt: skip
            env["DOCGEN_BROKER_URL"] = f"redis://127.0.0.1:{port}/0"
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        serve = stack.enter_context(process([sys.executable, "-m", "cli", "serve", "--data", str(folder / "api"),
                                             "--port", str(port)], env, folder / "serve.log"))  # fmt: skip

        def answers() -> bool:
            if serve.poll() is not None:
                raise SystemExit(f"docgen serve exited; see {folder / 'serve.log'}")
            with contextlib.suppress(httpx.TransportError):
                return httpx.get(f"{url}/openapi.json", timeout=2).status_code == 200
            return False

        wait_until(answers, 90, "docgen serve")
        logs = []
        for k in range(workers):
            (folder / f"w{k}" / "tmp").mkdir(parents=True)
            logs.append(folder / f"w{k}.log")
            stack.enter_context(process(
                [sys.executable, "-m", "cli", "worker", "--concurrency", "1", "--name", f"w{k}@bench", "--data",
                 str(folder / f"w{k}")], {**env, "TMPDIR": str(folder / f"w{k}" / "tmp")}, logs[-1]))  # fmt: skip
        wait_until(lambda: all(" ready." in p.read_text(errors="replace") for p in logs), 180, "the workers")
        program_id, tokens = setup(url, clients)
        run = send(url, program_id, [(f,) for f in files], tokens, time.monotonic() + 3600)
        with psycopg.connect(db) as conn:
            wait_until(lambda: conn.execute("SELECT count(*) FROM uploads WHERE status IN ('done', 'failed')")
                       .fetchone()[0] >= len(files), 3600, "every upload read")  # fmt: skip
            rows = conn.execute(
                "SELECT u.original_name, u.created_at, u.attempts, u.worker, "
                "(SELECT count(*) FROM records r WHERE r.upload_id = u.id), "
                "(SELECT max(r.updated_at) FROM records r WHERE r.upload_id = u.id) FROM uploads u"
            ).fetchall()
    kinds = {f.name: f.kind for f in files}
    latency: dict[str, list[float]] = {}
    for name, created, _, _, _, read_at in rows:
        latency.setdefault(kinds[name], []).append((read_at - created).total_seconds())
    span = (max(r[5] for r in rows) - min(r[1] for r in rows)).total_seconds()
    per_worker: dict[str, int] = {}
    for r in rows:
        per_worker[str(r[3])] = per_worker.get(str(r[3]), 0) + 1
    return {
        "uploads_per_s": len(files) / run.wall,
        "latency": latency,
        "throughput": len(rows) / span,
        "exactly_once": len(rows) == len(files) and all(r[2] == 1 and r[4] == 1 for r in rows),
        "per_worker": per_worker,
    }


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--forms", type=int, default=120)
    parser.add_argument("--pdfs", type=int, default=20)
    parser.add_argument("--scans", type=int, default=8)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--modes", default=",".join(MODES), help="comma-separated: " + ", ".join(MODES))
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="docgen-scale-") as tmp:
        work = Path(tmp)
        files = build(args.forms, args.pdfs, args.scans, work, args.seed)
        results = {m: run_mode(m, MODES[m], files, args.clients, work) for m in args.modes.split(",")}
    base = results.get("in-process", {}).get("throughput")
    print(f"{args.forms} forms ({args.forms - args.pdfs - args.scans} docx, {args.pdfs} PDF, {args.scans} scans), "
          f"{args.clients} clients, {os.cpu_count()} cores")
    print(f"{'mode':<12}{'uploads/s':>10}{'read/s':>8}{'× in-proc':>10}  upload → record p50 / p95 (s)")
    for mode, r in results.items():
        lat = r["latency"]
        every = [v for values in lat.values() for v in values]
        parts = [f"all {pct(every, 0.5):.2f}/{pct(every, 0.95):.2f}"] + [
            f"{k} {pct(v, 0.5):.2f}/{pct(v, 0.95):.2f}" for k, v in sorted(lat.items())
        ]
        ratio = f"{r['throughput'] / base:.2f}" if base else "–"
        once = "" if r["exactly_once"] else "  NOT EXACTLY ONCE"
        print(f"{mode:<12}{r['uploads_per_s']:>10.1f}{r['throughput']:>8.2f}{ratio:>10}  {', '.join(parts)}"
              f"  read by {r['per_worker']}{once}")


if __name__ == "__main__":
    main()
