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
    ("draft", "草稿"),
    ("draft_reasons", "草稿原因"),
    ("proof", "校对"),
)
FAILURE_HEADER = ("文书", "原因")


@dataclass(frozen=True)
class ManifestRow:
    """One file of the archive (one row per format of a document).

    ``kind`` tells per-school forms apart (``form:liaison_reply#2``, for programs reading manifest.json) and
    ``title`` names the school (``联络员和分管领导回执（黑水县中学）``), as the service's document list does;
    ``kind_title`` is the kind in words (``联络员和分管领导回执``): 清单.csv, which people open, shows it in
    the 文书种类 column instead of the code. ``pages`` is None for .docx.
    ``draft`` is true for a document a party cannot sign yet, ``draft_reasons`` says which school and why
    (清单.csv shows 草稿 and the reasons joined with ；).
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
    draft: bool = False
    draft_reasons: tuple[str, ...] = ()
    proof: str = ""
    kind_title: str = ""


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
        draft=job.draft,
        draft_reasons=job.draft_reasons,
        proof=proof,
        kind_title=job.kind.title,
    )


def csv_header() -> list[str]:
    return [header for _, header in COLUMNS]


def row_values(row: ManifestRow) -> dict[str, str | int | bool | list[str] | None]:
    """The row as manifest.json has it: ``{"pair": "03", …, "pages": null, "sha256": "…", "draft": false,
    "draft_reasons": []}``."""
    # Not dataclasses.asdict: it deep-copies every field, and there is a row per file of the batch.
    values: dict[str, str | int | bool | list[str] | None] = {key: getattr(row, key) for key, _ in COLUMNS}
    values["draft_reasons"] = list(row.draft_reasons)
    return values


def csv_cells(row: ManifestRow) -> list[str]:
    """The row as 清单.csv cells: the kind in words, no page count for .docx (an empty cell, not ``None``),
    ``草稿`` or nothing in the 草稿 column, the reasons joined with ``；``."""
    values = row_values(row)
    values["kind"] = row.kind_title or row.kind  # words for people; the code stays in manifest.json
    values["draft"] = "草稿" if row.draft else ""
    values["draft_reasons"] = "；".join(row.draft_reasons)
    return ["" if value is None else str(value) for value in values.values()]


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
    """失败清单.csv: one (document, reason) line per failed document (the document as
    :attr:`docgen.batch.DocumentJob.label` words it)."""
    writer = csv_writer(table)
    writer.writerow(FAILURE_HEADER)
    writer.writerows(failures)
