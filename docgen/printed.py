"""Text printed on a blank form is not a value a school returned.

A returned form carries what docgen (or the notice) printed on the blank — the 统计表's footer
``备注：活动结束后，一周内上报…``, a note's filing instruction — beside what the school wrote. The reader sees both
as text; :func:`unprinted` takes the printed part away, so only what a person added is left:

    unprinted("活动结束后，一周内上报活动材料…共享。另：5月活动延期", [printed])   # → "另：5月活动延期"
    unprinted("活动结束后，一周内上报活动材料…共享。", [printed])                # → ""

Matching tolerates what reading does to text (OCR's odd character, half-width punctuation, line breaks and
spaces), so a scanned footer is recognised as well as a Word one. Pure: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from difflib import SequenceMatcher

from docgen.values import squashed

MIN_SHARE = 0.6
"""A printed text counts as present when at least this share of its characters is found, in order."""

_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def _squash_mapped(text: str) -> tuple[str, list[int]]:
    """:func:`~docgen.values.squashed` of ``text`` and, per character of it, the index of the character of
    ``text`` it came from."""
    out, origin = [], []
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFKC", ch):
            if not c.isspace():
                out.append(c)
                origin.append(i)
    return "".join(out), origin


def unprinted(text: str, printed: Iterable[str]) -> str:
    """``text`` without the parts of it that are one of the ``printed`` texts (a printed text is taken away when
    :data:`MIN_SHARE` of it is found in ``text``, in order). What is left is returned as runs of the read
    text, as read, joined by a space; '' when nothing but printed text and punctuation was there. ``text``
    (stripped) when no printed text is in it."""
    read, origin = _squash_mapped(text)
    gone: set[int] = set()
    for p in printed:
        target = squashed(p)
        if len(target) < 4:
            continue  # a word or two is no evidence: a school may well write it itself
        matcher = SequenceMatcher(None, read, target, autojunk=False)
        blocks = [b for b in matcher.get_matching_blocks() if b.size >= 2]
        if sum(b.size for b in blocks) < MIN_SHARE * len(target):
            continue
        # the printed span is everything from its first to its last matched character: OCR's misread
        # characters inside it are printed text read badly, not something a person wrote
        gone.update(origin[i] for i in range(blocks[0].a, blocks[-1].a + blocks[-1].size))
    if not gone:
        return text.strip()
    runs: list[str] = []
    current = ""
    for i, ch in enumerate(text):
        if i in gone:
            runs.append(current)
            current = ""
        else:
            current += ch
    runs.append(current)
    kept = [r for r in (run.strip("，,。.；;：: 、\n\t") for run in runs) if _PUNCT.sub("", r)]
    return " ".join(kept)
