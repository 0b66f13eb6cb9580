"""The service's tables (SQLAlchemy 2 typed ORM). Migrations: ``api/migrations`` (run on startup).

Times are naive UTC (``utcnow``) so SQLite and PostgreSQL store the same thing. JSON columns hold plain
data: a pair's schools, an extraction (``Extraction.to_json()``), an audit event's detail.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


BEIJING = timezone(timedelta(hours=8), "北京时间")  # the bureaus' calendar; China has one time zone, no DST


def beijing_today(now: datetime | None = None) -> date:
    """Today's date in Beijing (of ``now``, an aware time; default: now), whatever the server's own time zone:
    ``date.today()`` on a UTC host is still yesterday there until 08:00 Beijing time."""
    return (now or datetime.now(UTC)).astimezone(BEIJING).date()


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


user_programs = Table(
    "user_programs",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("program_id", ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True),
)


class Program(Base):
    __tablename__ = "programs"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(500))
    yaml_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # set when an admin archives the program: hidden from the list by default and read-only (api/services/setup.py)
    archived_at: Mapped[datetime | None] = mapped_column(DateTime)

    @property
    def archived(self) -> bool:
        """The program is archived: shown on request, read-only."""
        return self.archived_at is not None


class Pair(Base):
    """One pair group of a program: its schools are its identity (``key``), its label is what people see.

    A re-import keeps the row of a group whose schools it lists again (relabelled if it moved) and marks a
    group it no longer lists ``removed_at`` instead of deleting it, so records and documents — which point
    at the row (``pair_id``) — never change school (docs/service.md, "Pairs keep their schools"). Labels
    are unique among a program's current pairs only: a removed pair keeps its last label.
    """

    __tablename__ = "pairs"
    __table_args__ = (
        UniqueConstraint("program_id", "key", name="uq_pairs_program_key"),
        Index("ix_pairs_program_label", "program_id", "label"),  # a document's pair by its label (rosters.issue)
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))  # docgen.model.pair_key of the schools ("#2" on a repeat)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime)  # set by the re-import that dropped it
    number: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(50))
    supporting: Mapped[list[Any]] = mapped_column(JSON)  # school names
    supported: Mapped[list[Any]] = mapped_column(JSON)
    schools: Mapped[list[Any]] = mapped_column(JSON)  # [{name, region, stage, party_org, contact, phone, side}]
    level: Mapped[str | None] = mapped_column(String(20))
    stage: Mapped[str | None] = mapped_column(String(20))
    coordinator: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(500), default="")

    @property
    def removed(self) -> bool:
        """The pair is no longer in the program's roster (its records and documents are kept)."""
        return self.removed_at is not None


class PairSchool(Base):
    """A school a pair is on (either side), one row per name: a school account sees the pairs its
    ``school_name`` is on (:func:`api.services.rosters.visible_pairs`), found by this index instead of by
    reading every pair of the program on each of its requests. Written with the pair's names by
    ``api.services.rosters.import_roster``; a removed pair keeps its rows (its records stay the school's)."""

    __tablename__ = "pair_schools"
    __table_args__ = (
        UniqueConstraint("pair_id", "name", name="uq_pair_schools_pair_name"),
        Index("ix_pair_schools_program_name", "program_id", "name"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(500))


class PairLabel(Base):
    """A label printed on documents generated for a pair: ``DG1:<program>:05:…`` on a form issued while
    pair 05 was these schools keeps meaning these schools after a re-import relabels them (written by
    ``api.services.batches.store_result``; ``label`` is the batch unit's, ``05`` or ``05-2``)."""

    __tablename__ = "pair_labels"
    __table_args__ = (UniqueConstraint("program_id", "label", "pair_id", name="uq_pair_labels_program_label_pair"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(50))
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), index=True)
    first_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SchoolNameRow(Base):
    """One entry of a program's school name table (:class:`docgen.school_names.SchoolName`): the full name,
    the short names rosters use for it (joined with 、) and its party organisation; ``position`` keeps the
    order the admin gave. Written whole by ``api.services.school_names.replace``."""

    __tablename__ = "school_names"
    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    full_name: Mapped[str] = mapped_column(String(200))
    short_names: Mapped[str] = mapped_column(Text, default="")
    party_org: Mapped[str] = mapped_column(String(200), default="")


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # admin | school | readonly
    school_name: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime, default=utcnow)  # None: before 0002
    # the password was set by someone else (an admin made the account or reset it): a one-time password the user
    # must replace before anything else (api.deps); kept on the row so the check costs no query per request
    password_set_by_other: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    programs: Mapped[list[Program]] = relationship(secondary=user_programs, lazy="selectin")


class ApiToken(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class LoginSession(Base):
    __tablename__ = "sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class LoginThrottle(Base):
    """Failed logins of one account name or one client address (in the database, so every process agrees).

    ``key`` is an HMAC of ``user:<name>`` or ``addr:<address>``: the names people typed — sometimes a
    password in the wrong box — are not stored in the clear. ``locked_until`` is when the next attempt may run.
    """

    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)


class BatchJob(Base):
    __tablename__ = "batch_jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)  # queued running done failed cancelled
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    # .docx / PDF made so far (docgen.batch.progress_fraction): progress per document while a window converts
    rendered: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    converted: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failed: Mapped[int] = mapped_column(Integer, default=0)
    with_pdf: Mapped[bool] = mapped_column(Boolean, default=False)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    archive_key: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(Text)
    proof: Mapped[str | None] = mapped_column(Text)  # the batch's proofreading summary (docgen.proof)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # the worker running it and when it last said so (api.services.queue: a stale heartbeat is a dead worker)
    worker: Mapped[str | None] = mapped_column(String(100))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime)


class BatchChunk(Base):
    """One chunk of a batch job run by ``docgen worker`` processes (``api.services.chunks``): the documents
    ``start``–``stop`` of the job's plan (``kind`` ``documents``), or the job's last step, its ZIP (``archive``:
    ``waiting`` until every chunk is done). Taken like a batch job (conditional UPDATE, heartbeat, lease);
    a done chunk keeps what its documents came to (counts; failures and proof findings as JSON lists of
    ``[plan index, text]``), from which the ZIP's lists are made."""

    __tablename__ = "batch_chunks"
    __table_args__ = (UniqueConstraint("job_id", "seq", name="uq_batch_chunks_job_seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("batch_jobs.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)  # order in the job; the archive chunk is last
    kind: Mapped[str] = mapped_column(String(20))  # documents | archive
    start: Mapped[int] = mapped_column(Integer)
    stop: Mapped[int] = mapped_column(Integer)
    plan: Mapped[str] = mapped_column(String(64))  # docgen.batch.plan_digest of the plan split
    labels: Mapped[list[str]] = mapped_column(JSON, default=list)  # its pairs' labels (its stored documents')
    status: Mapped[str] = mapped_column(String(20), index=True)  # waiting queued running done failed cancelled
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    rendered: Mapped[int] = mapped_column(Integer, default=0)
    converted: Mapped[int] = mapped_column(Integer, default=0)
    generated: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    proofread: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[list[Any]] = mapped_column(JSON, default=list)
    findings: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    worker: Mapped[str | None] = mapped_column(String(100))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime)


class Document(Base):
    """The latest generated document of one (pair, agreement kind, format) of a program.

    ``pair_id`` is whose document it is; ``pair_label`` the batch unit's label (``05``, ``05-2``), renamed
    with its pair when a re-import relabels it.
    """

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("program_id", "pair_id", "pair_label", "kind", "format", name="uq_documents_pair_kind_format"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    pair_id: Mapped[int | None] = mapped_column(ForeignKey("pairs.id", ondelete="SET NULL"), index=True)
    pair_label: Mapped[str] = mapped_column(String(50))
    pair: Mapped[Pair | None] = relationship(lazy="selectin")
    kind: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300), default="")
    format: Mapped[str] = mapped_column(String(10))
    file_name: Mapped[str] = mapped_column(String(500))  # the name inside the ZIP (a label, not a path on disk)
    blob_key: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer, default=0)
    pages: Mapped[int | None] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(64))
    # docgen.proof.ProofReport.summary(): 无, 草稿, or the findings by kind ("" when not proofread)
    proof: Mapped[str] = mapped_column(Text, default="", server_default="")
    job_id: Mapped[int | None] = mapped_column(ForeignKey("batch_jobs.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # a party could not sign yet when it was made (docgen.batch.DocumentJob.draft_reasons, joined with ；)
    draft: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    draft_reasons: Mapped[str] = mapped_column(Text, default="", server_default="")

    @property
    def pair_removed(self) -> bool:
        """The document's pair is no longer in the roster (or, made before pairs kept their schools, unknown)."""
        return self.pair is None or self.pair.removed


UPLOAD_SCOPE_STAFF = "staff"


def upload_scope(user: User) -> str:
    """Whose duplicates an upload by ``user`` is checked against: a school account's own uploads
    (``user:<id>``), or the bureau staff's together (``staff``; they see every upload of their programs).

    So the same bytes sent by another school are a fresh upload of its own, never an answer about someone
    else's file (docs/security.md, "Scoping").
    """
    return f"user:{user.id}" if user.role == "school" else UPLOAD_SCOPE_STAFF


class Upload(Base):
    __tablename__ = "uploads"
    __table_args__ = (UniqueConstraint("program_id", "sha256", "scope", name="uq_uploads_program_sha256_scope"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id", ondelete="SET NULL"))
    original_name: Mapped[str] = mapped_column(String(300))  # sanitised; a label, never a path
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    detected_type: Mapped[str] = mapped_column(String(20))  # docx pdf png jpeg tiff zip
    blob_key: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), index=True)  # received processing done failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # the worker that took it (kept: who read it) and its last heartbeat while reading (api.services.queue)
    worker: Mapped[str | None] = mapped_column(String(100))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime)
    error: Mapped[str | None] = mapped_column(Text)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    scope: Mapped[str] = mapped_column(String(50), default=UPLOAD_SCOPE_STAFF)  # upload_scope(): dedup per uploader
    # the slot (identity code) of the phone upload link it came through (docgen.upload_links); None: an account's
    link: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Excluded by the bureau (api.services.collection.exclude): kept and audited, but its record counts in
    # neither the 台账 nor the collection board until the exclusion is undone.
    excluded_at: Mapped[datetime | None] = mapped_column(DateTime)
    excluded_by: Mapped[str] = mapped_column(String(100), default="", server_default="")
    exclude_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    @property
    def excluded(self) -> bool:
        return self.excluded_at is not None


class Template(Base):
    """A .docx template an admin uploaded (``POST /api/templates``); its bytes are in the blob store.

    A separate table from ``uploads`` on purpose: a returned form can never become a template, because a
    program's template name resolves only against the built-in templates and this table.
    """

    __tablename__ = "templates"
    id: Mapped[int] = mapped_column(primary_key=True)
    # docgen.naming.TEMPLATE_NAME, without .docx; unique among the templates one admin sees (its bureau's), not
    # across bureaus: another bureau's names are none of its business (api.services.templates.upload)
    name: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    blob_key: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_by_name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Record(Base):
    """What was read from one upload: the extraction JSON, kept current by corrections."""

    __tablename__ = "records"
    id: Mapped[int] = mapped_column(primary_key=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("uploads.id", ondelete="CASCADE"), unique=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    # Whose record it is (the pair's schools); pair_label is the label shown (``05``, a per-school ``05.2``),
    # renamed with the pair by a re-import. A label without a pair: filed by staff under a label no pair has.
    pair_id: Mapped[int | None] = mapped_column(ForeignKey("pairs.id", ondelete="SET NULL"), index=True)
    pair_label: Mapped[str | None] = mapped_column(String(50), index=True)
    pair: Mapped[Pair | None] = relationship(lazy="selectin")
    form: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), index=True)  # complete needs_review unreadable
    # The identity code ("<program key>:<pair>") when a school uploaded a form printed for a pair that is not
    # its own (or of another program): pair_label stays empty until an admin assigns the record.
    mismatch: Mapped[str | None] = mapped_column(String(300))
    extraction: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The same filled form returned before in another file (a Word file, then a scan of it:
    # docgen.collection.same_form): this record is that one's linked copy and is counted only there.
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("records.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def pair_removed(self) -> bool:
        """The record belongs to a pair that is no longer in the roster (it stays those schools' record)."""
        return self.pair is not None and self.pair.removed


class Correction(Base):
    __tablename__ = "corrections"
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(300))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    username: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class RosterPreview(Base):
    """A roster file uploaded for a preview (``POST /api/programs/{id}/roster/preview``), kept until it is
    confirmed, cancelled or expires (``api.services.roster_preview``).

    ``id`` is an opaque random token (never a path); the row belongs to one program and one user, who alone
    can see, re-parse or confirm it. The file's bytes are in the row, so deleting the row deletes them.
    ``result`` is the last parse (groups, problems, tables) under ``overrides`` (the person's column mapping).
    """

    __tablename__ = "roster_previews"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(300))  # sanitised; a label, never a path
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    overrides: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class AuditEvent(Base):
    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    username: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(100), index=True)
    target: Mapped[str] = mapped_column(String(200), default="")
    # The program the target belongs to (set when written): an admin sees only its programs' events.
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id", ondelete="SET NULL"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


__all__ = [
    "ApiToken",
    "AuditEvent",
    "Base",
    "BatchJob",
    "Correction",
    "Document",
    "LoginSession",
    "LoginThrottle",
    "Pair",
    "PairLabel",
    "Program",
    "Record",
    "RosterPreview",
    "Template",
    "Upload",
    "User",
    "upload_scope",
    "utcnow",
]
