"""Cell values of a roster: 学段, 层级 (contact cells: :mod:`docgen.roster.contacts`; phones: :mod:`docgen.values`).

Pure functions. The parsers return ``None`` for a value they do not know; the caller turns that into a
:class:`~docgen.errors.RosterError` that names the row and header.
"""

from __future__ import annotations

import re

from docgen.labels import label_key
from docgen.model import Level, Stage

STAGE_WORDS: dict[str, Stage] = {
    "学前教育": Stage.PRESCHOOL,
    "学前": Stage.PRESCHOOL,
    "幼儿园": Stage.PRESCHOOL,
    "幼教": Stage.PRESCHOOL,
    "义务教育": Stage.COMPULSORY,
    "义教": Stage.COMPULSORY,
    "小学": Stage.COMPULSORY,
    "初中": Stage.COMPULSORY,
    "九年制": Stage.COMPULSORY,
    "九年一贯制": Stage.COMPULSORY,
    "普通高中": Stage.HIGH_SCHOOL,
    "高中": Stage.HIGH_SCHOOL,
    "普高": Stage.HIGH_SCHOOL,
    "特殊教育": Stage.SPECIAL,
    "特教": Stage.SPECIAL,
}
"""Every 学段 a roster may write, mapped to the four stages of the model."""

LEVEL_WORDS: dict[str, Level] = {
    "市县": Level.CITY_COUNTY,
    "县乡": Level.COUNTY_TOWN,
    "乡村": Level.TOWN_VILLAGE,
}
"""层级 with dashes and 级 removed: ``市–县``, ``市-县``, ``市—县``, ``市县级``, ``“市—县”级`` → 市县."""

_DASHES = re.compile(r"[-‐‑‒–—―─~～至到]+")


def parse_stage(text: str) -> Stage | None:
    """``"高中"`` → 普通高中, ``"初中"`` → 义务教育, ``"学前"`` → 学前教育, ``"特教"`` → 特殊教育;
    unknown → ``None``."""
    word = label_key(text)
    if word.endswith("阶段") or word.endswith("学段"):
        word = word[:-2]
    return STAGE_WORDS.get(word)


def parse_level(text: str) -> Level | None:
    """``"市–县"``, ``"市-县"``, ``"市—县"``, ``"市县"``, ``"市—县级"`` → 市–县 (likewise 县–乡,
    乡–村); else ``None``."""
    word = _DASHES.sub("", label_key(text)).removesuffix("级").replace("乡镇", "乡")
    return LEVEL_WORDS.get(word)
