"""Pairs found by an index, not by reading every pair of the program (issue 13: a province's 10,000 pairs):
whose form a printed pair label is, and which pairs a school account sees.

Every returned form is filed by the pair label printed in its identity code
(:func:`api.services.rosters.printed_pairs`), and every request of a school account asks which pairs its school
is on (:func:`api.services.rosters.visible_pairs`). Both used to load every pair of the program: at 10,000
pairs 270–510 ms each, 0.3–0.7 ms now (PostgreSQL, ``bench/bench_pair_lookup.py``). These tests pin what they
answer, and that they read only the pairs asked for.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event, insert, select

from api.db import Database, migrate
from api.models import Pair, PairLabel, Program, User, utcnow
from api.services import rosters
from docgen.model import PairGroup, Roster, School
from tests.api_fixtures import database_url

__all__ = ["database_url"]  # a fixture used by name: SQLite, and PostgreSQL in the slow run

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



# --- what a school account sees ------------------------------------------------------------------------------


def _roster(pairs: range, *, without: int | None = None) -> Roster:
    """Pair ``i``: 支援学校{i % 50} → 受援学校{i}; pair 3's supported school is 支援学校7 too (a school on
    both sides of the roster)."""
    groups = []
    for i in pairs:
        if i == without:
            continue
        supported = (School(f"受援学校{i}"), School("支援学校7")) if i == 3 else (School(f"受援学校{i}"),)
        groups.append(PairGroup(number=i, supporting=(School(f"支援学校{i % 50}"),), supported=supported))
    return Roster(tuple(groups), source="roster.csv")


def test_a_school_account_sees_the_pairs_its_school_is_on_without_reading_the_others(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(db.engine)
    with db.session() as s:
        program = Program(key="p", name="p", yaml_text="x")
        admin = User(username="admin", password_hash="x", role="admin")
        s.add_all([program, admin])
        s.flush()
        rosters.import_roster(s, program, _roster(range(1, 501)), admin)
        school = User(username="s7", password_hash="x", role="school", school_name="支援学校7")
        s.add(school)
        s.flush()
        ids = {p.number: p.id for p in s.scalars(select(Pair).where(Pair.program_id == program.id))}
        program_id, school_id = program.id, school.id
    mine = {ids[i] for i in range(7, 501, 50)} | {ids[3]}  # 7, 57, …, 457 and pair 3 (the other side)

    def seen() -> tuple[set[int] | None, list[int], int]:
        loaded: list[Pair] = []

        def count(pair: Pair, _context: object) -> None:
            loaded.append(pair)

        with db.session() as s:
            program, user = s.get(Program, program_id), s.get(User, school_id)
            assert program is not None and user is not None
            event.listen(Pair, "load", count)
            try:
                visible = rosters.visible_pairs(s, program, user)
            finally:
                event.remove(Pair, "load", count)
            listed = [p.number for p in rosters.list_pairs(s, program, user)]
            return visible, listed, len(loaded)

    assert seen() == (mine, sorted([3, *range(7, 501, 50)]), 0)

    # pair 57 leaves the roster: its records stay the school's (visible), it is no longer listed as current
    with db.session() as s:
        program, admin = s.get(Program, program_id), s.scalar(select(User).where(User.username == "admin"))
        assert program is not None and admin is not None
        rosters.import_roster(s, program, _roster(range(1, 501), without=57), admin)
    visible, listed, loaded = seen()
    assert visible == mine and loaded == 0
    assert 57 not in listed and 7 in listed and 3 in listed


def test_the_pair_schools_migration_indexes_the_pairs_already_stored(database_url: str) -> None:
    from sqlalchemy import text

    from api.db import make_engine
    from api.settings import Settings

    engine = make_engine(Settings(database_url=database_url).resolved_database_url())
    migrate(engine, "password_set_by_other")
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO programs (id, key, name, yaml_text, created_at) VALUES (1, 'p', 'P', '', '2026-01-01')")
        )
        for pid, label, a, b in ((10, "01", '["甲小学"]', '["乙小学", "丙小学"]'), (11, "02", '["甲小学"]', "[]")):
            conn.execute(
                text(
                    "INSERT INTO pairs (id, program_id, key, number, label, supporting, supported, schools,"
                    f" coordinator, source) VALUES ({pid}, 1, 'k{pid}', {int(label)}, '{label}', '{a}', '{b}', '[]',"
                    " '', '')"
                )
            )
    try:
        migrate(engine)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT program_id, pair_id, name FROM pair_schools ORDER BY pair_id, name")).all()
        assert sorted(rows) == sorted([(1, 10, "甲小学"), (1, 10, "乙小学"), (1, 10, "丙小学"), (1, 11, "甲小学")])
    finally:
        engine.dispose()
