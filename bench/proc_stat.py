"""CPU of processes from ``/proc/<pid>/stat``: the benchmarks count a worker's fork server and the children it
reaped, which ``resource.getrusage`` of the bench's own process does not see."""

from __future__ import annotations

import os
from pathlib import Path


def stat_fields(proc: Path) -> list[str]:
    """The fields of ``/proc/<pid>/stat`` after the command name (``fields[1]`` is the parent's pid,
    ``fields[7]`` and ``fields[8]`` its own and its reaped children's minor page faults)."""
    return (proc / "stat").read_text().rsplit(")", 1)[1].split()


def own_and_reaped(fields: list[str]) -> float:
    """CPU seconds of a process (:func:`stat_fields`): its own and those of the children it reaped."""
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")
