"""The extract service: one returned file's bytes in, one :class:`~docgen.extraction.Extraction` out.

    from extractors import read
    result = extract(data, "统计表.pdf", reader=read)       # never raises for a bad file
    result.status, result.fields["filled_on"].normalized

The reading itself (docx, PDF, OCR) is an adapter: the caller passes it as ``reader`` (``extractors.read``
in the CLI, the service's sandbox child, the benchmarks; a fake in tests), so the domain imports no reader.
Steps: ``reader(data, name)`` → :class:`~docgen.extraction.ReadDocument` → :func:`docgen.interpret.interpret`
against ``schemas`` (default: the bundled ones) with review ``threshold``.

Failure is data, never an exception (a batch of 500 uploads must not die on file 317): a file the reader
refuses (:class:`~docgen.errors.UnreadableDocument`) comes back with status ``UNREADABLE`` and the reason
in ``problems``; any other exception from the reader or the interpreter is logged with its traceback and
comes back ``UNREADABLE`` too, named as an internal error for a person to handle.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import PurePath

from docgen.errors import UnreadableDocument
from docgen.extraction import Extraction, FormStatus, InputKind, Problem, ReadDocument
from docgen.forms import FormSchema
from docgen.interpret import interpret
from docgen.pair_names import checked_within
from docgen.values import SURE

__all__ = ["NAME_KINDS", "Reader", "expected_kind", "extract", "unreadable"]

log = logging.getLogger(__name__)

Reader = Callable[[bytes, str], ReadDocument]
"""Reads one file's bytes (named for messages) into a ReadDocument, or raises UnreadableDocument."""

NAME_KINDS: dict[str, tuple[InputKind, str]] = {
    ".pdf": (InputKind.PDF, "PDF"),
    ".docx": (InputKind.DOCX, "Word 文档"),
    ".doc": (InputKind.DOCX, "Word 文档"),
    ".png": (InputKind.IMAGE, "图片"),
    ".jpg": (InputKind.IMAGE, "图片"),
    ".jpeg": (InputKind.IMAGE, "图片"),
    ".tif": (InputKind.IMAGE, "图片"),
    ".tiff": (InputKind.IMAGE, "图片"),
}
"""What a file's name promises: the input kind and its Chinese name (``文件内容不是 PDF…``). Only for
messages and for labelling a file whose content was not recognised; reading goes by content."""


def expected_kind(name: str) -> tuple[InputKind, str] | None:
    """``(kind, Chinese name)`` that the suffix of ``name`` promises, or None for an unknown suffix."""
    return NAME_KINDS.get(PurePath(name).suffix.lower())


def extract(
    data: bytes,
    name: str,
    *,
    reader: Reader,
    schemas: Mapping[str, FormSchema] | None = None,
    threshold: float = SURE,
    printed: Mapping[str, Sequence[str]] | None = None,
) -> Extraction:
    """Read ``data`` with ``reader`` and interpret it against ``schemas``; see the module docstring.

    ``threshold``: values less sure than this wait for review (the service passes its setting).
    ``printed``: per form kind, the sentences the program's blank forms print (never read as values;
    :func:`docgen.forms.generate.printed_texts`).
    """
    try:
        read = interpret(reader(data, name), schemas, review_threshold=threshold, printed=printed)
        return checked_within(read, threshold)  # a school named twice on the form: each reading checks the other
    except UnreadableDocument as exc:
        kind = InputKind(exc.input_kind) if exc.input_kind else None
        return unreadable(name, exc.reason, kind)
    except Exception as exc:  # a reader or interpreter bug on a hostile file must not end a batch; log it
        log.exception("reading %s failed", name)
        return unreadable(name, f"读取失败（内部错误 {type(exc).__name__}），请人工处理")


def unreadable(name: str, reason: str, kind: InputKind | None = None) -> Extraction:
    """The UNREADABLE result for ``name``: ``kind`` when the content was recognised, else what the name
    promises (:func:`expected_kind`), else PDF."""
    if kind is None:
        promised = expected_kind(name)
        kind = promised[0] if promised else InputKind.PDF
    return Extraction(
        source=name,
        input_kind=kind,
        form=None,
        identity=None,
        fields={},
        tables=(),
        status=FormStatus.UNREADABLE,
        problems=(Problem(reason),),
        pages=0,
    )
