"""``docgen serve`` without a broker reads with the warm fork server of ``docgen worker`` (``warm_reader``, the
default): the models load once when the service starts, every upload is read in a fork of that one server —
no fresh interpreter per file — and a read still dies on its time and memory limits. Run in a separate
interpreter: the warm reader switches its whole process to forks of its server, and the test session's own
children stay fresh (tests/api_fixtures.py)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.live_server import ROOT

pytestmark = pytest.mark.slow  # a fork server with the OCR models, a scan's OCR

SCRIPT = r"""
import json, os, subprocess, sys, tempfile
from pathlib import Path
from api import sandbox
from testkit.forms import stats_docx
from tests.api_fixtures import create_pengzhou, make_settings, running_client, wait_record
from tests.test_workers import slow_scan

fresh = []  # fresh interpreters started for a read (python -m api.sandbox)
real_popen = subprocess.Popen


class Counted(real_popen):
    def __init__(self, args, *rest, **kwargs):
        if "api.sandbox" in list(args):
            fresh.append(args)
        super().__init__(args, *rest, **kwargs)


subprocess.Popen = Counted


def read(tmp, name, data, **limits):
    settings = make_settings(Path(tmp) / name, f"sqlite:///{tmp}/{name}.db", warm_reader=True, **limits)
    with running_client(settings) as client:
        program_id = create_pengzhou(client)
        r = client.post(f"/api/programs/{program_id}/uploads", files=[("files", (name, data))])
        assert r.status_code == 202, r.text
        record = wait_record(client, r.json()[0]["id"], timeout=120)
        upload = client.get(f"/api/uploads/{r.json()[0]['id']}").json()
        return record, upload, sandbox.warm_server_pid()


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        first, _, server = read(tmp, "统计表03.docx", stats_docx("03", activities=("送教下乡",)))
        second, _, again = read(tmp, "统计表05.docx", stats_docx("05", activities=("家访",)))
        maps = open(f"/proc/{server}/maps").read()
        size = next(int(l.split()[1]) << 10 for l in open(f"/proc/{server}/status") if l.startswith("VmSize:"))
        scan = slow_scan()
        _, slow, _ = read(tmp, "扫描慢.png", scan, extract_timeout_seconds=0.5)
        tight, tight_upload, _ = read(tmp, "扫描紧.png", scan, extract_memory_bytes=size + (20 << 20))
        print(json.dumps({
            "servers": [server, again], "fresh": len(fresh), "models": "onnxruntime" in maps,
            "first": [first["status"], first["pair_label"]], "second": [second["status"], second["pair_label"]],
            "slow": [slow["status"], slow["error"]], "tight": [tight["status"], tight_upload["status"]],
        }, ensure_ascii=False))
"""


def test_serve_reads_every_upload_in_a_fork_of_one_warm_server_within_the_same_limits() -> None:
    proc = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, timeout=600)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-3000:]
    out = json.loads(proc.stdout.decode().strip().splitlines()[-1])
    # two reads (two services started in turn in one process): the same server, which holds the OCR models
    server, again = out["servers"]
    assert server is not None and again == server and out["models"], out
    assert out["fresh"] == 0  # no fresh interpreter was started for any read
    assert out["first"] == ["complete", "03"] and out["second"] == ["complete", "05"], out
    # the limits hold in the fork: killed at the time limit; 20 MB beyond the server's own size cannot OCR a scan
    assert out["slow"] == ["failed", "解析超时：0.5 秒内未完成"], out
    assert out["tight"][0] == "unreadable", out
