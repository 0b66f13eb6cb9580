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

import csv
import io
import json
import os
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path

from docgen.batch import BatchReport, DocumentJob, DocumentResult


@dataclass(frozen=True)
class ManifestRow:
    pair: str
    supporting: str
    supported: str
    kind: str
    title: str
    file: str
    format: str
    pages: int | None
    sha256: str


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _sha256_file(path: Path) -> str:
    digest = sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class DirectorySink:
    """A :class:`~docgen.batch.BatchSink` writing into a local output directory."""

    def __init__(self, out_dir: Path, archive_name: str) -> None:
        self.out_dir = out_dir
        self.archive_name = archive_name
        self.documents = out_dir / "documents"
        self._journal_path = out_dir / ".docgen" / "journal.jsonl"
        self._journal_path.parent.mkdir(parents=True, exist_ok=True)
        self._entries: dict[str, dict[str, object]] = {}
        if self._journal_path.exists():
            for line in self._journal_path.read_text("utf-8").splitlines():
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut short by a crash: that document is simply redone
                self._entries[entry["key"]] = entry
        self._journal = self._journal_path.open("a", encoding="utf-8")

    def is_done(self, job: DocumentJob, fingerprint: str) -> bool:
        entry = self._entries.get(job.key)
        if not entry or entry.get("fingerprint") != fingerprint or entry.get("error"):
            return False
        files = entry.get("files")
        assert isinstance(files, list)
        for f in files:
            path = self.documents / f["file"]
            if not path.is_file() or _sha256_file(path) != f["sha256"]:
                return False
        return True

    def record(self, result: DocumentResult) -> None:
        job = result.job
        files = []
        if result.ok:
            outputs: list[tuple[str, bytes | None, int | None]] = [("docx", result.docx, None)]
            if result.pdf is not None:
                outputs.append(("pdf", result.pdf, result.pages))
            for fmt, data, pages in outputs:
                assert data is not None
                rel = f"{job.folder}/{job.stem}.{fmt}"
                _write_atomic(self.documents / rel, data)
                files.append({"file": rel, "format": fmt, "pages": pages, "sha256": sha256(data).hexdigest()})
        entry: dict[str, object] = {
            "key": job.key,
            "fingerprint": result.fingerprint,
            "files": files,
            "error": result.error,
        }
        self._entries[job.key] = entry
        self._journal.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._journal.flush()

    def manifest(self, jobs: Sequence[DocumentJob]) -> list[ManifestRow]:
        rows = []
        for job in jobs:
            entry = self._entries.get(job.key)
            if not entry or entry.get("error"):
                continue
            files = entry["files"]
            assert isinstance(files, list)
            for f in files:
                rows.append(
                    ManifestRow(
                        pair=job.group.label,
                        supporting="、".join(s.name for s in job.group.supporting),
                        supported="、".join(s.name for s in job.group.supported),
                        kind=job.kind.key,
                        title=job.kind.title,
                        file=f["file"],
                        format=f["format"],
                        pages=f["pages"],
                        sha256=f["sha256"],
                    )
                )
        return rows

    def finish(self, jobs: Sequence[DocumentJob], report: BatchReport) -> str:
        """Write the manifest and the ZIP (streamed from disk: memory does not grow with the batch)."""
        self._journal.close()
        rows = self.manifest(jobs)
        manifest_json = json.dumps([row.__dict__ for row in rows], ensure_ascii=False, indent=1).encode("utf-8")
        table = io.StringIO()
        writer = csv.writer(table)
        writer.writerow(["结对序号", "支援学校", "受援学校", "文书种类", "文书名称", "文件", "格式", "页数", "sha256"])
        for r in rows:
            writer.writerow(
                [
                    r.pair,
                    r.supporting,
                    r.supported,
                    r.kind,
                    r.title,
                    r.file,
                    r.format,
                    r.pages or "",
                    r.sha256,
                ]
            )
        manifest_csv = table.getvalue().encode("utf-8-sig")  # BOM: Excel opens UTF-8 CSV correctly
        _write_atomic(self.out_dir / "manifest.json", manifest_json)
        _write_atomic(self.out_dir / "清单.csv", manifest_csv)
        failures_csv = b""
        if report.failures:
            table = io.StringIO()
            writer = csv.writer(table)
            writer.writerow(["文书", "原因"])
            writer.writerows(report.failures)
            failures_csv = table.getvalue().encode("utf-8-sig")
            _write_atomic(self.out_dir / "失败清单.csv", failures_csv)
        archive = self.out_dir / f"{self.archive_name}.zip"
        tmp = archive.with_name(f".{archive.name}.part")
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
            for row in rows:
                zf.write(self.documents / row.file, row.file)
            zf.writestr("清单.csv", manifest_csv, compress_type=zipfile.ZIP_DEFLATED)
            zf.writestr("manifest.json", manifest_json, compress_type=zipfile.ZIP_DEFLATED)
            if failures_csv:
                zf.writestr("失败清单.csv", failures_csv, compress_type=zipfile.ZIP_DEFLATED)
        os.replace(tmp, archive)
        return str(archive)
