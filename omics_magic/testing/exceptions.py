"""Errors the fake service answers with: the real codes, HTTP statuses and messages.

These are the *service's* errors, raised inside the fake and turned into wire
responses (``x-amzn-errortype`` header plus a JSON ``{"message": ...}`` body) by
:mod:`omics_magic.testing.responses`. They never reach users of omics_magic as
Python exceptions: a boto3 client sees them as ``ClientError``.
"""

from __future__ import annotations

__all__ = [
    "ERROR_STATUS",
    "OmicsServiceError",
    "UnknownEndpointError",
    "conflict",
    "not_found",
    "validation",
]

# Status codes from botocore's omics model (2022-11-28), plus the codes AWS's
# front end answers with outside the model: UnrecognizedClientException (a
# region not enabled for the account), ExpiredTokenException (expired temporary
# credentials) and ServiceUnavailableException.
ERROR_STATUS: dict[str, int] = {
    "ValidationException": 400,
    "ServiceQuotaExceededException": 402,
    "AccessDeniedException": 403,
    "ExpiredTokenException": 403,
    "UnrecognizedClientException": 403,
    "InvalidSignatureException": 403,
    "MissingAuthenticationTokenException": 403,
    "SerializationException": 400,
    "ResourceNotFoundException": 404,
    "UnknownOperationException": 404,
    "RequestTimeoutException": 408,
    "ConflictException": 409,
    "ThrottlingException": 429,
    "InternalServerException": 500,
    "ServiceUnavailableException": 503,
}

DEFAULT_MESSAGES: dict[str, str] = {
    "AccessDeniedException": "User is not authorized to perform this action",
    "UnrecognizedClientException": "The security token included in the request is invalid.",
    "ExpiredTokenException": "The security token included in the request is expired",
    "InternalServerException": "An internal error occurred. Try the request again.",
    "ThrottlingException": "Rate exceeded",
    "ServiceUnavailableException": "Service is unavailable. Try the request again.",
    "ServiceQuotaExceededException": "The request exceeds a service quota.",
    "RequestTimeoutException": "The request timed out.",
}


class OmicsServiceError(Exception):
    """An error answer of the fake service: ``code``, HTTP ``status`` and ``message``."""

    def __init__(self, code: str, message: str | None = None, status: int | None = None):
        self.code = code
        self.status = status if status is not None else ERROR_STATUS.get(code, 400)
        self.message = message if message is not None else DEFAULT_MESSAGES.get(code, code)
        super().__init__(f"{code} ({self.status}): {self.message}")


class UnknownEndpointError(Exception):
    """A request for a region where omics has no endpoint (see ``responses``)."""

    def __init__(self, region: str):
        self.region = region
        super().__init__(f"omics has no endpoint in region {region!r}")


def validation(message: str) -> OmicsServiceError:
    """A 400 ValidationException."""
    return OmicsServiceError("ValidationException", message)


def not_found(message: str) -> OmicsServiceError:
    """A 404 ResourceNotFoundException."""
    return OmicsServiceError("ResourceNotFoundException", message)


def conflict(message: str) -> OmicsServiceError:
    """A 409 ConflictException."""
    return OmicsServiceError("ConflictException", message)
