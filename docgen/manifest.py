"""The batch archive's lists: one row per file in 清单.csv and manifest.json, and the failures in 失败清单.csv.

Pure: rows are built from a job and a stored file's facts, and serialised into text streams the caller
owns (a file, a buffer). The CLI (:class:`docgen.output.DirectorySink`) and the service
(``api.services.batches.StorageSink``) both write their archives through
:func:`docgen.output.write_archive`, which streams the rows through :class:`ManifestWriter`: the two
archives list the same columns in the same order, byte for byte. Rows hold no time stamps: the same batch
gives the same lists.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TextIO

from docgen.batch import DocumentJob
from docgen.sheets import csv_writer

MANIFEST_CSV = "清单.csv"
MANIFEST_JSON = "manifest.json"
FAILURES_CSV = "失败清单.csv"

# manifest.json keys (the ManifestRow fields) and the 清单.csv headers, in the same order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("pair", "结对序号"),
    ("supporting", "支援学校"),
    ("supported", "受援学校"),
    ("kind", "文书种类"),
    ("title", "文书名称"),
    ("file", "文件"),
    ("format", "格式"),
    ("pages", "页数"),
    ("sha256", "sha256"),
    ("proof", "校对"),
)
FAILURE_HEADER = ("文书", "原因")


@dataclass(frozen=True)
class ManifestRow:
    """One file of the archive (one row per format of a document).

    ``kind`` tells per-school forms apart (``form:liaison_reply#2``) and ``title`` names the school
    (``联络员回执（黑水县中学）``), as the service's document list does. ``pages`` is None for .docx.
    ``proof`` is the document's proofreading summary (:meth:`docgen.proof.ProofReport.summary`: ``无`` or the
    findings by kind, ``草稿`` first for a flagged draft; empty when it was not proofread).
    """

    pair: str
    supporting: str
    supported: str
    kind: str
    title: str
    file: str
    format: str
    pages: int | None
    sha256: str
    proof: str = ""


def manifest_row(
    job: DocumentJob, file: str, fmt: str, pages: int | None, digest: str, proof: str = ""
) -> ManifestRow:
    """The row of one stored file of ``job`` (``digest``: the file's sha256, hex; ``proof``: its summary)."""
    return ManifestRow(
        pair=job.group.label,
        supporting="、".join(s.name for s in job.group.supporting),
        supported="、".join(s.name for s in job.group.supported),
        kind=job.document_kind,
        title=job.title,
        file=file,
        format=fmt,
        pages=pages,
        sha256=digest,
        proof=proof,
    )


def csv_header() -> list[str]:
    return [header for _, header in COLUMNS]


def row_values(row: ManifestRow) -> dict[str, str | int | None]:
    """The row as manifest.json has it: ``{"pair": "03", …, "pages": null, "sha256": "…"}``."""
    # Not dataclasses.asdict: it deep-copies every field, and there is a row per file of the batch.
    return {key: getattr(row, key) for key, _ in COLUMNS}


def csv_cells(row: ManifestRow) -> list[str]:
    """The row as 清单.csv cells (no page count for .docx: an empty cell, not ``None``)."""
    return ["" if value is None else str(value) for value in row_values(row).values()]


class ManifestWriter:
    """Streams rows into 清单.csv (``table``) and manifest.json (``js``): no list of all rows is built.

    Open ``table`` with ``encoding="utf-8-sig", newline=""`` (the BOM makes Excel read UTF-8) and ``js``
    with ``encoding="utf-8"``; call :meth:`close` (which ends the JSON array) before closing them.
    manifest.json is a JSON array with one row per line.
    """

    def __init__(self, table: TextIO, js: TextIO) -> None:
        self._csv = csv_writer(table)
        self._js = js
        self._count = 0
        self._csv.writerow(csv_header())
        js.write("[")

    def add(self, row: ManifestRow) -> None:
        self._csv.writerow(csv_cells(row))
        self._js.write(("," if self._count else "") + "\n " + json.dumps(row_values(row), ensure_ascii=False))
        self._count += 1

    def close(self) -> None:
        self._js.write("\n]\n")


def write_failures(failures: Iterable[tuple[str, str]], table: TextIO) -> None:
    """失败清单.csv: one (job key, reason) line per failed document."""
    writer = csv_writer(table)
    writer.writerow(FAILURE_HEADER)
    writer.writerows(failures)
