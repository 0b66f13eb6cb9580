"""LibreOffice file conversion for test data: one ``soffice --headless --convert-to`` in a throw-away profile.

    pdf = convert(docx_bytes, ".docx", "pdf")
    xls = convert(xlsx_bytes, ".xlsx", "xls:MS Excel 97")
    ods = convert(xlsx_bytes, ".xlsx", "ods")

Each call gets its own ``-env:UserInstallation`` profile, so parallel test workers and a user's running
LibreOffice never share a lock; the call is time-boxed. The output is not byte-for-byte reproducible
(LibreOffice stamps dates and ids), so tests compare such files by content, never by bytes.
"""

from __future__ import annotations

import subprocess
import tempfile
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
