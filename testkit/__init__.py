"""Test-support code shared by ``tests/`` and ``bench/``: document builders, scan degradations, docx
inspectors, the self-made extraction corpus and its scoring, and access to the shared data beside the
repository. Neither ``tests`` nor ``bench`` imports the other; both import this package."""
