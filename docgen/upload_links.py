"""Phone upload links: a signed, expiring link to one slot — one program, one pair, one form — printed in the
QR code of that slot's blank form.

A liaison scans the QR with the phone camera and lands on a page where photos or files of that one form can
be sent without an account. The link is the only credential, so it grants exactly that upload and nothing
else: it names the slot and its expiry, and an HMAC of both with the server's secret proves it was issued
by the server. Nothing is stored per link; a form regenerated later carries a new link (a new expiry) and
the old one stays valid until its own expiry.

The QR payload is the link itself, and it still carries the form's identity code for the reader of a
returned scan: ``<base>/m/<DG1 code>/<program id>.<expiry day>.<signature>``. The code is a path segment of
its own, so ``DG1:…:<version>`` is found in the payload as it is found in printed text
(:func:`identity_in`). Pure functions; no I/O.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import unquote

from docgen.errors import DocgenError
from docgen.extraction import FormIdentity

PATH_PREFIX = "/m/"  # where the phone page lives: <base>/m/<code>/<token>
SIGNATURE_BYTES = 12  # 96 bits of HMAC-SHA256: unforgeable, and short enough to keep the QR code small
DEFAULT_DAYS = 180  # a program without a period end: links last this long from the day they are made
AFTER_PERIOD_DAYS = 30  # a program with a period end: links last until 30 days after it
_EPOCH = date(1970, 1, 1)
_CODE_RE = re.compile(r"DG1:[^\s:：/]+:[^\s:：/]+:[^\s:：/]+:\d+")


class LinkRefused(DocgenError):
    """A link that does not grant an upload: malformed, tampered with (the signature does not match) or
    expired. The message says which, in words for the person holding the phone."""


@dataclass(frozen=True)
class UploadLink:
    """One slot's upload right: the program (the service's id), the form's identity (pair and form kind
    inside it) and the last day the link works."""

    program_id: int
    identity: FormIdentity
    expires: date

    def token(self, secret: str) -> str:
        """``<program id>.<expiry day>.<signature>``: the signed part of the link's path."""
        day = (self.expires - _EPOCH).days
        return f"{self.program_id}.{day}.{_signature(secret, self.program_id, self.identity.code, day)}"

    def path(self, secret: str) -> str:
        """``/m/<code>/<token>``: the link without the server's base URL."""
        return f"{PATH_PREFIX}{self.identity.code}/{self.token(secret)}"

    def url(self, base_url: str, secret: str) -> str:
        """The whole link, ``<base_url>/m/<code>/<token>`` (a trailing ``/`` of the base is dropped)."""
        return base_url.rstrip("/") + self.path(secret)


def _key(secret: str) -> bytes:
    """The links' own key, derived from the server secret so a link's HMAC is never a session's or CSRF's."""
    return hmac.new(secret.encode(), b"docgen upload link v1", hashlib.sha256).digest()


def _signature(secret: str, program_id: int, code: str, day: int) -> str:
    mac = hmac.new(_key(secret), f"{program_id}|{code}|{day}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:SIGNATURE_BYTES]).decode().rstrip("=")


def expiry(today: date, period_end: date | None, days: int | None = None) -> date:
    """The last day a link made ``today`` works: ``today + days`` when the service sets a validity, else
    ``period_end`` + 30 days for a program with a period end still ahead, else ``today`` + 180 days."""
    if days is not None:
        return today + timedelta(days=days)
    if period_end is not None and period_end + timedelta(days=AFTER_PERIOD_DAYS) > today:
        return period_end + timedelta(days=AFTER_PERIOD_DAYS)
    return today + timedelta(days=DEFAULT_DAYS)


def verify(secret: str, code: str, token: str, today: date) -> UploadLink:
    """The link that ``code`` and ``token`` (the two path segments after ``/m/``) make, checked: the
    signature must match and ``today`` must not be past the expiry. :class:`LinkRefused` otherwise."""
    code = unquote(code)
    identity = FormIdentity.parse(code)
    parts = token.split(".")
    if identity is None or len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        raise LinkRefused("上传链接不完整或格式不对：请重新扫描表格上的二维码")
    program_id, day, signature = int(parts[0]), int(parts[1]), parts[2]
    expected = _signature(secret, program_id, identity.code, day)
    if not hmac.compare_digest(signature.encode(), expected.encode()):
        raise LinkRefused("上传链接无效（链接被改动过，或不是本系统生成的）：请重新扫描表格上的二维码")
    try:
        expires = _EPOCH + timedelta(days=day)
    except OverflowError:
        raise LinkRefused("上传链接无效：有效期不正确") from None
    if today > expires:
        raise LinkRefused(
            f"上传链接已于 {expires.year}年{expires.month}月{expires.day}日 过期：请向教育局索取重新生成的表格，"
            "或登录后上传"
        )
    return UploadLink(program_id, identity, expires)


def identity_in(payload: str) -> str | None:
    """The ``DG1:…`` identity code inside a QR payload (the code alone, or an upload link); None without one."""
    match = _CODE_RE.search(unquote(payload))
    return match.group(0) if match else None
