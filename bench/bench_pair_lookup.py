"""How long filing one returned form under its pair takes in a province-size program (issue 13).

    PYTHONPATH=. .venv/bin/python bench/bench_pair_lookup.py [--pairs 10000]

A fresh PostgreSQL database (127.0.0.1:5432, dropped afterwards) gets one program of ``--pairs`` pairs, each
label printed for its pair (as a batch does). It times :func:`api.services.rosters.printed_pairs` — the lookup
every record written by a worker does — for 30 printed labels (``NNNNN-2``, a unit of a split pair) and 10
labels never printed, and prints the medians. Not a test: it needs PostgreSQL.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.db import Database, migrate
from api.models import Pair, PairLabel, Program
from api.services import rosters
from bench.bench_scale import database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=10_000)
    n = parser.parse_args().pairs
    with database() as url:
        db = Database(url)
        migrate(db.engine)
        with db.session() as s:
            program = Program(key="p", name="p", yaml_text="x")
            s.add(program)
            s.flush()
            pid = program.id
            s.execute(insert(Pair), [
                {"program_id": pid, "key": f"k{i}", "number": i, "label": f"{i:05d}", "supporting": [f"甲{i}"],
                 "supported": [f"乙{i}"], "schools": [], "level": None, "stage": None} for i in range(1, n + 1)
            ])  # fmt: skip
            ids = s.execute(select(Pair.label, Pair.id).where(Pair.program_id == pid)).all()
            s.execute(insert(PairLabel), [{"program_id": pid, "label": label, "pair_id": i} for label, i in ids])

        def median_ms(labels: list[str]) -> float:
            times = []
            for label in labels:
                with db.session() as s:
                    program = s.get(Program, pid)
                    assert program is not None
                    start = time.perf_counter()
                    rosters.printed_pairs(s, program, label)
                    times.append(time.perf_counter() - start)
            return statistics.median(times) * 1000

        printed = median_ms([f"{(k * 331) % n + 1:05d}-2" for k in range(30)])
        never = median_ms([f"9{k}999" for k in range(10)])
        print(f"{n} pairs: printed_pairs median {printed:.1f} ms (a printed label), {never:.1f} ms (never printed)")
        db.dispose()


if __name__ == "__main__":
    main()
