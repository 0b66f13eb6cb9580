"""Compile a .docx template once, render it for many pairs.

docxtpl re-reads and re-parses the whole package on every render (NOTES: ≈27 docs/s). Here the
template is opened once: its tag-bearing XML parts are cleaned with docxtpl's own ``patch_xml`` (so a
template that works in docxtpl works here, including ``{%p %}``/``{%tr %}`` tags and tags Word split
across runs) and compiled to Jinja templates; every other part is deflated once and copied into each
output package. A render is then one Jinja pass over ``word/document.xml`` plus a deflate.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from hashlib import sha256
from io import BytesIO
from typing import Any

import jinja2
from docxtpl import DocxTemplate
from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from docgen.errors import TemplateError
from docgen.render.grid import normalise_document, normalise_styles
from docgen.render.zippack import Member, pack

# docxtpl's XML clean-ups use no instance state; one bare instance lends us its methods.
_DOCXTPL: Any = DocxTemplate.__new__(DocxTemplate)

_TAG = re.compile(r"\{[{%#]")
_LISTING_CHARS = re.compile(r"<w:t(?: [^>]*)?>[^<]*[\t\a\n\f]")
_PARAGRAPH_START = re.compile(r"<w:p([ >])")
_XML_TAGS = re.compile(r"<[^>]+>")
# Characters XML 1.0 forbids: a value carrying one (a NUL in a roster cell) would make Word refuse the file.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# Parts whose tags are rendered; others are copied verbatim.
_RENDERED = re.compile(
    r"^(word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml|docProps/(core|app|custom)\.xml)$"
)


UNSAFE_MESSAGE = "模板试图访问内部属性或调用不允许的方法（如 __class__、__globals__），出于安全原因已拒绝渲染"


def sandboxed_environment() -> jinja2.Environment:
    """The one Jinja environment docgen renders templates with (sandboxed, autoescaped, strict)."""
    # Sandboxed: templates are uploaded by users, and a plain Environment lets a tag such as
    # {{ cycler.__init__.__globals__.os.popen('id').read() }} run commands on the server. The immutable
    # sandbox refuses "_" attributes, internal attributes, str.format tricks and mutating methods.
    # autoescape: a school called “A&B” must not break the XML; StrictUndefined: a missing value is an
    # error naming the variable, never a silently empty line in an agreement.
    return ImmutableSandboxedEnvironment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def _paragraph_text(xml_with_breaks: str, lineno: int | None) -> str:
    if lineno is None:
        return ""
    lines = xml_with_breaks.splitlines()
    if not 0 < lineno <= len(lines):
        return ""
    return _XML_TAGS.sub("", lines[lineno - 1]).strip()[:80]


@dataclass(frozen=True)
class _RenderedPart:
    name: str
    source: str  # patched XML with one paragraph per line, for error locations
    template: jinja2.Template


class CompiledTemplate:
    """A .docx template ready to render many times. Build with :meth:`compile`."""

    def __init__(
        self,
        name: str,
        digest: str,
        order: list[str],
        static: dict[str, Member],
        parts: dict[str, _RenderedPart],
    ) -> None:
        self.name = name
        self.digest = digest  # sha256 of the template file: part of each document's fingerprint
        self._order = order
        self._static = static
        self._parts = parts

    @classmethod
    def compile(cls, data: bytes, name: str) -> CompiledTemplate:
        """Compile template bytes; :class:`TemplateError` names the template and the broken tag."""
        try:
            package = zipfile.ZipFile(BytesIO(data))
        except zipfile.BadZipFile:
            raise TemplateError("不是有效的 .docx 文件（无法作为 ZIP 打开）", template=name) from None
        with package:
            order = package.namelist()
            if "word/document.xml" not in order:
                raise TemplateError("缺少 word/document.xml，不是 Word 文档", template=name)
            env = sandboxed_environment()
            static: dict[str, Member] = {}
            parts: dict[str, _RenderedPart] = {}
            # The official grid, whatever the template says (docgen.render.grid): once, here, so rendering
            # costs nothing more and the .docx a clerk gets is the one LibreOffice converted.
            document_xml = package.read("word/document.xml").decode("utf-8")
            for part in order:
                raw = package.read(part)
                if part == "word/document.xml":
                    raw = normalise_document(document_xml).encode("utf-8")
                elif part == "word/styles.xml":
                    raw = normalise_styles(raw.decode("utf-8"), document_xml).encode("utf-8")
                if _RENDERED.match(part):
                    text = raw.decode("utf-8")
                    if _TAG.search(text):
                        source = _PARAGRAPH_START.sub(r"\n<w:p\1", _DOCXTPL.patch_xml(text))
                        try:
                            parts[part] = _RenderedPart(part, source, env.from_string(source))
                        except jinja2.TemplateSyntaxError as exc:
                            raise TemplateError(
                                exc.message or "模板标签语法错误",
                                template=name,
                                where=f"{part} 段落“{_paragraph_text(source, exc.lineno)}”",
                            ) from None
                        continue
                static[part] = Member.deflate(part, raw)
        return cls(name, sha256(data).hexdigest(), order, static, parts)

    def render_parts(self, context: Mapping[str, Any]) -> dict[str, bytes]:
        """The rendered XML of every tag-bearing part (used by :meth:`render` and by PDF merging)."""
        out: dict[str, bytes] = {}
        for part in self._parts.values():
            try:
                xml = part.template.render(context)
            except jinja2.UndefinedError as exc:
                raise TemplateError(f"数据中没有这个值：{exc.message}", template=self.name, where=part.name) from None
            except SecurityError:
                raise TemplateError(UNSAFE_MESSAGE, template=self.name, where=part.name) from None
            except jinja2.TemplateError as exc:
                raise TemplateError(f"模板渲染出错：{exc}", template=self.name, where=part.name) from None
            xml = _XML_INVALID.sub("", xml.replace("\n<w:p", "<w:p"))
            if _LISTING_CHARS.search(xml):
                # Values with line breaks or tabs become <w:br/> / <w:tab/>, as docxtpl does.
                xml = _DOCXTPL.resolve_listing(xml)
            out[part.name] = xml.encode("utf-8")
        return out

    def render(self, context: Mapping[str, Any], media: Mapping[str, bytes] | None = None) -> bytes:
        """One finished .docx for ``context``. ``media`` replaces existing binary parts by name (a form's
        ``word/media/qr.png``); a name the template does not have is a :class:`TemplateError`."""
        rendered = self.render_parts(context)
        if media:
            unknown = sorted(set(media) - set(self._static))
            if unknown:
                raise TemplateError(f"模板中没有要替换的部件：{'、'.join(unknown)}", template=self.name)
            rendered = {**rendered, **media}
        members = (
            Member.deflate(name, rendered[name], level=1) if name in rendered else self._static[name]
            for name in self._order
        )
        return pack(members)

    def variables(self) -> list[TemplateVariable]:
        """Every data path the template reads, with the paragraph it appears in."""
        found: dict[str, TemplateVariable] = {}
        env = sandboxed_environment()
        for part in self._parts.values():
            tree = env.parse(part.source)
            for path, lineno, iterated in _collect_paths(tree):
                known = found.get(path)
                if known is None or (known.iterated and not iterated):
                    where = f"{part.name} 段落“{_paragraph_text(part.source, lineno)}”"
                    found[path] = TemplateVariable(path, where, iterated)
        return sorted(found.values(), key=lambda v: v.path)


    def unsafe_accesses(self) -> list[TemplateVariable]:
        """Every attribute or key starting with ``_`` the template reads (``__class__``, ``_private``), with
        its paragraph: the sandbox would refuse them at render time; a check reports them before."""
        found: list[TemplateVariable] = []
        env = sandboxed_environment()
        for part in self._parts.values():
            for node in env.parse(part.source).find_all((nodes.Getattr, nodes.Getitem)):
                if isinstance(node, nodes.Getattr):
                    attr = node.attr
                elif (
                    isinstance(node, nodes.Getitem)
                    and isinstance(node.arg, nodes.Const)
                    and isinstance(node.arg.value, str)
                ):
                    attr = node.arg.value
                else:
                    continue
                if attr.startswith("_"):
                    where = f"{part.name} 段落“{_paragraph_text(part.source, node.lineno)}”"
                    found.append(TemplateVariable(attr, where))
        return found


@dataclass(frozen=True)
class TemplateVariable:
    """A dotted data path a template uses (``party_a.schools[].party_org``) and where it appears."""

    path: str
    where: str
    iterated: bool = False  # only looped over: its items' fields count as used only where printed


_LOOP_SPECIALS = {"loop", "range", "namespace", "dict", "lipsum", "cycler", "joiner"}


def _names(target: nodes.Node) -> list[str]:
    """Names bound by a loop or assignment target (``x`` or ``k, v``)."""
    if isinstance(target, nodes.Name):
        return [target.name]
    return [n.name for n in target.find_all(nodes.Name)]


def _collect_paths(tree: nodes.Template) -> list[tuple[str, int, bool]]:
    """Walk a Jinja AST and return the outermost attribute paths read from the context.

    Loop targets are resolved to ``<iterable path>[]`` so that ``{% for s in party_a.schools %}{{ s.name }}``
    yields ``party_a.schools[].name``.
    """
    found: list[tuple[str, int, bool]] = []

    def path_of(node: nodes.Node, scope: dict[str, str | None]) -> str | None:
        if isinstance(node, nodes.Name):
            if node.name in scope:
                return scope[node.name]
            return None if node.name in _LOOP_SPECIALS else node.name
        if isinstance(node, nodes.Getattr):
            base = path_of(node.node, scope)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            base = path_of(node.node, scope)
            return f"{base}.{node.arg.value}" if base else None
        return None

    def visit(node: nodes.Node, scope: dict[str, str | None]) -> None:
        if isinstance(node, nodes.For):
            base = path_of(node.iter, scope)
            if base is None:
                visit(node.iter, scope)
            else:
                found.append((base, node.iter.lineno, True))
            inner = dict(scope)
            for target in _names(node.target):
                inner[target] = f"{base}[]" if base else None
            for child in node.body + node.else_:
                visit(child, inner)
            if node.test is not None:
                visit(node.test, inner)
            return
        if isinstance(node, nodes.Assign | nodes.AssignBlock):
            if isinstance(node, nodes.Assign):
                visit(node.node, scope)
            for name in _names(node.target):
                scope[name] = None
            if isinstance(node, nodes.AssignBlock):
                for child in node.body:
                    visit(child, scope)
            return
        if isinstance(node, nodes.Name | nodes.Getattr | nodes.Getitem):
            path = path_of(node, scope)
            if path is not None:
                found.append((path, node.lineno, False))
                return
        for child in node.iter_child_nodes():
            visit(child, scope)

    visit(tree, {})
    return found
