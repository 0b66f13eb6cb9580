"""A minimal ZIP writer that reuses pre-compressed members.

A .docx is a ZIP in which only ``word/document.xml`` (and perhaps a header or the core properties)
changes from one pair to the next. ``zipfile`` would re-deflate every static part for every document;
here the static parts are deflated once when the template is compiled and their bytes are copied.
Output is deterministic (fixed timestamps), which also makes resumed batches byte-identical.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

_DOS_TIME = 0
_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01, the ZIP epoch
_UTF8_FLAG = 0x0800
_DEFLATED = 8


@dataclass(frozen=True)
class Member:
    """One ZIP member, already compressed."""

    name: str
    crc: int
    size: int
    compressed: bytes

    @classmethod
    def deflate(cls, name: str, data: bytes, level: int = 6) -> Member:
        comp = zlib.compressobj(level, zlib.DEFLATED, -15)
        body = comp.compress(data) + comp.flush()
        return cls(name, zlib.crc32(data), len(data), body)


def pack(members: Iterable[Member]) -> bytes:
    """Serialise members into ZIP bytes (no ZIP64: a single document is far below 4 GiB)."""
    chunks: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    count = 0
    for m in members:
        name = m.name.encode("utf-8")
        flags = 0 if name.isascii() else _UTF8_FLAG
        header = struct.pack(
            "<IHHHHHIIIHH",
            0x04034B50,
            20,
            flags,
            _DEFLATED,
            _DOS_TIME,
            _DOS_DATE,
            m.crc,
            len(m.compressed),
            m.size,
            len(name),
            0,
        )
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                flags,
                _DEFLATED,
                _DOS_TIME,
                _DOS_DATE,
                m.crc,
                len(m.compressed),
                m.size,
                len(name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + name
        )
        chunks += (header, name, m.compressed)
        offset += len(header) + len(name) + len(m.compressed)
        count += 1
    directory = b"".join(central)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(directory), offset, 0)
    return b"".join(chunks) + directory + end
