"""Two lookups of a pair in a province-size program (issue 13): filing a returned form, and a school's view.

    PYTHONPATH=. .venv/bin/python bench/bench_pair_lookup.py [--pairs 10000]

A fresh PostgreSQL database (127.0.0.1:5432, dropped afterwards) gets one program whose roster of ``--pairs``
pairs is imported as the service imports one (:func:`api.services.rosters.import_roster`), each label
printed for its pair (as a batch does). It times :func:`api.services.rosters.printed_pairs` — the lookup every
record written by a worker does — for 30 printed labels (``NNNNN-2``, a unit of a split pair) and 10 labels
never printed, and :func:`api.services.rosters.visible_pairs` — what each request of a school account asks —
for 10 school accounts, and prints the medians. Not a test: it needs PostgreSQL.
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
from api.models import Pair, PairLabel, Program, User
from api.services import rosters
from bench.bench_scale import database
from docgen.model import PairGroup, Roster, School


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=10_000)
    n = parser.parse_args().pairs
    with database() as url:
        db = Database(url)
        migrate(db.engine)
        with db.session() as s:
            program = Program(key="p", name="p", yaml_text="x")
            admin = User(username="admin", password_hash="x", role="admin")
            s.add_all([program, admin])
            s.flush()
            pid = program.id
            groups = [
                PairGroup(number=i, supporting=(School(f"支援学校{i % 500}"),), supported=(School(f"受援学校{i}"),),
                          label=f"{i:05d}")
                for i in range(1, n + 1)
            ]  # fmt: skip
            rosters.import_roster(s, program, Roster(tuple(groups), source="bench"), admin)
            ids = s.execute(select(Pair.label, Pair.id).where(Pair.program_id == pid)).all()
            s.execute(insert(PairLabel), [{"program_id": pid, "label": label, "pair_id": i} for label, i in ids])
            schools = [User(username=f"s{k}", password_hash="x", role="school", school_name=f"支援学校{k * 37}")
                       for k in range(10)]  # fmt: skip
            s.add_all(schools)
            s.flush()
            school_ids = [u.id for u in schools]

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
        seen = []
        for user_id in school_ids:
            with db.session() as s:
                program, user = s.get(Program, pid), s.get(User, user_id)
                assert program is not None and user is not None
                start = time.perf_counter()
                visible = rosters.visible_pairs(s, program, user)
                seen.append(time.perf_counter() - start)
                assert visible is not None and len(visible) == n // 500
        print(f"{n} pairs: printed_pairs median {printed:.1f} ms (a printed label), {never:.1f} ms (never printed); "
              f"visible_pairs of a school account median {statistics.median(seen) * 1000:.1f} ms")
        db.dispose()


if __name__ == "__main__":
    main()
