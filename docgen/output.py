"""The batch's output on disk: a folder per pair, a resume journal, the lists and the ZIP.

This is an edge adapter (it owns paths); :func:`docgen.batch.generate_batch` only sees the
:class:`~docgen.batch.BatchSink` protocol. Layout of ``OUT``::

    OUT/documents/<pair folder>/<file>.docx|.pdf   finished documents (kept: they are the resume cache)
    OUT/.docgen/journal.jsonl                      one line per finished or failed document
    OUT/<program>.zip                              documents + 清单.csv + manifest.json (+ 失败清单.csv)

Every file is written to a temporary name and renamed, so a crash never leaves a half-written
document or archive behind; the journal line is appended only after the files exist.
:func:`write_archive` is also how the service writes its ZIP, so both archives have the same members and lists.
"""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from hashlib import sha256
from pathlib import Path
from typing import IO, NamedTuple, Self, TextIO

from docgen.batch import BatchReport, DocumentJob, DocumentResult
from docgen.manifest import (
    FAILURES_CSV,
    MANIFEST_CSV,
    MANIFEST_JSON,
    ManifestRow,
    ManifestWriter,
    manifest_row,
    write_failures,
)

_EPOCH = (1980, 1, 1, 0, 0, 0)  # fixed member time stamps: the same documents give the same archive bytes


def _member(name: str, compress_type: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_EPOCH)
    info.compress_type = compress_type
    info.external_attr = 0o644 << 16
    return info


def write_archive(
    path: Path,
    files: Iterable[tuple[ManifestRow, Callable[[], IO[bytes]]]],
    failures: Sequence[tuple[str, str]],
    lists_dir: Path,
) -> None:
    """The batch ZIP at ``path``: every file of ``files`` (a manifest row and how to open its bytes) under
    the row's name, in order, then 清单.csv, manifest.json and, when ``failures``, 失败清单.csv.

    The lists are written into ``lists_dir`` as the documents are copied (the CLI keeps them beside the
    ZIP). Streamed: neither the documents nor the rows are held in memory. The ZIP is written to a temporary
    name and renamed, so no half-written archive is ever visible.
    """
    lists = [lists_dir / MANIFEST_CSV, lists_dir / MANIFEST_JSON]
    tmp = path.with_name(f".{path.name}.part")
    with zipfile.ZipFile(tmp, "w", allowZip64=True) as zf:
        csv_tmp, json_tmp = (p.with_name(f".{p.name}.part") for p in lists)
        # utf-8-sig: the BOM makes Excel open a UTF-8 CSV correctly.
        with csv_tmp.open("w", encoding="utf-8-sig", newline="") as table, json_tmp.open("w", encoding="utf-8") as js:
            manifest = ManifestWriter(table, js)
            for row, open_file in files:
                manifest.add(row)
                # .docx and .pdf are compressed already: stored, not deflated again.
                with open_file() as src, zf.open(_member(row.file, zipfile.ZIP_STORED), "w") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
            manifest.close()
        os.replace(csv_tmp, lists[0])
        os.replace(json_tmp, lists[1])
        if failures:
            failed = lists_dir / FAILURES_CSV
            failed_tmp = failed.with_name(f".{failed.name}.part")
            with failed_tmp.open("w", encoding="utf-8-sig", newline="") as table:
                write_failures(failures, table)
            os.replace(failed_tmp, failed)
            lists.append(failed)
        for listed in lists:
            with listed.open("rb") as src, zf.open(_member(listed.name, zipfile.ZIP_DEFLATED), "w") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
    os.replace(tmp, path)


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
    proof: str = ""  # the proofreading summary (docgen.proof), kept for the manifest of a resumed batch


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
                            str(raw.get("proof") or ""),
                        )
                        key = raw["key"]
                    except (json.JSONDecodeError, KeyError, TypeError, ValueError):
                        continue  # a line cut short by a crash: that document is simply redone
                    self._entries[key] = entry
        # Opened on the first record (a batch that fails early writes nothing) and kept open: one open per
        # document would cost more than the journal line. ``finish`` or ``close`` closes it.
        self._journal: TextIO | None = None

    def is_done(self, job: DocumentJob, fingerprint: str) -> bool:
        entry = self._entries.get(job.key)
        if entry is None or entry.fingerprint != fingerprint or entry.failed:
            return False
        for fmt, _, digest in entry.files:
            path = self.documents / job.file_name(fmt)
            if not path.is_file() or _sha256_file(path) != digest:
                return False
        return True

    def record(self, result: DocumentResult) -> None:
        job = result.job
        for file in result.files:
            _write_atomic(self.documents / file.name, file.data)
        files = tuple((f.format, f.pages, bytes.fromhex(f.sha256)) for f in result.files)
        proof = result.proof.summary() if result.proof is not None else ""
        self._entries[job.key] = _Entry(result.fingerprint, not result.ok, files, proof)
        line = {
            "key": job.key,
            "fingerprint": result.fingerprint,
            "files": [{"file": f.name, "format": f.format, "pages": f.pages, "sha256": f.sha256} for f in result.files],
            "error": result.reason or None,
            "proof": proof,
        }
        if self._journal is None:
            self._journal = self._journal_path.open("a", encoding="utf-8")
        self._journal.write(json.dumps(line, ensure_ascii=False) + "\n")
        self._journal.flush()  # on disk before the next document starts: a crash loses at most this line

    def manifest(self, jobs: Iterable[DocumentJob]) -> Iterator[ManifestRow]:
        """The manifest rows of the finished documents among ``jobs``, in plan order (a generator)."""
        for job in jobs:
            entry = self._entries.get(job.key)
            if entry is None or entry.failed:
                continue
            for fmt, pages, digest in entry.files:
                yield manifest_row(job, job.file_name(fmt), fmt, pages, digest.hex(), entry.proof)

    def close(self) -> None:
        """Close the journal (``finish`` does; call this when a batch stopped before it, e.g. cancelled)."""
        if self._journal is not None:
            self._journal.close()
            self._journal = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def finish(self, jobs: Sequence[DocumentJob], report: BatchReport) -> str:
        """Write the lists and the ZIP (:func:`write_archive`, streamed) into the output directory."""
        self.close()
        archive = self.out_dir / f"{self.archive_name}.zip"
        files = ((row, self._opener(self.documents / row.file)) for row in self.manifest(jobs))
        write_archive(archive, files, report.failures, self.out_dir)
        return str(archive)

    @staticmethod
    def _opener(path: Path) -> Callable[[], IO[bytes]]:
        return lambda: path.open("rb")
