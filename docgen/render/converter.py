"""The converter interface: what a PDF converter takes and gives back. No LibreOffice (nor pypdf) here.

The batch and the service depend on this module only; :mod:`docgen.render.pdf` implements it with
LibreOffice (``ConverterPool``, ``LibreOfficeConverter``), and fault tests fake it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

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
