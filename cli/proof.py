"""``docgen proof ZIP|DIR``: proofread a batch's documents as a clerk would before sending them.

Reads a batch ZIP or output folder (``docgen generate --out``), pairs each PDF with its .docx, and runs
:func:`docgen.proof.proofread` on every document: text lost between DOCX and PDF, placeholders and blanks
left, generic party names, lines off the 28 × 22 grid, a seal block alone on the last page, a title broken
inside a word, pages. ``manifest.json`` (when present) says which documents are forms and whose they are.

Everything is read in memory (no member of a ZIP is written anywhere); each PDF is parsed in a child
process with a time and memory limit, because pdfium can abort on a hostile file. Exit code: 0 no
findings, 1 findings, 2 input (or a document in it) unreadable.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Annotated, Any

import typer

from cli.common import err
from docgen.layout import PdfPage
from docgen.manifest import MANIFEST_JSON
from docgen.proof import ProofReport, UnreadableDocument, proofread
from docgen.render.pdf_text import read_pages

MAX_MEMBER_BYTES = 200 << 20  # one document; a batch member is a few hundred KB
MAX_TOTAL_BYTES = 4 << 30


@dataclass(frozen=True)
class _Document:
    name: str  # the .pdf's (or, without one, the .docx's) name in the batch
    docx: bytes | None
    pdf: bytes | None
    row: dict[str, Any]


class _Unreadable(Exception):
    """The input as a whole cannot be read (message in Chinese)."""


def proof(
    source: Annotated[str, typer.Argument(help="批量生成的 ZIP 或输出目录", metavar="ZIP|DIR")],
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON（每份文书一个对象）")] = False,
) -> None:
    """校对批量生成的文书：DOCX 与 PDF 文字是否一致、占位符与空白、单位名称、
    28 字 × 22 行版心、落款分页、标题断行、页数。

    退出码：0 无问题，1 有问题，2 无法读取。"""
    path = Path(source)
    try:
        documents = list(_read_zip(path) if path.is_file() else _read_dir(path))
    except _Unreadable as exc:
        err.print(f"[red]错误[/red] {source}：{exc}", highlight=False)
        raise typer.Exit(2) from None
    reports: list[ProofReport] = []
    unreadable: list[tuple[str, str]] = []
    for document in documents:
        try:
            reports.append(_proofread(document))
        except (UnreadableDocument, _Unreadable) as exc:
            unreadable.append((document.name, str(exc)))
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "documents": [r.as_json() for r in reports],
                    "unreadable": [{"document": n, "reason": r} for n, r in unreadable],
                    "summary": _summary(reports, unreadable),
                },
                ensure_ascii=False,
                indent=1,
            )
        )
    else:
        _print_text(reports, unreadable)
    if unreadable or not documents:
        raise typer.Exit(2)
    if any(not r.ok for r in reports):
        raise typer.Exit(1)


def _summary(reports: list[ProofReport], unreadable: list[tuple[str, str]]) -> dict[str, int]:
    return {
        "documents": len(reports) + len(unreadable),
        "ok": sum(r.ok for r in reports),
        "with_findings": sum(not r.ok for r in reports),
        "drafts": sum(r.draft for r in reports),
        "findings": sum(len(r.findings) for r in reports),
        "unreadable": len(unreadable),
        "pages": sum(r.pages for r in reports),
    }


def _print_text(reports: list[ProofReport], unreadable: list[tuple[str, str]]) -> None:
    for r in reports:
        state = "无问题" if r.ok else f"{len(r.findings)} 处问题"
        draft = "（草稿）" if r.draft else ""
        typer.echo(f"{r.document}{draft}：{r.pages} 页，{state}")
        for finding in r.findings:
            typer.echo(f"  - {finding.describe()}")
    for name, reason in unreadable:
        typer.echo(f"{name}：无法读取（{reason}）")
    s = _summary(reports, unreadable)
    typer.echo(
        f"校对 {s['documents']} 份文书（{s['pages']} 页）：{s['ok']} 份无问题，{s['with_findings']} 份有问题"
        f"（共 {s['findings']} 处），草稿 {s['drafts']} 份，无法读取 {s['unreadable']} 份"
    )


# --- reading the batch -----------------------------------------------------------------------------------


def _pair(files: dict[str, bytes], manifest: list[dict[str, Any]]) -> Iterator[_Document]:
    """A document per stem: its .docx and .pdf (either may be missing), with its manifest row."""
    rows = {str(r.get("file", "")): r for r in manifest if isinstance(r, dict)}
    stems: dict[str, dict[str, bytes]] = {}
    for name, data in files.items():
        path = PurePosixPath(name)
        stems.setdefault(str(path.with_suffix("")), {})[path.suffix.lower()] = data
    for stem in sorted(stems):
        found = stems[stem]
        name = f"{stem}.pdf" if ".pdf" in found else f"{stem}.docx"
        row = rows.get(f"{stem}.pdf") or rows.get(f"{stem}.docx") or {}
        yield _Document(name, found.get(".docx"), found.get(".pdf"), row)


def _read_zip(path: Path) -> Iterator[_Document]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _Unreadable(f"不是可读的 ZIP 文件（{exc}）") from None
    with archive:
        files: dict[str, bytes] = {}
        manifest: list[dict[str, Any]] = []
        total = 0
        for info in archive.infolist():
            if info.is_dir():
                continue
            suffix = PurePosixPath(info.filename).suffix.lower()
            if suffix not in (".docx", ".pdf") and PurePosixPath(info.filename).name != MANIFEST_JSON:
                continue
            data = _read_member(archive, info)
            total += len(data)
            if total > MAX_TOTAL_BYTES:
                raise _Unreadable("ZIP 解压后过大")
            if PurePosixPath(info.filename).name == MANIFEST_JSON:
                manifest = _manifest(data)
            else:
                files[info.filename] = data
    yield from _pair(files, manifest)


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A member's bytes, refusing one that inflates past the limit (the header's size is not trusted)."""
    try:
        with archive.open(info) as member:
            data = member.read(MAX_MEMBER_BYTES + 1)
    except (zipfile.BadZipFile, RuntimeError, OSError, NotImplementedError) as exc:
        raise _Unreadable(f"{info.filename}：无法解压（{exc}）") from None
    if len(data) > MAX_MEMBER_BYTES:
        raise _Unreadable(f"{info.filename}：解压后过大")
    return data


def _read_dir(path: Path) -> Iterator[_Document]:
    if not path.is_dir():
        raise _Unreadable("不存在，或既不是 ZIP 文件也不是目录")
    manifest = _manifest((path / MANIFEST_JSON).read_bytes()) if (path / MANIFEST_JSON).is_file() else []
    base = path / "documents" if (path / "documents").is_dir() else path
    files: dict[str, bytes] = {}
    for file in sorted(base.rglob("*")):
        if file.is_file() and not file.is_symlink() and file.suffix.lower() in (".docx", ".pdf"):
            if file.stat().st_size > MAX_MEMBER_BYTES:
                raise _Unreadable(f"{file.name}：文件过大")
            files[file.relative_to(base).as_posix()] = file.read_bytes()
    yield from _pair(files, manifest)


def _manifest(data: bytes) -> list[dict[str, Any]]:
    try:
        rows = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _Unreadable(f"{MANIFEST_JSON} 不是有效的 JSON") from None
    return [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []


# --- one document -----------------------------------------------------------------------------------------


def _pages(pdf: bytes) -> list[PdfPage]:
    """The PDF's pages, parsed in a time- and memory-limited child (extractors._sandbox)."""
    from extractors._sandbox import Limits, SandboxError, run_limited

    try:
        [pages] = run_limited(read_pages, pdf, limits=Limits(seconds=60, memory_bytes=1536 << 20))
    except SandboxError as exc:
        raise _Unreadable(f"PDF 无法解析（{exc.reason}）") from None
    except Exception as exc:  # pdfium's own error for a damaged file, re-raised from the child
        raise _Unreadable(f"PDF 无法解析（{type(exc).__name__}）") from None
    return pages


def _proofread(document: _Document) -> ProofReport:
    if document.docx is None:
        raise _Unreadable("缺少同名的 .docx，无法比对")
    row = document.row
    kind = str(row.get("kind", ""))
    is_form = kind.startswith("form:") if kind else _looks_like_form(document.name)
    parties = [n for key in ("supporting", "supported") for n in str(row.get(key, "")).split("、") if n]
    pages = _pages(document.pdf) if document.pdf is not None else None
    if "draft" in row:  # the batch judged the names with the program's table: its roster names may be short
        return proofread(document.name, document.docx, pages, is_form=is_form, draft=bool(row["draft"]))
    return proofread(document.name, document.docx, pages, is_form=is_form, parties=parties)


def _looks_like_form(name: str) -> bool:
    """Without a manifest: the blank forms' names (备案表, 统计表, 安排表, 回执)."""
    return any(word in PurePosixPath(name).name for word in ("备案表", "统计表", "安排表", "回执"))
