"""One error hierarchy for the whole platform, mapped to HTTP codes.

Each error carries an English message id (translated through the gettext catalogs, so the
API can answer in Chinese first and English too) and optional structured details.
"""

from __future__ import annotations

from typing import Any


class YingjiError(Exception):
    status_code = 400
    code = "bad_request"
    message = "The request could not be processed."

    def __init__(
        self,
        message: str | None = None,
        *,
        details: list[dict[str, Any]] | None = None,
        **params: Any,
    ) -> None:
        self.message = message or self.message
        self.params = params
        self.details = details or []
        super().__init__(self.message.format(**params) if params else self.message)


class ValidationFailed(YingjiError):
    status_code = 422
    code = "validation_failed"
    message = "The submitted data is not valid."

    @classmethod
    def on(cls, field: str, message: str) -> ValidationFailed:
        """One field refused with its message (what services raise for a rule a schema cannot check)."""
        return cls(details=[{"field": field, "message": message}])


class NotFound(YingjiError):
    status_code = 404
    code = "not_found"
    message = "Not found."


class Forbidden(YingjiError):
    status_code = 403
    code = "forbidden"
    message = "You are not allowed to do this."


class OutOfJurisdiction(Forbidden):
    code = "out_of_jurisdiction"
    message = "This is outside your jurisdiction."


class Unauthenticated(YingjiError):
    status_code = 401
    code = "unauthenticated"
    message = "Please log in."


class CsrfFailed(YingjiError):
    status_code = 403
    code = "csrf_failed"
    message = "The form has expired. Please reload the page and try again."


class Conflict(YingjiError):
    status_code = 409
    code = "conflict"
    message = "This conflicts with existing data."


class TooManyAttempts(YingjiError):
    status_code = 429
    code = "too_many_attempts"
    message = "Too many failed attempts. Try again in {minutes} minutes."


class PayloadTooLarge(YingjiError):
    status_code = 413
    code = "payload_too_large"
    message = "The file is larger than {limit_mb} MB."


class UnsupportedMediaType(YingjiError):
    status_code = 415
    code = "unsupported_media_type"
    message = "Send the data as {expected} in the request body, not as a form."


class ImportRejected(ValidationFailed):
    code = "import_rejected"
    message = "The file has {count} errors; nothing was imported."


class DatabaseBusy(YingjiError):
    """Too many requests at once: shed with 503 and ``Retry-After`` rather than queue without end."""

    status_code = 503
    code = "busy"
    message = "The system is busy. Please try again in {seconds} seconds."

    def __init__(self, seconds: int = 5, **kw) -> None:
        super().__init__(seconds=max(1, int(seconds)), **kw)

    @property
    def retry_after(self) -> int:
        return self.params["seconds"]
