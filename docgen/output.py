"""The batch's output on disk: a folder per pair, a resume journal, the manifest and the ZIP.

This is an edge adapter (it owns paths); :func:`docgen.batch.generate_batch` only sees the
:class:`~docgen.batch.BatchSink` protocol. Layout of ``OUT``::

    OUT/documents/<pair folder>/<file>.docx|.pdf   finished documents (kept: they are the resume cache)
    OUT/.docgen/journal.jsonl                      one line per finished or failed document
    OUT/<program>.zip                              documents + 清单.csv + manifest.json (+ 失败清单.csv)

Every file is written to a temporary name and renamed, so a crash never leaves a half-written
document or archive behind; the journal line is appended only after the files exist.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from hashlib import sha256
from pathlib import Path
from typing import NamedTuple, TextIO

from docgen.batch import BatchReport, DocumentJob, DocumentResult
from docgen.sheets import csv_writer


@dataclass(frozen=True)
class ManifestRow:
    """One file of the archive as 清单.csv and manifest.json list it (one row per format of a document)."""

    pair: str
    supporting: str
    supported: str
    kind: str
    title: str
    file: str
    format: str
    pages: int | None
    sha256: str


_CSV_HEADER = ["结对序号", "支援学校", "受援学校", "文书种类", "文书名称", "文件", "格式", "页数", "sha256"]


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _sha256_file(path: Path) -> bytes:
    digest = sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.digest()


class _Entry(NamedTuple):
    """What the sink remembers of a finished document: compact, because there is one per document.

    File paths are not kept: they follow from the job (``<folder>/<stem>.<format>``).
    """

    fingerprint: str
    failed: bool
    files: tuple[tuple[str, int | None, bytes], ...]  # (format, pages, sha256 digest)


def _file_name(job: DocumentJob, fmt: str) -> str:
    return f"{job.folder}/{job.stem}.{fmt}"


class DirectorySink:
    """A :class:`~docgen.batch.BatchSink` writing into a local output directory."""

    def __init__(self, out_dir: Path, archive_name: str) -> None:
        self.out_dir = out_dir
        self.archive_name = archive_name
        self.documents = out_dir / "documents"
        self._journal_path = out_dir / ".docgen" / "journal.jsonl"
        self._journal_path.parent.mkdir(parents=True, exist_ok=True)
        self._entries: dict[str, _Entry] = {}
        if self._journal_path.exists():
            with self._journal_path.open(encoding="utf-8") as journal:
                for line in journal:
                    try:
                        raw = json.loads(line)
                        entry = _Entry(
                            raw["fingerprint"],
                            bool(raw["error"]),
                            tuple((f["format"], f["pages"], bytes.fromhex(f["sha256"])) for f in raw["files"]),
                        )
                        key = raw["key"]
                    except (json.JSONDecodeError, KeyError, TypeError, ValueError):
                        continue  # a line cut short by a crash: that document is simply redone
                    self._entries[key] = entry
        self._journal: TextIO | None = None  # opened on the first record: a batch that fails early writes nothing

    def is_done(self, job: DocumentJob, fingerprint: str) -> bool:
        entry = self._entries.get(job.key)
        if entry is None or entry.fingerprint != fingerprint or entry.failed:
            return False
        for fmt, _, digest in entry.files:
            path = self.documents / _file_name(job, fmt)
            if not path.is_file() or _sha256_file(path) != digest:
                return False
        return True

    def record(self, result: DocumentResult) -> None:
        job = result.job
        files: list[tuple[str, int | None, bytes]] = []
        if result.ok:
            outputs: list[tuple[str, bytes | None, int | None]] = [("docx", result.docx, None)]
            if result.pdf is not None:
                outputs.append(("pdf", result.pdf, result.pages))
            for fmt, data, pages in outputs:
                assert data is not None
                _write_atomic(self.documents / _file_name(job, fmt), data)
                files.append((fmt, pages, sha256(data).digest()))
        self._entries[job.key] = _Entry(result.fingerprint, not result.ok, tuple(files))
        line = {
            "key": job.key,
            "fingerprint": result.fingerprint,
            "files": [
                {"file": _file_name(job, fmt), "format": fmt, "pages": pages, "sha256": digest.hex()}
                for fmt, pages, digest in files
            ],
            "error": result.error,
        }
        if self._journal is None:
            self._journal = self._journal_path.open("a", encoding="utf-8")
        self._journal.write(json.dumps(line, ensure_ascii=False) + "\n")
        self._journal.flush()

    def manifest(self, jobs: Iterable[DocumentJob]) -> Iterator[ManifestRow]:
        """The manifest rows of the finished documents among ``jobs``, in plan order (a generator)."""
        for job in jobs:
            entry = self._entries.get(job.key)
            if entry is None or entry.failed:
                continue
            for fmt, pages, digest in entry.files:
                yield ManifestRow(
                    pair=job.group.label,
                    supporting="、".join(s.name for s in job.group.supporting),
                    supported="、".join(s.name for s in job.group.supported),
                    kind=job.kind.key,
                    title=job.kind.title,
                    file=_file_name(job, fmt),
                    format=fmt,
                    pages=pages,
                    sha256=digest.hex(),
                )

    def _write_manifests(self, jobs: Sequence[DocumentJob]) -> None:
        """清单.csv and manifest.json, written row by row (no list of all rows is built)."""
        csv_path, json_path = self.out_dir / "清单.csv", self.out_dir / "manifest.json"
        csv_tmp, json_tmp = csv_path.with_name(f".{csv_path.name}.part"), json_path.with_name(f".{json_path.name}.part")
        # utf-8-sig: the BOM makes Excel open a UTF-8 CSV correctly.
        with csv_tmp.open("w", encoding="utf-8-sig", newline="") as table, json_tmp.open("w", encoding="utf-8") as js:
            writer = csv_writer(table)
            writer.writerow(_CSV_HEADER)
            js.write("[")
            for i, r in enumerate(self.manifest(jobs)):
                writer.writerow(
                    [r.pair, r.supporting, r.supported, r.kind, r.title, r.file, r.format, r.pages or "", r.sha256]
                )
                js.write(("," if i else "") + "\n " + json.dumps(asdict(r), ensure_ascii=False))
            js.write("\n]\n")
        os.replace(csv_tmp, csv_path)
        os.replace(json_tmp, json_path)

    def finish(self, jobs: Sequence[DocumentJob], report: BatchReport) -> str:
        """Write the manifests and the ZIP, both streamed: memory does not hold the documents or the rows."""
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        self._write_manifests(jobs)
        extras = ["清单.csv", "manifest.json"]
        if report.failures:
            table = io.StringIO()
            writer = csv_writer(table)
            writer.writerow(["文书", "原因"])
            writer.writerows(report.failures)
            _write_atomic(self.out_dir / "失败清单.csv", table.getvalue().encode("utf-8-sig"))
            extras.append("失败清单.csv")
        archive = self.out_dir / f"{self.archive_name}.zip"
        tmp = archive.with_name(f".{archive.name}.part")
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
            for row in self.manifest(jobs):
                zf.write(self.documents / row.file, row.file)
            for name in extras:
                zf.write(self.out_dir / name, name, compress_type=zipfile.ZIP_DEFLATED)
        os.replace(tmp, archive)
        return str(archive)
