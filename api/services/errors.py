"""The service layer's errors. Each maps to one HTTP status in ``api.app``; messages are Chinese and name
the file, row or field a clerk has to fix."""

from __future__ import annotations

import re
from typing import Any

from docgen.errors import ConversionError, DocgenError


class ServiceError(DocgenError):
    status = 400

    def __init__(
        self, message: str, *, extra: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> None:
        self.message = message
        self.extra = extra or {}
        self.headers = headers or {}  # added to the HTTP answer (e.g. Retry-After)
        super().__init__(message)


class NotFound(ServiceError):
    """Does not exist — or exists but the user may not see it (never tell those apart)."""

    status = 404


class Unauthenticated(ServiceError):
    status = 401


class Forbidden(ServiceError):
    status = 403


class Conflict(ServiceError):
    status = 409


class TooManyRequests(ServiceError):
    """Refused for now: too many failed logins, or the password hashers are busy. ``retry_after`` in seconds."""

    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        self.retry_after = max(1, retry_after)
        super().__init__(message, headers={"Retry-After": str(self.retry_after)})


class TooLarge(ServiceError):
    status = 413


class UnsupportedType(ServiceError):
    status = 415


class Invalid(ServiceError):
    """Input that cannot be used; ``errors`` lists every problem ({source,row,field,value,message})."""

    status = 422

    def __init__(self, message: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message, extra={"errors": errors or []})
        self.errors = errors or []


# An absolute path (``/srv/docgen/var/blobs/ab/cd/…``, ``C:\\docgen\\…``) inside a message we did not write
# ourselves (an OSError, a child process's stderr). URLs (``http://…``) are left alone.
_ABSOLUTE_PATH = re.compile(
    r"(?<![\w.:/])(?:/(?:[^\s/'\"：，；（）]+/)*[^\s/'\"：，；（）]+|[A-Za-z]:\\[^\s'\"：，；]*)"
)
SERVER_PATH = "<服务器路径>"


def public_text(text: str) -> str:
    """``text`` with server paths replaced by :data:`SERVER_PATH`: for reasons stored where users read them
    (a batch's or an upload's error). The full message goes to the service log."""
    return _ABSOLUTE_PATH.sub(SERVER_PATH, text)


class TooMany(ServiceError):
    """This user has too much work waiting (e.g. queued uploads); try again when some is done."""

    status = 429


class Busy(ServiceError):
    """The service is at its limit for this kind of work right now; the client should retry shortly."""

    status = 503


class ServerFailure(ServiceError):
    """The server could not do it (PDF conversion crashed, timed out or is unavailable): not the input's fault."""

    status = 500


def rendering_failed(what: str, error: DocgenError) -> ServiceError:
    """The HTTP answer to a document that did not render (``what``: which document, in Chinese): a failed
    PDF conversion is the server's (500); anything else — a template that does not fit the data — is 422."""
    message = f"{what}：{error}"
    if isinstance(error, ConversionError):
        return ServerFailure(message)
    return Invalid(message, [{"message": str(error)}])
