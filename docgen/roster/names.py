"""School names as rosters write them: cleaning, lists, inherited prefixes, the stage a name implies.

Pure functions on strings; no files, no errors raised. The rules are documented in ``docs/roster.md``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from docgen.model import Stage

#: What separates several schools in one cell or one clause: ``A、B``, ``A，B``, ``A,B``, ``A/B``, new lines.
LIST_SEPARATORS = "、，,/／；;\n"
_SPLIT = re.compile(f"[{re.escape(LIST_SEPARATORS)}]")

_CJK = r"\u3400-\u9fff\uf900-\ufaff"
# Spaces between two CJK characters: tables justify two-character names (``曹 县``, ``李 云``) this way.
_CJK_SPACE = re.compile(f"(?<=[{_CJK}])[ \t\u3000\u00a0]+(?=[{_CJK}])")
_JUSTIFIED = re.compile(f"^[{_CJK}][ \t\u3000\u00a0]+[{_CJK}]$")
_SPACES = re.compile(r"[\s\u3000\u00a0]+")

# One administrative unit at the start of a name: 四川省, 阿坝藏族羌族自治州, 彭州市, 黑水县, 牡丹区, 曹县.
# Two to eight characters before the suffix; a single character only before 县 or 区 (曹县, 单县, 郊区).
_SUFFIX = "(?:特别行政区|自治区|自治州|自治县|自治旗|省|市|州|盟|县|区|旗)"
_UNIT = f"(?:[{_CJK}]{{2,8}}?{_SUFFIX}|[{_CJK}][县区])"
# Later units of a chain (四川省 + 阿坝州 + 黑水县): a single character only before 县 (菏泽市曹县), so
# that 彭州市城区小学 keeps 彭州市 and does not swallow 城区.
_LATER_UNIT = f"(?:[{_CJK}]{{2,8}}?{_SUFFIX}|[{_CJK}]县)"
_PREFIX = re.compile(f"^{_UNIT}(?:{_LATER_UNIT})*")
# Words that end in 区/市 but are not administrative areas.
_NOT_ADMIN = ("社区", "校区", "小区", "学区", "景区", "片区", "园区", "城市", "超市")


def clean(value: object) -> str:
    """A cell or clause as text: ``None`` → ``""``, whitespace trimmed and collapsed.

    A justified two-character cell loses its padding (``李 云`` → ``李云``, ``曹 县`` → ``曹县``);
    ``张三 李四`` keeps its space. Whole floats become integers (``13812345678``, not ``13812345678.0``):
    spreadsheets store phone numbers as numbers.
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if _JUSTIFIED.match(text):
        return _CJK_SPACE.sub("", text)
    return _SPACES.sub(" ", text)


# A template's "stamp here" note after the name (``东明县第一中学（盖章）``) and sentence punctuation after it
# (``定陶县第一中学。``): what the clerk typed around the name, not part of it.
_STAMP_NOTE = re.compile(r"[（(](?:单位)?(?:盖章|公章|签章|盖公章|签字盖章|盖章处)[）)]$")
_TRAILING_STOP = re.compile(r"[。．]+$")
# A half-width bracket pair around a Chinese note (``(初中部)``, ``(东校区)``); ``(A1)`` is left as typed.
_HALF_NOTE = re.compile(f"\\(([^()]*[{_CJK}][^()]*)\\)")


def clean_name(value: object) -> str:
    """A school or area name: :func:`clean`, no spaces between CJK characters (``彭州市 西郊小学``), half-width
    brackets around a Chinese note written full width as Chinese names are (``常平中学(初中部)`` →
    ``常平中学（初中部）``; ``(A1)`` stays), and no
    trailing ``。`` or template stamp note (``（盖章）``)."""
    name = _HALF_NOTE.sub(r"（\1）", _CJK_SPACE.sub("", clean(value)))
    for _ in range(2):  # 东明县第一中学（盖章）。
        name = _TRAILING_STOP.sub("", _STAMP_NOTE.sub("", name)).rstrip()
    return name


def split_names(text: str) -> list[str]:
    """The names listed in ``text`` (``A、B``, ``A，B``, ``A/B``, line breaks), cleaned; empty items dropped.

    A separator inside brackets is part of the name (``彭州市第一中学（含初中部、高中部）``)."""
    parts: list[str] = []
    depth, start = 0, 0
    for i, ch in enumerate(text):
        if ch in "（(":
            depth += 1
        elif ch in "）)" and depth:
            depth -= 1
        elif depth == 0 and _SPLIT.match(ch):
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [name for name in (clean_name(part) for part in parts) if name]


def admin_prefix(name: str) -> str:
    """The administrative area a name starts with (``彭州市西郊小学`` → ``彭州市``), else ``""``.

    A chain of units counts as one prefix (``四川省阿坝州黑水县中学`` → ``四川省阿坝州黑水县``). Units end in
    省/自治区/市/州/盟/县/区/旗; words such as 社区, 校区, 城市 do not count.
    """
    match = _PREFIX.match(name)
    if not match:
        return ""
    prefix = match.group(0)
    # Drop trailing units that are ordinary words (金沙社区小学 has no prefix; 彭州市金沙社区 keeps 彭州市).
    while prefix:
        if not prefix.endswith(_NOT_ADMIN):
            return prefix
        shorter = _PREFIX.match(prefix[:-1])
        prefix = shorter.group(0) if shorter else ""
    return ""


# A town-level unit right after the administrative prefix: 业州镇, 三里乡, 东城街道. Not an administrative prefix
# by itself (a name may start with one: 九尺镇小学), but part of the chain a later name without any unit takes.
_TOWN = re.compile(f"^[{_CJK}]{{1,5}}?(?:镇|乡|街道)")


def _town(name: str, prefix: str) -> str:
    match = _TOWN.match(name[len(prefix) :])
    return match.group(0) if match and len(name) > len(prefix) + len(match.group(0)) else ""


def inherit_prefix(names: Sequence[str]) -> tuple[str, ...]:
    """Later names of one list take the first name's prefix down to the level they lack.

    ``("彭州市西郊小学", "九尺镇小学")`` → ``("彭州市西郊小学", "彭州市九尺镇小学")``: a name starting
    with a town takes the administrative prefix above it. ``("建始县业州镇第一小学", "第二小学")`` →
    ``(…, "建始县业州镇第二小学")``: a name without any unit takes the whole chain, town included.
    A name that already starts with an administrative area keeps it (``彭州市隆丰镇小学``,
    ``黑水县中学``); a first name without an administrative prefix (``成都石室白马中学``) passes
    none on.
    """
    if not names:
        return ()
    prefix = admin_prefix(names[0])
    if not prefix:
        return tuple(names)
    chain = prefix + _town(names[0], prefix)
    out = [names[0]]
    for name in names[1:]:
        if admin_prefix(name) or name.startswith(prefix):
            out.append(name)
        elif _town(name, ""):
            out.append(prefix + name)
        else:
            out.append(chain + name)
    return tuple(out)


# Stage words in a school's name, most specific first. 九年制 and 一贯制 schools are compulsory education;
# 完全中学 and plain 中学 may be either, so they say nothing.
_STAGE_WORDS: tuple[tuple[str, Stage], ...] = (
    ("特殊教育", Stage.SPECIAL),
    ("特教", Stage.SPECIAL),
    ("培智", Stage.SPECIAL),
    ("幼儿园", Stage.PRESCHOOL),
    ("高级中学", Stage.HIGH_SCHOOL),
    ("高中", Stage.HIGH_SCHOOL),
    ("初级中学", Stage.COMPULSORY),
    ("初中", Stage.COMPULSORY),
    ("小学", Stage.COMPULSORY),
    ("九年制", Stage.COMPULSORY),
    ("九年一贯制", Stage.COMPULSORY),
)


def infer_stage(name: str) -> Stage | None:
    """The stage a school's name states beyond doubt, else ``None``.

    ``…幼儿园`` → 学前教育; ``…小学``, ``…初级中学``, ``…九年制学校`` → 义务教育; ``…高级中学``, ``…高中`` →
    普通高中; ``…特殊教育学校`` → 特殊教育. ``…中学``, ``…中心校`` or a name with words of two stages
    (``…小学附属幼儿园``) → ``None``.
    """
    found = {stage for word, stage in _STAGE_WORDS if word in name}
    return found.pop() if len(found) == 1 else None
