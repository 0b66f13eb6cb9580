"""The converter interface: what a PDF converter takes and gives back. No LibreOffice (nor pypdf) here.

The batch and the service depend on this module only; :mod:`docgen.render.pdf` implements it with
LibreOffice (``ConverterPool``, ``LibreOfficeConverter``), and fault tests fake it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from docgen.layout import PdfPage


@dataclass(frozen=True)
class ConversionResult:
    """One document's outcome. ``pdf`` is None exactly when ``error`` says why; ``pages`` is 0 then.

    ``layout``: the PDF's pages as positioned characters, when the converter read them (LibreOffice
    converters do, for the proof checks); None otherwise.
    """

    name: str
    pdf: bytes | None
    pages: int
    error: str | None = None
    layout: tuple[PdfPage, ...] | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class PdfConverter(Protocol):
    """The one converter interface: .docx documents in, PDFs out.

    :class:`~docgen.render.pdf.ConverterPool` and :class:`~docgen.render.pdf.LibreOfficeConverter` implement
    it; the batch (:func:`docgen.batch.render_document`, :func:`docgen.batch.generate_batch`), the CLI and the
    service (``api.worker.Converters``, a lazily started pool) all take it; fault tests fake it.
    """

    def convert_many(self, items: Iterable[tuple[str, bytes]]) -> list[ConversionResult]:
        """Convert named .docx documents; one result per item, in input order. Never raises for a bad
        document: its result has ``pdf`` None and ``error`` saying why."""
        ...

    def close(self) -> None:
        """Stop whatever processes the converter runs; it may not be used afterwards."""
        ...


DocumentCheck = Callable[[int, ConversionResult], None]  # (index in the items, converted result with its layout)


@runtime_checkable
class CheckingConverter(PdfConverter, Protocol):
    """A converter that hands each converted document to a check as soon as it has read the PDF's text, in a
    thread of its own, while its LibreOffice processes go on with the next documents
    (:class:`~docgen.render.pdf.ConverterPool`). The batch proofreads that way: the proof then overlaps the
    conversion instead of following it (docs/benchmarks.md)."""

    def convert_many_checked(
        self, items: Iterable[tuple[str, bytes]], check: DocumentCheck
    ) -> list[ConversionResult]:
        """:meth:`PdfConverter.convert_many`, calling ``check(i, result)`` for every result that has a PDF
        and its ``layout`` before returning (from another thread; an exception it raises is raised here
        once the conversion is over)."""
        ...
