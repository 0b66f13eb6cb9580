"""A bound on costly work in this process: at most ``running`` at once, ``waiting`` more queued, the rest refused.

Used where one request can cost much memory or CPU: argon2 hashing (:class:`~api.services.passwords.PasswordHasherGate`)
and page crops (:class:`~api.services.crops.Crops`). A caller past the queue is refused at once; an admitted
caller that gets no slot within ``timeout`` is refused too — each with the error its service chooses.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class Gate:
    """At most ``running`` holders at once and ``waiting`` more queued; anyone past that is refused."""

    def __init__(self, running: int, waiting: int) -> None:
        self._slots = threading.BoundedSemaphore(max(1, running))
        self._admitted = 0
        self._capacity = max(1, running) + max(0, waiting)
        self._lock = threading.Lock()

    @contextmanager
    def enter(self, timeout: float, *, full: Callable[[], Exception], late: Callable[[], Exception]) -> Iterator[None]:
        """Hold a slot for the block. Raises ``full()`` when the queue is full, ``late()`` when no slot frees
        within ``timeout`` seconds."""
        with self._lock:
            if self._admitted >= self._capacity:
                raise full()
            self._admitted += 1
        try:
            if not self._slots.acquire(timeout=timeout):
                raise late()
            try:
                yield
            finally:
                self._slots.release()
        finally:
            with self._lock:
                self._admitted -= 1
