"""Returned forms in: store first, then read them off the request path.

``receive`` gives every file of a request its own outcome. Each is checked (size, type by content, image
pixel count, a ZIP's members and limits); a refused file is answered ``rejected`` with a Chinese reason
naming it, and nothing of it is stored. Accepted bytes go to the blob store and an
:class:`~api.models.Upload` row is committed *before* anything reads the file — nothing accepted is ever
lost, and an upload left ``received`` or ``processing`` by a crash is read again on the next start. A ZIP
is expanded member by member within limits into separate uploads (member names are labels only); a bad
member (damaged, encrypted, a bomb) is refused by name while the good ones are stored; a ZIP with no usable
member, or past a total limit, is refused whole. The same bytes uploaded twice to a
program by the same uploader scope (:func:`~api.models.upload_scope`: one school account, or the bureau
staff) return the first upload with ``duplicate: true``; from another school they are a fresh upload of its
own (sharing the stored blob), so the answer never tells about someone else's file.

Filing (:func:`file_pair`): a record goes under the pair — the schools — its identity code was printed for
(a re-import that relabels the pair later does not move it) — but a school account's form naming a pair that
is not the school's own (or another program) is an identity *mismatch*: filed under no pair, seen by the
uploading school as its own upload on hold and by the admin, who files it with :func:`assign`.

``process`` (run by the worker) reads one upload with ``extractors.extract`` in a time- and memory-limited
child process and stores the :class:`~api.models.Record`.
"""

from __future__ import annotations

import hashlib
import io
import json
import warnings
import zipfile
import zlib
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from api.blobs import BlobNotFound, BlobStore, BlobStoreUnavailable
from api.db import Database
from api.models import UPLOAD_SCOPE_STAFF, Pair, Program, Record, Upload, User, upload_scope, utcnow
from api.sandbox import ChildFailed, run_child
from api.scheduling import next_upload
from api.services import audit, programs, queue, rosters
from api.services.accounts import Role, require_admin, require_writer
from api.services.errors import Invalid, ServiceError, TooLarge, UnsupportedType, public_text
from api.services.filetypes import FORM_TYPES, IMAGE_TYPES, safe_name, upload_type
from docgen.extraction import Extraction, FormIdentity
from docgen.forms import load_schemas
from docgen.forms.generate import printed_texts
from docgen.model import owner
from docgen.pair_names import checked_by_pair
from docgen.review import FOREIGN_KEY, foreign_form
from docgen.values import SURE

T = TypeVar("T")


class UploadStatus(StrEnum):
    """Where an upload is (``uploads.status``): received → processing → done or failed; a ZIP is done at once."""

    RECEIVED = "received"
    PROCESSING = "processing"
    DONE = "done"
    FAILED = "failed"


RECEIVED, PROCESSING, DONE, FAILED = (UploadStatus.RECEIVED, UploadStatus.PROCESSING, UploadStatus.DONE,
                                      UploadStatus.FAILED)
FINISHED = (DONE, FAILED)
MISMATCH_NOTICE = "身份不符，待管理员处理"
FOREIGN_NOTICE = "属于另一个项目，未计入本项目"


def notice_of(mismatch: str | None, problems: Sequence[Any]) -> str | None:
    """The badge of a held record: another program's form (its problem says which), or a school's form naming a
    pair not its own; None for a record filed normally."""
    if not mismatch:
        return None
    foreign = any(isinstance(p, dict) and p.get("key") == FOREIGN_KEY for p in problems)
    return FOREIGN_NOTICE if foreign else MISMATCH_NOTICE


@dataclass(frozen=True)
class Uploader:
    """Who sends a file: an account (``user``), or — with ``user`` None — whoever holds a phone upload link
    for the slot ``link`` (a form's identity code; :mod:`docgen.upload_links`). ``scope`` is whose
    duplicates the upload is checked against (:func:`~api.models.upload_scope`; ``link:<code>`` for a link)."""

    user: User | None
    scope: str
    link: str | None = None

    @classmethod
    def account(cls, user: User) -> Uploader:
        return cls(user, upload_scope(user))

    @classmethod
    def via_link(cls, code: str) -> Uploader:
        return cls(None, f"link:{code}"[:50], code)


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 50 << 20
    zip_members: int = 200
    zip_total_bytes: int = 200 << 20
    zip_ratio: float = 100.0
    image_pixels: int = 100_000_000
    queued_per_user: int = 200  # a user's uploads waiting to be read (received + processing); more is 429


QUEUE_FULL_RETRY_SECONDS = 5
"""The Retry-After of a 429 for a full reading queue: a form is read in 0.02–3 s, so room opens within seconds."""


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
    kind, description = upload_type(data, in_zip=bool(inside))
    if kind is None:
        raise UnsupportedType(f"{where}：{description}")
    if kind in IMAGE_TYPES:
        _check_pixels(where, data, limits.image_pixels)
    return kind


def _check_pixels(where: str, data: bytes, limit: int) -> None:
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as image:  # reads the header only
                width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        # no exception class name: the clerk is told what to do, not what Pillow raised
        raise Invalid(f"{where}：图片已损坏或无法识别，请重新拍照或扫描后上传", [{"source": where}]) from None
    if width * height > limit:
        raise TooLarge(
            f"{where}：图片 {width}×{height} 共 {width * height / 1e6:.0f} 百万像素，"
            f"超过上限 {limit / 1e6:.0f} 百万像素；"
            "请缩小后再上传"
        )


def expand_zip(name: str, data: bytes, limits: Limits) -> list[tuple[str, bytes | None, str | None]]:
    """``(label, bytes, None)`` per usable member, ``(label, None, reason)`` per refused member.

    One bad member does not refuse the others: a member that is encrypted, too big, compressed past the
    ratio limit (a zip bomb: never inflated), damaged, or whose size does not match its header is refused by
    name with a Chinese reason, and the good members are read. The whole archive is refused
    (:class:`Invalid`) only when it cannot be opened, has too many members, or declares or inflates to more
    than the total limit; sizes are checked as read, not trusted from headers.
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
                out.append((label, None, "压缩比异常（可能是压缩炸弹），未解压"))
                continue
            if info.file_size > limits.max_bytes:
                out.append((label, None, f"文件大小 {_mb(info.file_size)} 超过上限 {_mb(limits.max_bytes)}"))
                continue
            try:
                with archive.open(info) as member:
                    content = member.read(limits.max_bytes + 1)
            except NotImplementedError:  # a compression method zipfile does not know (e.g. deflate64)
                out.append((label, None, "压缩方式不受支持，请用常见的 ZIP 格式重新压缩"))
                continue
            except (zipfile.BadZipFile, RuntimeError, OSError, ValueError, EOFError, zlib.error):
                out.append((label, None, "文件在压缩包中已损坏（校验失败），无法解压"))
                continue
            if len(content) > limits.max_bytes or len(content) > info.file_size:
                out.append((label, None, "解压后的大小与压缩包中记录的不符（文件已损坏或被篡改），未处理"))
                continue
            total += len(content)
            if total > limits.zip_total_bytes:
                raise Invalid(f"{name}：解压后的总大小超过上限 {_mb(limits.zip_total_bytes)}，整个压缩包未处理",
                              [{"source": name}])
            out.append((label, content, None))
        return out


def _store(
    session: Session,
    blobs: BlobStore,
    program: Program,
    uploader: Uploader,
    name: str,
    data: bytes,
    digest: str,
    key: str,
    kind: str,
    parent: Upload | None,
) -> tuple[Upload, bool]:
    """The upload row for bytes stored under ``key`` (written now when empty), or the uploader scope's
    existing one: a duplicate. Another scope's upload of the same bytes is neither returned nor named."""
    scope, user = uploader.scope, uploader.user
    same = select(Upload).where(Upload.program_id == program.id, Upload.sha256 == digest, Upload.scope == scope)
    existing = session.scalar(same)
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
        uploaded_by=user.id if user is not None else None,
        scope=scope,
        link=uploader.link,
    )
    try:
        with session.begin_nested():
            session.add(upload)
    except IntegrityError:  # the same bytes arrived concurrently from the same scope
        again = session.scalar(same)
        assert again is not None
        return again, True
    via: dict[str, Any] = {"link": uploader.link} if uploader.link else {}
    audit.record(session, user, "upload.create", f"upload:{upload.id}", name=name, sha256=digest, type=kind, **via)
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


def queued_count(session: Session, user: User | Uploader) -> int:
    """How many of ``user``'s uploads wait to be read (``received`` or ``processing``); for a link, the
    uploads sent through links to that slot."""
    uploader = user if isinstance(user, Uploader) else Uploader.account(user)
    whose = (
        Upload.uploaded_by == uploader.user.id if uploader.user is not None else Upload.link == uploader.link
    )
    query = select(func.count(Upload.id)).where(whose, Upload.status.in_((RECEIVED, PROCESSING)))
    return int(session.scalar(query) or 0)


def _apply_queue_cap(
    session: Session, user: Uploader, plans: list[_Plan], digests: dict[int, str], known: set[str], cap: int
) -> bool:
    """Refuse (429) the new files past ``user``'s room in the reading queue; True when any was refused.

    Duplicates of stored files and ZIP containers take no room; a ZIP whose every member is refused is refused.
    """
    room = cap - queued_count(session, user)
    seen: set[str] = set()
    refused = False

    def take(data: bytes) -> bool:
        nonlocal room
        digest = digests[id(data)]
        if digest in known or digest in seen:
            return True
        if room <= 0:
            return False
        room -= 1
        seen.add(digest)
        return True

    message = f"您排队等待识别的文件已达上限 {cap} 个，请等已上传的文件识别完成后再上传"
    for p in plans:
        if p.rejected is not None:
            continue
        if p.kind != "zip":
            if not take(p.data):
                p.rejected = Received(p.name, None, error=f"{p.name}：{message}", http_status=429)
                refused = True
            continue
        for m in p.members:
            if m.data is not None and not take(m.data):
                m.data, m.error, refused = None, f"{p.name} 中的 {m.label}：{message}", True
        if not any(m.data is not None for m in p.members):
            p.rejected = Received(p.name, None, error=f"{p.name}：{message}", http_status=429)
    return refused


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
    return receive_as(session, blobs, program, Uploader.account(user), files, limits)


def receive_as(
    session: Session,
    blobs: BlobStore,
    program: Program,
    user: Uploader,
    files: Sequence[Incoming | tuple[str, bytes]],
    limits: Limits,
) -> list[Received]:
    """:func:`receive` for an :class:`Uploader` already allowed to upload here (an account that may write,
    or a verified phone upload link): the same checks, limits, duplicates and one commit."""
    programs.require_active(program)  # an archived program takes no upload, by account or by link
    plans = [_plan(f if isinstance(f, Incoming) else Incoming(*f), limits) for f in files]
    contents = [p.data for p in plans if p.rejected is None]
    contents += [m.data for p in plans if p.rejected is None for m in p.members if m.data is not None]
    digests = {id(d): hashlib.sha256(d).hexdigest() for d in contents}
    keys: dict[str, str] = {}  # sha256 -> blob key: bytes already stored (by anyone) are not written again
    if digests:
        query = select(Upload.sha256, Upload.blob_key).where(
            Upload.program_id == program.id, Upload.sha256.in_(set(digests.values()))
        )
        keys = {digest: key for digest, key in session.execute(query)}
    if _apply_queue_cap(session, user, plans, digests, set(keys), limits.queued_per_user):
        contents = [p.data for p in plans if p.rejected is None]
        contents += [m.data for p in plans if p.rejected is None for m in p.members if m.data is not None]
    for data in contents:
        digest = digests[id(data)]
        if digest not in keys:
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


def queued_ids(results: Sequence[Received]) -> list[int]:
    """The uploads of a :func:`receive` answer that wait to be read (stored now, not duplicates nor ZIPs)."""
    return [r.upload.id for r in results if r.upload is not None and not r.duplicate and r.upload.status == RECEIVED]


def requeue_interrupted(db: Database) -> int:
    """Uploads left ``processing`` by a stopped process go back to ``received``."""
    return queue.requeue_interrupted(db, Upload, running=PROCESSING, queued=RECEIVED)


def requeue_stale(db: Database, lease: float) -> list[int]:
    """Uploads a dead worker left ``processing`` (no heartbeat for ``lease`` seconds) go back to ``received``."""
    return queue.requeue_stale(db, Upload, running=PROCESSING, queued=RECEIVED, lease=lease)


@dataclass(frozen=True)
class Claimed:
    """An upload a worker took, with what reading it needs (loaded in the claim's own transaction)."""

    upload_id: int
    name: str
    kind: str
    blob_key: str
    printed: dict[str, tuple[str, ...]]  # the program's printed sentences per form kind, never read as values


def claim_next(db: Database, worker: str = "") -> int | None:
    """Atomically take the next ``received`` upload, round-robin by uploader (:func:`api.scheduling.next_upload`):
    the oldest upload of the uploader whose upload was taken least recently. Safe with several worker processes
    (:func:`api.services.queue.take`; a lost race tries again). ``worker`` names the taker on the row.
    """
    return _take(db, worker, lambda _session, upload_id: upload_id)


def take_next(db: Database, worker: str = "") -> Claimed | None:
    """:func:`claim_next`, with what reading the upload needs loaded in the claim's own transaction: a worker's
    round trips to the database around a read are its overhead (≈ 5–10 ms each on a busy machine)."""
    return _take(db, worker, lambda session, upload_id: _claimed(*_rows(session, upload_id)))


def _take(db: Database, worker: str, then: Callable[[Session, int], T]) -> T | None:
    """The claim: the waiting heads of every uploader with when each was last served, in one query, then the
    conditional UPDATE; ``then`` the taken upload's id, in the same transaction."""
    # last served = an upload of theirs taken (processing) or finished; ZIP containers are never read
    done = aliased(Upload)
    served = (
        select(func.max(done.updated_at))
        .where(
            done.uploaded_by == Upload.uploaded_by,
            done.status.in_((PROCESSING, DONE, FAILED)),
            done.detected_type != "zip",
        )
        .correlate(Upload)
        .scalar_subquery()
    )
    for _ in range(5):
        with db.session() as s:
            heads = s.execute(
                select(Upload.uploaded_by, func.min(Upload.id), served)
                .where(Upload.status == RECEIVED)
                .group_by(Upload.uploaded_by)
            ).all()
            if not heads:
                return None
            last: dict[Hashable, datetime | None] = {u: t for u, _, t in heads if u is not None}
            upload_id = next_upload([(int(i), u) for u, i, _ in heads], last)
            if upload_id is None:
                return None
            more = {"attempts": Upload.attempts + 1, "updated_at": utcnow()}
            if queue.take(s, Upload, upload_id, queued=RECEIVED, running=PROCESSING, worker=worker, **more):
                return then(s, int(upload_id))
    return None


def _rows(session: Session, upload_id: int) -> tuple[Upload, Program]:
    """An upload and its program, in one query."""
    upload, program = session.execute(
        select(Upload, Program).join(Program, Program.id == Upload.program_id).where(Upload.id == upload_id)
    ).one()
    return upload, program


def _claimed(upload: Upload, program: Program) -> Claimed:
    # what the program's blank forms print (their notes, the 统计表's 备注 footer) is not a returned value
    printed = printed_texts(programs.domain(program), load_schemas())
    return Claimed(upload.id, upload.original_name, upload.detected_type, upload.blob_key, printed)


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
        upload, program = _rows(s, upload_id)
    return read_claimed(db, blobs, _claimed(upload, program), timeout=timeout, memory=memory, max_pixels=max_pixels,
                        review_threshold=review_threshold)  # fmt: skip


def read_claimed(
    db: Database,
    blobs: BlobStore,
    claimed: Claimed,
    *,
    timeout: float,
    memory: int,
    max_pixels: int,
    review_threshold: float = SURE,
) -> str:
    """:func:`process` of an upload :func:`take_next` took (what it needs already loaded)."""
    upload_id, name, kind, key, printed = (claimed.upload_id, claimed.name, claimed.kind, claimed.blob_key,
                                           claimed.printed)  # fmt: skip
    status, error, data = DONE, None, b""
    if kind not in FORM_TYPES:
        extraction, status, error = unreadable(name, kind, f"{kind} 不是可读取的表单类型"), FAILED, "类型不支持"
    else:
        try:
            data = blobs.read(key)
        except BlobStoreUnavailable:
            # the store is down, not the file bad: the upload goes back to the queue instead of failing
            with db.session() as s:
                queue.release(s, Upload, upload_id, running=PROCESSING, queued=RECEIVED)
            raise
        except BlobNotFound as exc:  # the stored bytes are gone: no later try can read them
            extraction, status, error = unreadable(name, kind, f"无法读取：{exc.message}"), FAILED, exc.message
    if status == DONE:
        try:
            args = [str(max_pixels), repr(review_threshold), json.dumps(printed, ensure_ascii=False)]
            raw = run_child("extract", data, name, args, timeout=timeout, memory=memory)
            extraction = json.loads(raw)
            if not isinstance(extraction, dict):
                raise ValueError(f"应为 JSON 对象，实际为 {type(extraction).__name__}")
        except ChildFailed as exc:
            reason = public_text(str(exc))
            extraction, status, error = unreadable(name, kind, f"无法读取：{reason}"), FAILED, reason
        except (ValueError, KeyError) as exc:
            reason = public_text(str(exc))
            extraction, status, error = unreadable(name, kind, f"读取结果无效：{reason}"), FAILED, reason
        except Exception as exc:  # the child cannot start …: fail this upload only
            reason = f"{type(exc).__name__}: {public_text(str(exc))}"
            extraction, status, error = unreadable(name, kind, f"无法读取：{reason}"), FAILED, reason
    with db.session() as s:
        # the upload, its program and an earlier record of it in one round trip
        upload, program, record = s.execute(
            select(Upload, Program, Record)
            .join(Program, Program.id == Upload.program_id)
            .outerjoin(Record, Record.upload_id == Upload.id)
            .where(Upload.id == upload_id)
        ).one()
        filing = file_pair(s, program, upload, extraction.get("identity") or {})
        if record is None:
            record = Record(upload_id=upload_id, program_id=upload.program_id)
            s.add(record)
        record.pair_id, record.pair_label, record.mismatch = filing.pair_id, filing.label, filing.mismatch
        if filing.schools or filing.foreign is not None:
            extraction = _as_filed(extraction, filing, review_threshold)
        # a phone link names its slot's form: a photo whose code could not be read still says which form it is
        slot = FormIdentity.parse(upload.link) if upload.link else None
        record.form = extraction.get("form") or (slot.form if slot is not None else None)
        record.status = str(extraction.get("status") or "unreadable")
        record.extraction = extraction
        record.updated_at = utcnow()
        record.duplicate_of = None
        s.flush()
        # the same filled form sent before in another file (Word, then a scan): linked, counted once
        from api.services.collection import link_copy  # (here: collection reads records, which read this module)

        link_copy(s, record)
        upload.status, upload.error, upload.updated_at = status, error, utcnow()
    return status


def _as_filed(extraction: dict[str, Any], filing: Filing, threshold: float) -> dict[str, Any]:
    """``extraction`` (its JSON) once filed: its schools' names checked against the pair's
    (:func:`docgen.pair_names.checked_by_pair`: read unsure but whole, made sure; read as a piece, doubted), and
    a form of another program kept from reading 完整 (:func:`docgen.review.foreign_form`). As it was when it is
    an unreadable file's stub (already not 完整)."""
    try:
        typed = Extraction.from_json(extraction)
    except (KeyError, ValueError, TypeError):
        return extraction
    filed = checked_by_pair(typed, filing.schools, threshold)
    if filing.foreign is not None:
        filed = foreign_form(filed, filing.foreign, threshold)
    return extraction if filed is typed else filed.to_json()


# --- filing -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filing:
    """Where a record goes: its pair (``pair_id``, None for none) and the label it shows, or ``mismatch`` —
    the identity code (``"<program>:<pair>"``) of a form held for the admin."""

    pair_id: int | None = None
    label: str | None = None
    mismatch: str | None = None
    foreign: str | None = None  # the other program's key, when the identity names another program
    schools: tuple[str, ...] = ()  # the names of the pair's schools (a second reading of the names on the form)


def _under(pair: Pair, label: str) -> Filing:
    """Filed under ``pair``, shown as ``label``."""
    return Filing(pair.id, label, schools=(*pair.supporting, *pair.supported))


def file_pair(session: Session, program: Program, upload: Upload, identity: dict[str, Any]) -> Filing:
    """Where a record read from ``upload`` whose identity code is ``identity`` is filed.

    The printed pair label means the schools it was printed for (:func:`api.services.rosters.printed_pairs`:
    a form printed as 05 before a re-import belongs to the schools 05 was then). A school account may file
    only under its own pairs: a code naming none of them, or another program, is a mismatch — no pair (so
    no other school sees it) and ``mismatch`` = ``"<program>:<pair>"`` for the admin to resolve. An upload
    whose school account is gone cannot be checked, so it is held the same way. The bureau staff's upload
    goes under the one pair the label means; a label printed for several pairs in turn is held too, and a
    label no pair has is kept as the label alone. No code: no pair, no mismatch. A form of another program is
    held whoever sent it (``foreign``): :func:`process` adds the problem that keeps it from reading 完整.
    """
    claimed_program, claimed_pair = identity.get("program"), identity.get("pair")
    if upload.link is not None:
        return _file_link_upload(session, program, upload.link, claimed_program, claimed_pair)
    if not claimed_pair:
        return Filing()
    printed = str(claimed_pair)
    held = Filing(mismatch=f"{claimed_program or program.key}:{printed}")
    if claimed_program not in (None, program.key):
        # another program's form: held for everyone (the bureau's own upload too) — it counts for no pair here
        return Filing(mismatch=held.mismatch, foreign=str(claimed_program))
    candidates = rosters.printed_pairs(session, program, printed)
    if upload.scope == UPLOAD_SCOPE_STAFF:
        if not candidates:
            return Filing(label=printed)
        return _under(*candidates[0]) if len(candidates) == 1 else held
    uploader = session.get(User, upload.uploaded_by) if upload.uploaded_by is not None else None
    if uploader is None or uploader.role != Role.SCHOOL:
        return held
    visible = rosters.visible_pairs(session, program, uploader)
    mine = [(pair, label) for pair, label in candidates if rosters.pair_visible_to(visible, pair.id)]
    return _under(*mine[0]) if len(mine) == 1 else held


def _file_link_upload(
    session: Session, program: Program, link: str, claimed_program: Any, claimed_pair: Any
) -> Filing:
    """A phone link upload goes under the slot its link was issued for: the pair the identity code of the
    link names. A file whose own code names another pair or program is held for the admin, like a school's."""
    slot = FormIdentity.parse(link)
    if slot is None:  # not written by this service: hold it
        return Filing(mismatch=link)
    held = Filing(mismatch=f"{claimed_program or program.key}:{claimed_pair or slot.pair}")
    if claimed_pair and (str(claimed_pair) != slot.pair or claimed_program not in (None, slot.program)):
        return held
    if slot.program != program.key:
        return held
    candidates = rosters.printed_pairs(session, program, slot.pair)
    return _under(*candidates[0]) if len(candidates) == 1 else held


def assign(session: Session, user: User, record: Record, pair: str) -> Record:
    """File a record under ``pair`` (a label of the program's current roster; admins): resolves an identity
    mismatch, or re-files."""
    require_admin(user)
    program = programs.get_program(session, user, record.program_id)
    programs.require_active(program)
    target = owner(rosters.list_pairs(session, program), pair)
    if target is None:
        raise Invalid(f"项目“{program.name}”没有结对 {pair}", [{"field": "pair", "value": pair}])
    old, claimed = record.pair_label, record.mismatch
    record.pair, record.pair_label, record.mismatch, record.updated_at = target, pair, None, utcnow()
    audit.record(session, user, "record.assign", f"record:{record.id}", old=old, new=pair, mismatch=claimed)
    return record


# --- reading back -------------------------------------------------------------------------------------


def _visible(session: Session, user: User, upload: Upload, program: Program) -> bool:
    if user.role != "school" or upload.uploaded_by == user.id:
        return True
    record = session.scalar(select(Record).where(Record.upload_id == upload.id))
    return (
        record is not None
        and record.pair_id is not None
        and rosters.pair_visible_to(rosters.visible_pairs(session, program, user), record.pair_id)
    )


def get_upload(session: Session, user: User, upload_id: int) -> Upload:
    """An upload the user may see (its own, or of a pair it may see); 404 otherwise."""
    return programs.get_in_program(
        session, user, Upload, upload_id, "上传文件", lambda u, p: _visible(session, user, u, p)
    )


def list_uploads(
    session: Session, user: User, program: Program | None, status: str | None, *, excluded: bool | None = None
) -> list[Upload]:
    """The uploads the user may see, in one program or all of its programs, optionally by status and by whether
    the bureau excluded them (``excluded``: True only those, False only those that count)."""
    ids = [p.id for p in user.programs] if program is None else [program.id]
    query = select(Upload).where(Upload.program_id.in_(ids)).order_by(Upload.id)
    if status:
        query = query.where(Upload.status == status)
    if excluded is not None:
        query = query.where(Upload.excluded_at.is_not(None) if excluded else Upload.excluded_at.is_(None))
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
