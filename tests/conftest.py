"""Shared fixtures: the bundled samples, their programs and compiled templates."""

from __future__ import annotations

from pathlib import Path

import pytest

from docgen.batch import load_templates
from docgen.files import load_program, template_reader
from docgen.model import Program
from docgen.render.docx import CompiledTemplate

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
TEMPLATES = ROOT / "docgen" / "templates"


@pytest.fixture(scope="session")
def pengzhou_program() -> Program:
    return load_program(SAMPLES / "pengzhou_heishui" / "program.yaml")


@pytest.fixture(scope="session")
def pengzhou_templates(pengzhou_program: Program) -> dict[str, CompiledTemplate]:
    return load_templates(pengzhou_program, template_reader(SAMPLES / "pengzhou_heishui"))
