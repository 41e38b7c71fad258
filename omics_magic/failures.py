"""The one failure record, where frames carry it, and the one way it is worded.

A fetch, a query, a refresh or a delete that could not reach everything
reports each failure as a :class:`Failure`: which region (and, later, which
account and resource) failed, with AWS's error code and message, and a
``kind`` saying what it means for the reader. On a frame they travel in
``df.attrs[ERRORS_ATTR]`` (``"omics_errors"``) as plain dicts
(:meth:`Failure.to_dict`), so that users read them as before, pickling and
pandas' copies of ``attrs`` need nothing of ours, and
``pd.DataFrame(df.attrs["omics_errors"])`` is a table of them.

Every warning, error message, notebook note and CLI line about failures is
worded by :func:`failure_note`, so that they say the same thing the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ERRORS_ATTR",
    "KIND_TEXT",
    "KINDS",
    "Failure",
    "failure_note",
    "failures_in",
    "set_failures",
]

#: The ``df.attrs`` key of a frame's failure records.
ERRORS_ATTR = "omics_errors"

#: The kinds of failure, in the order a reader would triage them. ``not_found``
#: and ``conflict`` are per store (refresh, delete); the others per region.
KINDS = ("not_enabled", "denied", "throttled", "unavailable", "not_found", "conflict", "error")

#: How each kind reads in a sentence.
KIND_TEXT = {
    "not_enabled": "not enabled for this account",
    "denied": "access denied",
    "throttled": "throttled after retries",
    "unavailable": "unavailable",
    "not_found": "not found",
    "conflict": "in use",
    "error": "failed",
}

_REQUIRED = ("region", "code", "message", "kind")


@dataclass(frozen=True)
class Failure:
    """One failure: what could not be read (or deleted), and why.

    ``region``, ``code``, ``message`` and ``kind`` are always set; the other
    fields only when they apply, and :meth:`to_dict` writes them only then.

    Attributes
    ----------
    region
        The region that failed.
    code
        AWS's error code (``AccessDeniedException``), or ours (``DeadlineExceeded``).
    message
        AWS's message, one line, credentials redacted.
    kind
        One of :data:`KINDS`: ``not_enabled``, ``denied``, ``throttled``,
        ``unavailable``, ``not_found``, ``conflict`` or ``error``.
    account_id
        The AWS account, when known.
    via
        The profile or role that reached the account, when not the default.
    resource
        The resource that failed (``sequence_stores``), when not the one asked for.
    sequence_store_id
        The store concerned, for a failure about one store.
    skipped
        True when the region was not asked this time, because an earlier
        answer (``not_enabled``) won't change.

    Examples
    --------
    >>> failure = Failure("eu-west-1", "AccessDeniedException", "no", "denied")
    >>> failure.to_dict()
    {'region': 'eu-west-1', 'code': 'AccessDeniedException', 'message': 'no', 'kind': 'denied'}
    >>> Failure.from_dict(failure.to_dict()) == failure
    True
    """

    region: str
    code: str
    message: str
    kind: str
    account_id: str | None = None
    via: str | None = None
    resource: str | None = None
    sequence_store_id: str | None = None
    skipped: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The record as ``df.attrs["omics_errors"]`` holds it: the four keys, then any set."""
        record: dict[str, Any] = {name: getattr(self, name) for name in _REQUIRED}
        for field in fields(self):
            value = getattr(self, field.name)
            if field.name not in record and value not in (None, False):
                record[field.name] = value
        return record

    @classmethod
    def from_dict(cls, record: Mapping[str, Any] | Failure) -> Failure:
        """A record back from its dict (unknown keys are ignored; a Failure is returned as is)."""
        if isinstance(record, Failure):
            return record
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in record.items() if k in known}
        for name in _REQUIRED:
            values[name] = str(values.get(name) or "")
        return cls(**values)


def failures_in(df: pd.DataFrame) -> list[Failure]:
    """The failure records a frame carries (none if it carries none).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame()
    >>> set_failures(df, [Failure("us-east-1", "ThrottlingException", "slow", "throttled")])
    >>> [f.kind for f in failures_in(df)]
    ['throttled']
    """
    return [Failure.from_dict(record) for record in df.attrs.get(ERRORS_ATTR) or []]


def set_failures(df: pd.DataFrame, failures: Iterable[Failure]) -> None:
    """Store ``failures`` on ``df`` as ``df.attrs["omics_errors"]`` (a list of dicts)."""
    df.attrs[ERRORS_ATTR] = [failure.to_dict() for failure in failures]


Audience = Literal["python", "magic", "cli"]

_REMEDY: dict[str, str] = {
    "python": f"details in df.attrs[{ERRORS_ATTR!r}], or pass strict=True to raise",
    "magic": f"details in .attrs[{ERRORS_ATTR!r}], or use --strict to make this an error",
    "cli": "",  # the CLI's --strict is in its --help; the line is already long
}
_THEN = {
    "missing": ("its results are missing or incomplete", "their results are missing or incomplete"),
    "kept": (
        "its rows that got no answer are kept as they were",
        "their rows that got no answer are kept as they were",
    ),
}


def failure_note(
    failures: Sequence[Failure | Mapping[str, Any]],
    *,
    total: int | None = None,
    detail: bool = False,
    then: Literal["missing", "kept"] | None = "missing",
    audience: Audience | None = "python",
) -> str:
    """The one wording of failures, for warnings, errors, notes and CLI lines.

    Parameters
    ----------
    failures
        The records (or their dicts, as ``df.attrs["omics_errors"]`` holds them).
    total
        How many regions were asked: the line starts ``2 of 5 regions failed``.
        Without it, several failures start ``2 regions failed``, one names its region.
    detail
        Each failure with AWS's message, not just its code.
    then
        What it means for the result: ``"missing"`` rows or values, rows
        ``"kept"`` as they were (refresh), or None (nothing was returned).
    audience
        Where the details are and how to make it an error: ``"python"``
        (``strict=True``), ``"magic"`` (``--strict``), ``"cli"``, or None.

    Examples
    --------
    >>> throttled = Failure("eu-central-1", "ThrottlingException", "Rate exceeded.", "throttled")
    >>> print(failure_note([throttled], detail=True, audience="cli"))
    eu-central-1: throttled after retries (ThrottlingException: Rate exceeded); its results are missing or incomplete
    >>> off = Failure("ap-southeast-1", "UnrecognizedClientException", "bad token", "not_enabled")
    >>> print(failure_note([throttled, off], total=4, then=None, audience=None))
    2 of 4 regions failed: eu-central-1: throttled after retries (ThrottlingException), ap-southeast-1: not enabled for this account (UnrecognizedClientException)
    """  # noqa: E501
    records = [Failure.from_dict(f) for f in failures]
    items = [_item(f, detail) for f in records]
    if total is not None:
        head = f"{len(records)} of {total} region{'' if total == 1 else 's'} failed: "
    elif len(records) > 1:
        head = f"{len(records)} regions failed: "
    else:
        head = ""
    parts = [head + ("; " if detail else ", ").join(items)]
    every = total is not None and len(records) == total
    if every and all(f.kind == "not_enabled" for f in records):
        parts.append("every region refused the credentials: check they are valid")
    if then is not None:
        parts.append(_THEN[then][len(records) > 1])
    remedy = "" if audience is None else _REMEDY[audience]
    if remedy:
        parts.append(remedy)
    return "; ".join(parts)


def _item(failure: Failure, detail: bool) -> str:
    # "*": an account that could not be reached at all (omics_magic.aws.accounts).
    where = "every region" if failure.region == "*" else failure.region
    who = failure.via or failure.account_id
    if who:
        where = f"{where} [{who}]"
    if failure.skipped:
        where = f"{where} (skipped)"
    kind = KIND_TEXT.get(failure.kind, KIND_TEXT["error"])
    message = failure.message.strip().rstrip(".")
    code = f"{failure.code}: {message}" if detail and message else failure.code
    return f"{where}: {kind} ({code})"
