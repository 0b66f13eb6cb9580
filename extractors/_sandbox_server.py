"""Imported first by :mod:`extractors._sandbox`'s fork server (and nowhere else): its children need nothing
of the caller but ``sys.path``.

multiprocessing prepares every child by re-running the caller's ``__main__`` (by path or by module name) and
changing to the caller's working directory. For a sandboxed parser both are harmful: a caller's script
without an ``if __name__ == "__main__"`` guard runs again inside the child (or fails there with
multiprocessing's bootstrapping error), a CLI's entry point is imported again for every PDF, and a working
directory that was removed (cron, a service) kills the child. The functions the children run are
module-level functions of importable modules, so neither is needed: this module drops both from the
preparation data, in the fork server process only.
"""

from __future__ import annotations

from collections.abc import Mapping
from multiprocessing import spawn
from typing import Any

_UNNEEDED = ("init_main_from_name", "init_main_from_path", "dir")
_prepare = spawn.prepare


def _prepare_without_main(data: Mapping[str, Any]) -> None:
    _prepare({k: v for k, v in data.items() if k not in _UNNEEDED})


if getattr(spawn.prepare, "__module__", None) != __name__:
    spawn.prepare = _prepare_without_main
