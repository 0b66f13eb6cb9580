"""Names that become files: output names safe on Windows that still tell a clerk what is inside, and the
strict rules for the user-given names that select files (program keys, template names).

A user-given name never becomes a path as written: a program key or a template name must match its
pattern (checked where programs are parsed, so the CLI and the API share the rule); every other text that
ends up in a file or ZIP member name (school names, titles, uploaded file names) goes through
:func:`safe_component`, which leaves no separator, no ``..`` and no control character.
"""

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
# A program key names the batch's ZIP (``<key>.zip``) and appears in form identities (``DG1:<key>:…``).
PROGRAM_KEY = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
# A template is named, never given by path: ``party_building`` or ``party_building.docx`` (the same one).
TEMPLATE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
TEMPLATE_SUFFIX = ".docx"
PROGRAM_KEY_RULE = (
    "项目 key 只能由小写字母、数字和 - 组成，以字母或数字开头，最长 64 个字符（如 pengzhou-heishui-2019）"
)
TEMPLATE_NAME_RULE = (
    "模板名称只能由小写字母、数字、- 和 _ 组成，以字母或数字开头，最长 64 个字符，可带 .docx（如 party_building）"
)


def is_program_key(text: str) -> bool:
    """Whether ``text`` is a valid program key (``pengzhou-heishui-2019``)."""
    return PROGRAM_KEY.fullmatch(text) is not None


def template_stem(name: str) -> str | None:
    """The template a name refers to (``party_building.docx`` → ``party_building``); None when the name is
    not a valid template name (a path, ``..``, a backslash, NUL, upper case, %-encoding …)."""
    stem = name[: -len(TEMPLATE_SUFFIX)] if name.endswith(TEMPLATE_SUFFIX) else name
    return stem if TEMPLATE_NAME.fullmatch(stem) else None


# Windows Explorer still trips over paths past 260 characters; keep each component well below that.
MAX_COMPONENT = 80
# Linux and macOS limit a name to 255 *bytes*: 120 Chinese characters are 360 bytes in UTF-8. Keep room for
# the ".<name>.part" temporary names of the output writers.
MAX_COMPONENT_BYTES = 200


def safe_component(text: str, limit: int = MAX_COMPONENT) -> str:
    """One path component: forbidden characters replaced, no trailing dot/space, not a device name, at most
    ``limit`` characters and :data:`MAX_COMPONENT_BYTES` bytes of UTF-8."""
    text = unicodedata.normalize("NFC", text)
    text = _FORBIDDEN.sub("_", text).strip().rstrip(". ")
    if text.split(".")[0].upper() in _RESERVED:
        text = f"_{text}"
    if len(text) > limit:
        text = text[:limit].rstrip(". ")
    while len(text.encode("utf-8")) > MAX_COMPONENT_BYTES:
        text = text[:-1].rstrip(". ")
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
    """``04_教育交流活动备案表_<both sides>``; a form made per school names its school:
    ``03_联络员和分管领导回执_<school>``, ``03_教育交流活动备案表_<supporting school>`` (a 2:1 group)."""
    return _stem(group, title, school.name if school is not None else _pair(group))


def _stem(group: PairGroup, title: str, owner: str) -> str:
    return safe_component(f"{group.label}_{title}_{owner}", limit=120)
