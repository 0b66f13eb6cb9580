"""Phone upload links in the service: the link each generated blank form carries, and what a link may do.

A link (:mod:`docgen.upload_links`) is made for a form when its batch runs, if ``public_base_url`` is set,
with the validity of ``upload_link_days`` (or the program's period end + 30 days, or 180 days). Its holder,
with no account and no cookie, may do exactly two things: see which program, pair and form the link is for
(:func:`slot`), and send files for that slot (:func:`receive`) — they go through the normal upload
checks, limits and queue as the program's uploads, attributed to the link in the audit, and are filed
under the link's pair (:func:`api.services.uploads.file_pair`). A refused link is 403 with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from api.blobs import BlobStore
from api.models import Program, utcnow
from api.services import programs, rosters
from api.services import uploads as upload_service
from api.services.errors import Forbidden
from api.settings import Settings
from docgen.batch import UploadLinks
from docgen.extraction import FormIdentity
from docgen.forms import load_schemas
from docgen.upload_links import LinkRefused, UploadLink, expiry, verify


def today() -> date:
    """The day links are made and checked on (UTC, as every time the service stores)."""
    return utcnow().date()


def link_maker(settings: Settings, program: Program, secret: str, on: date | None = None) -> UploadLinks | None:
    """The function a batch uses to give each blank form of ``program`` its link; None without
    ``public_base_url`` (the forms then carry their identity code alone)."""
    base = settings.public_base_url.strip()
    if not base:
        return None
    expires = validity(settings, program, on)
    assert expires is not None

    def make(identity: FormIdentity) -> str:
        return UploadLink(program.id, identity, expires).url(base, secret)

    return make


def validity(settings: Settings, program: Program, on: date | None = None) -> date | None:
    """The last day the links of forms generated now for ``program`` work; None when links are off."""
    if not settings.public_base_url.strip():
        return None
    return expiry(on or today(), programs.domain(program).period_end, settings.upload_link_days)


@dataclass(frozen=True)
class Slot:
    """What a verified link is for, in words for the page: the program, the pair as labelled now, its
    schools, the school a per-school form is for, the form's title, and the link's last day."""

    program: Program
    link: UploadLink
    pair_label: str
    supporting: tuple[str, ...]
    supported: tuple[str, ...]
    school: str
    form_title: str


def slot(session: Session, secret: str, code: str, token: str, on: date | None = None) -> Slot:
    """The slot a link grants; :class:`Forbidden` (403) with the reason for a malformed, tampered with or
    expired link, or one whose program or pair no longer exists."""
    try:
        link = verify(secret, code, token, on or today())
    except LinkRefused as exc:
        raise Forbidden(str(exc)) from None
    program = session.get(Program, link.program_id)
    if program is None:
        raise Forbidden("上传链接对应的项目已不存在：请联系教育局")
    if programs.domain(program).key != link.identity.program:
        raise Forbidden("上传链接对应的项目已更改：请向教育局索取重新生成的表格")
    school_part = link.identity.pair.partition(".")[2]
    candidates = rosters.printed_pairs(session, program, link.identity.pair)
    if len(candidates) != 1:
        raise Forbidden(f"上传链接对应的结对 {link.identity.pair} 已不在花名册中：请联系教育局")
    pair, label = candidates[0]
    names = [str(s.get("name", "")) for s in pair.schools] if pair.schools else []
    school = ""
    if school_part.isdigit() and 1 <= int(school_part) <= len(names):
        school = names[int(school_part) - 1]
    schema = load_schemas().get(link.identity.form)
    title = schema.title if schema is not None else link.identity.form
    return Slot(
        program,
        link,
        label,
        tuple(str(n) for n in pair.supporting or ()),
        tuple(str(n) for n in pair.supported or ()),
        school,
        title,
    )


def receive(
    session: Session,
    blobs: BlobStore,
    secret: str,
    code: str,
    token: str,
    files: Sequence[upload_service.Incoming],
    limits: upload_service.Limits,
) -> tuple[Slot, list[upload_service.Received]]:
    """Files sent through a link: the link is checked first (403), then every file as any upload of the
    program (type, size, pixels, ZIP limits, duplicates, the queue cap counted per link)."""
    granted = slot(session, secret, code, token)
    uploader = upload_service.Uploader.via_link(granted.link.identity.code)
    return granted, upload_service.receive_as(session, blobs, granted.program, uploader, files, limits)
