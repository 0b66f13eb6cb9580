"""Hostile PDFs, crafted byte by byte for the reader's sandbox tests (no library writes such files).

    data = HOSTILE["reference_loop"]()      # bytes of a small PDF whose objects refer to each other in a loop

Each builder returns a small file (≤ a few MB) that is a valid PDF *syntactically* — header, numbered
objects, a cross-reference table with the right offsets, a trailer — but whose structure is a trap: a
reference loop, a page tree nested thousands deep or looping back on itself, a Flate bomb, an object stream
that claims millions of objects. :func:`pdf_of_objects` is the writer they share; :func:`broken_xref` spoils
the table of a good PDF (what some scanners write) and :func:`owner_locked` is not here — pypdf makes those.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Mapping

__all__ = ["HOSTILE", "broken_xref", "pdf_of_objects"]


def pdf_of_objects(objects: Mapping[int, bytes], *, root: int = 1, trailer: bytes = b"") -> bytes:
    """A PDF of ``objects`` (number → the bytes between ``N 0 obj`` and ``endobj``) with a correct xref."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    size = max(offsets) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (size, root, trailer, xref)
    return bytes(out)


_CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def _page(parent: int, contents: int | None = None, resources: bytes | None = None) -> bytes:
    res = resources if resources is not None else b"<< /Font << /F1 9 0 R >> >>"
    body = b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Resources %s" % (parent, res)
    if contents is not None:
        body += b" /Contents %d 0 R" % contents
    return body + b" >>"


def _stream(data: bytes, extra: bytes = b"", *, flate: bool = False) -> bytes:
    if flate:
        data = zlib.compress(data, 9)
        extra += b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


_TEXT = _stream(b"BT /F1 12 Tf 72 760 Td (Hello) Tj ET")


def reference_loop() -> bytes:
    """The page's ``/Contents`` and ``/Resources`` are references that lead to each other forever."""
    return pdf_of_objects({
        1: _CATALOG,
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources 5 0 R /Contents 4 0 R >>",
        4: b"6 0 R",
        5: b"7 0 R",
        6: b"4 0 R",
        7: b"5 0 R",
        9: _FONT,
    })


def page_tree_loop() -> bytes:
    """The page tree's ``/Kids`` lead back to the root: a tree that never ends."""
    return pdf_of_objects({
        1: _CATALOG,
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 4 0 R] /Count 1 >>",
        4: _page(3, 5),
        5: _TEXT,
        9: _FONT,
    })


def deep_page_tree(depth: int = 20_000) -> bytes:
    """One page under ``depth`` nested ``/Pages`` nodes (a recursive walker runs out of stack)."""
    objects: dict[int, bytes] = {1: _CATALOG, 9: _FONT, 5: _TEXT}
    numbers = [2, *range(10, 10 + depth)]
    for level, number in enumerate(numbers):
        child = numbers[level + 1] if level + 1 < len(numbers) else 4
        parent = b" /Parent %d 0 R" % numbers[level - 1] if level else b""
        objects[number] = b"<< /Type /Pages%s /Kids [%d 0 R] /Count 1 >>" % (parent, child)
    objects[4] = _page(numbers[-1], 5)
    return pdf_of_objects(objects)


def deep_nesting(depth: int = 100_000) -> bytes:
    """A page whose ``/Resources`` holds an array nested ``depth`` deep."""
    nested = b"[" * depth + b"]" * depth
    return pdf_of_objects({
        1: _CATALOG,
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: _page(2, 5, b"<< /Font << /F1 9 0 R >> /X " + nested + b" >>"),
        5: _TEXT,
        9: _FONT,
    })


def form_xobject_loop() -> bytes:
    """A form XObject that draws itself (``/X0 Do`` inside /X0): drawing it never ends."""
    return pdf_of_objects({
        1: _CATALOG,
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: _page(2, 5, b"<< /Font << /F1 9 0 R >> /XObject << /X0 6 0 R >> >>"),
        5: _stream(b"BT /F1 12 Tf 72 760 Td (Hello) Tj ET /X0 Do"),
        6: _stream(b"/X0 Do BT /F1 12 Tf (loop) Tj ET",
                   b" /Type /XObject /Subtype /Form /BBox [0 0 100 100]"
                   b" /Resources << /Font << /F1 9 0 R >> /XObject << /X0 6 0 R >> >>"),
        9: _FONT,
    })


def flate_bomb(megabytes: int = 2048) -> bytes:
    """A content stream that inflates to ``megabytes`` MB of spaces (a few MB on disk)."""
    # after a full flush the compressor forgets what came before, so every further megabyte of spaces
    # compresses to the same bytes: compress two, repeat the second (building it takes milliseconds)
    block = b" " * (1 << 20)
    packer = zlib.compressobj(9, wbits=-15)  # raw deflate; the zlib header and checksum are added below
    first = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    again = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    n = megabytes << 20  # Adler-32 of n spaces in closed form: a = 1 + 32n, b = n + 32·n(n+1)/2 (mod 65521)
    checksum = ((n + 32 * n * (n + 1) // 2) % 65521) << 16 | (1 + 32 * n) % 65521
    raw = first + again * (megabytes - 1) + packer.flush()
    data = b"\x78\xda" + raw + checksum.to_bytes(4, "big")
    return pdf_of_objects({
        1: _CATALOG,
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: _page(2, 5),
        5: b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream",
        9: _FONT,
    })


def huge_object_stream(claimed: int = 5_000_000) -> bytes:
    """An object stream that claims ``claimed`` objects (its offset table is a few bytes)."""
    return pdf_of_objects({
        1: _CATALOG,
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: _page(2, 5, b"<< /Font << /F1 12 0 R >> >>"),
        5: _TEXT,
        6: _stream(b"12 0 " * 1000 + b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
                   b" /Type /ObjStm /N %d /First %d" % (claimed, 5000), flate=True),
        12: b"null",
    })


def many_pages(count: int = 1_000_000) -> bytes:
    """A page tree that claims ``count`` pages, all one page object reused."""
    kids = b" ".join([b"3 0 R"] * 1000)
    return pdf_of_objects({
        1: _CATALOG,
        2: b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join([b"4 0 R"] * (count // 1000)), count),
        4: b"<< /Type /Pages /Parent 2 0 R /Kids [%s] /Count 1000 >>" % kids,
        3: _page(4, 5),
        5: _TEXT,
        9: _FONT,
    })


HOSTILE: dict[str, Callable[[], bytes]] = {
    "reference_loop": reference_loop,
    "page_tree_loop": page_tree_loop,
    "deep_page_tree": deep_page_tree,
    "deep_nesting": deep_nesting,
    "form_xobject_loop": form_xobject_loop,
    "flate_bomb": flate_bomb,
    "huge_object_stream": huge_object_stream,
    "many_pages": many_pages,
}
"""The traps, by name: each must be refused with one Chinese line, quickly, whatever ran before."""


def broken_xref(pdf: bytes) -> bytes:
    """``pdf`` with every cross-reference offset pointing to the wrong place and ``startxref`` off too, as
    some scanners write them (readers rebuild the table by scanning for ``N 0 obj``)."""
    spoiled = re.sub(rb"(\d{10}) (\d{5}) n", lambda m: b"%010d %s n" % (int(m.group(1)) + 7, m.group(2)), pdf)
    return re.sub(rb"startxref\s+(\d+)", lambda m: b"startxref\n%d" % (int(m.group(1)) + 3), spoiled)
