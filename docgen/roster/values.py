"""Cell values of a roster: 学段, 层级, phone numbers, ``张三 13812345678`` contact cells.

Pure functions. The parsers return ``None`` for a value they do not know; the caller turns that into a
:class:`~docgen.errors.RosterError` that names the row and header.
"""

from __future__ import annotations

import re
import unicodedata

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
_NOISE = re.compile(r"[\s“”\"'‘’「」]+")


def _normalise(text: str) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", text))


def parse_stage(text: str) -> Stage | None:
    """``"高中"`` → 普通高中, ``"初中"`` → 义务教育, ``"学前"`` → 学前教育, ``"特教"`` → 特殊教育;
    unknown → ``None``."""
    word = _normalise(text)
    if word.endswith("阶段") or word.endswith("学段"):
        word = word[:-2]
    return STAGE_WORDS.get(word)


def parse_level(text: str) -> Level | None:
    """``"市–县"``, ``"市-县"``, ``"市—县"``, ``"市县"``, ``"市—县级"`` → 市–县 (likewise 县–乡,
    乡–村); else ``None``."""
    word = _DASHES.sub("", _normalise(text)).removesuffix("级").replace("乡镇", "乡")
    return LEVEL_WORDS.get(word)


_MOBILE = re.compile(r"(?:\+?86)?1[3-9]\d{9}")
# Area code (with or without a hyphen or parentheses) + 7–8 digit local number, or the local number alone;
# an optional extension after 转, 分机, ext, x, # or a hyphen.
_LANDLINE = re.compile(
    r"(?:(?:\(0\d{2,3}\)|0\d{2,3})-?)?[2-9]\d{6,7}(?:(?:转|分机|ext\.?|x|#|-)\d{1,6})?", re.IGNORECASE
)
PHONE_SEPARATORS = re.compile(r"[、/；;，,]")


def is_phone(text: str) -> bool:
    """One phone number: a mobile (``138 1234 5678``) or a landline (``0531-81916516``, ``2815945``,
    ``0772-2815945转8021``). Spaces are ignored; mobiles may carry hyphens (``138-1234-5678``)."""
    compact = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    if _MOBILE.fullmatch(compact.replace("-", "")):
        return True
    return _LANDLINE.fullmatch(compact) is not None


def bad_phones(text: str) -> list[str]:
    """The parts of a phone cell that are not phone numbers; several numbers are separated by 、 or /."""
    parts = [p.strip() for p in PHONE_SEPARATORS.split(text)]
    return [p for p in parts if p and not is_phone(p)]


_PHONE_START = re.compile(r"[(（]?\+?\d")


def split_contact(text: str) -> tuple[str, str]:
    """A combined 联系人及电话 cell: ``"张三 13812345678"`` → ``("张三", "13812345678")``.

    The phone part starts at the first digit (or ``(``/``+`` before one); the name is what comes before,
    without separators such as ``：`` or ``，``. A cell without digits is all name.
    """
    match = _PHONE_START.search(text)
    if not match:
        return text.strip(), ""
    name = text[: match.start()].strip().rstrip(":：,，;；/、").strip()
    return name, text[match.start() :].strip()
