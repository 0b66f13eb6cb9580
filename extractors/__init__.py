"""Reading returned forms: the adapters that turn a file's bytes into a :class:`~docgen.extraction.ReadDocument`.

    from docgen.extract import extract
    from extractors import read
    result = extract(data, "统计表.pdf", reader=read)     # -> docgen.extraction.Extraction, never raises
    print(result.to_json())

The package face; the work is in its modules:

* :mod:`extractors.detect` — THE file-kind detector: ``detect(data)`` → kind by magic bytes, its Chinese
  name, the reader that takes it (``FileKind``, ``KINDS``);
* :mod:`extractors.read` — ``read(data, name, *, ocr=None)``: the reader dispatch by kind (docx, PDF, scan,
  image), the OCR engine injectable (:class:`extractors.ocr.OcrEngine`; a fake for tests); raises
  :class:`~docgen.errors.UnreadableDocument` with a Chinese reason;
* :mod:`extractors.docx`, :mod:`extractors.pdf`, :mod:`extractors.image` — one reader per input kind;
* :mod:`extractors.roster` — ``load_roster(data, name)``: any roster file, a returned 安排表 included.

Interpreting what was read against the form schemas is the domain's (:func:`docgen.interpret.interpret`),
and so is the extract *service* (:func:`docgen.extract.extract`, which takes ``read`` as its ``reader``).
There is deliberately no ``extractors.extract`` shortcut: every caller names its reader, so the domain never
imports this package and a test can pass a fake.
"""

from docgen.errors import UnreadableDocument
from extractors.detect import Detected, FileKind, detect
from extractors.read import MAX_INPUT_BYTES, read
from extractors.roster import load_roster

__all__ = ["MAX_INPUT_BYTES", "Detected", "FileKind", "UnreadableDocument", "detect", "load_roster", "read"]
