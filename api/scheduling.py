"""Which queued upload to read next: round-robin by uploader, so one user's slow files cannot hold up
everyone else's. A pure rule over plain values, shared by the in-process worker and any other worker kind.

    next_upload(queued=[(11, 1), (12, 1), (13, 2)], last_served={1: t5})   # → 13: user 2 was never served

The database query that feeds it is :func:`api.services.uploads.take_next` (and ``claim_next``).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from datetime import datetime


def next_upload(queued: Iterable[tuple[int, Hashable]], last_served: Mapping[Hashable, datetime | None]) -> int | None:
    """The id of the oldest queued upload of the uploader served least recently; None when nothing is queued.

    ``queued`` holds ``(upload id, uploader)`` pairs (lower id = queued earlier); ``last_served`` maps an
    uploader to when one of its uploads was last taken (missing or None: never — those go first). Ties go
    to the uploader whose oldest queued upload is older.
    """
    oldest: dict[Hashable, int] = {}
    for upload_id, uploader in queued:
        if uploader not in oldest or upload_id < oldest[uploader]:
            oldest[uploader] = upload_id
    if not oldest:
        return None

    def rank(uploader: Hashable) -> tuple[bool, datetime, int]:
        served = last_served.get(uploader)
        return (served is not None, served or datetime.min, oldest[uploader])

    return oldest[min(oldest, key=rank)]
