"""Chinese text conventions of official documents: dates, numerals, name lists."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

BLANK_DATE = "____年____月____日"

# A fill-in blank as printed: a run of "_" (a name, a phone number) or a date to write by hand
# (``____年____月____日``, ``____年``). It must never break across lines: the PDF converter keeps "_" from
# beginning or ending a line (docgen.render.uno_bridge), and the proof flags a split one (docgen.proof).
FILL_IN_BLANK = re.compile(r"_{2,}(?:[年月日]_{2,})*[年月日]?")

_DIGITS = "零一二三四五六七八九"


def format_date(d: date | None) -> str:
    """``2019年3月14日`` (GB/T 9704: Arabic numerals, no leading zeros); blanks when ``d`` is unknown."""
    if d is None:
        return BLANK_DATE
    return f"{d.year}年{d.month}月{d.day}日"


def cn_number(n: int) -> str:
    """Small counts as Chinese numerals, as in 一式四份 or 为期五年 (0 ≤ n < 100)."""
    if not 0 <= n < 100:
        raise ValueError(f"cn_number handles 0–99, got {n}")
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else _DIGITS[tens]
    return f"{head}十{_DIGITS[ones] if ones else ''}"


def cn_count(n: int) -> str:
    """A count before a measure word: 两 for 2 (一式两份, 两校), otherwise :func:`cn_number`."""
    return "两" if n == 2 else cn_number(n)


def join_names(names: Iterable[str]) -> str:
    """Names joined with the enumeration comma: ``A、B、C``."""
    return "、".join(n for n in names if n)
