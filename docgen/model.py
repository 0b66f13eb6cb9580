"""The domain: programs, schools, pair groups, agreement kinds and tasks.

Plain frozen dataclasses and pure functions — no files, no HTTP, no database. Everything that reads or
writes lives at the edges (``docgen.roster`` parses text, ``docgen.batch`` writes archives, the CLI and
the API translate).
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from docgen.errors import ProgramError

if TYPE_CHECKING:  # docgen.school_names imports this module; the table only rides on Program
    from docgen.school_names import SchoolNames


class Level(StrEnum):
    """Administrative level of a pairing (柳州's three-level system)."""

    CITY_COUNTY = "市–县"
    COUNTY_TOWN = "县–乡"
    TOWN_VILLAGE = "乡–村"


class Stage(StrEnum):
    """School stage (学段). Each stage has its own focus in the five-year agreement."""

    PRESCHOOL = "学前教育"
    COMPULSORY = "义务教育"
    HIGH_SCHOOL = "普通高中"
    SPECIAL = "特殊教育"


class Side(StrEnum):
    """Which side of a pairing a school or bureau stands on."""

    SUPPORTING = "支援"  # 甲方, 帮扶学校
    SUPPORTED = "受援"  # 乙方, 被帮扶学校


class GroupPolicy(StrEnum):
    """What a group with several schools on one side gets.

    ``JOINT``: one agreement per group, every school of the group a party to it (the notice treats
    ``A、B与C结对`` as one pairing, so this is the default). ``SPLIT``: one agreement per school-to-school
    pair inside the group, numbered ``3-1``, ``3-2``, …
    """

    JOINT = "joint"
    SPLIT = "split"


@dataclass(frozen=True)
class School:
    """A school as the roster names it; contact fields may be empty until a 回执 comes back."""

    name: str
    region: str = ""
    stage: Stage | None = None
    party_org: str = ""
    contact: str = ""
    phone: str = ""
    title: str = ""  # the contact's 职务 (校长, 副校长 …) when the roster gives it; several joined with 、

    def as_dict(self) -> dict[str, str | None]:
        """The school as the roster gave it (JSON-ready; ``stage`` None when unknown)."""
        return {
            "name": self.name,
            "region": self.region,
            "stage": self.stage.value if self.stage else None,
            "party_org": self.party_org,
            "contact": self.contact,
            "phone": self.phone,
            "title": self.title,
        }


@dataclass(frozen=True)
class PairGroup:
    """One pairing line of a roster: one or more supporting schools with one or more supported schools.

    ``number`` is the 1-based position in the roster; ``label`` is what file names and manifests show
    (``"03"`` or, for a split group, ``"03-2"``). ``source`` says where the line came from
    (``"roster.xlsx:7"``) so later errors can point back to it.
    """

    number: int
    supporting: tuple[School, ...]
    supported: tuple[School, ...]
    level: Level | None = None
    stage: Stage | None = None
    source: str = ""
    label: str = ""
    coordinator: str = ""  # 牵头指导学校, e.g. 柳州市特殊教育学校 over the county special-education pairs
    stages: tuple[Stage, ...] = ()  # every stage the roster names for the group (学段 高中、初中 → two)

    def __post_init__(self) -> None:
        if not self.label:
            object.__setattr__(self, "label", f"{self.number:02d}")
        # ``stage`` and ``stages`` agree: a group given only one of them gets the other (the first stage named
        # is ``stage``, so everything that reads one stage keeps working).
        if self.stages and self.stage is None:
            object.__setattr__(self, "stage", self.stages[0])
        elif self.stage is not None and not self.stages:
            object.__setattr__(self, "stages", (self.stage,))

    @property
    def schools(self) -> tuple[School, ...]:
        """Every school of the group, supporting first."""
        return self.supporting + self.supported

    @property
    def effective_stage(self) -> Stage | None:
        """The group's stage, else the stage all its schools agree on."""
        if self.stage is not None:
            return self.stage
        stages = {s.stage for s in self.schools if s.stage is not None}
        return stages.pop() if len(stages) == 1 else None

    @property
    def effective_stages(self) -> tuple[Stage, ...]:
        """Every stage the roster names for the group, else the one :attr:`effective_stage` finds (or none)."""
        if self.stages:
            return self.stages
        stage = self.effective_stage
        return (stage,) if stage is not None else ()

    @property
    def key(self) -> str:
        """The group's stable identity: :func:`pair_key` of its school names (not its number or label)."""
        return pair_key((s.name for s in self.supporting), (s.name for s in self.supported))

    def split(self) -> tuple[PairGroup, ...]:
        """The 1:1 pairs inside this group (itself when it already is 1:1)."""
        if len(self.supporting) == 1 and len(self.supported) == 1:
            return (self,)
        pairs = [(a, b) for a in self.supporting for b in self.supported]
        return tuple(
            replace(self, supporting=(a,), supported=(b,), label=f"{self.number:02d}-{i}")
            for i, (a, b) in enumerate(pairs, start=1)
        )


def school_key(name: str) -> str:
    """The key two spellings of one school name share: NFKC (full-width/half-width) and no spaces — how the
    same school is typed differently in two rosters. Pair identity and the school name table both use it."""
    return "".join(unicodedata.normalize("NFKC", name).split())


_school_key = school_key  # its former private name, for code written against it


def pair_key(supporting: Iterable[str], supported: Iterable[str]) -> str:
    """A pair group's identity from its schools: the same supporting and supported schools (in any order,
    full-width or half-width, spaces ignored) give the same key, whatever number or label the roster gives
    them. 32 hex digits of a SHA-256, so it fits in a column and says nothing by itself."""
    sides = ("\x1f".join(sorted(_school_key(n) for n in names)) for names in (supporting, supported))
    return hashlib.sha256("\x1e".join(sides).encode("utf-8")).hexdigest()[:32]


def owns_label(pair_label: str, label: str) -> bool:
    """Whether a document or form labelled ``label`` is of the pair labelled ``pair_label``: the pair's own
    label, a split unit's ``05-2`` or a per-school form's ``05.1`` / ``05-2.1`` are all of pair 05."""
    return label == pair_label or label.startswith((f"{pair_label}-", f"{pair_label}."))


class Labelled(Protocol):
    """Anything with a pair label: a roster's :class:`PairGroup`, the service's stored pair."""

    @property
    def label(self) -> str: ...


LabelledT = TypeVar("LabelledT", bound=Labelled)


def owner(pairs: Iterable[LabelledT], label: str) -> LabelledT | None:
    """The pair among ``pairs`` that a document or form labelled ``label`` belongs to (:func:`owns_label`; the
    longest label wins: ``05-2.1`` is ``05-2``'s before ``05``'s)."""
    best: LabelledT | None = None
    for p in pairs:
        if owns_label(p.label, label) and (best is None or len(p.label) > len(best.label)):
            best = p
    return best


def owner_labels(label: str) -> list[str]:
    """Every pair label that can own ``label`` (:func:`owns_label`): ``05-2.1`` → ``05-2.1``, ``05-2``, ``05``.
    Lets a store look up a document's pair by these labels instead of testing every pair of the program."""
    return [label] + [label[:i] for i in range(len(label) - 1, 0, -1) if label[i] in "-."]


def relabel(label: str, old: str, new: str) -> str:
    """``label`` (:func:`owns_label`) once its pair ``old`` is labelled ``new``: ``05-2`` → ``06-2``."""
    return new + label[len(old):] if owns_label(old, label) else label


@dataclass(frozen=True)
class Bureau:
    """An education bureau that issues the program and keeps a copy of each agreement."""

    name: str
    side: Side
    party_office: str = ""  # e.g. 彭州市教育局党办; defaults to ``<name>党办``
    # False for a bureau that issues or oversees the program but files no agreement (山东省教育厅 over the
    # 菏泽 pairs: the schools and 菏泽市教育局 keep the copies, not the province).
    keeps_copy: bool = True

    @property
    def party_office_or_default(self) -> str:
        """The bureau's party office; ``<bureau>党办`` when the program does not name it."""
        return self.party_office or f"{self.name}党办"


@dataclass(frozen=True)
class Term:
    """An agreement's term. Dates may be unknown: the documents then print blanks to fill by hand.

    ``years`` is the length the agreement prints (为期三年); ``None`` when the term is not a whole number of
    years (2016-09-01 – 2020-12-31) or not stated, and the agreement then says no 为期N年 at all.
    ``docgen.program`` keeps the two consistent (:func:`whole_years`).
    """

    years: int | None
    start: date | None = None
    end: date | None = None


def anniversary(start: date, years: int) -> date:
    """``start`` moved on by ``years`` years; 29 February goes to 1 March in a common year."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return date(start.year + years, 3, 1)


def whole_years(start: date, end: date) -> int | None:
    """How many years a term from ``start`` through ``end`` (both days included) lasts, when that is a whole
    number: N when ``end`` is the day before the N-th anniversary of ``start`` (2019-04-01 – 2020-03-31 is one
    year, 2016-09-01 – 2019-08-31 three); ``None`` otherwise (2016-09-01 – 2020-12-31 is 4 years 4 months)."""
    following = end + timedelta(days=1)
    years = following.year - start.year
    if years >= 1 and anniversary(start, years) == following:
        return years
    return None


@dataclass(frozen=True)
class PartyTerms:
    """What a program's notice calls the two sides and how its agreements label them.

    支援学校/受援学校 (东莞, 彭州), 帮扶学校/被帮扶学校 (菏泽), 帮扶学校/受援学校 (柳州); 甲方/乙方 by default.
    """

    supporting: str = "支援学校"
    supported: str = "受援学校"
    first: str = "甲方"  # the supporting side
    second: str = "乙方"  # the supported side


class Signatories(StrEnum):
    """Who signs an agreement of a kind, and so whose names must be real before it can be sent.

    ``schools``: the schools themselves (柳州's 结对帮扶协议, 东莞's and 菏泽's 帮扶协议书); ``party_orgs``: the
    schools' party organisations (彭州's 学校党建共建协议书, whose seal block reads 结对基层党组织). A party
    organisation nobody named makes only a ``party_orgs`` agreement a draft
    (:func:`docgen.school_names.draft_reasons`)."""

    SCHOOLS = "schools"
    PARTY_ORGS = "party_orgs"


@dataclass(frozen=True)
class AgreementKind:
    """A kind of document every pair gets: its template file and the data the template needs.

    ``params`` carries the kind's own terms as data (the five kinds of assistance with quantities, the
    focus of each stage, three-year targets, …) so a new kind is a template plus data, not code.
    ``copy_holders`` decides 一式N份: ``parties`` (each school's party organisation), ``schools``,
    ``bureaus`` (each bureau's office) — N is counted from the actual pair group. ``signatories`` says who
    signs it (:class:`Signatories`): the schools, or their party organisations.
    """

    key: str
    title: str
    template: str
    term: Term
    copy_holders: tuple[str, ...] = ("parties", "bureaus")
    params: Mapping[str, Any] = field(default_factory=dict)
    signatories: Signatories = Signatories.SCHOOLS


@dataclass(frozen=True)
class Task:
    """One item of a program's task checklist (任务清单), with its deadline when the notice gives one."""

    key: str
    title: str
    due: date | None = None
    min_per_year: int | None = None
    optional: bool = False
    recipient: str = ""  # the office it is reported to (人事科): printed on the form that carries it
    form: str = ""  # the blank form (docgen/forms/*.yaml kind) a school returns for this task, if any


@dataclass(frozen=True)
class Reporting:
    """Where a program's schools file what they send in, as the notice words it (彭州 附件2 说明, 附件3 备注).

    Forms print their instructions from this, so each program's forms name its own offices and channels:
    ``activity`` is what the notice calls the activities (援藏支教 → 此表用于学校自行联系组织的援藏支教活动;
    empty: 结对交流), ``activity_label`` the 备案表's merged label (援藏活动情况), ``filing_offices`` where a
    备案表 goes before an activity (人事科、党委办), ``report_offices`` where the 简报 and 统计表 go after it,
    ``report_within`` how soon (一周内), ``email_group``/``email`` the electronic channel (彭州教育政工人事群,
    lzjjk2007@163.com), ``staff`` whose good name the 纪律 line protects (彭州干部教师). Empty values print
    nothing: a form never names another program's office.
    """

    activity: str = ""
    activity_label: str = ""
    filing_offices: tuple[str, ...] = ()
    report_offices: tuple[str, ...] = ()
    report_within: str = ""
    email_group: str = ""
    email: str = ""
    staff: str = ""


class TargetScope(StrEnum):
    """Whom a target's quantity applies to: the whole program, or each pair on its own."""

    PROGRAM = "program"
    PAIR = "pair"


class TargetPeriod(StrEnum):
    """The stretch of time a target's quantity is for (``docgen.targets.period_span`` says which days)."""

    WHOLE = "program"  # the program's whole period
    YEAR = "year"  # a calendar year
    SEMESTER = "semester"  # a school semester (春季 3–8月, 秋季 9月–次年2月)


class TargetMeasure(StrEnum):
    """What one matching row of a returned form adds to a target.

    ``ROWS``: 1 per activity (次); ``PEOPLE``: the people a column names or counts (派出人员 → 人/人次);
    ``SUM``: the amount of a count column (受援人次).
    """

    ROWS = "rows"
    PEOPLE = "people"
    SUM = "sum"


@dataclass(frozen=True)
class Target:
    """One quantitative target of a program as its notice states it (建始: 滨江教师支教建始 100 人次).

    What counts: the filled rows of returned ``form`` whose activity names one of ``match`` (every row when
    empty), each adding what ``measure`` says (from ``column``); or, with ``parts``, the sum of other
    targets' counts (两地教师交流 250 = 支教 100 + 跟岗 150). ``quantity`` None: counted and shown, no number
    to reach (the notice gives none). ``note`` is the notice's own wording of the number (2—3名, 100人以上),
    ``source`` where the notice says it.
    """

    key: str
    title: str
    unit: str
    quantity: int | None = None
    per: TargetScope = TargetScope.PROGRAM
    period: TargetPeriod = TargetPeriod.WHOLE
    form: str = "activity_stats"
    measure: TargetMeasure = TargetMeasure.ROWS
    column: str = ""
    match: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    note: str = ""
    source: str = ""


class ReportEvery(StrEnum):
    """How often a periodic report is due."""

    MONTH = "month"
    HALF_YEAR = "half_year"


@dataclass(frozen=True)
class ReportRule:
    """A periodic report the notice requires (建始: 每月19日报送工作进展，20日汇总报送; 每半年一次工作总结).

    ``due_day`` is the day of the month the schools report by (None: the notice names no day; a half-year
    summary is due by the period's last day), ``rollup_day`` the day the bureau's roll-up goes out,
    ``reporters`` who reports (各乡镇中心学校、县直学校（园）), ``receiver`` to whom (县教育局扶贫办) and
    ``rollup_to`` where the roll-up goes (县扶贫办、滨江区教育局).
    """

    key: str
    title: str
    every: ReportEvery
    due_day: int | None = None
    rollup_day: int | None = None
    reporters: str = ""
    receiver: str = ""
    rollup_to: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class Program:
    """A pairing program as a bureau's notice defines it."""

    key: str
    name: str
    bureaus: tuple[Bureau, ...]
    agreements: tuple[AgreementKind, ...]
    tasks: tuple[Task, ...] = ()
    document_number: str = ""  # 文号, e.g. 彭教育人事发〔2019〕8号
    issuer: str = ""  # who issued the notice, e.g. 彭州市教育局
    notice_title: str = ""  # the notice's title, e.g. 关于进一步加强“校校结对工作”的通知
    issued_on: date | None = None
    period_start: date | None = None
    period_end: date | None = None
    group_policy: GroupPolicy = GroupPolicy.JOINT
    default_stage: Stage | None = None
    forms: tuple[str, ...] = ()  # kinds of the blank forms sent out with the agreements (docgen/forms/*.yaml)
    # The school name table (docgen/school_names.py): ``school_names_file`` is what program.yaml names
    # (``school_names: schools.csv``); the edges read it (or the service's table) and attach ``school_names``.
    school_names_file: str = ""
    school_names: SchoolNames | None = field(default=None, compare=False)
    party_terms: PartyTerms = field(default_factory=PartyTerms)
    reporting: Reporting = field(default_factory=Reporting)
    # What form titles start with (柳州市普通高中结对帮扶 + 安排表); default: the program's name. Forms print
    # only the program's own stages, so a high-school program names no 幼儿园 in its titles.
    forms_heading: str = ""
    targets: tuple[Target, ...] = ()  # quantitative targets (docgen/targets.py sums returned forms against them)
    reports: tuple[ReportRule, ...] = ()  # periodic reports the notice requires (docgen/reports.py)

    @property
    def signed_by_party_orgs(self) -> bool:
        """Whether an agreement of the program is signed by the schools' party organisations (each school's
        party organisation must then be named: :func:`docgen.school_names.missing_party_orgs`)."""
        return any(kind.signatories is Signatories.PARTY_ORGS for kind in self.agreements)

    def agreement(self, key: str) -> AgreementKind:
        """The agreement kind ``key``; :class:`ProgramError` listing the known kinds otherwise."""
        for kind in self.agreements:
            if kind.key == key:
                return kind
        known = "、".join(k.key for k in self.agreements)
        raise ProgramError(f"没有协议种类 {key!r}（本项目有：{known}）", source=self.key, key="agreements")

    def bureaus_on(self, side: Side) -> tuple[Bureau, ...]:
        """The bureaus on ``side``, in program order."""
        return tuple(b for b in self.bureaus if b.side is side)

    def task_for_form(self, form: str) -> Task | None:
        """The task whose result a school returns on blank form ``form`` (its deadline and recipient)."""
        return next((t for t in self.tasks if t.form == form), None)

    @property
    def copy_keepers(self) -> tuple[Bureau, ...]:
        """The bureaus that keep a copy of each agreement (``keeps_copy``), in program order."""
        return tuple(b for b in self.bureaus if b.keeps_copy)

    @property
    def year(self) -> int | None:
        """The year the program's forms are dated in when they omit it (``4月23日``): the year its period
        starts, else the year of its notice; None when the program gives neither."""
        start = self.period_start or self.issued_on
        return start.year if start else None


@dataclass(frozen=True)
class Roster:
    """The pair groups of one roster file, in the order the file lists them."""

    groups: tuple[PairGroup, ...]
    source: str = ""

    def units(self, policy: GroupPolicy) -> tuple[PairGroup, ...]:
        """The groups documents are made for under ``policy`` (see :class:`GroupPolicy`)."""
        if policy is GroupPolicy.JOINT:
            return self.groups
        return tuple(unit for g in self.groups for unit in g.split())
