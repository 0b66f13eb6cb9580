"""Pairing lines in a notice's prose: ``彭州市西郊小学、九尺镇小学与黑水县芦花完全小学校结对；``.

The grammar (``docs/roster.md``)::

    line    = [numbering] schools "与" schools ("结对" | "结对帮扶") [";" | "；" | "。" | "." | "，" | ","]
    schools = name {"、" name}

``numbering`` is ``1.``, ``1、``, ``（1）``, ``(1)``, ``（一）`` or ``一、``. The supporting side comes
first, as the notices write it. A line that ends in 结对/结对帮扶 and has a 与 before it is a pairing
line, unless it has a 。 before its end (body text of several sentences); any other line (title, body
text, dates) is ignored. A pairing line that does not fit the grammar is an ``unreadable_line`` problem naming
its line number (:func:`docgen.roster.importer.prose_entries`), so a clerk's typo cannot silently drop a pair.
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
# What a school name in prose may not contain: sentence punctuation, quotes, spaces, the grammar's words.
_NOT_IN_NAME = re.compile(r"[，,。：:；;“”\"'！!？?\s]|与|结对")
_MAX_NAME = 40


def _names(text: str) -> list[str] | None:
    names = [clean(n) for n in text.split("、")]
    if not names or any(not n or len(n) < 2 or len(n) > _MAX_NAME or _NOT_IN_NAME.search(n) for n in names):
        return None
    return names


def parse_pairing_line(line: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The two name lists of a pairing line (prefixes inherited); ``None`` when it does not fit the grammar.

    ``"3.彭州市西郊小学、九尺镇小学与黑水县芦花完全小学校结对；"`` →
    ``(("彭州市西郊小学", "彭州市九尺镇小学"), ("黑水县芦花完全小学校",))``.
    """
    body = _NUMBERING.sub("", line.strip())
    match = _LINE.match(body)
    if not match:
        return None
    helping, helped = _names(match.group("a")), _names(match.group("b"))
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
