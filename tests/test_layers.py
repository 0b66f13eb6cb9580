"""Imports point inward: the domain (``docgen``) imports no adapter or entrypoint, the readers no service.

Each check imports the modules in a fresh interpreter and looks at ``sys.modules``, so a forbidden import
anywhere down the chain fails, not only one written in the module itself.
"""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import docgen
import extractors

ROOT = Path(__file__).resolve().parent.parent
OUTER = ("extractors", "api", "cli")
"""What the domain must not import: the readers (adapters), the service and the command line (entrypoints)."""


def _modules(package: ModuleType) -> list[str]:
    """The package and every module below it, by name (walking imports the subpackages in this process;
    the checks themselves import in a fresh interpreter)."""
    below = pkgutil.walk_packages(package.__path__, package.__name__ + ".")
    return sorted([package.__name__, *(m.name for m in below)])


# docgen.render.uno_bridge runs inside LibreOffice's own Python (it imports ``uno``): its imports are read
# from its source instead (test_the_libreoffice_bridge_imports_no_outer_layer).
UNO_BRIDGE = "docgen.render.uno_bridge"
DOMAIN = [m for m in _modules(docgen) if m != UNO_BRIDGE]
READERS = _modules(extractors)


def _imported_after(modules: list[str]) -> list[str]:
    """Every top-level package in ``sys.modules`` of a fresh interpreter after importing ``modules``."""
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    found: list[str] = json.loads(done.stdout)
    return found


def test_the_domain_modules_are_all_found() -> None:
    # a walk that silently found nothing would make the checks below pass for nothing
    assert {"docgen.extract", "docgen.interpret", "docgen.roster.form", "docgen.forms.schema"} <= set(DOMAIN)
    assert {"extractors.detect", "extractors.read", "extractors.roster"} <= set(READERS)


def test_the_domain_imports_no_reader_service_or_command_line() -> None:
    loaded = _imported_after(DOMAIN)
    assert "docgen" in loaded
    assert [m for m in OUTER if m in loaded] == []


@pytest.mark.parametrize("module", ["docgen.extract", "docgen.roster.form", "docgen.interpret"])
def test_each_domain_service_alone_imports_no_outer_layer(module: str) -> None:
    assert [m for m in OUTER if m in _imported_after([module])] == []


def test_the_readers_import_no_service() -> None:
    loaded = _imported_after(READERS)
    assert "extractors" in loaded
    assert "api" not in loaded and "cli" not in loaded


def test_the_libreoffice_bridge_imports_no_outer_layer() -> None:
    tree = ast.parse((ROOT / "docgen" / "render" / "uno_bridge.py").read_text("utf-8"))
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert "uno" in names  # the file read is the bridge
    assert [m for m in names if m.split(".")[0] in OUTER] == []
