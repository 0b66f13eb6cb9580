"""Check a template against the data before anything renders.

``check_template`` compares the data paths a template reads with the paths the context offers and
returns both differences: what the template needs that the data lacks (rendering would fail), and
what the data offers that the template never prints (often a sign the bureau forgot a field).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from docgen.model import PairGroup, School
from docgen.render.docx import CompiledTemplate, TemplateVariable

# The pair a template is checked with when no roster is given: one school on each side.
SAMPLE_GROUP = PairGroup(1, (School("示例支援学校"),), (School("示例受援学校"),))

_MISSING = object()


def _resolve(context: Mapping[str, Any], path: str) -> Any:
    """Follow ``a.b[].c`` through dicts and lists; ``_MISSING`` when a step does not exist.

    An empty list cannot prove a child path wrong, so it resolves to ``None`` (accepted).
    """
    value: Any = context
    for step in path.split("."):
        is_list = step.endswith("[]")
        key = step[:-2] if is_list else step
        if not isinstance(value, Mapping) or key not in value:
            return _MISSING
        value = value[key]
        if is_list:
            if not isinstance(value, list | tuple):
                return _MISSING
            if not value:
                return None
            value = value[0]
    return value


def _leaf_paths(value: Any, prefix: str = "") -> list[str]:
    if isinstance(value, Mapping):
        out: list[str] = []
        for key, child in value.items():
            out += _leaf_paths(child, f"{prefix}.{key}" if prefix else str(key))
        return out or [prefix]
    if isinstance(value, list | tuple):
        return _leaf_paths(value[0], f"{prefix}[]") if value and isinstance(value[0], Mapping) else [prefix]
    return [prefix]


@dataclass(frozen=True)
class TemplateCheck:
    """The outcome of :func:`check_template`. ``ok`` when nothing the template uses is missing and it reads
    no ``_`` attribute (``unsafe``: what the sandbox would refuse, e.g. ``__globals__``)."""

    template: str
    used: tuple[TemplateVariable, ...]
    missing: tuple[TemplateVariable, ...]
    unused: tuple[str, ...]
    unsafe: tuple[TemplateVariable, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.missing and not self.unsafe

    def findings(self) -> list[dict[str, str]]:
        """The problems as rows for an API answer or a report: ``{variable, where, message}`` (Chinese)."""
        rows = [
            {"variable": v.path, "where": v.where, "message": "数据中没有这个变量（渲染会失败）"} for v in self.missing
        ]
        rows += [
            {"variable": v.path, "where": v.where, "message": "不允许访问内部属性（安全限制）"} for v in self.unsafe
        ]
        return rows


def check_template(template: CompiledTemplate, context: Mapping[str, Any]) -> TemplateCheck:
    """Compare ``template``'s variables with ``context`` (see :func:`docgen.context.agreement_context`)."""
    used = tuple(template.variables())
    missing = tuple(v for v in used if _resolve(context, v.path) is _MISSING)
    printed = [v.path for v in used if not v.iterated]
    looped = {v.path for v in used if v.iterated}

    def is_used(leaf: str) -> bool:
        return leaf in looped or any(leaf == p or leaf.startswith((p + ".", p + "[]")) for p in printed)

    unused = tuple(leaf for leaf in _leaf_paths(context) if not is_used(leaf))
    return TemplateCheck(template.name, used, missing, unused, tuple(template.unsafe_accesses()))
