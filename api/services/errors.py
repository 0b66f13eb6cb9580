"""The service layer's errors. Each maps to one HTTP status in ``api.app``; messages are Chinese and name
the file, row or field a clerk has to fix."""

from __future__ import annotations

from typing import Any

from docgen.errors import DocgenError


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
