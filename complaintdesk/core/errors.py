"""Domain errors. Actions and queries raise these; the API maps each to one HTTP status.

Every 4xx answer has the shape ``{"code", "message", "details"}`` (see ``complaintdesk.api``).
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base class: a request that cannot be carried out, with a machine-readable code."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details if details is not None else {}


class NotFound(DomainError):
    """The object does not exist, or is outside the viewer's data scope (we never say which)."""

    status_code = 404
    code = "not_found"


class PermissionDenied(DomainError):
    """The viewer may see the object but lacks the permission for this action."""

    status_code = 403
    code = "permission_denied"


class InvalidInput(DomainError):
    """Input that is well-formed JSON but breaks a business rule; ``details`` names the fields."""

    status_code = 422
    code = "validation_error"


class Conflict(DomainError):
    """The request conflicts with the current state (illegal transition, concurrent change)."""

    status_code = 409
    code = "conflict"


class InvalidTransition(Conflict):
    """A ticket status change that the lifecycle does not allow from the current status."""

    code = "invalid_transition"
