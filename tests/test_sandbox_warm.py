"""The warm reader of ``docgen worker`` (api/sandbox.py ``start_warm``) keeps the hostile-upload guarantees of
the fresh child: the same answer for a good file, and a file past the time or memory limit fails the same way
(解析超时, 解析进程异常退出, a read that cannot allocate past the memory limit) with the child and its
process group gone — now in a fork of a server that already holds the OCR models. Run in a separate
interpreter: ``start_warm`` switches its whole process to warm children, and the test session's own
children must stay fresh."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from tests.live_server import ROOT

pytestmark = pytest.mark.slow  # OCR of a scan, a fork server with the models

SCRIPT = r"""
import json, os, time
from api import sandbox
from api.sandbox import ChildFailed, run_child
from testkit.forms import stats_docx
from tests.test_security_resources import BOMBS, xlsx_bomb


PIXELS = ["100000000"]


def failure(mode, data, name, args=(), **limits):
    try:
        run_child(mode, data, name, args, **limits)
    except ChildFailed as exc:
        return exc.reason
    return None


if __name__ == "__main__":
    form = stats_docx("03", activities=("送教下乡",))
    fresh = json.loads(run_child("extract", form, "统计表.docx", timeout=60, memory=3 << 30))
    sandbox.start_warm()
    warm = json.loads(run_child("extract", form, "统计表.docx", timeout=60, memory=3 << 30))
    import multiprocessing.forkserver as fs
    server = fs._forkserver._forkserver_pid
    size = next(int(l.split()[1]) << 10 for l in open(f"/proc/{server}/status") if l.startswith("VmSize:"))
    bomb = xlsx_bomb(**BOMBS["rows"])
    from tests.test_workers import slow_scan
    scan = slow_scan()
    import io
    import numpy as np
    from PIL import Image
    from testkit.scan_fixtures import images_to_pdf
    lines = Image.open(io.BytesIO(scan)).convert("RGB").crop((0, 0, 1600, 280))  # three lines: OCR stays short
    scanned_pdf = images_to_pdf([np.asarray(lines)])
    # a PDF: the reader parses it in its own sandbox (extractors._sandbox), a grandchild of the worker
    pdf_fresh = json.loads(run_child("extract", scanned_pdf, "扫描.pdf", timeout=60, memory=3 << 30))
    from tests.test_sandbox_warm import text_pdf, modules_a_parse_imports
    receiver, sender = sandbox._warm.ctx.Pipe(duplex=False)
    probe = sandbox._warm.ctx.Process(target=modules_a_parse_imports, args=(sender, text_pdf()))
    probe.start()
    sender.close()
    parse_imports = receiver.recv()
    probe.join()
    from tests.test_sandbox_warm import patterns_an_interpretation_compiles
    receiver, sender = sandbox._warm.ctx.Pipe(duplex=False)
    probe = sandbox._warm.ctx.Process(target=patterns_an_interpretation_compiles, args=(sender,))
    probe.start()
    sender.close()
    interpret_compiles = receiver.recv()
    probe.join()
    out = {
        "fresh": fresh,
        "warm": warm,
        "timeout": failure("roster", bomb, "大表.xlsx", timeout=0.5, memory=size + (1 << 30)),
        # the scan's OCR needs more than 20 MB beyond what the server holds: the reader cannot allocate
        "tight": json.loads(run_child("extract", scan, "扫描.png", PIXELS, timeout=60, memory=size + (20 << 20))),
        "roomy": json.loads(run_child("extract", scan, "扫描.png", PIXELS, timeout=60, memory=3 << 30)),
        "pdf_fresh": pdf_fresh,
        "pdf_warm": json.loads(run_child("extract", scanned_pdf, "扫描.pdf", timeout=60, memory=3 << 30)),
        "unknown": failure("nonsense", b"", "x", timeout=10, memory=size + (200 << 20)),
        "server_alive": os.path.exists(f"/proc/{server}"),
        "parse_imports": parse_imports,
        "interpret_compiles": interpret_compiles,
    }
    time.sleep(0.5)
    # what the warm server still has running: the spare that waits for the next file, nothing else (each
    # read's child was reaped, its group killed)
    children = [p for p in os.listdir("/proc") if p.isdigit() and os.path.exists(f"/proc/{p}/stat")]
    out["left"] = sorted(int(p) for p in children
                         if open(f"/proc/{p}/stat").read().rsplit(")", 1)[-1].split()[1] == str(server))
    out["spares"] = sandbox._warm.spare_pids()
    print(json.dumps(out, ensure_ascii=False))
"""


def text_pdf() -> bytes:
    """A one-page PDF with a line of text (Helvetica): enough for pdfplumber to run every step of a parse."""
    from testkit.hostile_pdf import pdf_of_objects

    text = b"BT /F1 12 Tf 72 760 Td (Hello) Tj ET"
    return pdf_of_objects({
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
           b"/Contents 4 0 R >>",
        4: b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    })


def modules_a_parse_imports(conn: Any, pdf: bytes) -> None:
    """In a child of the warm server: the modules a PDF parse imports (sent on ``conn``); none should be left
    to import there — each read's parse is a fresh fork, so an import there is paid again for every PDF."""
    from extractors.pdf import parse_pdf

    before = set(sys.modules)
    parse_pdf(pdf, "x.pdf")
    conn.send(sorted(set(sys.modules) - before))
    conn.close()


def patterns_an_interpretation_compiles(conn: Any) -> None:
    """In a child of the warm server: how many label patterns interpreting a 回执 compiles there (sent on
    ``conn``); none should be — the server computed every schema's (``docgen.interpret.prepare``)."""
    from docgen.extraction import InputKind, Provenance, ReadDocument, TextLine
    from docgen.interpret import interpret
    from docgen.line_fields import _compiled

    lines = ("联络员和分管领导回执", "学校：彭州市西郊小学", "联络员姓名：张三")
    doc = ReadDocument("回执.pdf", InputKind.PDF, 1, lines=tuple(TextLine(t, 1.0, Provenance(page=1)) for t in lines))
    before = _compiled.cache_info().misses
    result = interpret(doc)
    conn.send((result.form, _compiled.cache_info().misses - before))
    conn.close()


def test_the_warm_reader_answers_as_the_fresh_one_and_fails_past_the_same_limits() -> None:
    proc = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-3000:]
    out = json.loads(proc.stdout)
    assert out["warm"] == out["fresh"] and out["warm"]["status"] == "complete"
    assert out["pdf_warm"] == out["pdf_fresh"] and out["pdf_warm"]["input_kind"] == "scan", out["pdf_warm"]
    assert out["timeout"] == "解析超时"  # killed at the time limit (the bomb needs seconds)
    # the memory limit holds in the fork: 20 MB beyond the warm server's own size is too little to OCR the scan
    assert (out["tight"]["status"], out["roomy"]["status"]) == ("unreadable", "needs_review"), out
    assert out["unknown"] == "解析进程异常退出"  # a failure inside the child is an answer, not a hang
    assert out["server_alive"]  # a killed child does not take the warm server with it
    # no child of a finished or killed read is left running: only the one spare, which holds no file yet
    assert len(out["spares"]) == 1 and out["left"] == out["spares"], out["left"]
    # the server holds what a PDF parse needs: pdfplumber and pdfminer were imported again for each PDF (≈ 45 ms)
    assert out["parse_imports"] == [], out["parse_imports"]
    # ... and the schemas' label patterns: each child compiled its form's again (≈ 1–4 ms a read)
    assert out["interpret_compiles"] == ["liaison_reply", 0], out["interpret_compiles"]
