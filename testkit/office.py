"""LibreOffice file conversion for test data: one ``soffice --headless --convert-to`` in a throw-away profile.

    pdf = convert(docx_bytes, ".docx", "pdf")
    xls = convert(xlsx_bytes, ".xlsx", "xls:MS Excel 97")
    ods = convert(xlsx_bytes, ".xlsx", "ods")
    pdfs = convert_many([(docx_a, ".docx"), (docx_b, ".docx")], "pdf")   # one LibreOffice start

Each call gets its own ``-env:UserInstallation`` profile, so parallel test workers and a user's running
LibreOffice never share a lock; the call is time-boxed. The output is not byte-for-byte reproducible
(LibreOffice stamps dates and ids), so tests compare such files by content, never by bytes.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path


def convert(data: bytes, suffix: str, target: str, timeout: float = 240.0) -> bytes:
    """``data`` (a file whose name ends in ``suffix``) converted by LibreOffice to ``target`` (a filter spec)."""
    with tempfile.TemporaryDirectory(prefix="docgen-office-") as tmp:
        work = Path(tmp)
        src = work / f"input{suffix}"
        src.write_bytes(data)
        out = work / "out"
        subprocess.run(
            ["soffice", "--headless", f"-env:UserInstallation=file://{work}/profile", "--convert-to", target,
             "--outdir", str(out), str(src)],
            check=True, capture_output=True, timeout=timeout,
        )  # fmt: skip
        produced = sorted(out.iterdir()) if out.exists() else []
        if not produced:
            raise RuntimeError(f"LibreOffice produced nothing converting {suffix} to {target}")
        return produced[0].read_bytes()


def convert_many(files: Sequence[tuple[bytes, str]], target: str, timeout: float = 240.0) -> list[bytes]:
    """Several files (``(data, suffix)``) converted to ``target`` by ONE LibreOffice start, in order: the
    start costs seconds, the conversion of a short document a fraction of that."""
    with tempfile.TemporaryDirectory(prefix="docgen-office-") as tmp:
        work = Path(tmp)
        sources = []
        for n, (data, suffix) in enumerate(files):
            src = work / f"input{n:03d}{suffix}"
            src.write_bytes(data)
            sources.append(src)
        out = work / "out"
        subprocess.run(
            ["soffice", "--headless", f"-env:UserInstallation=file://{work}/profile", "--convert-to", target,
             "--outdir", str(out), *map(str, sources)],
            check=True, capture_output=True, timeout=timeout,
        )  # fmt: skip
        produced = [out / f"{src.stem}.{target.split(':')[0]}" for src in sources]
        missing = [p.name for p in produced if not p.is_file()]
        if missing:
            raise RuntimeError(f"LibreOffice produced nothing for {missing} converting to {target}")
        return [p.read_bytes() for p in produced]
