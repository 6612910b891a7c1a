"""Domain exceptions; views map them to form errors or HTTP codes."""
from __future__ import annotations


class DomainError(Exception):
    """Base of every rule the services enforce; `status` is the HTTP code it maps to."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class ValidationError(DomainError):
    status, code = 422, "invalid"


class NotFound(DomainError):
    status, code = 404, "not_found"


class Forbidden(DomainError):
    status, code = 403, "forbidden"


class InvalidTransition(DomainError):
    status, code = 409, "invalid_transition"


class Conflict(DomainError):
    status, code = 409, "conflict"


class StorageUnavailable(ValidationError):
    """A file could not be written (disk full, storage gone): nothing was saved, try again later. A
    ValidationError so that forms show it on their file field with everything typed kept; 503 elsewhere."""
    status, code = 503, "storage_unavailable"


def N_(message: str) -> str:
    """Marks a message for the translation catalogue without translating it here (services run
    without a request language; pages translate the message when they show it)."""
    return message
