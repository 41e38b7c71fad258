"""Keep AWS credentials out of what omics_magic reports and out of botocore's debug log.

Two ways a credential could reach a notebook's output (and so anyone the
notebook is shared with):

- **An AWS error that echoes the request.** A signature mismatch answers with
  the canonical request AWS expected, signed headers included, so the
  ``x-amz-security-token`` value comes back in the error message, which would
  land in ``df.attrs["omics_errors"]``, FetchError and the CLI's notes.
  :func:`redact` cleans every AWS message omics_magic reports
  (:func:`omics_magic.aws.clients.classify_error`).
- **botocore's DEBUG logging.** omics_magic never turns it on, but
  ``logging.basicConfig(level=logging.DEBUG)`` in a notebook does, and
  botocore then logs each request's headers (the session token, the access
  key ID), its canonical request and the response bodies.
  :func:`install_log_redaction` adds a filter to those loggers (once, when
  omics_magic makes its first client) that redacts the same patterns; it
  changes nothing else about what they log.

A third: **a password in the endpoint URL** (``AWS_ENDPOINT_URL_OMICS=
https://user:secret@host``), which botocore repeats in connection errors.
:func:`redact` replaces a URL's user and password too. (The secret access key
itself is never sent, so it can't be echoed.) A failing ``credential_process``
is reported without its output at all (see
:func:`omics_magic.aws.clients.credentials_error`): there is no telling what
secrets a helper prints when it fails.
"""

from __future__ import annotations

import logging
import re
import threading

__all__ = ["REDACTED", "install_log_redaction", "redact"]

REDACTED = "<redacted>"
_PATTERNS = (
    # The session token as a header, in a canonical request or a repr of headers:
    # "x-amz-security-token:VALUE", "'X-Amz-Security-Token': b'VALUE'", "...=VALUE".
    re.compile(r"(?i)(x-amz-security-token['\"]?\s*[:=]\s*b?['\"]?)[^'\"\s,;&}\\]+"),
    # The access key ID in the Authorization header's credential scope.
    re.compile(r"(Credential=)[^/\s,'\"]+"),
    # Access key IDs anywhere else (long-term AKIA..., temporary ASIA...).
    re.compile(r"()\b(?:AKIA|ASIA)[A-Z0-9]{12,}\b"),
    # A URL's user and password (an endpoint such as https://user:secret@proxy/...).
    re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://)[^/\s@'\"]+@"),
)
# The loggers botocore (and urllib3 under it) writes requests, signing and responses to.
_LOGGERS = (
    "botocore.auth",
    "botocore.awsrequest",
    "botocore.endpoint",
    "botocore.hooks",
    "botocore.httpsession",
    "botocore.parsers",
    "botocore.retryhandler",
    "botocore.retries.standard",
    "urllib3.connectionpool",
)
_installed = False
_install_lock = threading.Lock()


def redact(text: str) -> str:
    """``text`` with session tokens and access key IDs replaced by ``<redacted>``.

    Examples
    --------
    >>> redact("host:x\\nx-amz-security-token:IQoJb3JpZ2lu\\n")
    'host:x\\nx-amz-security-token:<redacted>\\n'
    >>> redact("Credential=AKIAIOSFODNN7EXAMPLE/20240101/us-east-1/omics/aws4_request")
    'Credential=<redacted>/20240101/us-east-1/omics/aws4_request'
    >>> redact('Could not connect to "https://lab:hunter2@omics.example/sequencestores"')
    'Could not connect to "https://<redacted>@omics.example/sequencestores"'
    """
    for pattern in _PATTERNS[:-1]:
        text = pattern.sub(rf"\1{REDACTED}", text)
    return _PATTERNS[-1].sub(rf"\1{REDACTED}@", text)


class _RedactingFilter(logging.Filter):
    """Rewrites a record's message when it holds a credential; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is logging's business
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_FILTER = _RedactingFilter()


def install_log_redaction() -> None:
    """Add the redacting filter to botocore's request loggers (once per process)."""
    global _installed
    if _installed:
        return
    with _install_lock:
        for name in _LOGGERS:
            logging.getLogger(name).addFilter(_FILTER)
        _installed = True
