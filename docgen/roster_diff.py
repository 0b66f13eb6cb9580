"""What a re-import would change: the groups a new roster adds, removes and changes, by their schools.

    diff = diff_rosters(current, new, removed=...)   # RosterDiff
    diff.added, diff.removed, diff.changed, diff.relabelled

A group is the same group when it has the same schools (:func:`group_keys`, the stable pair key; a second
group of the very same schools is ``key#2``), whatever its number: a re-import keeps it (its records and
documents stay with its schools). It is *changed* when its contacts, phones, regions, party organisations,
stage, level or lead school differ, *relabelled* when only its number moved. ``removed`` names the keys of
groups an earlier import dropped: listing them again *restores* them (an added group that was there before).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields

from docgen.model import PairGroup, School

FIELD_TEXT: Mapping[str, str] = {
    "level": "层级",
    "stage": "学段",
    "coordinator": "牵头指导学校",
    "name": "校名写法",
    "contact": "联系人",
    "phone": "联系电话",
    "region": "所在地区",
    "party_org": "党组织名称",
    "title": "职务",
    "school_stage": "学校学段",
}
"""Each field a change can name (:attr:`Change.field`), in the words a clerk reads."""


@dataclass(frozen=True)
class Change:
    """One value of a group that differs: ``school`` is empty for the group's own fields."""

    field: str  # a key of FIELD_TEXT (or a School field it does not know yet: 其他信息)
    school: str
    before: str
    after: str


@dataclass(frozen=True)
class GroupChange:
    """A group of the new roster that the current roster has too (same ``key``)."""

    key: str
    before: PairGroup
    after: PairGroup
    changes: tuple[Change, ...]

    @property
    def relabelled(self) -> bool:
        """Its number (label) is another one now."""
        return self.before.label != self.after.label


@dataclass(frozen=True)
class RosterDiff:
    """The difference between the current roster and a new one (see the module docstring)."""

    added: tuple[tuple[str, PairGroup], ...]
    restored: frozenset[str]  # keys among ``added`` that an earlier import had removed
    removed: tuple[tuple[str, PairGroup], ...]
    kept: tuple[GroupChange, ...]  # every group in both, changed or not

    @property
    def changed(self) -> tuple[GroupChange, ...]:
        """Groups in both whose data differ."""
        return tuple(k for k in self.kept if k.changes)

    @property
    def unchanged(self) -> tuple[GroupChange, ...]:
        """Groups in both with the same data (perhaps another number)."""
        return tuple(k for k in self.kept if not k.changes)

    @property
    def relabelled(self) -> tuple[GroupChange, ...]:
        """Groups in both whose number moved."""
        return tuple(k for k in self.kept if k.relabelled)


def group_keys(groups: Iterable[PairGroup]) -> list[str]:
    """Each group's :attr:`PairGroup.key`; a second group with the same schools gets ``#2`` (and so on)."""
    seen: Counter[str] = Counter()
    out = []
    for g in groups:
        seen[g.key] += 1
        out.append(g.key if seen[g.key] == 1 else f"{g.key}#{seen[g.key]}")
    return out


def _text(value: object) -> str:
    if value is None:
        return ""
    return str(getattr(value, "value", value))


# every field of a school but its name (its identity) and stage (compared as school_stage): contact, phone,
# region, party organisation — and whatever the roster model holds besides (a title)
_SCHOOL_FIELDS = tuple(f.name for f in fields(School) if f.name not in ("name", "stage"))


def _same_school(name: str) -> str:
    # as docgen.model.pair_key compares names: full-width/half-width and spaces are one school
    return "".join(unicodedata.normalize("NFKC", name).split())


def _school_changes(before: Sequence[School], after: Sequence[School]) -> list[Change]:
    old = {_same_school(s.name): s for s in before}
    out = []
    for school in after:
        prior = old.get(_same_school(school.name))
        if prior is None:
            continue
        if prior.name != school.name:
            out.append(Change("name", school.name, prior.name, school.name))
        for field in _SCHOOL_FIELDS:
            a, b = getattr(prior, field), getattr(school, field)
            if a != b:
                out.append(Change(field, school.name, _text(a), _text(b)))
        if prior.stage != school.stage:
            out.append(Change("school_stage", school.name, _text(prior.stage), _text(school.stage)))
    return out


def group_changes(before: PairGroup, after: PairGroup) -> tuple[Change, ...]:
    """What differs between two versions of one group (same schools): its own fields, then each school's."""
    out = [
        Change(field, "", _text(getattr(before, field)), _text(getattr(after, field)))
        for field in ("level", "stage", "coordinator")
        if getattr(before, field) != getattr(after, field)
    ]
    out += _school_changes(before.supporting, after.supporting)
    out += _school_changes(before.supported, after.supported)
    return tuple(out)


def diff_rosters(
    current: Mapping[str, PairGroup], new: Sequence[PairGroup], *, removed: Collection[str] = ()
) -> RosterDiff:
    """The difference between ``current`` (key → group, the program's current groups) and the groups of a
    ``new`` roster; ``removed`` are keys an earlier import dropped (listing them again restores them)."""
    keys = group_keys(new)
    added, kept = [], []
    for key, group in zip(keys, new, strict=True):
        before = current.get(key)
        if before is None:
            added.append((key, group))
        else:
            kept.append(GroupChange(key, before, group, group_changes(before, group)))
    listed = set(keys)
    gone = tuple((k, g) for k, g in current.items() if k not in listed)
    restored = frozenset(k for k, _ in added if k in set(removed))
    return RosterDiff(tuple(added), restored, gone, tuple(kept))
