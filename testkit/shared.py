"""Data kept beside the repository in ``../shared`` (seed notices, golden documents made by others).

CI lays a copy of ``shared/`` next to its clone, so there a missing folder is a broken setup and the test
fails; on a developer's machine without it the test is skipped with the reason shown by ``-ra``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def shared_path(*parts: str, required_in_ci: bool = True) -> Path:
    """``../shared/<parts>`` relative to the repository root; fail under CI, skip elsewhere, when absent.

    ``required_in_ci=False`` is for data that is asked for but not yet laid into ``shared/`` (the golden
    documents: developers may not commit files fetched from other repositories, the steering side places
    them); such a test is skipped with its reason shown, in CI too, until the data arrives.
    """
    path = SHARED.joinpath(*parts)
    if not path.exists():
        message = f"{path} is missing (shared/ is laid beside the repository)"
        if os.environ.get("CI") and required_in_ci:
            pytest.fail(f"{message}; CI must provide it", pytrace=False)
        pytest.skip(message)
    return path
