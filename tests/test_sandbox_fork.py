"""The PDF parse sandbox inside a read's child of ``docgen worker`` (``extractors._sandbox.fork_children``): its
children are forks of the caller — no fork server, a fresh interpreter, started per read — in the caller's
process group, and the memory limit still stops a bomb while leaving the same room to parse as before. Run
in a separate interpreter: the switch is for the whole process."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.live_server import ROOT

SCRIPT = r"""
import json, os, sys
from extractors import _sandbox
from extractors._sandbox import Limits, SandboxError, run_limited


def allocate(mb):
    block = bytearray(mb << 20)
    return len(block) >> 20


def outcome(func, *args, **limits):
    try:
        return run_limited(func, *args, limits=Limits(**limits))
    except SandboxError as exc:
        return exc.reason


if __name__ == "__main__":
    server_parent = run_limited(os.getppid)
    _sandbox.fork_children()
    os.setsid()  # as the read's child does
    ballast = bytearray(300 << 20)  # the caller holds readers and models: the fork inherits them
    print(json.dumps({
        "me": os.getpid(),
        "server_parent": server_parent,
        "fork_parent": run_limited(os.getppid),
        "fork_group": run_limited(os.getpgrp),
        "room": outcome(allocate, 200, seconds=30, memory_bytes=400 << 20),
        "bomb": outcome(allocate, 600, seconds=30, memory_bytes=400 << 20),
        "slow": outcome(__import__("time").sleep, 5, seconds=0.5),
    }))
"""


def test_a_reads_child_forks_its_pdf_sandboxes_from_itself_under_the_same_limits() -> None:
    proc = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-3000:]
    out = json.loads(proc.stdout)
    assert out["server_parent"] != out["me"]  # by default: the fork server's child
    assert out["fork_parent"] == out["me"] and out["fork_group"] == out["me"]  # then: its own fork, its group
    # 400 MB beyond the 300 MB it inherited: 200 MB fit, 600 MB do not
    assert (out["room"], out["bomb"]) == (200, "memory")
    assert out["slow"] == "timeout"
