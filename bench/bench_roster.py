"""Roster import against the messy corpus: how many of the files clerks send come in right.

    .venv/bin/python bench/bench_roster.py                     # tests/rosters, one line per file + totals
    .venv/bin/python bench/bench_roster.py -v                  # … and every miss, file by file
    .venv/bin/python bench/bench_roster.py --json out.json     # the per-file figures for scripts

For every file of the corpus (``python -m testkit.roster_corpus tests/rosters``; format and decisions in
``tests/rosters/README.md``) it runs THE importer, ``extractors.roster.import_roster(data, name)``, and compares
what comes back with ``<file>.expected.json``:

* imported or refused (with the importer's reason);
* groups exactly right: an expected group counts when one imported group has exactly its supporting schools
  and exactly its supported schools (names compared without whitespace; order inside a side ignored); groups
  imported that the file does not state are counted as *extra* (a pair the clerk never made);
* 学段 right, on the matched groups whose expected stage the file gives; lead school (coordinator) right;
* bad rows reported at the right row with the right kind (``RosterProblem.kind``; ``ignored`` notes about
  footer and note rows are neither groups nor errors, as the corpus decides);
* contacts kept (the school's imported contact contains the name) and phones kept (the digits of each
  expected number appear in the school's imported phones); a phone that turns up on another school is
  counted as *moved* — worse than dropped; one left inside the contact's text (``马玉兰 139…`` as the
  contact, no phone) is counted apart as *unsplit* (not lost, not usable as a phone either).

The issue's targets are printed with the totals: ≥ 95 % of groups exactly right, every bad row reported with
its kind, no contact or phone dropped. A refused file scores nothing for its groups and contacts (a
refusal is loud, but the valid rows are not imported); its reported errors still count.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from docgen.errors import DocgenError  # noqa: E402
from docgen.model import Roster  # noqa: E402
from extractors.roster import import_roster  # noqa: E402

GROUP_TARGET = 0.95

_SPACE = re.compile(r"[\s\u3000\u00a0\u200b]+")


def norm(text: str | None) -> str:
    """A name as compared: no whitespace of any kind."""
    return _SPACE.sub("", text or "")


def digits(text: str | None) -> str:
    """Only the digits of ``text``."""
    return re.sub(r"\D", "", text or "")


# ------------------------------------------------------------------------------------------ what came back


@dataclass(frozen=True)
class GotSchool:
    name: str
    contact: str
    phone: str


@dataclass(frozen=True)
class GotGroup:
    supporting: tuple[GotSchool, ...]
    supported: tuple[GotSchool, ...]
    stage: tuple[str, ...]  # every stage of the group (学段 高中、初中 → two); () when none
    coordinator: str


@dataclass
class Outcome:
    """What the importer made of one file: groups, the row errors it reported, or why it refused."""

    groups: list[GotGroup] = field(default_factory=list)
    errors: list[tuple[int | None, str]] = field(default_factory=list)
    refused: str = ""
    seconds: float = 0.0


def _school(s: Any) -> GotSchool:
    return GotSchool(s.name, s.contact or "", s.phone or "")


def _groups(roster: Roster) -> list[GotGroup]:
    return [
        GotGroup(tuple(_school(s) for s in g.supporting), tuple(_school(s) for s in g.supported),
                 tuple(str(x) for x in g.effective_stages), g.coordinator or "")
        for g in roster.groups
    ]  # fmt: skip


def run_importer(data: bytes, name: str) -> Outcome:
    """The one place that calls the importer: ``extractors.roster.import_roster``.

    Its groups are what imported; its problems are the reported rows with their kind, except the ``ignored``
    notes (footer, note and total rows, which the corpus counts as neither groups nor errors). A file it
    cannot read at all (``RosterError``) is refused.
    """
    started = time.perf_counter()
    out = Outcome()
    try:
        result = import_roster(data, name)
    except DocgenError as exc:
        out.refused = str(exc)
    except Exception as exc:  # a crash is a result too: the bench goes on to the next file
        out.refused = f"崩溃 {type(exc).__name__}: {exc}"
    else:
        out.groups = _groups(result.roster)
        out.errors = [(p.row, p.kind.value) for p in result.problems if p.kind.value != "ignored"]
    out.seconds = time.perf_counter() - started
    return out


# ----------------------------------------------------------------------------------------------- scoring


@dataclass
class FileScore:
    file: str
    status: str
    reason: str = ""
    seconds: float = 0.0
    groups: int = 0
    groups_right: int = 0
    groups_extra: int = 0
    stages: int = 0
    stages_right: int = 0
    coordinators: int = 0
    coordinators_right: int = 0
    errors: int = 0
    errors_right: int = 0  # right row and right kind
    errors_row_only: int = 0  # right row, other kind
    errors_spurious: int = 0  # reported rows the file gets right
    contacts: int = 0
    contacts_kept: int = 0
    phones: int = 0
    phones_kept: int = 0
    phones_moved: int = 0
    phones_unsplit: int = 0  # not in the phone field, but left inside the contact's text
    misses: list[str] = field(default_factory=list)


def _side(names: Iterable[str]) -> frozenset[str]:
    return frozenset(norm(n) for n in names)


def _stage_set(stage: str | Sequence[str] | None) -> frozenset[str]:
    if stage is None:
        return frozenset()
    return frozenset([stage] if isinstance(stage, str) else stage)


def score_file(expected: dict[str, Any], got: Outcome) -> FileScore:
    """One file's figures (see the module docstring for what counts)."""
    s = FileScore(expected["file"], "refused" if got.refused and not got.groups else "imported", got.refused,
                  got.seconds)  # fmt: skip
    unused = list(got.groups)
    by_name: dict[str, GotSchool] = {}
    for g in got.groups:
        for school in (*g.supporting, *g.supported):
            by_name.setdefault(norm(school.name), school)
    for want in expected["groups"]:
        s.groups += 1
        sup, dst = _side(want["supporting"]), _side(want["supported"])
        match = next((g for g in unused if _side(x.name for x in g.supporting) == sup
                      and _side(x.name for x in g.supported) == dst), None)  # fmt: skip
        label = f"{'、'.join(want['supporting'])} → {'、'.join(want['supported'])}"
        if match is None:
            s.misses.append(f"缺组 {label}")
        else:
            unused.remove(match)
            s.groups_right += 1
        stages = _stage_set(want.get("stage"))
        if stages:
            s.stages += 1
            if match is not None and frozenset(match.stage) == stages:
                s.stages_right += 1
            elif match is not None:
                s.misses.append(f"学段 {label}: 应为 {sorted(stages)}，得到 {match.stage}")
        if want.get("coordinator"):
            s.coordinators += 1
            if match is not None and norm(match.coordinator) == norm(want["coordinator"]):
                s.coordinators_right += 1
        for c in want["contacts"]:
            s.contacts += 1
            school = by_name.get(norm(c["school"])) if s.status == "imported" else None
            name_ok = school is not None and norm(c["name"]) in norm(school.contact)
            phones_ok = 0
            for phone in c["phones"]:
                s.phones += 1
                if school is not None and digits(phone) and digits(phone) in digits(school.phone):
                    phones_ok += 1
                    s.phones_kept += 1
                elif school is not None and digits(phone) and digits(phone) in digits(school.contact):
                    s.phones_unsplit += 1
                    s.misses.append(f"电话 {phone} 留在联系人文字里，未作为电话（{c['school']}）")
                elif any(digits(phone) in digits(o.phone) for o in by_name.values() if o is not school):
                    s.phones_moved += 1
                    s.misses.append(f"电话 {phone} 到了别的学校（应属 {c['school']}）")
                else:
                    s.misses.append(f"电话 {phone} 丢失（{c['school']}）")
            if name_ok and phones_ok == len(c["phones"]):
                s.contacts_kept += 1
            elif not name_ok:
                s.misses.append(f"联系人 {c['name'] or '（无名）'} 丢失（{c['school']}）")
    s.groups_extra = len(unused)
    s.misses += [f"多出的组 {'、'.join(x.name for x in g.supporting)} → {'、'.join(x.name for x in g.supported)}"
                 for g in unused]  # fmt: skip
    reported = list(got.errors)
    for e in expected["errors"]:
        s.errors += 1
        if (e["row"], e["kind"]) in reported:
            s.errors_right += 1
            reported.remove((e["row"], e["kind"]))
        elif any(row == e["row"] for row, _ in reported):
            s.errors_row_only += 1
            s.misses.append(f"第{e['row']}行 报错但类别不对（应为 {e['kind']}）")
        else:
            s.misses.append(f"第{e['row']}行 {e['kind']} 未报告")
    expected_rows = {e["row"] for e in expected["errors"]}
    s.errors_spurious = sum(1 for row, _ in reported if row not in expected_rows)
    s.misses += [f"误报 第{row}行 {kind}" for row, kind in reported if row not in expected_rows]
    return s


def _pct(a: int, b: int) -> str:
    return f"{a}/{b} ({100 * a / b:.0f}%)" if b else "–"


def score_corpus(corpus: Path) -> list[FileScore]:
    """Run the importer on every corpus file that has an expected result, in name order."""
    scores = []
    for exp_path in sorted(corpus.glob("*.expected.json")):
        expected = json.loads(exp_path.read_text("utf-8"))
        data = (corpus / expected["file"]).read_bytes()
        scores.append(score_file(expected, run_importer(data, expected["file"])))
    return scores


def report(scores: Sequence[FileScore], verbose: bool) -> str:
    """The table printed per file, the totals and the targets."""
    lines = [f"{'file':34s} {'status':8s} {'groups':>11s} {'extra':>5s} {'stage':>7s} {'errors':>7s} "
             f"{'contacts':>9s} {'phones':>9s} {'s':>5s}  reason"]  # fmt: skip
    for s in scores:
        lines.append(
            f"{s.file:34s} {s.status:8s} {s.groups_right:>5d}/{s.groups:<5d} {s.groups_extra:>5d} "
            f"{s.stages_right:>3d}/{s.stages:<3d} {s.errors_right:>3d}/{s.errors:<3d} "
            f"{s.contacts_kept:>4d}/{s.contacts:<4d} {s.phones_kept:>4d}/{s.phones:<4d} {s.seconds:5.2f}  "
            f"{s.reason.splitlines()[0][:90] if s.reason else ''}"
        )
        if verbose:
            lines += [f"    - {m}" for m in s.misses]
    total = {k: sum(getattr(s, k) for s in scores) for k in FileScore.__dataclass_fields__
             if isinstance(getattr(scores[0], k), int)} if scores else {}  # fmt: skip
    imported = sum(1 for s in scores if s.status == "imported")
    exact_files = sum(1 for s in scores if s.groups_right == s.groups and not s.groups_extra and s.status == "imported")
    lines += [
        "",
        f"files: {len(scores)}; imported {imported}, refused {len(scores) - imported}; "
        f"every group exactly right and nothing extra: {exact_files}",
        f"groups exactly right: {_pct(total.get('groups_right', 0), total.get('groups', 0))}; "
        f"extra groups (never in the file): {total.get('groups_extra', 0)}",
        f"学段 right: {_pct(total.get('stages_right', 0), total.get('stages', 0))}; "
        f"lead school right: {_pct(total.get('coordinators_right', 0), total.get('coordinators', 0))}",
        f"bad rows reported with the right kind: {_pct(total.get('errors_right', 0), total.get('errors', 0))}; "
        f"right row, wrong kind: {total.get('errors_row_only', 0)}; spurious: {total.get('errors_spurious', 0)}",
        f"contacts kept: {_pct(total.get('contacts_kept', 0), total.get('contacts', 0))}; "
        f"phones kept: {_pct(total.get('phones_kept', 0), total.get('phones', 0))}; "
        f"phones moved to another school: {total.get('phones_moved', 0)}; "
        f"left inside the contact text: {total.get('phones_unsplit', 0)}",
        "",
        "targets (issue 9):",
    ]
    g, gr = total.get("groups", 0), total.get("groups_right", 0)
    checks = [
        (f"≥ {GROUP_TARGET:.0%} groups exactly right", bool(g) and gr / g >= GROUP_TARGET),
        ("every bad row reported with its kind", total.get("errors_right", 0) == total.get("errors", 0)),
        ("no contact or phone dropped (or moved)",
         total.get("contacts_kept", 0) == total.get("contacts", 0)
         and total.get("phones_kept", 0) == total.get("phones", 0)),
    ]  # fmt: skip
    lines += [f"  [{'PASS' if ok else 'FAIL'}] {label}" for label, ok in checks]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry: print the report; ``--json`` also writes every file's figures."""
    parser = argparse.ArgumentParser(description="Roster import against the messy corpus")
    parser.add_argument("--corpus", type=Path, default=ROOT / "tests" / "rosters")
    parser.add_argument("--json", type=Path, help="write per-file figures here")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = parser.parse_args(argv)
    scores = score_corpus(args.corpus)
    print(report(scores, args.verbose))
    if args.json:
        args.json.write_text(json.dumps([asdict(s) for s in scores], ensure_ascii=False, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
