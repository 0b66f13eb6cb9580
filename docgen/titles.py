"""Document titles as GB/T 9704-2012 wants them printed (7.3.2): a title that needs more than one line breaks
between words — 回行时要做到词意完整，排列对称，长短适宜 — and a form's title names only the program's own stages.

Pure functions over text. The renderer prints the lines :func:`title_lines` returns with explicit line breaks,
so LibreOffice and Word never choose a break inside a word (``普通`` | ``高中``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

from docgen.model import Stage

_OPENING = "“‘（《〈「『【"
_CLOSING = "”’）》〉」』】"
_SEPARATORS = "·、，：；"
MAX_LINES = 4

# Words that say which stage a title is about; a parenthesised one names a stage the program may not have.
_STAGE_WORDS: dict[str, Stage] = {
    "幼儿园": Stage.PRESCHOOL,
    "学前教育": Stage.PRESCHOOL,
    "普通高中": Stage.HIGH_SCHOOL,
    "高中": Stage.HIGH_SCHOOL,
    "特殊教育": Stage.SPECIAL,
    "义务教育": Stage.COMPULSORY,
}


def break_points(title: str, words: Iterable[str] = ()) -> list[int]:
    """Where ``title`` may break (the index of the first character of the next line), in order.

    A break may fall after a closing mark or a separator (``”`` ``）`` ``·`` ``、``), before an opening mark
    (``“`` ``（``) or at either end of one of ``words``; never inside a word, never before a closing mark or
    after an opening one (避头尾). Text between these points is one word: it is never split.
    """
    protected: set[int] = set()
    edges: set[int] = set()
    for word in words:
        if not word:
            continue
        start = title.find(word)
        while start >= 0:
            protected.update(range(start + 1, start + len(word)))
            edges.update((start, start + len(word)))
            start = title.find(word, start + 1)
    out = []
    for i in range(1, len(title)):
        before, after = title[i - 1], title[i]
        if i in protected or after in _CLOSING or before in _OPENING or after in _SEPARATORS:
            continue
        if before in _CLOSING or before in _SEPARATORS or after in _OPENING or i in edges:
            out.append(i)
    return out


def title_lines(title: str, words: Iterable[str] = (), per_line: int = 20) -> tuple[str, ...]:
    """``title`` as printed lines of at most ``per_line`` characters, broken only at :func:`break_points`.

    Fewest lines first; among those the most even (GB/T 9704: 排列对称, 长短适宜), then the one whose first line
    is shorter (a 正梯形). A title no break can fit is returned whole: the layout checks catch it, a break
    inside a word never happens.
    """
    if len(title) <= per_line:
        return (title,)
    points = break_points(title, words)
    for count in range(1, MAX_LINES):
        best: tuple[int, int, tuple[str, ...]] | None = None
        for cuts in itertools.combinations(points, count):
            bounds = (0, *cuts, len(title))
            lines = tuple(title[a:b] for a, b in itertools.pairwise(bounds))
            if any(len(line) > per_line for line in lines):
                continue
            lengths = [len(line) for line in lines]
            score = (max(lengths) - min(lengths), lengths[0])
            if best is None or score < best[:2]:
                best = (*score, lines)
        if best is not None:
            return best[2]
    return (title,)


def own_stages_only(name: str, stages: Sequence[Stage]) -> str:
    """``name`` without parenthesised stage words the program does not cover: a high-school program's
    ``柳州市中小学（幼儿园）结对帮扶（普通高中）`` → ``柳州市中小学结对帮扶（普通高中）``. No ``stages``: unchanged."""
    if not stages:
        return name
    out = name
    for word, stage in _STAGE_WORDS.items():
        if stage not in stages:
            out = out.replace(f"（{word}）", "")
    return out
