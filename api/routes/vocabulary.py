"""The vocabulary: every status, role and form kind the API returns, with the words a clerk reads."""

from __future__ import annotations

from fastapi import APIRouter

from api.schemas import VocabularyOut, vocabulary

router = APIRouter(prefix="/api", tags=["vocabulary"])


@router.get("/vocabulary")
def get_vocabulary() -> VocabularyOut:
    """``{record_status: {code: 中文}, upload_status: …, batch_status: …, role: …, form: {kind: 标题}, …}``.

    Open without a session: it names codes and their words, nothing about any program or person. The web UI
    loads it once and shows every code through it; each response field holding a code names its entry here
    (OpenAPI ``x-vocabulary``)."""
    return vocabulary()
