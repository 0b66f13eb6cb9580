"""Returned forms in: store first, then read them off the request path.

``receive`` gives every file of a request its own outcome. Each is checked (size, type by content, image
pixel count, a ZIP's members and limits); a refused file is answered ``rejected`` with a Chinese reason
naming it, and nothing of it is stored. Accepted bytes go to the blob store and an
:class:`~api.models.Upload` row is committed *before* anything reads the file — nothing accepted is ever
lost, and an upload left ``received`` or ``processing`` by a crash is read again on the next start. A ZIP
is expanded member by member within limits into separate uploads (member names are labels only); a ZIP
with no usable member, or past a limit (a bomb), is refused whole. The same bytes uploaded twice to a
program return the first upload with ``duplicate: true``.

``process`` (run by the worker) reads one upload with ``extractors.extract`` in a time- and memory-limited
child process and stores the :class:`~api.models.Record`.
"""

from __future__ import annotations

import hashlib
import io
import json
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.blobs import BlobStore
from api.db import Database
from api.models import Program, Record, Upload, User, utcnow
from api.sandbox import ChildFailed, run_child
from api.services import audit, programs, rosters
from api.services.accounts import require_writer
from api.services.errors import Invalid, NotFound, ServiceError, TooLarge, UnsupportedType
from api.services.filetypes import FORM_TYPES, detect, safe_name
from docgen.values import SURE

RECEIVED, PROCESSING, DONE, FAILED = "received", "processing", "done", "failed"


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 50 << 20
    zip_members: int = 200
    zip_total_bytes: int = 200 << 20
    zip_ratio: float = 100.0
    image_pixels: int = 100_000_000


@dataclass(frozen=True)
class Incoming:
    """One file of a request. ``size`` is its real size when ``data`` was cut short at the limit."""

    name: str
    data: bytes
    size: int | None = None


@dataclass
class Received:
    """One entry of an upload response: the stored upload, or why the file (or a ZIP member) was refused.

    ``http_status`` is set on a refused file of the request itself (413, 415, 422), not on ZIP members.
    """

    name: str
    upload: Upload | None = None
    duplicate: bool = False
    error: str | None = None
    archive: str | None = None
    http_status: int | None = None


def _mb(n: int) -> str:
    if n < 1 << 20:
        return f"{n / 1024:.0f} KB"
    return f"{n / (1 << 20):.1f}".removesuffix(".0") + " MB"


def check(name: str, data: bytes, limits: Limits, *, inside: str | None = None, size: int | None = None) -> str:
    """The file's type, or the error that refuses it (413 too big, 415 wrong type, 422 bad image).

    ``size``: the file's real size when ``data`` holds only its first ``limits.max_bytes + 1`` bytes.
    """
    where = f"{inside} 中的 {name}" if inside else name
    real = max(len(data), size or 0)
    if real > limits.max_bytes:
        raise TooLarge(f"{where}：文件大小 {_mb(real)} 超过上限 {_mb(limits.max_bytes)}")
    kind, description = detect(data)
    if kind is None:
        raise UnsupportedType(f"{where}：{description}")
    if kind == "xlsx":
        raise UnsupportedType(f"{where}：这是 Excel 工作簿，不是回传的表单；花名册请在“导入花名册”处上传")
    if kind == "zip" and inside:
        raise UnsupportedType(f"{where}：压缩包中嵌套的压缩包不处理，请解压后上传")
    if kind in ("png", "jpeg", "tiff"):
        _check_pixels(where, data, limits.image_pixels)
    return kind


def _check_pixels(where: str, data: bytes, limit: int) -> None:
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as image:  # reads the header only
                width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise Invalid(f"{where}：图片已损坏或无法识别（{type(exc).__name__}）", [{"source": where}]) from None
    if width * height > limit:
        raise TooLarge(
            f"{where}：图片 {width}×{height} 共 {width * height / 1e6:.0f} 百万像素，"
            f"超过上限 {limit / 1e6:.0f} 百万像素；"
            "请缩小后再上传"
        )


def expand_zip(name: str, data: bytes, limits: Limits) -> list[tuple[str, bytes | None, str | None]]:
    """``(label, bytes, None)`` per usable member, ``(label, None, reason)`` per refused member.

    Refuses the whole archive (:class:`Invalid`) for too many members, a total past the limit or a
    compression ratio past the limit (a zip bomb); sizes are checked as read, not trusted from headers.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise Invalid(f"{name}：压缩包已损坏，无法打开", [{"source": name}]) from None
    with archive:
        members = [
            i
            for i in archive.infolist()
            if not i.is_dir() and not i.filename.startswith("__MACOSX/") and not safe_name(i.filename).startswith(".")
        ]
        if len(members) > limits.zip_members:
            raise Invalid(
                f"{name}：压缩包中有 {len(members)} 个文件，超过上限 {limits.zip_members} 个", [{"source": name}]
            )
        declared = sum(i.file_size for i in members)
        if declared > limits.zip_total_bytes:
            raise Invalid(
                f"{name}：解压后共 {_mb(declared)}，超过上限 {_mb(limits.zip_total_bytes)}", [{"source": name}]
            )
        out: list[tuple[str, bytes | None, str | None]] = []
        total = 0
        for info in members:
            label = safe_name(info.filename)
            if info.flag_bits & 0x1:
                out.append((label, None, "文件已加密（设置了密码），无法读取"))
                continue
            if info.file_size / max(info.compress_size, 1) > limits.zip_ratio and info.file_size > (1 << 20):
                raise Invalid(f"{name}：{label} 的压缩比异常（可能是压缩炸弹），整个压缩包未处理", [{"source": name}])
            if info.file_size > limits.max_bytes:
                out.append((label, None, f"文件大小 {_mb(info.file_size)} 超过上限 {_mb(limits.max_bytes)}"))
                continue
            try:
                with archive.open(info) as member:
                    content = member.read(limits.max_bytes + 1)
            except (zipfile.BadZipFile, RuntimeError, OSError, ValueError, EOFError) as exc:
                out.append((label, None, f"无法解压（{type(exc).__name__}）"))
                continue
            total += len(content)
            if len(content) > limits.max_bytes or len(content) > info.file_size or total > limits.zip_total_bytes:
                raise Invalid(f"{name}：{label} 解压后的大小与声明不符或超过上限，整个压缩包未处理", [{"source": name}])
            out.append((label, content, None))
        return out


def _store(
    session: Session,
    blobs: BlobStore,
    program: Program,
    user: User,
    name: str,
    data: bytes,
    digest: str,
    key: str,
    kind: str,
    parent: Upload | None,
) -> tuple[Upload, bool]:
    """The upload row for bytes stored under ``key`` (written now when empty), or the existing one: a duplicate."""
    existing = session.scalar(select(Upload).where(Upload.program_id == program.id, Upload.sha256 == digest))
    if existing is not None:
        return existing, True
    key = key or blobs.put(data)
    upload = Upload(
        program_id=program.id,
        parent_id=parent.id if parent else None,
        original_name=name,
        sha256=digest,
        size=len(data),
        detected_type=kind,
        blob_key=key,
        status=DONE if kind == "zip" else RECEIVED,
        uploaded_by=user.id,
    )
    try:
        with session.begin_nested():
            session.add(upload)
    except IntegrityError:  # the same bytes arrived concurrently
        again = session.scalar(select(Upload).where(Upload.program_id == program.id, Upload.sha256 == digest))
        assert again is not None
        return again, True
    audit.record(session, user, "upload.create", f"upload:{upload.id}", name=name, sha256=digest, type=kind)
    return upload, False


@dataclass
class _Member:
    label: str
    data: bytes | None
    kind: str | None = None
    error: str | None = None


@dataclass
class _Plan:
    """One file of the request after checking: refused (``rejected``), or to store (with its ZIP members)."""

    name: str
    data: bytes = b""
    kind: str | None = None
    members: list[_Member] = field(default_factory=list)
    rejected: Received | None = None


def _plan(item: Incoming, limits: Limits) -> _Plan:
    name = safe_name(item.name)
    try:
        kind = check(name, item.data, limits, size=item.size)
        if kind != "zip":
            return _Plan(name, item.data, kind)
        members: list[_Member] = []
        for label, content, reason in expand_zip(name, item.data, limits):
            if content is None:
                members.append(_Member(label, None, error=f"{name} 中的 {label}：{reason}"))
                continue
            try:
                members.append(_Member(label, content, check(label, content, limits, inside=name)))
            except (TooLarge, UnsupportedType, Invalid) as exc:
                members.append(_Member(label, None, error=exc.message))
        if not any(m.data is not None for m in members):
            why = "；".join(m.error or "" for m in members[:5]) + ("……" if len(members) > 5 else "")
            raise Invalid(
                f"{name}：压缩包中没有可接收的表单文件" + (f"（{why}）" if why else "（压缩包是空的）"),
                [{"source": name}],
            )
        return _Plan(name, item.data, kind, members)
    except ServiceError as exc:
        return _Plan(name, rejected=Received(name, None, error=exc.message, http_status=exc.status))


def receive(
    session: Session,
    blobs: BlobStore,
    program: Program,
    user: User,
    files: Sequence[Incoming | tuple[str, bytes]],
    limits: Limits,
) -> list[Received]:
    """Every file gets its own outcome: stored (or a duplicate of a stored one), or refused with the reason.

    Checks come first (nothing is stored for a refused file), then every accepted blob is written, then the
    rows are added and committed in one transaction (so the database is never held while blobs are written).
    """
    require_writer(user)
    plans = [_plan(f if isinstance(f, Incoming) else Incoming(*f), limits) for f in files]
    contents = [p.data for p in plans if p.rejected is None]
    contents += [m.data for p in plans if p.rejected is None for m in p.members if m.data is not None]
    digests = {id(d): hashlib.sha256(d).hexdigest() for d in contents}
    known: set[str] = set()
    if digests:
        query = select(Upload.sha256).where(Upload.program_id == program.id, Upload.sha256.in_(set(digests.values())))
        known = set(session.scalars(query))
    keys: dict[str, str] = {}
    for data in contents:
        digest = digests[id(data)]
        if digest not in known and digest not in keys:
            keys[digest] = blobs.put(data)
    out: list[Received] = []
    for p in plans:
        if p.rejected is not None:
            out.append(p.rejected)
            continue
        assert p.kind is not None
        digest = digests[id(p.data)]
        upload, dup = _store(session, blobs, program, user, p.name, p.data, digest, keys.get(digest, ""), p.kind, None)
        if p.kind != "zip":
            out.append(Received(p.name, upload, dup))
            continue
        for m in p.members:
            if m.data is None or m.kind is None:
                out.append(Received(m.label, None, error=m.error, archive=p.name))
                continue
            mdigest = digests[id(m.data)]
            member, mdup = _store(
                session, blobs, program, user, m.label, m.data, mdigest, keys.get(mdigest, ""), m.kind, upload
            )
            out.append(Received(m.label, member, mdup, archive=p.name))
    session.commit()
    return out


# --- reading (the worker) -----------------------------------------------------------------------------


def requeue_interrupted(db: Database) -> int:
    """Uploads left ``processing`` by a stopped process go back to ``received``."""
    with db.session() as s:
        result = s.execute(update(Upload).where(Upload.status == PROCESSING).values(status=RECEIVED))
        return int(getattr(result, "rowcount", 0) or 0)


def claim_next(db: Database) -> int | None:
    """Atomically take the oldest ``received`` upload (safe with several worker processes)."""
    with db.session() as s:
        for upload_id in s.scalars(select(Upload.id).where(Upload.status == RECEIVED).order_by(Upload.id).limit(5)):
            result = s.execute(
                update(Upload)
                .where(Upload.id == upload_id, Upload.status == RECEIVED)
                .values(status=PROCESSING, attempts=Upload.attempts + 1, updated_at=utcnow())
            )
            if getattr(result, "rowcount", 0) == 1:
                return int(upload_id)
    return None


def unreadable(source: str, kind: str, message: str) -> dict[str, Any]:
    """An extraction JSON for a file that could not be read at all."""
    return {
        "source": source,
        "input_kind": kind,
        "form": None,
        "identity": None,
        "fields": {},
        "tables": [],
        "status": "unreadable",
        "problems": [{"field": None, "row": None, "message": message, "key": None}],
        "pages": 0,
    }


def process(
    db: Database,
    blobs: BlobStore,
    upload_id: int,
    *,
    timeout: float,
    memory: int,
    max_pixels: int,
    review_threshold: float = SURE,
) -> str:
    """Read one upload into a Record (replacing an earlier one); returns the upload's final status.
    ``review_threshold`` is the service's setting: values less sure than it wait for review."""
    with db.session() as s:
        upload = s.get(Upload, upload_id)
        assert upload is not None
        program = s.get(Program, upload.program_id)
        assert program is not None
        name, kind, key, program_key = upload.original_name, upload.detected_type, upload.blob_key, program.key
    status, error = DONE, None
    if kind not in FORM_TYPES:
        extraction, status, error = unreadable(name, kind, f"{kind} 不是可读取的表单类型"), FAILED, "类型不支持"
    else:
        try:
            args = [str(max_pixels), repr(review_threshold)]
            raw = run_child("extract", blobs.read(key), name, args, timeout=timeout, memory=memory)
            extraction = json.loads(raw)
            if not isinstance(extraction, dict):
                raise ValueError(f"应为 JSON 对象，实际为 {type(extraction).__name__}")
        except ChildFailed as exc:
            extraction, status, error = unreadable(name, kind, f"无法读取：{exc}"), FAILED, str(exc)
        except (ValueError, KeyError) as exc:
            extraction, status, error = unreadable(name, kind, f"读取结果无效：{exc}"), FAILED, str(exc)
        except Exception as exc:  # the stored file is missing, the child cannot start …: fail this upload only
            reason = f"{type(exc).__name__}: {exc}"
            extraction, status, error = unreadable(name, kind, f"无法读取：{reason}"), FAILED, reason
    identity = extraction.get("identity") or {}
    pair = identity.get("pair") if identity.get("program") in (None, program_key) else None
    with db.session() as s:
        upload = s.get(Upload, upload_id)
        assert upload is not None
        record = s.scalar(select(Record).where(Record.upload_id == upload_id))
        if record is None:
            record = Record(upload_id=upload_id, program_id=upload.program_id)
            s.add(record)
        record.pair_label = pair
        record.form = extraction.get("form")
        record.status = str(extraction.get("status") or "unreadable")
        record.extraction = extraction
        record.updated_at = utcnow()
        upload.status, upload.error, upload.updated_at = status, error, utcnow()
    return status


# --- reading back -------------------------------------------------------------------------------------


def _visible(session: Session, user: User, upload: Upload, program: Program) -> bool:
    if user.role != "school" or upload.uploaded_by == user.id:
        return True
    record = session.scalar(select(Record).where(Record.upload_id == upload.id))
    labels = rosters.visible_labels(session, program, user)
    return record is not None and labels is not None and record.pair_label in labels


def get_upload(session: Session, user: User, upload_id: int) -> Upload:
    """An upload the user may see (its own, or of a pair it may see); 404 otherwise."""
    upload = session.get(Upload, upload_id)
    if upload is None:
        raise NotFound(f"上传文件 {upload_id} 不存在")
    program = programs.get_program(session, user, upload.program_id)
    if not _visible(session, user, upload, program):
        raise NotFound(f"上传文件 {upload_id} 不存在")
    return upload


def list_uploads(session: Session, user: User, program: Program | None, status: str | None) -> list[Upload]:
    """The uploads the user may see, in one program or all of its programs, optionally by status."""
    ids = [p.id for p in user.programs] if program is None else [program.id]
    query = select(Upload).where(Upload.program_id.in_(ids)).order_by(Upload.id)
    if status:
        query = query.where(Upload.status == status)
    out = []
    for u in session.scalars(query):
        p = program or session.get(Program, u.program_id)
        assert p is not None
        if _visible(session, user, u, p):
            out.append(u)
    return out


def record_of(session: Session, upload: Upload) -> Record | None:
    """The record read from ``upload``, once there is one."""
    return session.scalar(select(Record).where(Record.upload_id == upload.id))


def crop(
    blobs: BlobStore,
    upload: Upload,
    page: int,
    box: tuple[float, float, float, float],
    *,
    timeout: float,
    memory: int,
    max_pixels: int,
) -> bytes:
    """A PNG of ``box`` on ``page`` of a stored PDF or image, cut in the sandbox child."""
    if upload.detected_type not in ("pdf", "png", "jpeg", "tiff"):
        raise Invalid(f"{upload.original_name}：{upload.detected_type} 文件没有页面图像可裁剪", [{"field": "page"}])
    args = [str(page), *(str(v) for v in box), str(max_pixels)]
    try:
        return run_child(
            "crop", blobs.read(upload.blob_key), upload.original_name, args, timeout=timeout, memory=memory
        )
    except ChildFailed as exc:
        raise Invalid(f"{upload.original_name}：无法裁剪第 {page} 页（{exc}）", [{"field": "page"}]) from None
