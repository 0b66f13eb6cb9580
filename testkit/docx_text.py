"""Reading text back out of generated documents, for assertions on content."""

from __future__ import annotations

import io
import re
import zipfile

_PARA = re.compile(r"<w:p[ >].*?</w:p>", re.DOTALL)
_TEXT = re.compile(r"<w:t(?: [^>]*)?>([^<]*)</w:t>")


def docx_paragraphs(data: bytes) -> list[str]:
    """The text of every paragraph of word/document.xml, in order (tables included)."""
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode("utf-8")
    out = []
    for para in _PARA.findall(xml):
        text = "".join(_TEXT.findall(para))
        out.append(text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))
    return out


def docx_text(data: bytes) -> str:
    return "\n".join(docx_paragraphs(data))
