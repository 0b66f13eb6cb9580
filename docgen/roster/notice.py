"""Pairing lines in a notice's prose: ``彭州市西郊小学、九尺镇小学与黑水县芦花完全小学校结对；``.

The grammar (``docs/roster.md``)::

    line    = [numbering] pairing [";" | "；" | "。" | "." | "，" | ","]
    pairing = schools "与" schools paired
            | ["由"] schools verb schools
            | schools dash schools                 (a line of its own)
    paired  = 结对 | 结对帮扶 | 结对（帮扶） | 结成帮扶对子 | 建立帮扶关系
    verb    = 对口帮扶 | 对口支援 | 结对帮扶 | 帮扶 | 支援 | 援助
    dash    = —— | — | －－ | -- | →
    schools = name {"、" name}

``numbering`` is ``1.``, ``1、``, ``1．``, ``（1）``, ``(1)``, ``（一）``, ``一、``, ``①`` or ``第1组：``.
The supporting side comes first, as the notices write it; spaces around the verb or dash are allowed
(``北台中心小学 帮扶岸上小学``).

A line that has a 与 and ends in a ``paired`` word means to state a pairing (unless it has a 。 before its end:
body text of several sentences, or one side is a description — :func:`is_description`:
``成立主校与教学点结对帮扶``); one that does not fit the grammar is an ``unreadable_line`` problem naming its
line number (:func:`docgen.roster.importer.prose_entries`), so a clerk's typo cannot silently drop a pair.
The verb and dash forms are read only when the WHOLE line is the pairing and every name on both sides is a
school's name (:func:`looks_like_school`: it ends in 学校, 小学, 中学, 幼儿园, 校, 园, 学院, 教学点 …):
body text (``帮扶学校每学期到受援学校开展…``, ``滨江区结对学校与建始县结对学校每月互通…``) is never a pair, and
is not reported either (notices use these verbs in every other sentence).
"""

from __future__ import annotations

import re

from docgen.roster.names import clean, inherit_prefix

FIELD = "结对句"
"""The field errors about a prose line name (a line has no column header)."""

_NUMBERING = re.compile(
    r"^(?:\d{1,3}\s*[.、．)）]|[（(]\s*\d{1,3}\s*[)）]|[（(][一二三四五六七八九十]{1,3}[)）]|[一二三四五六七八九十]{1,3}、"
    r"|[①-⑳]|第[一二三四五六七八九十\d]{1,3}(?:组|对)\s*[：:、.．]?)\s*"
)
# How a 与 line ends: 结对, 结对帮扶, 结对（帮扶）, 结成（帮扶）对子, 建立（结对）帮扶关系.
_PAIRED = r"(?:结对(?:帮扶)?(?:[（(]帮扶[)）])?|结成(?:帮扶)?对子|建立(?:结对)?帮扶关系)"
_CANDIDATE = re.compile(r"与.*" + _PAIRED + r"\s*[；;。.，,]?\s*$")
_LINE = re.compile(r"^(?P<a>[^与]+?)与(?P<b>.+?)" + _PAIRED + r"\s*[；;。.，,]?\s*$")
VERBS = ("对口帮扶", "对口支援", "结对帮扶", "帮扶", "支援", "援助")
"""Words that join a helping school to the school it helps in a pairing line (``A对口帮扶B``)."""
_VERB = re.compile(r"\s*(?:" + "|".join(VERBS) + r"|—{1,2}|－{1,2}|-{2}|→)\s*")
_END = re.compile(r"\s*[；;。.，,]?\s*$")
_SCHOOL_END = re.compile(
    r"(?:学校|小学|中学|初中|高中|幼儿园|学院|分校|校区|教学点|校|园|院|[一二三四五六七八九十\d]+[小中])$"
)  # 一小, 二中: the short forms rosters use (the school name table completes them)
# What a school name in prose may not contain: sentence punctuation, quotes, spaces, the grammar's words.
_NOT_IN_NAME = re.compile(r"[，,。：:；;“”\"'！!？?\s]|与|结对")
_MAX_NAME = 40


def _names(text: str) -> list[str] | None:
    names = [clean(n) for n in text.split("、")]
    if not names or any(not n or len(n) < 2 or len(n) > _MAX_NAME or _NOT_IN_NAME.search(n) for n in names):
        return None
    return names


_NOUN = re.compile(r"(?:学校|小学|中学|初中|高中|幼儿园|教学点|校|园)$")
DESCRIPTION_WORDS = ("结对", "帮扶", "受援", "支援", "援助", "对口", "薄弱", "优质", "农村", "城区", "乡镇", "乡村",
                     "城镇", "相关", "所属", "各", "本", "我", "该", "主", "分")  # fmt: skip
"""A name whose words before its school noun end so describes schools rather than naming one (结对学校, 薄弱学校,
各校, 主校)."""


def is_description(name: str) -> bool:
    """Whether ``name`` describes schools instead of naming one: nothing (or one character) before its school
    noun (``教学点``, ``学校``, ``主校``), or a describing word right before it (``结对学校``, ``薄弱学校``)."""
    stem = _NOUN.sub("", name)
    return len(stem) < 2 or stem.endswith(DESCRIPTION_WORDS)


def looks_like_school(name: str) -> bool:
    """Whether ``name`` ends as a school's name does (``…第三小学``, ``…幼儿园``, ``…中心校``), so that a verb
    line's sides are schools and not words of a sentence."""
    return _SCHOOL_END.search(name) is not None


def _verb_line(body: str) -> tuple[list[str], list[str]] | None:
    """``[由]A 帮扶 B`` / ``A——B``: the first split at a verb or dash where both sides are lists of school names."""
    if "。" in body or "与" in body:
        return None  # a sentence, or the 与 form
    for match in _VERB.finditer(body):
        left, right = body[: match.start()], body[match.end() :]
        left = left.removeprefix("由") if left.startswith("由") and len(left) > 3 else left
        helping, helped = _names(left), _names(right)
        names = (*(helping or ()), *(helped or ()))
        if helping and helped and all(looks_like_school(n) and not is_description(n) for n in names):
            return helping, helped
    return None


def parse_pairing_line(line: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The two name lists of a pairing line (prefixes inherited); ``None`` when it does not fit the grammar.

    ``"3.彭州市西郊小学、九尺镇小学与黑水县芦花完全小学校结对；"`` →
    ``(("彭州市西郊小学", "彭州市九尺镇小学"), ("黑水县芦花完全小学校",))``;
    ``"2．由甲市第一小学帮扶乙县第二小学；"`` → ``(("甲市第一小学",), ("乙县第二小学",))``.
    """
    body = _NUMBERING.sub("", line.strip())
    match = _LINE.match(body)
    if match:
        if _describes(match):
            return None
        helping, helped = _names(match.group("a")), _names(match.group("b"))
    else:
        found = _verb_line(_END.sub("", body))
        helping, helped = found if found is not None else (None, None)
    if helping is None or helped is None:
        return None
    return inherit_prefix(helping), inherit_prefix(helped)


def _describes(match: re.Match[str]) -> bool:
    """A 与 line whose one side is a description (``成立主校与教学点结对帮扶``, a heading): body text."""
    return any(is_description(clean(n)) for side in ("a", "b") for n in match.group(side).split("、"))


def is_pairing_line(line: str) -> bool:
    """Whether a line means to state a pairing: it has 与 and ends in 结对 or 结对帮扶 (with punctuation).

    A line with a full stop before its end is body text of several sentences (柳州's ``…之间的结对帮扶。
    各城区市区学校与…开展结对帮扶。``), not a pairing line.
    """
    text = line.strip()
    match = _LINE.match(_NUMBERING.sub("", text))
    if match is not None and _describes(match):
        return False  # a heading or sentence about schools in general (成立主校与教学点结对帮扶)
    return _CANDIDATE.search(text) is not None and "。" not in text.rstrip("；;。.，, ")
