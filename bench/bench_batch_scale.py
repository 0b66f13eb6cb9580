"""Batch scale benchmark (issue 13): one batch made by one ``docgen worker`` process and by two, in one run.

    PYTHONPATH=. .venv/bin/python bench/bench_batch_scale.py                         # 10,000 pairs DOCX, 300 PDF
    PYTHONPATH=. .venv/bin/python bench/bench_batch_scale.py --pairs 2000 --pdf-pairs 100 --rounds 2

Each run of a mode gets a fresh PostgreSQL database (127.0.0.1:5432, dropped afterwards), a redis-server of
its own on a free port, ``docgen serve`` with ``DOCGEN_BROKER_URL`` (it only queues) and N ``docgen worker
--concurrency 1`` processes (own data folder and TMPDIR each, every queue). The program is the 彭州 sample's
with one agreement (党建共建协议书) and no blank forms, so a pair is one document; the roster is ``--pairs``
synthetic pairs (bench_generate's names). The batch is cut into chunks of ``--chunk-pairs`` pairs
(``DOCGEN_BATCH_CHUNK_PAIRS``) that the workers take from the queue; the last chunk's worker writes the ZIP.

Timed: from the batch's row created (the POST) to the job done with its ZIP stored (server clock, the row's
``updated_at``), so the split, every chunk and the ZIP are inside. The workers start LibreOffice at their
first conversion (a warm service already has it): inside the PDF figures, in both modes. Modes alternate
(``--rounds``) so both see the same machine load; prints each run, the median documents/s per mode and the
ratio 2 workers ÷ 1, the chunks each worker made, and checks that every document was stored exactly once
(one row per document and format, every chunk taken once, no failure). Prints the load average too: the
figures are only comparable within one run.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_generate import SUPPORTED, SUPPORTING  # noqa: E402
from bench.bench_scale import database, process, wait_until  # noqa: E402
from bench.bench_service import PASSWORD, _free_port  # noqa: E402
from testkit.forms import PENGZHOU  # noqa: E402


def bench_program() -> bytes:
    """The 彭州 program with its agreement only: one document a pair."""
    text = (PENGZHOU / "program.yaml").read_text(encoding="utf-8")
    text = text.replace("\nkey: pengzhou-heishui-2019\n", "\nkey: bench-batch-scale\n")
    text = text.replace("forms: [filing, activity_stats, liaison_reply]", "forms: []")
    return text.replace(", form: liaison_reply", "").encode()


def roster_text(pairs: int) -> bytes:
    """``pairs`` lines ``甲与乙结对；`` with distinct school names (bench_generate's shapes)."""
    lines = []
    for i in range(1, pairs + 1):
        a = SUPPORTING[i % len(SUPPORTING)].format(f"第{i}")
        b = SUPPORTED[i % len(SUPPORTED)].format(f"第{i}")
        lines.append(f"{a}与{b}结对；")
    return "\n".join(lines).encode()


def run_once(workers: int, pairs: int, pdf: bool, chunk_pairs: int, work: Path) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix=f"w{workers}-", dir=work))
    with contextlib.ExitStack() as stack:
        db = stack.enter_context(database())
        port = _free_port()
        stack.enter_context(process(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                     "--dir", str(folder)], {}, folder / "redis.log"))  # fmt: skip
        env = {"DOCGEN_DATABASE_URL": db, "DOCGEN_BLOB_STORE": str(folder / "blobs"), "DOCGEN_ADMIN_PASSWORD": PASSWORD,
               "DOCGEN_SECRET_KEY": "bench", "DOCGEN_BROKER_URL": f"redis://127.0.0.1:{port}/0",
               "DOCGEN_BATCH_CHUNK_PAIRS": str(chunk_pairs), "DOCGEN_ROSTER_TIMEOUT_SECONDS": "600",
               "PYTHONUNBUFFERED": "1"}  # fmt: skip
        api_port = _free_port()
        url = f"http://127.0.0.1:{api_port}"
        serve = stack.enter_context(process([sys.executable, "-m", "cli", "serve", "--data", str(folder / "api"),
                                             "--port", str(api_port)], env, folder / "serve.log"))  # fmt: skip

        def answers() -> bool:
            if serve.poll() is not None:
                raise SystemExit(f"docgen serve exited; see {folder / 'serve.log'}")
            with contextlib.suppress(httpx.TransportError):
                return httpx.get(f"{url}/openapi.json", timeout=2).status_code == 200
            return False

        wait_until(answers, 120, "docgen serve")
        with httpx.Client(base_url=url, timeout=900, headers={"Origin": url}) as http:
            http.post("/api/auth/login", json={"username": "admin", "password": PASSWORD}).raise_for_status()
            http.headers["X-CSRF-Token"] = http.cookies["docgen_csrf"]
            r = http.post("/api/programs", files={"file": ("program.yaml", bench_program())})
            r.raise_for_status()
            program_id = int(r.json()["id"])
            roster = {"file": ("roster.txt", roster_text(pairs))}
            http.post(f"/api/programs/{program_id}/roster", files=roster).raise_for_status()
            logs = []
            for k in range(workers):
                (folder / f"w{k}" / "tmp").mkdir(parents=True)
                logs.append(folder / f"w{k}.log")
                stack.enter_context(process(
                    [sys.executable, "-m", "cli", "worker", "--concurrency", "1", "--name", f"w{k}@bench", "--data",
                     str(folder / f"w{k}")], {**env, "TMPDIR": str(folder / f"w{k}" / "tmp")}, logs[-1]))  # fmt: skip
            wait_until(lambda: all(" ready." in p.read_text(errors="replace") for p in logs), 300, "the workers")
            r = http.post(f"/api/programs/{program_id}/batches", json={"pdf": pdf})
            r.raise_for_status()
            job_id = int(r.json()["id"])
            with psycopg.connect(db, autocommit=True) as conn:
                wait_until(lambda: conn.execute("SELECT status FROM batch_jobs WHERE id = %s", (job_id,))
                           .fetchone()[0] in ("done", "failed", "cancelled"), 7200, "the batch")  # fmt: skip
                status, total, failed, created, ended = conn.execute(
                    "SELECT status, total, failed, created_at, updated_at FROM batch_jobs WHERE id = %s", (job_id,)
                ).fetchone()
                chunks = conn.execute(
                    "SELECT worker, attempts, status FROM batch_chunks WHERE job_id = %s AND kind = 'documents'",
                    (job_id,),
                ).fetchall()
                documents = conn.execute(
                    "SELECT count(*), count(DISTINCT (pair_label, kind, format)) FROM documents WHERE job_id = %s",
                    (job_id,),
                ).fetchone()
    per_worker: dict[str, int] = {}
    for worker, _, _ in chunks:
        per_worker[str(worker)] = per_worker.get(str(worker), 0) + 1
    formats = 2 if pdf else 1
    once = (
        status == "done" and failed == 0 and documents[0] == documents[1] == total * formats
        and all(a == 1 and s == "done" for _, a, s in chunks)
    )  # fmt: skip
    seconds = (ended - created).total_seconds()
    return {"seconds": seconds, "documents": int(total), "rate": total / seconds, "per_worker": per_worker,
            "exactly_once": once, "status": status}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=10_000, help="pairs of the DOCX batch (0: none)")
    parser.add_argument("--pdf-pairs", type=int, default=300, help="pairs of the DOCX + PDF batch (0: none)")
    parser.add_argument("--chunk-pairs", type=int, default=200, help="DOCGEN_BATCH_CHUNK_PAIRS")
    parser.add_argument("--pdf-chunk-pairs", type=int, default=50, help="DOCGEN_BATCH_CHUNK_PAIRS of the PDF batch")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    batches = [(f"{args.pairs} pairs DOCX", args.pairs, False, args.chunk_pairs),
               (f"{args.pdf_pairs} pairs DOCX+PDF", args.pdf_pairs, True, args.pdf_chunk_pairs)]  # fmt: skip
    print(f"{os.cpu_count()} cores; load average at start {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="docgen-batch-scale-") as tmp:
        for title, pairs, pdf, chunk in batches:
            if pairs <= 0:
                continue
            runs: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
            for rnd in range(args.rounds):
                for workers in (1, 2) if rnd % 2 == 0 else (2, 1):  # alternate: both see the same load
                    started = time.monotonic()
                    r = run_once(workers, pairs, pdf, chunk, Path(tmp))
                    runs[workers].append(r)
                    once = "exactly once" if r["exactly_once"] else f"NOT EXACTLY ONCE ({r['status']})"
                    print(f"  {title}, {workers} worker(s), round {rnd + 1}: {r['documents']} documents in "
                          f"{r['seconds']:.1f} s = {r['rate']:.1f} docs/s; chunks per worker {r['per_worker']}; "
                          f"{once}; load {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
                          f"wall incl. set-up {time.monotonic() - started:.0f} s", flush=True)  # fmt: skip
            one = statistics.median(r["rate"] for r in runs[1])
            two = statistics.median(r["rate"] for r in runs[2])
            print(f"{title} (chunks of {chunk} pairs): 1 worker {one:.1f} docs/s, 2 workers {two:.1f} docs/s, "
                  f"2 ÷ 1 = {two / one:.2f}×", flush=True)  # fmt: skip
    print(f"load average at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
