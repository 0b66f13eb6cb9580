"""File and folder names that are safe on Windows and still tell a clerk what is inside."""

from __future__ import annotations

import re
import unicodedata

from docgen.model import AgreementKind, PairGroup, School

_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}
# Windows Explorer still trips over paths past 260 characters; keep each component well below that.
MAX_COMPONENT = 80


def safe_component(text: str, limit: int = MAX_COMPONENT) -> str:
    """One path component: forbidden characters replaced, no trailing dot/space, not a device name."""
    text = unicodedata.normalize("NFC", text)
    text = _FORBIDDEN.sub("_", text).strip().rstrip(". ")
    if text.split(".")[0].upper() in _RESERVED:
        text = f"_{text}"
    if len(text) > limit:
        text = text[:limit].rstrip(". ")
    return text or "_"


def _side(schools: tuple[School, ...]) -> str:
    first = schools[0].name
    return first if len(schools) == 1 else f"{first}等{len(schools)}校"


def _pair(group: PairGroup) -> str:
    """``彭州市西郊小学等2校—黑水县芦花完全小学校``: both sides of the pair, supporting first."""
    return f"{_side(group.supporting)}—{_side(group.supported)}"


def group_folder(group: PairGroup) -> str:
    """``03_彭州市西郊小学等2校—黑水县芦花完全小学校``: the pair number and both sides."""
    return safe_component(f"{group.label}_{_pair(group)}")


def document_stem(group: PairGroup, kind: AgreementKind) -> str:
    """``03_学校党建共建协议书_彭州市西郊小学等2校—黑水县芦花完全小学校`` (no extension)."""
    return _stem(group, kind.title, _pair(group))


def form_stem(group: PairGroup, title: str, school: School | None = None) -> str:
    """``03_教育交流活动备案表_<both sides>``; a per-school form names its school: ``03_联络员回执_<school>``."""
    return _stem(group, title, school.name if school is not None else _pair(group))


def _stem(group: PairGroup, title: str, owner: str) -> str:
    return safe_component(f"{group.label}_{title}_{owner}", limit=120)
