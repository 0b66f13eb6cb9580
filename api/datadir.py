"""The data directory: private, and free of what a killed process left behind.

``prepare(data_dir)`` runs at every start (``create_app``'s lifespan, before the database is opened):

* the directory is made ``0700`` and the files directly in it (``docgen.db`` with its ``-wal``/``-shm``,
  ``secret``) ``0600``; the blob store creates its folders ``0700`` and its files ``0600`` (``mkstemp``),
* ``<data_dir>/tmp/<pid>-…`` is this process's scratch space (batch ZIPs being written, LibreOffice profiles
  and work files); folders there whose process is gone are removed, and
  so are half-written blobs (``.part-*``) of a dead process,
* ``<data_dir>/cache`` is where onnxruntime/RapidOCR may write (``XDG_CACHE_HOME`` of the sandbox children,
  instead of ``~/.cache``).

``docgen serve`` also sets the process umask to ``077`` so anything else it creates is private too.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

TMP, CACHE = "tmp", "cache"
_OWNED = re.compile(r"^(\d+)-")  # <pid>-… : scratch folders and blob parts name the process that made them
STALE_UNOWNED_SECONDS = 3600  # a .part- file without a pid (older versions) is stale after an hour


@dataclass(frozen=True)
class DataDirs:
    root: Path
    tmp: Path  # this process's scratch folder (removed at shutdown, or at the next start after a kill)
    cache: Path


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stale(name: str, mtime: float) -> bool:
    match = _OWNED.match(name)
    if match:
        return not _alive(int(match.group(1)))
    return time.time() - mtime > STALE_UNOWNED_SECONDS


def _private(path: Path, mode: int) -> None:
    with contextlib.suppress(FileNotFoundError, PermissionError):
        if stat.S_IMODE(path.stat().st_mode) != mode:
            path.chmod(mode)


def clean_stale(root: Path) -> list[Path]:
    """Remove scratch folders of dead processes under ``root/tmp`` and dead ``.part-*`` blob files under
    ``root/blobs``; returns what was removed. Live processes' files (by pid) are left alone."""
    removed: list[Path] = []
    tmp = root / TMP
    if tmp.is_dir():
        for entry in tmp.iterdir():
            if _stale(entry.name, entry.lstat().st_mtime):
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
                removed.append(entry)
    blobs = root / "blobs"
    if blobs.is_dir():
        for part in blobs.glob("*/*/.part-*"):
            if _stale(part.name.removeprefix(".part-"), part.lstat().st_mtime):
                part.unlink(missing_ok=True)
                removed.append(part)
    return removed


def prepare(root: Path) -> DataDirs:
    """Make ``root`` private, remove stale scratch files, and create this process's scratch folder."""
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    _private(root, 0o700)
    for entry in root.iterdir():  # only what the service itself keeps here
        if entry.is_symlink():
            continue
        if entry.is_file() and (entry.name == "secret" or entry.name.startswith("docgen.db")):
            _private(entry, 0o600)
        elif entry.is_dir() and entry.name in ("blobs", TMP, CACHE):
            _private(entry, 0o700)
    clean_stale(root)
    (root / TMP).mkdir(mode=0o700, exist_ok=True)
    (root / CACHE).mkdir(mode=0o700, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=root / TMP))  # mkdtemp: mode 0700
    return DataDirs(root, scratch, root / CACHE)


def private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 when missing, else make it 0600 (the SQLite file, before connecting)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    _private(path, 0o600)
