"""Preview before import: upload a roster, see what it would do, fix the column mapping, then confirm.

    preview = create(session, program, user, name, data, parsed, overrides)    # POST …/roster/preview
    preview = reparse(session, preview, parsed, overrides)                     # POST …/roster/preview/{id}
    pairs = confirm(session, program, user, preview, parsed, diff_token, blobs)  # POST …/roster/confirm

The uploaded file waits in a :class:`~api.models.RosterPreview` row under an opaque random id, for the user
who uploaded it and that program only (another user's or program's id is 404), until it is confirmed,
cancelled or expires (:data:`PREVIEW_TTL`; expired rows are swept on every new preview, and a user keeps at
most :data:`MAX_PREVIEWS_PER_USER`). Parsing always happens in the sandboxed child (``rosters.parse``); the
routes call it and hand the result here.

The answer (:func:`answer`) is the groups as parsed with their source rows, every problem as data, each table
with its column mapping, and the difference to the program's current pairs (:mod:`docgen.roster_diff`)
with a ``diff_token``: a digest of the parse *and* of the stored pairs. Confirming with a token that no
longer matches — the roster was imported by someone else, or the mapping changed since — is 409.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api.blobs import BlobStore
from api.models import Pair, Program, RosterPreview, User, utcnow
from api.services import audit, rosters
from api.services.accounts import require_admin
from api.services.errors import Conflict, Invalid, NotFound
from docgen.model import PairGroup
from docgen.roster.result import COLUMN_ROLES
from docgen.roster_diff import FIELD_TEXT, GroupChange, RosterDiff, diff_rosters, group_keys

PREVIEW_TTL = timedelta(hours=2)
"""How long an unconfirmed preview (and its file) is kept."""
MAX_PREVIEWS_PER_USER = 5
"""A user's live previews; a new one beyond this drops that user's oldest."""
MAX_OVERRIDE_TEXT = 16_384
"""The ``overrides`` form field of a preview upload, in characters."""
MAX_OVERRIDE_TABLES = 50
MAX_OVERRIDE_COLUMNS = 200
MAX_COLUMN_INDEX = 999
MAX_TABLE_ID = 200
PREVIEW_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")

Overrides = dict[str, dict[int, str]]


# ------------------------------------------------------------------------------------------ overrides


def check_overrides(raw: Any) -> Overrides:
    """A person's column mapping ``{table: {column index: role}}`` from JSON, checked for shape, size and
    vocabulary (:data:`~docgen.roster.result.COLUMN_ROLES`); :class:`Invalid` in Chinese otherwise. Which
    tables and columns exist is checked against a parse (:func:`check_against`)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _bad("列映射应为 JSON 对象：{表名: {列序号: 角色}}")
    if len(raw) > MAX_OVERRIDE_TABLES:
        raise _bad(f"列映射最多 {MAX_OVERRIDE_TABLES} 张表，收到 {len(raw)} 张")
    out: Overrides = {}
    for table, columns in raw.items():
        if not isinstance(table, str) or not table or len(table) > MAX_TABLE_ID:
            raise _bad(f"列映射中的表名无效（应为 1–{MAX_TABLE_ID} 个字符）")
        if not isinstance(columns, dict):
            raise _bad(f"表“{table}”的列映射应为 JSON 对象：{{列序号: 角色}}")
        if len(columns) > MAX_OVERRIDE_COLUMNS:
            raise _bad(f"表“{table}”的列映射最多 {MAX_OVERRIDE_COLUMNS} 列")
        mapped: dict[int, str] = {}
        for index, role in columns.items():
            text = str(index)
            if not text.isascii() or not text.isdigit() or int(text) > MAX_COLUMN_INDEX:
                raise _bad(f"表“{table}”的列序号“{text[:20]}”无效（应为 0–{MAX_COLUMN_INDEX} 的整数）")
            if not isinstance(role, str) or role not in COLUMN_ROLES:
                shown = str(role)[:40] if isinstance(role, (str, int, float)) else type(role).__name__
                raise _bad(f"表“{table}”第 {int(text) + 1} 列的角色“{shown}”不在可选列表中")
            mapped[int(text)] = role
        out[table] = mapped
    return out


def parse_overrides_text(text: str | None) -> Overrides:
    """The ``overrides`` form field (JSON text) of a preview upload, checked (:func:`check_overrides`)."""
    if text is None or not text.strip():
        return {}
    if len(text) > MAX_OVERRIDE_TEXT:
        raise _bad(f"列映射过长（超过 {MAX_OVERRIDE_TEXT} 个字符）")
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError):
        raise _bad("列映射不是有效的 JSON") from None
    return check_overrides(raw)


def check_against(overrides: Overrides, tables: list[dict[str, Any]]) -> None:
    """:class:`Invalid` when ``overrides`` name a table the file does not have, or a column past its last."""
    known = {t["table"]: {c["index"] for c in t["columns"]} for t in tables}
    for table, columns in overrides.items():
        if table not in known:
            raise _bad(f"文件中没有表“{table}”，无法修改其列映射")
        for index in columns:
            if index not in known[table]:
                raise _bad(f"表“{table}”没有第 {index + 1} 列，无法修改其列映射")


def _bad(message: str) -> Invalid:
    return Invalid(message, [{"message": message, "field": "overrides"}])


# ------------------------------------------------------------------------------------------ the rows


def sweep(session: Session, now: datetime | None = None) -> int:
    """Delete every expired preview (and so its file); returns how many."""
    result = session.execute(delete(RosterPreview).where(RosterPreview.expires_at <= (now or utcnow())))
    return int(getattr(result, "rowcount", 0) or 0)


def create(
    session: Session, program: Program, user: User, name: str, data: bytes, parsed: rosters.Parsed, overrides: Overrides
) -> RosterPreview:
    """Keep ``data`` (read as ``parsed``) as a new preview of ``program`` for ``user``."""
    require_admin(user)
    check_against(overrides, parsed.tables)
    sweep(session)
    now = utcnow()
    preview = RosterPreview(
        id=secrets.token_urlsafe(24),
        program_id=program.id,
        user_id=user.id,
        name=name,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        data=data,
        overrides=rosters.overrides_json(overrides),
        result=parsed.raw,
        created_at=now,
        expires_at=now + PREVIEW_TTL,
    )
    session.add(preview)
    session.flush()
    mine = session.scalars(
        select(RosterPreview.id).where(RosterPreview.user_id == user.id).order_by(RosterPreview.created_at.desc())
    ).all()
    for old in mine[MAX_PREVIEWS_PER_USER:]:
        session.execute(delete(RosterPreview).where(RosterPreview.id == old))
    audit.record(session, user, "roster.preview", f"program:{program.id}", file=name, sha256=preview.sha256,
                 groups=len(parsed.roster.groups), problems=parsed.problem_count)  # fmt: skip
    return preview


def get(session: Session, program: Program, user: User, preview_id: str) -> RosterPreview:
    """The live preview ``preview_id`` of ``program`` that ``user`` made; 404 for any other (another user's,
    another program's, an expired one — which is deleted now)."""
    require_admin(user)
    preview = session.get(RosterPreview, preview_id) if PREVIEW_ID.match(preview_id) else None
    if preview is None or preview.program_id != program.id or preview.user_id != user.id:
        raise NotFound("花名册预览不存在或已过期，请重新上传文件")
    if preview.expires_at <= utcnow():
        session.delete(preview)
        session.commit()
        raise NotFound("花名册预览不存在或已过期，请重新上传文件")
    return preview


def stored_overrides(preview: RosterPreview) -> Overrides:
    """The column mapping the preview was last parsed with."""
    return {t: {int(i): r for i, r in cols.items()} for t, cols in (preview.overrides or {}).items()}


def stored_parse(preview: RosterPreview) -> rosters.Parsed:
    """The preview's last parse (as the child answered it)."""
    return rosters.parsed_from_json(preview.result)


def reparse(session: Session, preview: RosterPreview, parsed: rosters.Parsed, overrides: Overrides) -> RosterPreview:
    """Keep a new parse of the preview's file under new ``overrides``; the preview lives on from now."""
    check_against(overrides, parsed.tables)
    preview.overrides = rosters.overrides_json(overrides)
    preview.result = parsed.raw
    preview.expires_at = utcnow() + PREVIEW_TTL
    return preview


def unreadable_under(stored: rosters.Parsed, overrides: Overrides, refused: rosters.UnreadableRoster) -> rosters.Parsed:
    """The preview of a re-read under ``overrides`` that gave no roster at all — two columns both 受援学校 half-way
    through swapping them, say: no group, the reason as a problem, and the file's tables with the mapping asked
    for, so the clerk can go on changing it (nothing a clerk can fix in the preview is refused)."""
    asked = {t: dict(cols) for t, cols in overrides.items()}
    tables = [
        {**t, "columns": [{**c, "role": asked.get(t["table"], {}).get(c["index"], c["role"])} for c in t["columns"]]}
        for t in stored.tables
    ]
    problems = list(refused.errors)
    raw = {"groups": [], "problems": problems, "problem_count": len(problems), "tables": tables,
           "source": stored.roster.source}  # fmt: skip
    return rosters.parsed_from_json(raw)


def cancel(session: Session, preview: RosterPreview) -> None:
    """Drop the preview and its file."""
    session.delete(preview)


def confirm(
    session: Session,
    program: Program,
    user: User,
    preview: RosterPreview,
    parsed: rosters.Parsed,
    overrides: Overrides,
    diff_token: str,
    blobs: BlobStore,
) -> list[Pair]:
    """Import the preview's valid groups (``parsed`` under ``overrides``) as the program's pairs —
    if ``diff_token`` is still what a preview would answer now (else :class:`Conflict`, nothing changed) —
    keep the file in the blob store, drop the preview, and audit ``roster.confirm``. A file with no group
    at all is refused (:func:`rosters.refuse`)."""
    check_against(overrides, parsed.tables)
    current = program_pairs(session, program)
    result = diff_of(current, parsed)
    if not secrets.compare_digest(token(current, parsed), diff_token):
        raise Conflict(
            "花名册预览之后，项目的结对或列映射已有变化（可能有人刚刚导入了花名册）。请查看最新的预览后再确认导入。"
        )
    rosters.refuse(parsed, strict=False)
    key = blobs.put(preview.data)
    pairs = rosters.import_roster(
        session,
        program,
        parsed.roster,
        user,
        action="roster.confirm",
        file=preview.name,
        sha256=preview.sha256,
        blob=key,
        overrides=rosters.overrides_json(overrides),
        added=len(result.added),
        changed=len(result.changed),
        problems=parsed.problem_count,
    )
    session.delete(preview)
    return pairs


# ------------------------------------------------------------------------------------------ the answer


def program_pairs(session: Session, program: Program) -> list[Pair]:
    """Every pair the program has had (removed ones too), as the diff and the token see them."""
    return list(session.scalars(select(Pair).where(Pair.program_id == program.id).order_by(Pair.id)))


def diff_of(pairs: list[Pair], parsed: rosters.Parsed) -> RosterDiff:
    """The difference between the stored pairs and the groups of ``parsed``."""
    current = {p.key: rosters.group(p) for p in pairs if p.removed_at is None}
    removed = {p.key for p in pairs if p.removed_at is not None}
    return diff_rosters(current, parsed.roster.groups, removed=removed)


def token(pairs: list[Pair], parsed: rosters.Parsed) -> str:
    """A digest of the stored pairs and of the parse: equal tokens mean confirming does what was shown."""
    state = [[p.id, p.key, p.label, p.schools, p.level, p.stage, p.coordinator, p.removed_at is None] for p in pairs]
    text = json.dumps([state, parsed.raw.get("groups", [])], ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


_ROW = re.compile(r":(\d+)$")


def source_row(source: str) -> int | None:
    """The row a group came from (``roster.xlsx:7`` → 7), as the file shows it; None when not a row."""
    match = _ROW.search(source)
    return int(match.group(1)) if match else None


def _names(group: PairGroup) -> dict[str, Any]:
    return {"label": group.label, "supporting": [s.name for s in group.supporting],
            "supported": [s.name for s in group.supported]}  # fmt: skip


def _kept_json(k: GroupChange) -> dict[str, Any]:
    return {
        "key": k.key,
        **_names(k.after),
        "previous_label": k.before.label,
        "changes": [
            {
                "field": c.field,
                "label": FIELD_TEXT.get(c.field, "其他信息"),
                "school": c.school,
                "before": c.before,
                "after": c.after,
            }
            for c in k.changes
        ],
    }


def counts(parsed: rosters.Parsed) -> dict[str, int]:
    """Problem counts of a parse: error rows (rows with an error: they do not import), errors, warnings, notes."""
    problems = parsed.problems
    # rows, as the file shows them: a problem of the whole file (no row) is listed, not counted as a row
    error_rows = {(p.get("sheet"), p.get("row")) for p in problems if p["severity"] == "error" and p.get("row")}
    return {
        "groups": len(parsed.roster.groups),
        "error_rows": len(error_rows),
        "errors": sum(p["severity"] == "error" for p in problems),
        "warnings": sum(p["severity"] == "warning" for p in problems),
        "notes": sum(p["severity"] == "note" for p in problems),
        "problems": parsed.problem_count,
    }


def answer(
    session: Session, program: Program, preview: RosterPreview, parsed: rosters.Parsed, overrides: Overrides
) -> dict[str, Any]:
    """The preview as the API answers it (``api.schemas.RosterPreviewOut``)."""
    pairs = program_pairs(session, program)
    diff = diff_of(pairs, parsed)
    status: dict[str, str] = {k: ("restored" if k in diff.restored else "added") for k, _ in diff.added}
    status.update({k.key: "changed" if k.changes else "unchanged" for k in diff.kept})
    groups = []
    for key, raw, g in zip(group_keys(parsed.roster.groups), parsed.raw["groups"], parsed.roster.groups, strict=True):
        groups.append({**raw, "key": key, "row": source_row(g.source), "status": status[key]})
    tables = [
        {
            **t,
            "columns": [
                {
                    **c,
                    "label": COLUMN_ROLES.get(c["role"], c["role"]),
                    "overridden": c["index"] in overrides.get(t["table"], {}),
                }
                for c in t["columns"]
            ],
        }
        for t in parsed.tables
    ]
    return {
        "preview_id": preview.id,
        "expires_at": preview.expires_at,
        "file_name": preview.name,
        "size": preview.size,
        "sha256": preview.sha256,
        "source": parsed.roster.source,
        "roles": [{"role": role, "label": label} for role, label in COLUMN_ROLES.items()],
        "tables": tables,
        "overrides": rosters.overrides_json(overrides),
        "groups": groups,
        "problems": parsed.problems,
        "counts": {
            **counts(parsed),
            "current": sum(p.removed_at is None for p in pairs),
            "added": len(diff.added),
            "restored": len(diff.restored),
            "removed": len(diff.removed),
            "changed": len(diff.changed),
            "unchanged": len(diff.unchanged),
            "relabelled": len(diff.relabelled),
        },
        "diff": {
            "added": [{"key": k, **_names(g), "restored": k in diff.restored} for k, g in diff.added],
            "removed": [{"key": k, **_names(g)} for k, g in diff.removed],
            "changed": [_kept_json(k) for k in diff.changed],
            "relabelled": [_kept_json(k) for k in diff.relabelled],
        },
        "diff_token": token(pairs, parsed),
    }


def same_overrides(a: Mapping[str, Mapping[int, str]], b: Mapping[str, Mapping[int, str]]) -> bool:
    """Whether two mappings say the same (empty tables ignored)."""
    return {t: dict(c) for t, c in a.items() if c} == {t: dict(c) for t, c in b.items() if c}
