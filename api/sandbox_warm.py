"""Imported once in the warm fork server of ``docgen worker`` (:func:`api.sandbox.start_warm`): everything a
read needs, loaded before any upload arrives, so that every forked child starts warm.

It imports the readers of every kind and their libraries, parses the form schemas (their YAML is ≈ 0.25 s,
cached for the process) and computes what interpreting them keeps (:func:`docgen.interpret.prepare`: label
keys, label patterns), and makes the process's OCR engine (:func:`extractors.ocr.default_engine`: the
PP-OCRv6 models into onnxruntime), running its detector and its recogniser once on blank strips so that
onnxruntime's sessions and first-run set-up are made here, not in each child, and freezes the heap for the
collector (``gc.freeze``). Nothing here reads a file from outside: the server never parses an upload
itself, its forked children do, under their limits.
"""

from __future__ import annotations

import gc
import importlib

import numpy as np

import docgen.extract  # noqa: F401  (imported for the children)
import extractors.docx
import extractors.image
import extractors.pdf
import extractors.read  # noqa: F401
from api.sandbox import use_read_threads
from docgen.forms import load_schemas
from docgen.interpret import prepare
from extractors._sandbox import PRELOAD
from extractors.ocr import default_engine

# What a PDF parse child needs, as the parse sandbox's own fork server preloads it: in a worker the parses are
# forks of this server's children (``fork_children``), so whatever is not imported here is imported again in
# every parse — pdfplumber and pdfminer were, ≈ 45 ms CPU a PDF (issue 12, item 6).
for module in PRELOAD:
    importlib.import_module(module)
load_schemas()
prepare()  # the schemas' label keys and patterns: 1–4 ms of every read otherwise
use_read_threads()  # before the engine is made: its onnxruntime threads are fixed then
# Both models, each run once: the detector's onnxruntime session is made on its first use, and a child that
# made it would pay ≈ 15 ms CPU for every scan or photo (seen in a profile of two workers' children).
default_engine().recognize(np.full((64, 256, 3), 255, dtype=np.uint8))
default_engine().recognize_lines([np.full((32, 96, 3), 255, dtype=np.uint8)])
# Last: everything loaded so far is left out of the children's garbage collections. Otherwise a child's first
# full collection writes to every object the server made, copying each page of them (≈ 0.3 s per child).
gc.freeze()
