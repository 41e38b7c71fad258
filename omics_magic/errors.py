"""The one exception tree of omics_magic.

Library code raises these; the notebook boundary (the magic, the CLI) turns
them into one short line. Every message says what is wrong and how to fix it.

::

    OmicsMagicError
    ├── InputError                  bad input, raised before any AWS call
    │   ├── SQLError                unparseable or unsupported SQL
    │   ├── UnknownRegionError      a region where omics is not offered
    │   ├── InvalidIdentifierError  a sequence store ID not matching [0-9]{10,36}
    │   ├── UnknownColumnError      a column the resource does not have
    │   └── ExportError             an output path that can't be written
    ├── WriteError                  a write that failed once started (a full disk)
    ├── CredentialsError            no AWS credentials could be found
    ├── FetchError                  one or more regions failed (strict mode)
    ├── AmbiguousStoreError         an ID found in more than one region
    ├── StoreNotFoundError          an ID found in no region searched
    ├── QueryLimitError             the SQL ran past the query's timeout or memory limit
    └── ConfirmationError           a delete that was not confirmed
        ├── ConfirmationRequired    no confirmation and no way to prompt
        └── ConfirmationMismatch    a confirmation that does not match

    KeyboardInterrupt
    └── DeleteInterrupted           a delete stopped by Ctrl-C; carries what was deleted

    UserWarning
    └── RegionFailureWarning        some regions failed; their rows or values are missing
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .failures import Failure

__all__ = [
    "AmbiguousStoreError",
    "ConfirmationError",
    "ConfirmationMismatch",
    "ConfirmationRequired",
    "CredentialsError",
    "DeleteInterrupted",
    "ExportError",
    "FetchError",
    "InputError",
    "InvalidIdentifierError",
    "OmicsMagicError",
    "QueryLimitError",
    "RegionFailureWarning",
    "SQLError",
    "StoreNotFoundError",
    "UnknownColumnError",
    "UnknownRegionError",
    "WriteError",
]


class OmicsMagicError(Exception):
    """Base class of every error omics_magic raises on purpose."""


class InputError(OmicsMagicError, ValueError):
    """Bad input from the caller, detected before any AWS call."""


class SQLError(InputError):
    """SQL that can't be parsed, or a statement omics_magic does not run."""


class UnknownRegionError(InputError):
    """A region name where AWS HealthOmics is not offered."""


class InvalidIdentifierError(InputError):
    """A sequence store ID that does not match ``[0-9]{10,36}``."""


class UnknownColumnError(InputError):
    """A column that the sequence store resources do not have."""


class ExportError(InputError):
    """An export destination that can't be written (exists, unwritable, bad format)."""


class WriteError(OmicsMagicError):
    """A write that failed once started (a full disk, an I/O error): not bad input.

    Nothing partial is left behind, and a file it would have replaced is untouched.
    """


class CredentialsError(OmicsMagicError):
    """No AWS credentials were found for the session."""


class FetchError(OmicsMagicError):
    """One or more regions failed; raised in strict mode.

    Parameters
    ----------
    errors
        One :class:`~omics_magic.failures.Failure` per failure (or its dict).
        ``.errors`` holds them as dicts, as ``df.attrs["omics_errors"]`` does;
        ``.failures`` as records.
    """

    def __init__(self, message: str, errors: Sequence[Failure | Mapping[str, Any]] = ()) -> None:
        from .failures import Failure

        super().__init__(message)
        self.failures: tuple[Failure, ...] = tuple(Failure.from_dict(e) for e in errors)
        self.errors: list[dict[str, Any]] = [f.to_dict() for f in self.failures]


class AmbiguousStoreError(OmicsMagicError):
    """A store ID exists in more than one region; name the region."""


class StoreNotFoundError(OmicsMagicError):
    """A store ID was found in none of the regions searched."""


class QueryLimitError(OmicsMagicError):
    """The query's SQL ran past its ``timeout`` or DuckDB's memory limit, and was stopped."""


class ConfirmationError(OmicsMagicError):
    """A delete that was not (or not correctly) confirmed. Nothing was deleted."""


class ConfirmationRequired(ConfirmationError):
    """No confirmation was given and no interactive prompt is possible."""


class ConfirmationMismatch(ConfirmationError):
    """The confirmation given does not match what would be deleted."""


class DeleteInterrupted(KeyboardInterrupt):
    """A delete stopped by an interrupt (Ctrl-C, a kernel interrupt); nothing more was sent.

    It is a KeyboardInterrupt, so that an interrupt still stops the script or
    notebook, but it says what happened to every store first.

    Parameters
    ----------
    report
        The delete's report frame (region, sequence_store_id, name, outcome,
        message), one row per store: ``deleted``, ``not_attempted`` (not
        sent; still there), ``unknown`` (sent, answer not awaited), or any
        other outcome a finished delete reports.
    """

    def __init__(self, report: Any) -> None:
        self.report = report
        super().__init__(_interrupted_summary(report))


def _interrupted_summary(report: Any) -> str:
    def stores(outcome: str) -> list[str]:
        rows = report[report["outcome"] == outcome]
        return [f"{r}:{i}" for r, i in zip(rows["region"], rows["sequence_store_id"], strict=True)]

    deleted, unknown, untouched = stores("deleted"), stores("unknown"), stores("not_attempted")
    parts = [f"deleted {len(deleted)}" + (f" ({', '.join(deleted)})" if deleted else "")]
    if unknown:
        parts.append(f"outcome unknown for {len(unknown)} in flight ({', '.join(unknown)})")
    parts.append(f"not attempted {len(untouched)}")
    return (
        f"delete interrupted: {'; '.join(parts)}; every store's outcome is in the "
        "exception's .report"
    )


class RegionFailureWarning(UserWarning):
    """Some regions failed (not strict mode); see ``df.attrs["omics_errors"]``."""
