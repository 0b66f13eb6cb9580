"""What a roster's header cell means: the column roles, their Chinese synonyms and the side rules.

    classify("结对学校（帮扶方）")  → (Role.SCHOOL, Side.SUPPORTING)
    classify("被帮扶\\n学校")        → (Role.SCHOOL, Side.SUPPORTED)     # 帮扶 is inside 被帮扶: longest word wins
    classify("乙方联络员")            → (Role.CONTACT, Side.SUPPORTED)
    classify("联系电话")              → (Role.PHONE, None)                 # side from its position

Pure. The table of words is the documentation (docs/roster.md repeats it).
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from docgen.model import Side


class Role(StrEnum):
    """What a column holds."""

    SCHOOL = "school"
    OWN_SCHOOL = "own_school"  # 您所在的学校: an online form's respondent school, its side stated by the title
    NEUTRAL_SCHOOL = "neutral_school"  # 学校名称: a school column whose side the other columns decide
    COUNTY = "county"  # 帮扶县区 / 受援县区: a table of bureau pairs, not schools
    REGION = "region"
    PARTY_ORG = "party_org"
    CONTACT = "contact"  # 联系人, 联系人及电话, 联络员: a name, title and phones, in any mix
    PHONE = "phone"
    TITLE = "title"  # 职务
    STAGE = "stage"
    LEVEL = "level"
    COORDINATOR = "coordinator"
    GROUP = "group"
    SERIAL = "serial"
    EXTRA = "extra"  # any other column: kept in the mapping, not read


SUPPORTED_WORDS = ("被帮扶", "受帮扶", "接受帮扶", "被支援", "被援助", "受援", "受助", "接收", "乙方")
"""Words that make a header the helped side. Checked before :data:`SUPPORTING_WORDS` (被帮扶 contains 帮扶)."""
SUPPORTING_WORDS = ("结对帮扶", "对口帮扶", "对口支援", "帮扶", "支援", "援助", "派出", "甲方")
SCHOOL_TAILS = ("", "学校", "校", "方", "方学校", "学校名称", "校名", "学校全称", "单位", "学校名单", "幼儿园", "园",
                "校(园)", "学校(幼儿园)", "方学校名称")
NEUTRAL_SCHOOLS = ("学校", "学校名称", "校名", "学校全称", "结对学校", "名称")
OWN_SCHOOLS = ("您所在的学校", "您所在学校", "您的学校", "您学校名称", "您的学校名称", "所在学校", "所在学校名称",
               "本校", "本校名称", "本校全称", "贵校名称", "您所在的学校名称", "您所在学校名称")  # fmt: skip
"""Headers of an online form's (问卷星, 腾讯文档, 钉钉/微信 表单) respondent school: one row per submission, the
side of this school is who the title says fills the form in (:func:`respondent_side`)."""
_QUESTION_NUMBER = re.compile(r"^(?:[Qq]?\d{1,2}[、.:]|[(]\d{1,2}[)]|第\d{1,2}题[、.:]?)")
SCHOOL_NOUNS = ("学校(幼儿园)", "方学校名称", "学校名称", "学校全称", "学校名单", "方学校", "校(园)", "幼儿园", "学校",
                "校名", "单位", "校", "园", "方")  # fmt: skip
"""What a school column's header ends with in the header grammar (longest first)."""
NEUTRAL_NOUNS = ("学校(幼儿园)", "学校名称", "学校全称", "校(园)", "幼儿园", "学校", "校名")
"""School nouns that make a header a school column without a side word (``滨江区学校``, ``建始县结对学校``)."""
LINK_WORDS = ("结对", "对口")
"""Words between a region and the school noun that say nothing of the side (``滨江区结对学校``)."""
COUNT_NOTES = ("所", "个", "数", "所数", "数量", "人", "名", "家")
"""A note in brackets that makes a header a count (``帮扶学校（所）`` in a summary table), not a school column."""
_REGION = re.compile(r"^(?:[\u4e00-\u9fff]{1,10}?(?:省|自治区|市|自治州|州|盟|县|区|旗|镇|乡|街道)[·・]?)+$")
COUNTY_TAILS = ("县区", "县(区)", "区县", "县市区", "县市", "县", "区", "县区名称", "地区教育局", "教育局")

FIELDS: dict[Role, tuple[str, ...]] = {
    Role.CONTACT: ("联系人", "负责人", "联络员", "联系人姓名", "姓名", "校长", "校长姓名", "负责人姓名",
                   "园长", "园长姓名",  # a kindergarten's 校长
                   "联系人及电话", "联系人和电话", "联系人电话",
                   "联系方式", "联络员及电话", "负责人及电话", "联系人及联系方式", "联络人", "联系人及手机",
                   "分管领导", "联络员及分管领导"),
    Role.PHONE: ("联系电话", "电话", "手机", "办公电话", "手机号", "手机号码", "座机", "固定电话", "电话号码"),
    Role.TITLE: ("职务", "联系人职务", "负责人职务"),
    Role.REGION: ("地区", "县市区", "县区", "所在地区", "所在地", "所在镇街", "所在县区", "镇街", "所在县市区"),
    Role.PARTY_ORG: ("党组织名称", "党组织"),
}  # fmt: skip
GROUP_FIELDS: dict[Role, tuple[str, ...]] = {
    Role.STAGE: ("学段", "学段类别", "所属学段", "学校类别"),
    Role.LEVEL: ("层级", "结对层级", "帮扶层级"),
    Role.COORDINATOR: ("牵头指导学校", "帮扶牵头指导学校", "牵头学校", "牵头单位", "牵头指导单位"),
    Role.GROUP: ("组号", "结对组号", "结对组"),
    Role.SERIAL: ("序号", "编号", "序"),
}

HEADERS: dict[str, tuple[str, ...]] = {
    "支援学校": tuple(w + t for w in SUPPORTING_WORDS for t in SCHOOL_TAILS if w + t),
    "受援学校": tuple(w + t for w in SUPPORTED_WORDS for t in SCHOOL_TAILS if w + t),
    **{names[0]: names for names in GROUP_FIELDS.values()},
    **{names[0]: names for names in FIELDS.values()},
}
"""Headers accepted per field (a school header's side word may also stand in a note: ``结对学校（帮扶方）``)."""

_FIELD_LOOKUP = {w: r for r, ws in FIELDS.items() for w in ws}
_GROUP_LOOKUP = {w: r for r, ws in GROUP_FIELDS.items() for w in ws}
_NOTE = re.compile(r"^(?P<base>.+?)[(](?P<note>[^()]*)[)]$")


def header_key(text: str) -> str:
    """A header as compared: NFKC (full-width brackets → ``()``), no whitespace (Alt+Enter, 支 援 学 校), no
    trailing ``：`` or ``*``."""
    key = "".join(unicodedata.normalize("NFKC", text).split())
    key = _QUESTION_NUMBER.sub("", key.lstrip("*"))  # 1、您所在的学校, Q2. 结对学校名称: a form's question number
    return key.rstrip(":*").lstrip("*")


def side_of(text: str) -> tuple[Side, str] | None:
    """The side a header starts with and the rest.

    ``被帮扶学校`` → (受援, ``学校``); ``甲方联络员`` → (支援, ``联络员``)."""
    text = text.removeprefix("对口")  # 对口帮扶学校, 对口支援学校
    for words, side in ((SUPPORTED_WORDS, Side.SUPPORTED), (SUPPORTING_WORDS, Side.SUPPORTING)):
        for word in words:
            if text.startswith(word):
                return side, text[len(word) :]
    return None


def _side_word(stem: str) -> tuple[Side, str] | None:
    """The side word ``stem`` ends with (the longest, so 被帮扶 beats 帮扶) and what stands before it."""
    sides = ((SUPPORTED_WORDS, Side.SUPPORTED), (SUPPORTING_WORDS, Side.SUPPORTING))
    found = [(len(w), side, w) for words, side in sides for w in words if stem.endswith(w)]
    if not found:
        return None
    _n, side, word = max(found, key=lambda f: f[0])
    return side, stem[: -len(word)]


def region_of(text: str) -> str:
    """The region a school header names before its side word or noun: ``滨江区结对学校`` → ``滨江区``; a header
    that is a region alone (``滨江区``) → itself; ``""`` when it names none (``帮扶学校``) or the header is not a
    school header."""
    key = _NOTE.sub(lambda m: m.group("base"), header_key(text))
    if _REGION.match(key):
        return key.rstrip("·・")  # a band over a two-row header's columns: 滨江区 over 学校名称 | 联系人
    parsed = _school_grammar(key)
    return parsed[1] if parsed is not None else ""


def _school_grammar(key: str) -> tuple[tuple[Role, Side | None], str] | None:
    """A school column's header read by the grammar ``[region] [结对|对口] [side word] school-noun`` and the
    region it names: ``滨江区帮扶学校`` → ((SCHOOL, 支援), ``滨江区``); ``建始县结对学校`` → ((NEUTRAL_SCHOOL,
    None), ``建始县``). Anything else before the noun (``填报单位``, ``牵头指导学校``) is not a school header."""
    if key.endswith("对象") and _side_word(key[:-2]) is not None:
        return (Role.SCHOOL, Side.SUPPORTED), ""  # 帮扶对象, 援助对象, 受援对象: the one helped
    noun = next((n for n in SCHOOL_NOUNS if key.endswith(n)), None)
    if noun is None:
        return None
    stem = key[: -len(noun)]
    sided = _side_word(stem)
    side: Side | None = None
    if sided is not None:
        side, stem = sided
    elif noun not in NEUTRAL_NOUNS:
        return None
    for word in LINK_WORDS:
        stem = stem.removesuffix(word)
    if stem and not _REGION.match(stem):
        return None
    return ((Role.SCHOOL, side) if side is not None else (Role.NEUTRAL_SCHOOL, None)), stem.rstrip("·・")


def _plain(key: str) -> tuple[Role, Side | None] | None:
    if key in _GROUP_LOOKUP:
        return _GROUP_LOOKUP[key], None
    sided = side_of(key)
    if sided is not None:
        side, rest = sided
        if rest in SCHOOL_TAILS:
            return Role.SCHOOL, side
        if rest in COUNTY_TAILS:
            return Role.COUNTY, side
        rest = rest.removeprefix("学校").removeprefix("方")
        if rest in _FIELD_LOOKUP:
            return _FIELD_LOOKUP[rest], side
        grammar = _school_grammar(key)
        return grammar[0] if grammar is not None else None
    if key in NEUTRAL_SCHOOLS:
        return Role.NEUTRAL_SCHOOL, None
    if key in OWN_SCHOOLS:
        return Role.OWN_SCHOOL, None
    if key in _FIELD_LOOKUP:
        return _FIELD_LOOKUP[key], None
    grammar = _school_grammar(key)
    return grammar[0] if grammar is not None else None


def classify(text: str) -> tuple[Role, Side | None] | None:
    """The role (and side, when the header says it) of one header cell; ``None`` for a header it does not know.

    A note in brackets may carry the side (``结对学校（帮扶方）``, ``甲方（支援学校）``) or be a remark
    (``支援学校（滨江区）``, ``学段（小学/初中）``).
    """
    key = header_key(text)
    if not key:
        return None
    found = _plain(key)
    if found is not None:
        return found
    note = _NOTE.match(key)
    if note is None:
        return None
    base = _plain(note.group("base"))
    inner = note.group("note")
    if inner in COUNT_NOTES:
        return None  # 帮扶学校（所）: how many schools, in a summary table
    inner_side = side_of(inner)
    if base is not None and base[0] is Role.NEUTRAL_SCHOOL and inner_side is not None:
        return Role.SCHOOL, inner_side[0]
    if base is not None and base[1] is None and base[0] in FIELDS and inner_side is not None:
        return base[0], inner_side[0]
    return base


def band_side(text: str) -> Side | None:
    """The side a band over a two-row header's columns names: ``帮扶方``, ``甲方``, ``滨江区（帮扶）``,
    ``建始县受援``, ``受援学校情况`` (it starts with a side word, ends with one after a region, or has it in its
    note); ``None`` for a band without one (``滨江区``)."""
    key = header_key(text)
    note = _NOTE.match(key)
    if note is not None:
        inner = side_of(note.group("note"))
        if inner is not None:
            return inner[0]
        key = note.group("base")
    sided = side_of(key)
    if sided is not None:
        return sided[0]
    ending = _side_word(key)
    if ending is not None and (not ending[1] or _REGION.match(ending[1])):
        return ending[0]
    return None


def combine(top: str, sub: str) -> tuple[Role, Side | None] | None:
    """A column of a two-row header.

    ``支援学校`` over ``学校名称`` → (SCHOOL, 支援); over ``联系人`` → (CONTACT, 支援)."""
    below = classify(sub) if sub else None
    above = classify(top) if top else None
    if not sub or sub == top:
        return above
    if below is None:
        return above if above is not None and above[0] in (Role.SERIAL, Role.STAGE, Role.COORDINATOR) else below
    side = below[1]
    if side is None and above is not None and above[0] in (Role.SCHOOL, Role.COUNTY):
        side = above[1]
    elif side is None and top:
        side = band_side(top)
    role = below[0]
    if role is Role.NEUTRAL_SCHOOL and side is not None:
        role = Role.SCHOOL
    return role, side


_DIRECTED = re.compile(r"对口帮扶|对口支援|结对帮扶|帮扶|支援|援助")
_REVERSED = re.compile(r"被帮扶|受帮扶|接受帮扶|被支援|被援助|受援|受助")
_CLAUSE = re.compile(r"[。；;！!？?\n，,（）()：:]")
_GAP = 12  # characters a statement may put between the two regions (学校、县区、镇 …)


_UNIT_ENDINGS = ("自治区", "自治州", "自治县", "街道", "省", "市", "州", "盟", "县", "区", "旗", "镇", "乡")


def _aliases(region: str) -> tuple[str, ...]:
    """``杭州市滨江区`` → (``杭州市滨江区``, ``滨江区``, ``滨江``): a region as a text may write it — whole, its last
    unit alone, with or without the unit's ending."""
    last = region
    for i in range(1, len(region) - 2):  # the shortest tail of 3+ characters after a unit's ending
        if region[:i].endswith(_UNIT_ENDINGS):
            last = region[i:]
    short = next((last[: -len(e)] for e in _UNIT_ENDINGS if last.endswith(e)), last)
    return tuple(dict.fromkeys(a for a in (region, last, short) if len(a) >= 2))


def _find(clause: str, region: str) -> int:
    hits = [clause.find(a) for a in _aliases(region) if a in clause]
    return min(hits) if hits else -1


def _other(side: Side) -> Side:
    return Side.SUPPORTED if side is Side.SUPPORTING else Side.SUPPORTING


def stated_side(texts: list[str], first: str, second: str) -> Side | None:
    """The side of region ``first`` as a sheet's title or 填表说明 states it, when its two school columns are
    named by region only (``滨江区结对学校`` / ``建始县结对学校``); ``None`` when the texts state nothing, or
    contradict each other.

    Read, clause by clause: ``<first>…帮扶/对口支援/援助…<second>`` or ``<first>对<second>结对帮扶`` (first helps);
    ``<first>…受援/被帮扶…<second>`` (first is helped); ``<first>学校为帮扶学校`` / ``…为受援学校`` (one region
    alone). ``A·B学校结对帮扶名单`` and ``A与B结对`` state no direction.
    """
    if not first or not second or first == second:
        return None
    votes: set[Side] = set()
    for text in texts:
        for clause in _CLAUSE.split(text):
            a, b = _find(clause, first), _find(clause, second)
            if a >= 0 and b >= 0:
                helper, helped, lo, hi = (Side.SUPPORTING, Side.SUPPORTED, a, b) if a < b else \
                    (Side.SUPPORTED, Side.SUPPORTING, b, a)  # fmt: skip
                start = lo + min(len(x) for x in _aliases(first if a < b else second) if x in clause)
                between, after = clause[start:hi], clause[hi:]
                if len(between) > _GAP or "与" in between or "和" in between:
                    continue
                passive = re.fullmatch(r"(?:学校)?(?:受|被|接受)", between) and re.match(
                    r"^[^，,]{0,8}?(?:帮扶|支援|援助)", after
                )
                if _REVERSED.search(between) or passive:
                    votes.add(helped)  # A受援于B, A受B帮扶: the earlier region is helped
                elif _DIRECTED.search(between):
                    votes.add(helper)
                elif between.endswith("对") and re.match(r"^[^，,]{0,8}?(?:结对帮扶|对口帮扶|帮扶|支援)", after):
                    votes.add(helper)  # A对B结对帮扶
                continue
            for region, first_if_helper in ((first, Side.SUPPORTING), (second, Side.SUPPORTED)):
                where = _find(clause, region)
                said = re.search(r"为(被帮扶|受帮扶|受援|帮扶|支援|援助)", clause[where:]) if where >= 0 else None
                if said is None:
                    continue  # 滨江区学校为帮扶学校 / 建始县学校为受援学校
                helps = said.group(1) in ("帮扶", "支援", "援助")
                votes.add(first_if_helper if helps else _other(first_if_helper))
    return votes.pop() if len(votes) == 1 else None


_FILLER = re.compile(
    r"(被帮扶|受帮扶|接受帮扶|被支援|被援助|受援|受助|接收|对口帮扶|对口支援|结对帮扶|帮扶|支援|援助|派出)方?"
    r"(?:学校|单位|幼儿园|校|园)?[^，,。；;！!？?]{0,6}?(?:填写|填报|填)"
)


def respondent_side(texts: list[str]) -> Side | None:
    """The side of the school that fills an online form in, as its title or instructions state it:
    ``由滨江区各帮扶学校填写`` / ``请支援学校填报`` → supporting; ``请被帮扶学校填写`` / ``（受援学校填报）`` →
    supported. ``None`` when no text states it, or texts contradict each other."""
    votes: set[Side] = set()
    for text in texts:
        for clause in _CLAUSE.split(text):
            for match in _FILLER.finditer(clause):
                sided = side_of(match.group(1))
                if sided is not None:
                    votes.add(sided[0])
    return votes.pop() if len(votes) == 1 else None
