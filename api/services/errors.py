"""The service layer's errors. Each maps to one HTTP status in ``api.app``; messages are Chinese and name
the file, row or field a clerk has to fix."""

from __future__ import annotations

from typing import Any

from docgen.errors import ConversionError, DocgenError


class ServiceError(DocgenError):
    status = 400

    def __init__(self, message: str, *, extra: dict[str, Any] | None = None) -> None:
        self.message = message
        self.extra = extra or {}
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
