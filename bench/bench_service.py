"""Service benchmark: concurrent uploads through a real ``docgen serve``, against one client sending them in turn.

    .venv/bin/python bench/bench_service.py                    # 200 uploads, 20 clients
    .venv/bin/python bench/bench_service.py --uploads 60 --clients 10 --scans 0     # quicker

What it does (everything in a temporary folder, removed at the end; the servers are stopped in any case):

1. Builds the files once: typed 统计表 .docx (python-docx, ``testkit.forms.stats_docx``, each with its
   own activity so each has its own bytes), PDFs of some of them (one LibreOffice run for all), a few PNG
   "scans" (a PDF page rendered at 150 dpi), ~10 % deliberate duplicates (the same bytes under another
   name) and a few bad files (an .exe named .pdf, an ELF named .docx, a file past the size limit, a ZIP
   bomb, an empty file, a text file), half of them sent alone, half attached to a good file in one request.
2. **Baseline**: starts ``docgen serve`` (uvicorn, SQLite, local blobs, the worker running) on 127.0.0.1
   with a free port and a fresh data folder, and sends every request in turn with one client.
3. **Concurrent**: a second fresh server; the same requests, shuffled, from ``--clients`` threads, each
   with its own API token and HTTP connection.
4. Waits (at most ``--wait`` seconds) until the concurrent server has read every accepted upload, then
   checks through the API: every good file accepted, every bad file refused with a reason, each distinct
   content stored exactly once (duplicates return the first upload's id, exactly one answer says
   ``duplicate: false``), one record per upload, the pair read back from each typed form as sent.

Prints uploads per second and p50/p95 of the upload request for both runs, the concurrent figures as ratios
of the baseline, and a final ``PASS`` or ``FAIL`` line (exit status 0 or 1).
"""

from __future__ import annotations

import argparse
import io
import os
import queue
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from testkit.forms import PENGZHOU, stats_docx  # noqa: E402

PASSWORD = "bench-lantern-pass"  # must pass the password rule (no "admin" in it)
MAX_UPLOAD = 5 << 20  # the servers' per-file limit here (DOCGEN_MAX_UPLOAD_BYTES): a 6 MB file is "too large"
UNITS = {"03": "彭州市西郊小学", "05": "彭州市清平小学", "06": "彭州市濛阳七一竹瓦九年制学校"}


@dataclass(frozen=True)
class File:
    name: str
    data: bytes
    kind: str  # "good", "dup" or "bad"
    pair: str | None = None  # the pair printed on a typed form (docx/pdf), checked against the record


@dataclass
class Outcome:
    seconds: float
    status: int
    entries: list[dict[str, Any]]
    files: tuple[File, ...]


@dataclass
class Run:
    name: str
    clients: int
    wall: float = 0.0
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def files(self) -> int:
        return sum(len(o.files) for o in self.outcomes)

    def per_second(self) -> float:
        return self.files / self.wall

    def latency(self, q: float) -> float:
        values = sorted(o.seconds for o in self.outcomes)
        return values[min(len(values) - 1, round(q * (len(values) - 1)))]


# --------------------------------------------------------------------------------------------- the files


def _pair(i: int) -> str:
    return list(UNITS)[i % len(UNITS)]


def _form(i: int) -> tuple[bytes, str]:
    pair = _pair(i)
    return stats_docx(pair, UNITS[pair], activities=(f"送教下乡（第{i + 1}次）", f"同课异构 {i % 7 + 1}")), pair


def _to_pdfs(docs: list[bytes], work: Path, timeout: float) -> list[bytes]:
    if not docs:
        return []
    if shutil.which("soffice") is None:
        raise SystemExit("LibreOffice (soffice) is needed for the PDFs; or run with --pdfs 0")
    src = work / "pdf-src"
    src.mkdir()
    paths = []
    for k, data in enumerate(docs):
        paths.append(src / f"f{k:04d}.docx")
        paths[-1].write_bytes(data)
    cmd = ["soffice", "--headless", f"-env:UserInstallation=file://{work}/lo-profile", "--convert-to", "pdf"]
    subprocess.run([*cmd, "--outdir", str(src), *map(str, paths)], check=True, capture_output=True, timeout=timeout)
    return [p.with_suffix(".pdf").read_bytes() for p in paths]


def _scan(pdf: bytes) -> bytes:
    import pypdfium2 as pdfium

    page = pdfium.PdfDocument(pdf)[0]
    image = page.render(scale=150 / 72).to_pil().convert("L")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _bad_files() -> list[File]:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("统计表.docx", b"\x00" * 150_000_000)
    return [
        File("统计表.pdf", b"MZ\x90\x00" + bytes(60) + b"This program cannot be run in DOS mode.", "bad"),
        File("回传.docx", b"\x7fELF\x02\x01\x01" + bytes(200), "bad"),
        File("扫描件.pdf", b"%PDF-1.7\n" + b"0" * (MAX_UPLOAD + (1 << 20)), "bad"),
        File("bomb.zip", bomb.getvalue(), "bad"),
        File("空白.pdf", b"", "bad"),
        File("说明.txt", "请查收附件。".encode(), "bad"),
    ]


def build_requests(n: int, pdfs: int, scans: int, seed: int, work: Path) -> list[tuple[File, ...]]:
    """``n`` files in requests: good forms, ~10 % duplicates, a few bad files (half alone, half with a good one)."""
    bad = _bad_files()[: max(1, min(6, n // 30))]
    dups = n // 10
    unique = n - len(bad) - dups
    pdfs, scans = min(pdfs, unique // 3), min(scans, unique // 10)
    docx_n = unique - pdfs - scans
    good: list[File] = []
    for i in range(docx_n):
        data, pair = _form(i)
        good.append(File(f"{pair}_统计表_{i + 1:03d}.docx", data, "good", pair))
    printed = [_form(docx_n + k) for k in range(pdfs + scans)]
    started = time.perf_counter()
    converted = _to_pdfs([d for d, _ in printed], work, timeout=600)
    if converted:
        print(f"  LibreOffice: {len(converted)} PDFs in {time.perf_counter() - started:.1f} s", flush=True)
    for k in range(pdfs):
        good.append(File(f"{printed[k][1]}_统计表_{docx_n + k + 1:03d}.pdf", converted[k], "good", printed[k][1]))
    for k in range(pdfs, pdfs + scans):
        good.append(File(f"扫描_{docx_n + k + 1:03d}.png", _scan(converted[k]), "good"))
    rng = random.Random(seed)
    originals = [f for f in good if f.kind == "good"]
    copies = [
        File(f"重发_{k + 1:02d}_{f.name}", f.data, "dup", f.pair) for k, f in enumerate(rng.sample(originals, dups))
    ]
    singles: list[tuple[File, ...]] = [(f,) for f in good + copies]
    rng.shuffle(singles)
    requests: list[tuple[File, ...]] = []
    for k, b in enumerate(bad):
        if k % 2 == 0 or not singles:
            requests.append((b,))
        else:
            requests.append((*singles.pop(), b))  # a good file with a bad one in the same request
    requests += singles
    rng.shuffle(requests)
    return requests


# --------------------------------------------------------------------------------------------- the server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(data_dir: Path) -> Iterator[str]:
    """``docgen serve --data data_dir --port <free>`` in its own process group; stopped (SIGINT, then SIGKILL)."""
    port = _free_port()
    cmd = [sys.executable, "-m", "cli"]  # this checkout's command (cwd=ROOT), whatever the venv's script points at
    env = {
        **os.environ,
        "DOCGEN_ADMIN_PASSWORD": PASSWORD,
        "DOCGEN_MAX_UPLOAD_BYTES": str(MAX_UPLOAD),
        "DOCGEN_WORKER_POLL_SECONDS": "0.2",
    }
    env.pop("DOCGEN_DATABASE_URL", None)
    env.pop("DOCGEN_BLOB_STORE", None)
    log = (data_dir.parent / f"{data_dir.name}-server.log").open("wb")
    proc = subprocess.Popen(
        [*cmd, "serve", "--data", str(data_dir), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"docgen serve exited with {proc.returncode}; see {log.name}")
            try:
                if httpx.get(f"{url}/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("docgen serve did not start within 60 s")
            time.sleep(0.2)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(40)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        log.close()


def setup(url: str, clients: int) -> tuple[int, list[str], str]:
    """Program + roster as the admin; one API token per client. Returns (program id, tokens, admin token)."""
    with httpx.Client(base_url=url, timeout=60) as http:
        r = http.post("/api/auth/login", json={"username": "admin", "password": PASSWORD})
        r.raise_for_status()
        tokens = [http.post("/api/tokens", json={"name": f"bench-{k:02d}"}).json()["token"] for k in range(clients + 1)]
        http.cookies.clear()
        http.headers["Authorization"] = f"Bearer {tokens[-1]}"
        r = http.post("/api/programs", files={"file": ("program.yaml", (PENGZHOU / "program.yaml").read_bytes())})
        r.raise_for_status()
        program_id = int(r.json()["id"])
        r = http.post(
            f"/api/programs/{program_id}/roster", files={"file": ("roster.txt", (PENGZHOU / "roster.txt").read_bytes())}
        )
        r.raise_for_status()
    return program_id, tokens[:-1], tokens[-1]


def send(url: str, program_id: int, requests: list[tuple[File, ...]], tokens: list[str], deadline: float) -> Run:
    """Every request, from ``len(tokens)`` threads (one token and one connection each); times each request."""
    run = Run("sequential" if len(tokens) == 1 else "concurrent", len(tokens))
    todo: queue.SimpleQueue[tuple[File, ...]] = queue.SimpleQueue()
    for req in requests:
        todo.put(req)
    lock = threading.Lock()
    errors: list[str] = []

    def client(token: str) -> None:
        with httpx.Client(base_url=url, timeout=120, headers={"Authorization": f"Bearer {token}"}) as http:
            while time.monotonic() < deadline:
                try:
                    req = todo.get_nowait()
                except queue.Empty:
                    return
                files = [("files", (f.name, f.data)) for f in req]
                started = time.perf_counter()
                try:
                    r = http.post(f"/api/programs/{program_id}/uploads", files=files)
                except httpx.HTTPError as exc:
                    with lock:
                        errors.append(f"{req[0].name}: {type(exc).__name__} {exc}")
                    continue
                seconds = time.perf_counter() - started
                body = r.json()
                entries = body if isinstance(body, list) else body.get("files", [])
                with lock:
                    run.outcomes.append(Outcome(seconds, r.status_code, entries, req))

    threads = [threading.Thread(target=client, args=(t,), name=f"client-{k}") for k, t in enumerate(tokens)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    run.wall = time.perf_counter() - started
    if errors:
        raise SystemExit(f"{run.name}: {len(errors)} requests failed at the transport level, e.g. {errors[0]}")
    if len(run.outcomes) != len(requests):
        raise SystemExit(f"{run.name}: only {len(run.outcomes)} of {len(requests)} requests sent before the deadline")
    return run


# --------------------------------------------------------------------------------------------- the checks


def check_answers(run: Run) -> tuple[list[str], dict[str, int]]:
    """Every good file accepted, every bad file refused with its name in the reason, one id per content."""
    problems: list[str] = []
    ids: dict[bytes, set[int]] = defaultdict(set)
    fresh: Counter[bytes] = Counter()
    for o in run.outcomes:
        if len(o.entries) != len(o.files):
            problems.append(f"{o.files[0].name}: {len(o.entries)} entries for {len(o.files)} files (HTTP {o.status})")
            continue
        all_bad = all(f.kind == "bad" for f in o.files)
        expected = (413, 415, 422) if all_bad else (202,)
        if o.status not in expected:
            problems.append(f"{o.files[0].name}: HTTP {o.status}, expected {expected}")
        for f, e in zip(o.files, o.entries, strict=True):
            if f.kind == "bad":
                if e["status"] != "rejected" or e["id"] is not None or f.name not in (e["error"] or ""):
                    problems.append(f"{f.name}: not refused with its name in the reason: {e}")
                continue
            if e["status"] == "rejected" or e["id"] is None:
                problems.append(f"{f.name}: a good file was refused: {e}")
                continue
            ids[f.data].add(int(e["id"]))
            if not e["duplicate"]:
                fresh[f.data] += 1
    for data, found in ids.items():
        if len(found) != 1:
            problems.append(f"one content stored under {len(found)} ids {sorted(found)}")
        if fresh[data] != 1:
            problems.append(f"upload {sorted(found)}: {fresh[data]} answers said duplicate=false (expected 1)")
    return problems, {"distinct": len(ids), "ids": len({i for s in ids.values() for i in s})}


def check_stored(url: str, token: str, program_id: int, run: Run, wait: float) -> tuple[list[str], dict[str, Any]]:
    """After the worker has read every upload (or ``wait`` seconds): rows, records and pairs as sent."""
    problems: list[str] = []
    sent: dict[str, File] = {}
    for o in run.outcomes:
        for f, e in zip(o.files, o.entries, strict=False):
            if f.kind != "bad" and e.get("sha256"):
                sent.setdefault(e["sha256"], f)
    with httpx.Client(base_url=url, timeout=120, headers={"Authorization": f"Bearer {token}"}) as http:
        started = time.perf_counter()
        deadline = time.monotonic() + wait
        while True:
            uploads = http.get("/api/uploads", params={"program": program_id}).json()
            pending = [u for u in uploads if u["status"] in ("received", "processing") or not u["record_id"]]
            if not pending or time.monotonic() > deadline:
                break
            time.sleep(1.0)
        read_seconds = time.perf_counter() - started
        records = http.get("/api/records", params={"program": program_id}).json()
    if pending:
        problems.append(f"{len(pending)} uploads still unread after {wait:g} s")
    shas = Counter(u["sha256"] for u in uploads)
    if len(uploads) != len(sent) or set(shas) != set(sent):
        problems.append(f"{len(uploads)} upload rows for {len(sent)} distinct accepted files")
    problems += [f"content {sha[:12]} stored {n} times" for sha, n in shas.items() if n > 1]
    by_upload = Counter(r["upload_id"] for r in records)
    problems += [f"upload {u} has {n} records" for u, n in by_upload.items() if n > 1]
    if set(by_upload) != {u["id"] for u in uploads}:
        problems.append(f"{len(records)} records for {len(uploads)} uploads")
    pair_of = {u["id"]: sent[u["sha256"]].pair for u in uploads if u["sha256"] in sent}
    wrong = [r for r in records if pair_of.get(r["upload_id"]) and r["pair_label"] != pair_of[r["upload_id"]]]
    problems += [f"record {r['id']}: pair {r['pair_label']!r}, sent {pair_of[r['upload_id']]!r}" for r in wrong[:5]]
    facts = {
        "uploads": len(uploads),
        "records": len(records),
        "record_status": dict(Counter(r["status"] for r in records)),
        "upload_status": dict(Counter(u["status"] for u in uploads)),
        "read_wait": read_seconds,
    }
    return problems, facts


# --------------------------------------------------------------------------------------------- main


def _line(run: Run) -> str:
    return (
        f"  {run.name:<10} clients {run.clients:>3}  {run.files} files in {len(run.outcomes)} requests, "
        f"{run.wall:6.2f} s  →  {run.per_second():6.1f} uploads/s   "
        f"p50 {run.latency(0.5) * 1000:6.1f} ms   p95 {run.latency(0.95) * 1000:6.1f} ms"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--uploads", type=int, default=200, help="files sent (good + duplicates + bad)")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--pdfs", type=int, default=30, help="how many of the forms are LibreOffice PDFs")
    ap.add_argument("--scans", type=int, default=2, help="how many are PNG scans (read by OCR: seconds each)")
    ap.add_argument("--wait", type=float, default=600, help="at most this long for the worker to read everything")
    ap.add_argument("--timeout", type=float, default=300, help="at most this long for each upload phase")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (databases, server logs)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="docgen-bench-service-"))
    try:
        print(f"building {args.uploads} files …", flush=True)
        requests = build_requests(args.uploads, args.pdfs, args.scans, args.seed, work)
        files = [f for req in requests for f in req]
        kinds = Counter(f.kind for f in files)
        exts = Counter(Path(f.name).suffix for f in files if f.kind == "good")
        print(
            f"  {len(files)} files in {len(requests)} requests: {kinds['good']} distinct forms "
            f"({', '.join(f'{n} {e[1:]}' for e, n in sorted(exts.items()))}), {kinds['dup']} duplicates, "
            f"{kinds['bad']} bad; {sum(len(f.data) for f in files) / (1 << 20):.1f} MB",
            flush=True,
        )
        problems: list[str] = []
        with server(work / "baseline") as url:
            program_id, tokens, _ = setup(url, 1)
            baseline = send(url, program_id, requests, tokens, time.monotonic() + args.timeout)
            found, _ = check_answers(baseline)
            problems += [f"baseline: {p}" for p in found]
        shuffled = list(requests)
        random.Random(args.seed + 1).shuffle(shuffled)
        with server(work / "concurrent") as url:
            program_id, tokens, admin_token = setup(url, args.clients)
            concurrent = send(url, program_id, shuffled, tokens, time.monotonic() + args.timeout)
            found, answer_facts = check_answers(concurrent)
            problems += [f"concurrent: {p}" for p in found]
            found, facts = check_stored(url, admin_token, program_id, concurrent, args.wait)
            problems += [f"concurrent: {p}" for p in found]
        print("upload requests (202 and refusals alike; the worker reads in the background):")
        print(_line(baseline))
        print(_line(concurrent))
        print(
            f"  concurrent / sequential: throughput ×{concurrent.per_second() / baseline.per_second():.2f}, "
            f"p50 ×{concurrent.latency(0.5) / baseline.latency(0.5):.2f}, "
            f"p95 ×{concurrent.latency(0.95) / baseline.latency(0.95):.2f}"
        )
        statuses = Counter(o.status for o in concurrent.outcomes)
        print(f"  concurrent HTTP statuses: {dict(sorted(statuses.items()))}")
        print(
            f"after the concurrent run: {facts['uploads']} upload rows for {answer_facts['distinct']} distinct "
            f"accepted contents ({kinds['dup']} duplicates mapped), {facts['records']} records; "
            f"all read {facts['read_wait']:.0f} s after the last upload answered"
        )
        print(f"  uploads {facts['upload_status']}   records {facts['record_status']}")
        for p in problems[:20]:
            print(f"  problem: {p}")
        if problems:
            print(f"FAIL: {len(problems)} problems")
            return 1
        print(
            f"PASS: {kinds['good']} accepted, none lost, none recorded twice; {kinds['dup']} duplicates → the first "
            f"upload; {kinds['bad']} bad files refused with their reason"
        )
        return 0
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
