"""Scale benchmark (issue 13): mixed returned forms uploaded by many clients, read by ``docgen serve``'s own
thread, by one ``docgen worker`` process and by two, side by side in one run — and by two workers while a
worker and the API are killed with SIGKILL, counting that nothing is lost and nothing is read twice.

    PYTHONPATH=. .venv/bin/python bench/bench_scale.py                   # the issue's size: 1,000 forms, 20 clients
    PYTHONPATH=. .venv/bin/python bench/bench_scale.py --forms 120       # a smaller run, same mix

Not a test (no CI): it needs PostgreSQL at 127.0.0.1:5432, redis-server and LibreOffice, and minutes.

**The files** come from the test corpus (:func:`testkit.corpus.build_corpus`: the program's own forms filled
the ways schools fill them — Word edits, merged cells, extra rows, a clerk's retyped table, 备案表 and 回执),
each file a different filled form, in the mix of ``--mix`` (by default mostly digital: 55 % .docx, 30 %
PDF exported by LibreOffice, 10 % scans at 200 dpi with a stamp, skew and noise, 5 % phone photos),
shuffled, sent one per request from ``--clients`` threads with their own API tokens (a request that fails
at the transport level or with a 5xx is sent again, as a client does).

**The reading itself** of every file is timed first in this process (``docgen.extract.extract``, warm,
one thread — as a worker's forked child reads): the baseline for the overhead and the ideal time below.

**Each mode** gets a fresh PostgreSQL database (dropped afterwards), data folder, and — for the worker
modes — a redis-server of its own; the API is ``docgen serve`` (uvicorn) on a free port, with
``DOCGEN_BROKER_URL`` in the worker modes, whose ``docgen worker --concurrency 1`` processes (own data
folder and TMPDIR each) are warm before the first upload. After the flood is read, ``--probe`` digital
forms (.docx and PDF, alternately) are sent one at a time into the idle service, each waited for.

Prints per mode: uploads/s (files answered per second of sending), upload → record p50/p95 (the upload
row's creation to its record, server clock) for the flood — overall, per kind and for the digital forms —
and for the idle probe; reading throughput (forms read per second from the first upload to the last
record) and its ratio to the in-process mode; the whole upload's reading time against the ideal (sum of
the reading itself ÷ cores); the per-file overhead beyond the reading itself (for each reader, every
file's time from the end of its previous file — or its upload, if later — to its record, minus that
file's reading itself: claim, dispatch, fork, JSON, writing the record) — and, as wall time on a loaded
machine is mostly waiting for a core, the workers' CPU seconds for the flood (worker, fork server, reading
children: ``/proc``) beyond the same files' reading itself in CPU seconds, a file; and the exactly-once
counts: files lost, stored twice, uploads read twice (completed reads in the workers' logs), reads taken
again after a kill. Exit status 1 when anything was lost or read twice.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import itertools
import os
import queue
import re
import resource
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_service import PASSWORD, _free_port  # noqa: E402
from bench.proc_stat import own_and_reaped, stat_fields  # noqa: E402
from testkit.forms import PENGZHOU  # noqa: E402

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
KILL = "kill -9"
MODES = {"in-process": 0, "1 worker": 1, "2 workers": 2, KILL: 2}  # worker processes (0: docgen serve's own)
CORPUS_KIND = {"docx": "docx", "pdf": "pdf", "scan": "scan200", "photo": "photo"}  # --mix names → corpus kinds
DIGITAL = ("docx", "pdf")
LEASE = 5.0  # seconds without a heartbeat before a killed worker's upload goes back to the queue
READ_LINE = re.compile(r"upload (\d+) read by ")  # api.worker.Jobs.read_next's log line: one completed read


@dataclass(frozen=True)
class File:
    name: str
    data: bytes
    kind: str  # docx, pdf, scan, photo

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


# ------------------------------------------------------------------------------------------------- the files


def parse_mix(text: str) -> dict[str, float]:
    mix = {k: float(v) for k, v in (part.split("=") for part in text.split(","))}
    unknown = set(mix) - set(CORPUS_KIND)
    if unknown:
        raise SystemExit(f"--mix: unknown kinds {sorted(unknown)}; known: {', '.join(CORPUS_KIND)}")
    total = sum(mix.values())
    return {k: v / total for k, v in mix.items()}


def counts(forms: int, mix: dict[str, float]) -> dict[str, int]:
    """``forms`` split by ``mix`` (largest remainders), at least one of each kind asked for."""
    raw = {k: forms * share for k, share in mix.items()}
    out = {k: max(1, int(v)) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: raw[k] - int(raw[k]), reverse=True)[: max(0, forms - sum(out.values()))]:
        out[k] += 1
    return out


def build(forms: int, mix: dict[str, float], seed: int, salt: str = "") -> list[File]:
    """``forms`` files of the corpus, each a different filled form, by ``mix``; shuffled."""
    import random

    from testkit.corpus import build_corpus

    files: list[File] = []
    for k, (kind, n) in enumerate(counts(forms, mix).items()):
        # one corpus per kind, with its own seed: every file is another filled form (no two alike)
        cases = build_corpus(n, seed=seed * 100 + k, kinds=(CORPUS_KIND[kind],), max_pages=1, scan_pdf_every=10**9)
        if len(cases) < n:
            raise SystemExit(f"the corpus made {len(cases)} {kind} files of {n}")
        files += [File(f"{salt}{kind}_{c.name}", c.data, kind) for c in cases[:n]]
    random.Random(seed).shuffle(files)
    return files


def reading_itself(files: list[File]) -> tuple[dict[str, float], dict[str, float]]:
    """Seconds of ``docgen.extract.extract`` for each file (by sha256), in this process, warm, on one thread:
    wall and CPU (this process's, and its PDF parse sandbox's: the fork server and the children it reaped).
    """
    import multiprocessing.forkserver

    from api.sandbox import read_threads
    from docgen.extract import extract
    from extractors import read
    from extractors.ocr import use_threads

    use_threads(read_threads(forked=True))  # as a worker's child reads
    for kind in {f.kind: f for f in files}.values():  # load the readers and the OCR models first
        extract(kind.data, kind.name, reader=read)
    server = multiprocessing.forkserver._forkserver._forkserver_pid  # type: ignore[attr-defined]

    def used() -> float:
        return time.process_time() + (own_and_reaped(stat_fields(Path(f"/proc/{server}"))) if server else 0.0)

    wall, cpu = {}, {}
    for f in files:
        start_cpu = used()
        start = time.perf_counter()
        extract(f.data, f.name, reader=read)
        wall[f.sha256] = time.perf_counter() - start
        cpu[f.sha256] = used() - start_cpu
    return wall, cpu


# ------------------------------------------------------------------------------------------------- processes


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


class Procs:
    """Children of the bench, each in its own process group, output in a log; all stopped at the end."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
        with log.open("wb") as out:
            proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)  # fmt: skip
        self.started.append(proc)
        return proc

    def stop_all(self) -> None:
        for proc in reversed(self.started):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in reversed(self.started):
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(30)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # and what a killed worker left (its reading child)
            proc.wait()


def tree_cpu(pids: list[int]) -> float:
    """CPU seconds of the processes ``pids`` and all their descendants alive now, each with the children it
    reaped (a worker's fork server reaps the children that read): ``/proc/<pid>/stat``."""
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stats[int(entry.name)] = stat_fields(entry)
    children: dict[int, list[int]] = {}
    for pid, fields in stats.items():
        children.setdefault(int(fields[1]), []).append(pid)
    total, todo = 0.0, list(pids)
    while todo:
        pid = todo.pop()
        if pid in stats:
            total += own_and_reaped(stats[pid])
            todo += children.get(pid, [])
    return total


def postmaster_pid() -> int | None:
    """The PostgreSQL server's main process (its backends are its children: their CPU is in its tree)."""
    for path in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            argv = path.read_bytes().split(b"\0")
            if argv and argv[0].endswith(b"postgres") and b"-D" in argv:
                return int(path.parent.name)
    return None


def own_cpu() -> float:
    """CPU seconds of this process (the bench: its client threads, its polling) and its reaped children."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def wait_until(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.1)


def answers(url: str) -> bool:
    with contextlib.suppress(httpx.TransportError):
        return httpx.get(f"{url}/openapi.json", timeout=2).status_code == 200
    return False


def _signed_in(url: str, username: str, password: str) -> httpx.Client:
    """A browser-like client signed in as ``username`` (its Origin, and the CSRF token of its cookie)."""
    http = httpx.Client(base_url=url, timeout=60, headers={"Origin": url})
    http.post("/api/auth/login", json={"username": username, "password": password}).raise_for_status()
    http.headers["X-CSRF-Token"] = http.cookies["docgen_csrf"]
    return http


def setup(url: str, clients: int) -> tuple[int, list[str]]:
    """The 彭州 program and roster as the admin; then one clerk account per client (an admin of the program,
    as a bureau's clerks are), which signs in, replaces its one-time password and makes its own API token.

    One account per client, not one account's tokens: the service keeps at most ``queued_per_user`` (200) of
    a user's uploads waiting, and reads the waiting heads of the uploaders in turn."""
    with contextlib.closing(_signed_in(url, "admin", PASSWORD)) as http:
        r = http.post("/api/programs", files={"file": ("program.yaml", (PENGZHOU / "program.yaml").read_bytes())})
        r.raise_for_status()
        program_id = int(r.json()["id"])
        roster = {"file": ("roster.txt", (PENGZHOU / "roster.txt").read_bytes())}
        http.post(f"/api/programs/{program_id}/roster", files=roster).raise_for_status()
        first = secrets.token_urlsafe(12)
        for k in range(clients):
            user = {"username": f"clerk{k:02d}", "password": first, "role": "admin", "programs": [program_id]}
            http.post("/api/users", json=user).raise_for_status()
    tokens = []
    for k in range(clients):
        with contextlib.closing(_signed_in(url, f"clerk{k:02d}", first)) as http:
            http.post("/api/auth/password", json={"old_password": first, "new_password": PASSWORD}).raise_for_status()
            http.headers["X-CSRF-Token"] = http.cookies["docgen_csrf"]  # the new session's
            tokens.append(http.post("/api/tokens", json={"name": "bench"}).json()["token"])
    return program_id, tokens


# ------------------------------------------------------------------------------------------------- sending


@dataclass
class Sent:
    wall: float = 0.0
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)  # file name → the upload's entry
    retries: int = 0
    refused: int = 0  # answers 429 (the uploader's reading queue full): sent again a second later, as a client does
    done: int = 0


def send(url: str, program_id: int, files: list[File], tokens: list[str], sent: Sent | None = None) -> Sent:
    """Every file in its own request, from one thread per token, into ``sent`` (its ``done`` counts as they are
    answered); a request that fails at the transport level or with a 5xx (the API was killed) is sent again
    until it is answered (2 minutes at most), one answered 429 (the queue full) a second later (an hour)."""
    sent = sent or Sent()
    todo: queue.SimpleQueue[File] = queue.SimpleQueue()
    for f in files:
        todo.put(f)
    lock = threading.Lock()
    failures: list[str] = []

    def client(token: str) -> None:
        with httpx.Client(base_url=url, timeout=120, headers={"Authorization": f"Bearer {token}"}) as http:
            while True:
                try:
                    f = todo.get_nowait()
                except queue.Empty:
                    return
                give_up = time.monotonic() + 120
                while True:
                    try:
                        r = http.post(f"/api/programs/{program_id}/uploads", files=[("files", (f.name, f.data))])
                        if r.status_code == 429:
                            with lock:
                                sent.refused += 1
                            give_up = max(give_up, time.monotonic() + 3600)
                            time.sleep(float(r.headers.get("Retry-After") or 1))
                            continue
                        if r.status_code < 500:
                            break
                    except httpx.TransportError:
                        pass
                    if time.monotonic() > give_up:
                        with lock:
                            failures.append(f.name)
                        r = None
                        break
                    with lock:
                        sent.retries += 1
                    time.sleep(0.25)
                if r is None:
                    continue
                body = r.json()
                entries = body if isinstance(body, list) else body.get("files", [])
                with lock:
                    sent.answers[f.name] = {"status": r.status_code, **(entries[0] if entries else {})}
                    sent.done += 1

    threads = [threading.Thread(target=client, args=(t,), name=f"client-{k}") for k, t in enumerate(tokens)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sent.wall = time.perf_counter() - started
    for name in failures:
        sent.answers.setdefault(name, {"status": None})
    return sent


# ------------------------------------------------------------------------------------------------- one mode


UPLOAD_ROWS = """
SELECT u.id, u.original_name, u.sha256, u.status, u.attempts, u.worker, u.created_at,
       (SELECT count(*) FROM records r WHERE r.upload_id = u.id),
       (SELECT max(r.updated_at) FROM records r WHERE r.upload_id = u.id)
FROM uploads u ORDER BY u.id"""


@dataclass
class Row:
    id: int
    name: str
    sha256: str
    status: str
    attempts: int
    worker: str
    created: Any
    records: int
    read_at: Any


def rows_of(conn: psycopg.Connection[Any]) -> list[Row]:
    return [Row(*r) for r in conn.execute(UPLOAD_ROWS).fetchall()]


def read_count(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute("SELECT count(*) FROM uploads WHERE status IN ('done', 'failed')").fetchone()
    return int(row[0]) if row else 0


def run_mode(mode: str, workers: int, files: list[File], probe: list[File], clients: int, work: Path) -> dict[str, Any]:
    folder = work / mode.replace(" ", "-")
    folder.mkdir()
    procs = Procs()
    kills: list[str] = []
    load = [os.getloadavg()[0]]
    try:
        with database() as db, psycopg.connect(db, autocommit=True) as conn:
            env = {"DOCGEN_DATABASE_URL": db, "DOCGEN_BLOB_STORE": str(folder / "blobs"),
                   "DOCGEN_ADMIN_PASSWORD": PASSWORD, "DOCGEN_SECRET_KEY": "bench",
                   "PYTHONUNBUFFERED": "1"}  # fmt: skip
            if mode == KILL:  # a killed worker's upload back in the queue soon (the other modes keep the default)
                env["DOCGEN_TASK_LEASE_SECONDS"] = str(LEASE)
            if workers:
                port = _free_port()
                procs.start(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--dir", str(folder)], {}, folder / "redis.log")  # fmt: skip
                env["DOCGEN_BROKER_URL"] = f"redis://127.0.0.1:{port}/0"
            port = _free_port()
            url = f"http://127.0.0.1:{port}"
            serve_cmd = [sys.executable, "-m", "cli", "serve", "--data", str(folder / "api"), "--port", str(port)]
            api = [procs.start(serve_cmd, env, folder / "serve.log")]
            wait_until(lambda: answers(url), 120, "docgen serve")
            logs: list[Path] = []
            worker_procs: list[subprocess.Popen[bytes]] = []

            def start_worker(k: int) -> None:
                data = folder / f"w{k}-{len(logs)}"
                (data / "tmp").mkdir(parents=True)
                logs.append(folder / f"{data.name}.log")
                worker_procs.append(procs.start(
                    [sys.executable, "-m", "cli", "worker", "--concurrency", "1", "--name", f"{data.name}@bench",
                     "--data", str(data)], {**env, "TMPDIR": str(data / "tmp")}, logs[-1]))  # fmt: skip

            for k in range(workers):
                start_worker(k)
            wait_until(lambda: all(" ready." in p.read_text(errors="replace") for p in logs), 300, "the workers")
            program_id, tokens = setup(url, clients)
            cpu_before = tree_cpu([w.pid for w in worker_procs])  # the workers are warm and idle
            pg = postmaster_pid()

            def parts() -> dict[str, float]:
                """CPU seconds so far of each part of the set-up (the API: the serving process and its
                children, its in-process reader's included; a worker: its own process — Celery, the claim, the
                record — and its readers, the fork server with the children that read)."""
                pids = [w.pid for w in worker_procs]
                own = sum(own_and_reaped(stat_fields(Path(f"/proc/{pid}"))) for pid in pids)
                return {"API": tree_cpu([api[0].pid]), "worker processes": own, "readers": tree_cpu(pids) - own,
                        "PostgreSQL": tree_cpu([pg]) if pg else 0.0,
                        "Redis": tree_cpu([p.pid for p in procs.started if "redis-server" in str(p.args)]),
                        "bench clients": own_cpu()}  # fmt: skip

            parts_before = parts()
            sending = Sent()
            stop = threading.Event()

            def killer() -> None:
                """Mid-run: SIGKILL the API while half the files are sent (a new one starts on its port), and the
                first worker once a quarter are read (a new worker takes its place)."""
                api_killed = worker_killed = False
                while not stop.is_set() and not (api_killed and worker_killed):
                    if not api_killed and sending.done >= len(files) // 2:
                        api[0].send_signal(signal.SIGKILL)
                        api[0].wait()
                        kills.append(f"API killed after {sending.done} answers")
                        api.append(procs.start(serve_cmd, env, folder / "serve-2.log"))
                        api[0] = api[-1]
                        api_killed = True
                    if not worker_killed and read_count(conn) >= len(files) // 4:
                        os.kill(worker_procs[0].pid, signal.SIGKILL)  # the worker alone: its reading child lives on
                        worker_procs[0].wait()
                        kills.append(f"worker w0 killed after {read_count(conn)} read")
                        start_worker(0)
                        worker_killed = True
                    time.sleep(0.05)

            watch = threading.Thread(target=killer, daemon=True)
            if mode == KILL:
                watch.start()
            send(url, program_id, files, tokens, sending)
            load.append(os.getloadavg()[0])
            wait_until(lambda: read_count(conn) >= len(files), 7200, "every upload read")
            stop.set()
            if watch.is_alive():
                watch.join()
            flood = rows_of(conn)
            parts_cpu = {k: v - parts_before[k] for k, v in parts().items()} if mode != KILL else None
            worker_cpu = tree_cpu([w.pid for w in worker_procs]) - cpu_before if workers and mode != KILL else None
            load.append(os.getloadavg()[0])
            # the idle probe: one digital form at a time
            probed: list[float] = []
            for f in probe:
                before = read_count(conn)
                one = send(url, program_id, [f], tokens[:1])
                if one.answers[f.name].get("id") is None:
                    raise SystemExit(f"probe {f.name} refused: {one.answers[f.name]}")
                wait_until(lambda b=before: read_count(conn) > b, 120, f"probe {f.name} read")  # type: ignore[misc]
                row = next(r for r in rows_of(conn) if r.id == one.answers[f.name]["id"])
                probed.append((row.read_at - row.created).total_seconds())
            completed = Counter(int(m) for p in logs for m in READ_LINE.findall(p.read_text(errors="replace")))
    finally:
        procs.stop_all()
    return {"sent": sending, "rows": flood, "probe": probed, "completed": completed, "logged": bool(logs),
            "kills": kills, "load": load, "worker_cpu": worker_cpu, "parts_cpu": parts_cpu}


# ------------------------------------------------------------------------------------------------- figures


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


def overheads(rows: list[Row], itself: dict[str, float]) -> list[tuple[str, float]]:
    """For each reader (the worker named on the rows), its files in the order read: each file's time from the
    end of the previous file (or its own upload, when later) to its record, minus its reading itself
    (``itself`` by sha256); (sha256, seconds) per file."""
    out = []
    by_worker: dict[str, list[Row]] = {}
    for r in rows:
        if r.read_at is not None and r.attempts == 1:  # a read a kill interrupted is not a reader's steady state
            by_worker.setdefault(r.worker, []).append(r)
    for mine in by_worker.values():
        mine.sort(key=lambda r: r.read_at)
        for prev, r in itertools.pairwise(mine):
            start = max(prev.read_at, r.created)
            out.append((r.sha256, (r.read_at - start).total_seconds() - itself[r.sha256]))
    return out


def summarise(mode: str, result: dict[str, Any], files: list[File], itself: dict[str, float],
              itself_cpu: dict[str, float]) -> dict[str, Any]:
    rows: list[Row] = result["rows"]
    sent: Sent = result["sent"]
    kinds = {f.sha256: f.kind for f in files}
    by_sha = Counter(r.sha256 for r in rows)
    row_of = {r.sha256: r for r in rows}
    lost = [f.name for f in files if f.sha256 not in row_of or row_of[f.sha256].status != "done"
            or row_of[f.sha256].records != 1]  # fmt: skip
    answered_other = [f.name for f in files if sent.answers.get(f.name, {}).get("id") not in
                      (row_of[f.sha256].id if f.sha256 in row_of else None,)]  # fmt: skip
    latency: dict[str, list[float]] = {}
    for r in rows:
        if r.read_at is not None:
            latency.setdefault(kinds[r.sha256], []).append((r.read_at - r.created).total_seconds())
    span = (max(r.read_at for r in rows) - min(r.created for r in rows)).total_seconds()
    over = overheads(rows, itself)
    completed: Counter[int] = result["completed"]
    return {
        "mode": mode,
        "uploads_per_s": len(files) / sent.wall,
        "latency": latency,
        "probe": result["probe"],
        "throughput": len(rows) / span,
        "span": span,
        "overhead": [(kinds[sha], v) for sha, v in over],
        "lost": lost,
        "answered_other": answered_other,
        "stored_twice": sum(1 for n in by_sha.values() if n > 1),
        "read_twice": sum(1 for n in completed.values() if n > 1) if result["logged"] else None,
        "unlogged": sum(1 for r in rows if completed.get(r.id, 0) == 0) if result["logged"] else None,
        "taken_again": sum(1 for r in rows if r.attempts > 1),
        "records_not_one": sum(1 for r in rows if r.records != 1),
        "per_worker": Counter(r.worker.split("@")[0] for r in rows),
        "retries": sent.retries,
        "refused": sent.refused,
        "kills": result["kills"],
        "load": result["load"],
        # the workers' CPU for the flood beyond the reading itself (the same files' CPU in this process), a file
        "cpu_overhead": (result["worker_cpu"] - sum(itself_cpu.values())) / len(files)
        if result["worker_cpu"] is not None else None,
        "worker_cpu": result["worker_cpu"],
        "parts_cpu": result["parts_cpu"],
    }


def report(results: list[dict[str, Any]], files: list[File], itself: dict[str, float], itself_cpu: dict[str, float],
           args: Any) -> bool:
    cores = len(os.sched_getaffinity(0))
    mix = Counter(f.kind for f in files)
    total = sum(itself.values())
    print(f"\n{len(files)} forms ({', '.join(f'{n} {k}' for k, n in mix.items())}), {args.clients} clients, "
          f"{cores} cores; probe {args.probe} digital forms one at a time after each flood")
    per_kind = {k: statistics.median(itself[f.sha256] for f in files if f.kind == k) for k in mix}
    print(f"reading itself (this process, warm, one thread): sum {total:.1f} s ({sum(itself_cpu.values()):.1f} "
          f"CPU s); median "
          + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in per_kind.items())
          + f"; ideal whole-upload time = sum ÷ {cores} cores = {total / cores:.1f} s")
    base = next((r["throughput"] for r in results if r["mode"] == "in-process"), None)
    one = next((r["throughput"] for r in results if r["mode"] == "1 worker"), None)
    print(f"\n{'mode':<11}{'up/s':>6}{'read/s':>8}{'×in-proc':>9}{'×1 wkr':>7}{'span':>8}{'÷ideal':>7}  "
          "upload → record p50/p95 s: flood all | digital | idle probe (digital)")
    ok = True
    for r in results:
        lat = r["latency"]
        every = [v for vs in lat.values() for v in vs]
        digital = [v for k in DIGITAL for v in lat.get(k, [])]
        ratio = f"{r['throughput'] / base:.2f}" if base else "–"
        ratio1 = f"{r['throughput'] / one:.2f}" if one else "–"
        print(f"{r['mode']:<11}{r['uploads_per_s']:>6.1f}{r['throughput']:>8.2f}{ratio:>9}{ratio1:>7}"
              f"{r['span']:>7.0f}s{r['span'] / (total / cores):>7.2f}  "
              f"{pct(every, .5):.2f}/{pct(every, .95):.2f} | {pct(digital, .5):.2f}/{pct(digital, .95):.2f} | "
              f"{pct(r['probe'], .5):.3f}/{pct(r['probe'], .95):.3f}")
    print("\nper kind, flood upload → record p50/p95 s:")
    for r in results:
        print(f"  {r['mode']:<11}" + ", ".join(f"{k} {pct(v, .5):.1f}/{pct(v, .95):.1f}"
                                                for k, v in sorted(r["latency"].items())))
    print("\nper-file overhead beyond the reading itself (median / mean ms; digital median), per reader's "
          "consecutive files:")
    for r in results:
        o = [v for _, v in r["overhead"]]
        od = [v for kind, v in r["overhead"] if kind in DIGITAL]
        if o:
            print(f"  {r['mode']:<11}{statistics.median(o) * 1000:>7.0f} / {statistics.mean(o) * 1000:.0f}; "
                  f"digital {statistics.median(od) * 1000:.0f}  ({len(o)} files)")
    print(f"\nCPU seconds of the worker processes for the flood (worker, fork server, reading children) beyond "
          f"the reading itself ({sum(itself_cpu.values()):.1f} CPU s in this process), a file — load-proof:")
    for r in results:
        if r["cpu_overhead"] is not None:
            print(f"  {r['mode']:<11}{r['worker_cpu']:.1f} CPU s: overhead {r['cpu_overhead'] * 1000:.0f} ms a file")
    reading_ms = 1000 * sum(itself_cpu.values()) / len(files)
    print(f"\nCPU of every part for the flood, ms a file (the reading itself: {reading_ms:.0f} ms CPU a file in this "
          "process):")
    for r in results:
        if r["parts_cpu"] is not None:
            parts = r["parts_cpu"]
            print(f"  {r['mode']:<11}" + ", ".join(f"{k} {1000 * v / len(files):.0f}" for k, v in parts.items())
                  + f"; all {1000 * sum(parts.values()) / len(files):.0f}")
    print("\nexactly once:")
    for r in results:
        bad = bool(r["lost"] or r["stored_twice"] or r["read_twice"] or r["records_not_one"] or r["answered_other"])
        ok = ok and not bad
        twice = "–" if r["read_twice"] is None else r["read_twice"]
        print(f"  {r['mode']:<11}lost {len(r['lost'])}, stored twice {r['stored_twice']}, read twice {twice}"
              f" (reads without a log line: {r['unlogged'] if r['unlogged'] is not None else '–'}), "
              f"records ≠ 1 {r['records_not_one']}, answer ≠ row {len(r['answered_other'])}; "
              f"taken again after a kill {r['taken_again']}, requests sent again {r['retries']}, "
              f"refused 429 {r['refused']}; "
              f"read by {dict(r['per_worker'])}; load {'/'.join(f'{x:.1f}' for x in r['load'])}"
              + (f"; {'; '.join(r['kills'])}" if r["kills"] else "") + ("  FAIL" if bad else ""))
        if r["lost"]:
            print(f"    lost: {r['lost'][:5]}")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--forms", type=int, default=1000)
    parser.add_argument("--mix", default="docx=55,pdf=30,scan=10,photo=5", help="kinds and their shares")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--probe", type=int, default=10, help="digital forms sent one at a time after the flood")
    parser.add_argument("--modes", default=",".join(MODES), help="comma-separated: " + ", ".join(MODES))
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    modes = [m.strip() for m in args.modes.split(",")]
    if unknown := [m for m in modes if m not in MODES]:
        raise SystemExit(f"--modes: unknown {unknown}")
    started = time.perf_counter()
    print(f"load average {os.getloadavg()}; building {args.forms} forms …", flush=True)
    files = build(args.forms, parse_mix(args.mix), args.seed)
    probe = build(args.probe, {"docx": 0.5, "pdf": 0.5}, args.seed + 1, salt="probe-")
    print(f"built in {time.perf_counter() - started:.0f} s; timing the reading itself …", flush=True)
    itself, itself_cpu = reading_itself(files)
    results = []
    with tempfile.TemporaryDirectory(prefix="docgen-scale-") as tmp:
        for mode in modes:
            print(f"{mode} … (load {os.getloadavg()[0]:.1f})", flush=True)
            results.append(summarise(mode, run_mode(mode, MODES[mode], files, probe, args.clients, Path(tmp)),
                                     files, itself, itself_cpu))  # fmt: skip
            if mode != modes[-1]:  # the figures so far, in case a long run is stopped before its end
                report(results, files, itself, itself_cpu, args)
                sys.stdout.flush()
    ok = report(results, files, itself, itself_cpu, args)
    print(f"\n{'PASS' if ok else 'FAIL'} (whole run {time.perf_counter() - started:.0f} s)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
