"""Whose form a printed pair label is, looked up by that label alone (issue 13: a province's 10,000 pairs).

Every returned form is filed by the pair label printed in its identity code
(:func:`api.services.rosters.printed_pairs`). That lookup used to load every pair and every printed label of the
program for each form read: at 10,000 pairs ≈ 270 ms of the worker per upload (0.4 ms now, measured on
PostgreSQL). These tests pin what it answers, and that it reads only the pairs the label can belong to.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event, insert, select

from api.db import Database, migrate
from api.models import Pair, PairLabel, Program, utcnow
from api.services import rosters

PAIRS = 2000


def _program(db: Database) -> int:
    """A program of :data:`PAIRS` pairs labelled 00001…, each printed under its own label, and label ``00009``
    printed for two pairs in turn: for the pair labelled so now, and before a re-import for schools whose pair
    is now ``09999`` and removed."""
    with db.session() as s:
        program = Program(key="p", name="p", yaml_text="x")
        s.add(program)
        s.flush()
        rows = [
            {"program_id": program.id, "key": f"k{i}", "number": i, "label": f"{i:05d}", "supporting": [f"甲{i}"],
             "supported": [f"乙{i}"], "schools": [], "level": None, "stage": None}
            for i in range(1, PAIRS + 1)
        ]  # fmt: skip
        s.execute(insert(Pair), rows)
        ids = {p.label: p.id for p in s.scalars(select(Pair).where(Pair.program_id == program.id))}
        labels = [{"program_id": program.id, "label": label, "pair_id": pid} for label, pid in ids.items()]
        moved = Pair(program_id=program.id, key="moved", number=PAIRS + 1, label="09999", supporting=["丙"],
                     supported=["丁"], schools=[], removed_at=utcnow())  # fmt: skip
        s.add(moved)
        s.flush()
        labels.append({"program_id": program.id, "label": "00009", "pair_id": moved.id})
        s.execute(insert(PairLabel), labels)
        return program.id


def _lookup(db: Database, program_id: int, printed: str) -> tuple[list[tuple[str, str]], int]:
    """``printed_pairs`` as (the pair's label now, the printed label made current), and how many pairs it
    loaded from the database to answer."""
    loaded: list[Pair] = []

    def count(pair: Pair, _context: object) -> None:
        loaded.append(pair)

    event.listen(Pair, "load", count)
    try:
        with db.session() as s:
            program = s.get(Program, program_id)
            assert program is not None
            found = rosters.printed_pairs(s, program, printed)
            return sorted((pair.label, now) for pair, now in found), len(loaded)
    finally:
        event.remove(Pair, "load", count)


def test_a_printed_label_finds_its_pair_without_reading_the_others(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(db.engine)
    program_id = _program(db)

    assert _lookup(db, program_id, "01234") == ([("01234", "01234")], 1)
    # a per-school form of a pair (``.1``) and a unit of a split pair (``-2``) belong to the pair
    assert _lookup(db, program_id, "01234.1") == ([("01234", "01234.1")], 1)
    assert _lookup(db, program_id, "00007-2.1") == ([("00007", "00007-2.1")], 1)
    # printed for two pairs in turn: both are named (the caller holds such a form for a person)
    found, loaded = _lookup(db, program_id, "00009")
    assert found == [("00009", "00009"), ("09999", "09999")]
    assert loaded == 2


def test_a_label_never_printed_is_the_current_pair_with_it_or_none(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(db.engine)
    program_id = _program(db)
    with db.session() as s:
        s.execute(PairLabel.__table__.delete().where(PairLabel.label == "00042"))
        s.execute(PairLabel.__table__.delete().where(PairLabel.label == "00043"))
        s.execute(Pair.__table__.update().where(Pair.label == "00043").values(removed_at=utcnow()))

    assert _lookup(db, program_id, "00042-3") == ([("00042", "00042-3")], 1)
    assert _lookup(db, program_id, "00043") == ([], 0)  # its pair was removed: nobody's
    assert _lookup(db, program_id, "77777") == ([], 0)

