"""Labels as compared: THE rule for matching a printed label or header with what a school wrote.

Used wherever a label is looked up — a form's field labels and column headers (:mod:`docgen.interpret`),
a roster's headers (:mod:`docgen.roster.headers`), a returned 安排表's headers (:mod:`docgen.roster.form`)
and the category words of a roster cell (学段, 层级: :mod:`docgen.roster.values`).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from typing import TypeVar

from docgen.values import join_lines

__all__ = ["SHORT_TEXT", "label_key", "remembered"]

T = TypeVar("T")

SHORT_TEXT = 100
"""Texts up to this many characters are remembered by :func:`remembered` functions: labels, headers, titles."""


def remembered(func: Callable[[str], T]) -> Callable[[str], T]:
    """``func`` (pure, of one text) computed once per process for each short text (:data:`SHORT_TEXT`) and
    afresh for a longer one. Interpreting one form asks for the same labels and headers thousands of times
    (a header against every column's labels); a long cell is rare and must not stay in a long-lived
    process's memory (at most 8192 texts are kept per function)."""
    cached = functools.lru_cache(maxsize=8192)(func)

    @functools.wraps(func)
    def lookup(text: str) -> T:
        return cached(text) if len(text) <= SHORT_TEXT else func(text)

    return lookup

_BRACKETED = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]?")
_LABEL_NOISE = re.compile(r"[\s:：*＊“”\"'‘’「」『』《》<>·•・_]+")


@remembered
def label_key(text: str) -> str:
    """A label as compared: NFKC (full width → half width), wrapped lines joined, bracketed notes, spaces,
    colons, quotes and ``*`` removed, lower case.

    ``"参加人员(可另附名单）"`` → ``"参加人员"``, ``"职  务"`` → ``"职务"``, ``"备注："`` → ``"备注"``,
    ``"学段（小学/初中）"`` → ``"学段"``; a label that is only a note (``"(1)"``) keeps it.
    """
    s = unicodedata.normalize("NFKC", join_lines(text))
    stripped = _BRACKETED.sub("", s)
    s = stripped if _LABEL_NOISE.sub("", stripped) else s
    return _LABEL_NOISE.sub("", s).lower()
