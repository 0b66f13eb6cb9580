"""Pairing lines in a notice's prose: ``彭州市西郊小学、九尺镇小学与黑水县芦花完全小学校结对；``.

The grammar (``docs/roster.md``)::

    line    = [numbering] pairing [";" | "；" | "。" | "." | "，" | ","]
    pairing = schools "与" schools ("结对" | "结对帮扶")
            | ["由"] schools verb schools          verb = 对口帮扶 | 对口支援 | 结对帮扶 | 帮扶 | 支援 | 援助
            | schools dash schools                 dash = —— | — | －－ | -- | →   (a line of its own)
    schools = name {"、" name}

``numbering`` is ``1.``, ``1、``, ``1．``, ``（1）``, ``(1)``, ``（一）`` or ``一、``. The supporting side comes
first, as the notices write it; spaces around the verb or dash are allowed (``北台中心小学 帮扶岸上小学``).

A line that ends in 结对/结对帮扶 and has a 与 before it means to state a pairing (unless it has a 。 before its
end: body text of several sentences); one that does not fit the grammar is an ``unreadable_line`` problem
naming its line number (:func:`docgen.roster.importer.prose_entries`), so a clerk's typo cannot silently drop
a pair. The verb and dash forms are read only when the WHOLE line is the pairing and every name on both sides
is a school's name (:func:`looks_like_school`: it ends in 学校, 小学, 中学, 幼儿园, 校, 园, 学院, 教学点 …):
body text (``帮扶学校每学期到受援学校开展…``, ``滨江区结对学校与建始县结对学校每月互通…``) is never a pair, and
is not reported either (notices use these verbs in every other sentence).
"""

from __future__ import annotations

import re

from docgen.roster.names import clean, inherit_prefix

FIELD = "结对句"
"""The field errors about a prose line name (a line has no column header)."""

_NUMBERING = re.compile(
    r"^(?:\d{1,3}\s*[.、．)）]|[（(]\s*\d{1,3}\s*[)）]|[（(][一二三四五六七八九十]{1,3}[)）]|[一二三四五六七八九十]{1,3}、)\s*"
)
_CANDIDATE = re.compile(r"与.*结对(?:帮扶)?\s*[；;。.，,]?\s*$")
_LINE = re.compile(r"^(?P<a>[^与]+?)与(?P<b>.+?)结对(?:帮扶)?\s*[；;。.，,]?\s*$")
VERBS = ("对口帮扶", "对口支援", "结对帮扶", "帮扶", "支援", "援助")
"""Words that join a helping school to the school it helps in a pairing line (``A对口帮扶B``)."""
_VERB = re.compile(r"\s*(?:" + "|".join(VERBS) + r"|—{1,2}|－{1,2}|-{2}|→)\s*")
_END = re.compile(r"\s*[；;。.，,]?\s*$")
_SCHOOL_END = re.compile(r"(?:学校|小学|中学|初中|高中|一中|二中|三中|幼儿园|学院|分校|校区|教学点|中心校|校|园|院)$")
# What a school name in prose may not contain: sentence punctuation, quotes, spaces, the grammar's words.
_NOT_IN_NAME = re.compile(r"[，,。：:；;“”\"'！!？?\s]|与|结对")
_MAX_NAME = 40


def _names(text: str) -> list[str] | None:
    names = [clean(n) for n in text.split("、")]
    if not names or any(not n or len(n) < 2 or len(n) > _MAX_NAME or _NOT_IN_NAME.search(n) for n in names):
        return None
    return names


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
        if helping and helped and all(looks_like_school(n) for n in (*helping, *helped)):
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
        helping, helped = _names(match.group("a")), _names(match.group("b"))
    else:
        found = _verb_line(_END.sub("", body))
        helping, helped = found if found is not None else (None, None)
    if helping is None or helped is None:
        return None
    return inherit_prefix(helping), inherit_prefix(helped)


def is_pairing_line(line: str) -> bool:
    """Whether a line means to state a pairing: it has 与 and ends in 结对 or 结对帮扶 (with punctuation).

    A line with a full stop before its end is body text of several sentences (柳州's ``…之间的结对帮扶。
    各城区市区学校与…开展结对帮扶。``), not a pairing line.
    """
    text = line.strip()
    return _CANDIDATE.search(text) is not None and "。" not in text.rstrip("；;。.，, ")
