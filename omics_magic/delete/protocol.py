"""Deleting sequence stores, only with a confirmation that can't be given by accident.

The protocol, in order:

1. **Validate** IDs, regions and ``confirm``: bad input fails before any AWS call.
2. **Resolve and preview**: GetSequenceStore for each store (every searched
   region at once), then display what will be deleted.
3. **Confirm**: ``confirm=``, else a prompt if one is possible, else
   :class:`ConfirmationRequired` (see :mod:`omics_magic.delete.confirm`).
   ``dry_run=True`` stops after the preview.
4. **Delete** exactly the previewed, confirmed stores. botocore retries
   throttling and server errors; conflict and access denied are final.
   A bulk delete carries on past a failed store.
5. **Report** one row per store: region, sequence_store_id, name, outcome, message.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from ..columns import frame
from ..errors import (
    AmbiguousStoreError,
    FetchError,
    InputError,
    StoreNotFoundError,
)
from ..failures import failure_note, set_failures
from ..regions import resolve_regions, store_keys, validate_identifier
from . import confirm as confirming
from .calls import Calls, Target

if TYPE_CHECKING:
    import boto3

__all__ = ["REPORT_COLUMNS", "delete_sequence_store", "delete_sequence_stores"]

REPORT_COLUMNS = ("region", "sequence_store_id", "name", "outcome", "message")


def delete_sequence_store(
    identifier: str,
    region: str | Iterable[str] | None = None,
    *,
    confirm: str | None = None,
    dry_run: bool = False,
    session: boto3.Session | None = None,
) -> pd.DataFrame:
    """Delete one sequence store, after showing it and getting a confirmation.

    Parameters
    ----------
    identifier
        The store's ID (10 to 36 digits).
    region
        The store's region. None searches every configured region
        (``$OMICS_MAGIC_REGIONS``, else all) at once; a list searches those.
    confirm
        The store's ID again, to delete without a prompt. Without it, the user
        is asked to type the ID if a prompt is possible (a terminal, or a
        notebook frontend with stdin), else :class:`ConfirmationRequired`.
    dry_run
        Show and return the preview; delete nothing.
    session
        A ``boto3.Session``; None uses the default credential chain.

    Returns
    -------
    pandas.DataFrame
        One row: region, sequence_store_id, name, outcome (``deleted``,
        ``not_found``, ``conflict``, ``denied``, ``error`` or ``cancelled``) and
        message. With ``dry_run``: the preview (region, sequence_store_id,
        name, creation_time, status).

    Raises
    ------
    InputError
        A malformed ID, an unknown region, or a ``confirm`` that is not a str.
    StoreNotFoundError
        The ID is in none of the searched regions.
    AmbiguousStoreError
        The ID is in several regions; pass ``region``.
    FetchError
        It was not found, and some regions could not be searched (e.g. denied).
    ConfirmationRequired, ConfirmationMismatch
        No confirmation and no prompt, or a wrong one. Nothing was deleted.

    Examples
    --------
    >>> delete_sequence_store("1234567890", "us-east-1", dry_run=True)  # doctest: +SKIP
    >>> delete_sequence_store("1234567890", "us-east-1", confirm="1234567890")  # doctest: +SKIP
          region sequence_store_id     name  outcome                                  message
    0  us-east-1        1234567890  scratch  deleted  deleted (the store is gone or DELETING)
    """
    identifier = validate_identifier(identifier)
    regions = resolve_regions(region)
    wanted = confirming.normalize_single_confirm(confirm)
    _check_dry_run(dry_run)

    from ..aws.clients import resolve_session

    calls = Calls(resolve_session(session), regions)
    found = calls.look_up([Target(r, identifier) for r in regions])
    hits = [s for s in found if s.store is not None]
    # A region that is not enabled can't hold a store; one that denied us might.
    unsearched = [s for s in found if s.kind not in (None, "not_found", "not_enabled")]
    if len(hits) > 1:
        raise AmbiguousStoreError(
            f"store {identifier} exists in {len(hits)} regions "
            f"({', '.join(s.region for s in hits)}); say which one with region= "
            f"(in SQL: AND region = '{hits[0].region}')"
        )
    if not hits:
        where = ", ".join(regions)
        if unsearched:
            records = [s.error_record() for s in unsearched]
            failures = failure_note(records, detail=True, then=None, audience=None)
            raise FetchError(
                f"store {identifier} was not found in {where}, but some regions could not "
                f"be searched ({failures}); fix access there or pass region=",
                records,
            )
        not_enabled = [s.region for s in found if s.kind == "not_enabled"]
        skipped = f" (not enabled there: {', '.join(not_enabled)})" if not_enabled else ""
        raise StoreNotFoundError(
            f"no sequence store {identifier} in {where}{skipped}; nothing to delete"
        )
    notes = [
        f"Not searched: {failure_note([s.error_record()], detail=True, then=None, audience=None)}"
        "; a store with this ID there would not be deleted."
        for s in unsearched
    ]
    return _confirm_and_delete(hits, calls, wanted, dry_run=dry_run, notes=notes, single=True)


def delete_sequence_stores(
    frame_or_pairs: pd.DataFrame | Iterable[tuple[str, str]],
    *,
    confirm: str | Iterable[str] | None = None,
    dry_run: bool = False,
    session: boto3.Session | None = None,
) -> pd.DataFrame:
    """Delete exactly the given (region, sequence_store_id) stores; behind ``df.omics.delete``.

    ``frame_or_pairs`` is a frame with ``region`` and ``sequence_store_id``
    columns (or ``arn``), or (region, id) pairs. ``confirm`` is the exact set of
    previewed IDs (list, set or tuple of str, or one comma-separated str); at
    a prompt the user types ``delete N stores``. Stores not found, or unreadable,
    at preview time are reported and not deleted. Returns the report frame (see
    :func:`delete_sequence_store`), in the order given.
    """
    stores = [Target(r, i) for r, i in _pairs(frame_or_pairs)]
    wanted = confirming.normalize_bulk_confirm(confirm)
    _check_dry_run(dry_run)
    if not stores:
        return _empty(confirming.PREVIEW_COLUMNS if dry_run else REPORT_COLUMNS)

    from ..aws.clients import resolve_session

    calls = Calls(resolve_session(session), [s.region for s in stores])
    calls.look_up(stores)
    notes = [
        f"Skipped {s.identifier} in {s.region}: {s.outcome}, {s.message}"
        for s in stores
        if s.store is None
    ]
    return _confirm_and_delete(stores, calls, wanted, dry_run=dry_run, notes=notes, single=False)


def _confirm_and_delete(
    stores: list[Target],
    calls: Calls,
    confirm: str | frozenset[str] | None,
    *,
    dry_run: bool,
    notes: list[str],
    single: bool,
) -> pd.DataFrame:
    """Steps 2 (display) to 5 for stores already looked up; only found ones are deleted."""
    plan = [s for s in stores if s.store is not None]
    preview = frame(
        [
            {
                "region": s.region,
                "sequence_store_id": s.identifier,
                "name": s.name,
                "creation_time": (s.store or {}).get("creationTime"),
                "status": (s.store or {}).get("status"),
            }
            for s in plan
        ],
        confirming.PREVIEW_COLUMNS,
    )
    if single:
        label = f"store {plan[0].identifier} ({plan[0].name!r} in {plan[0].region})"
    else:
        label = f"{len(plan)} sequence store" + ("" if len(plan) == 1 else "s")
    title = f"{'Would delete' if dry_run else 'About to delete'} {label}:"
    confirming.show_preview(preview, title if plan else "Nothing to delete.", notes)
    if dry_run:
        set_failures(preview, [s.error_record() for s in stores if s.store is None])
        return preview
    if not plan:
        return _report(stores)
    ids = [s.identifier for s in plan]
    if confirming.confirmed(ids, confirm, single=single, label=label):
        calls.delete(plan)
    else:
        for s in plan:
            s.outcome, s.message = "cancelled", "the confirmation did not match; not deleted"
    return _report(stores)


def _check_dry_run(dry_run: object) -> None:
    if not isinstance(dry_run, bool):
        raise InputError(f"dry_run must be True or False, not {dry_run!r}")


def _pairs(frame_or_pairs: object) -> list[tuple[str, str]]:
    """Validated, de-duplicated (region, id) pairs, in the order given."""
    if isinstance(frame_or_pairs, pd.DataFrame):
        df = frame_or_pairs
        if "arn" not in df.columns and not {"region", "sequence_store_id"} <= set(df.columns):
            raise InputError(
                "the frame needs region and sequence_store_id columns (or arn) to say "
                f"which stores to delete; it has: {', '.join(map(str, df.columns))}"
            )
        return list(dict.fromkeys(store_keys(df)))
    if isinstance(frame_or_pairs, (str, bytes)) or not isinstance(frame_or_pairs, Iterable):
        raise InputError(
            "give the stores to delete as a DataFrame or as (region, sequence_store_id) pairs"
        )
    checked = []
    for pair in frame_or_pairs:
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise InputError(f"expected a (region, sequence_store_id) pair, got {pair!r}")
        checked.append((resolve_regions([pair[0]])[0], validate_identifier(pair[1])))
    return list(dict.fromkeys(checked))


def _report(stores: list[Target]) -> pd.DataFrame:
    rows = [
        {
            "region": s.region,
            "sequence_store_id": s.identifier,
            "name": s.name,
            "outcome": s.outcome,
            "message": s.message,
        }
        for s in stores
    ]
    return pd.DataFrame(rows, columns=list(REPORT_COLUMNS), dtype="object")


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    if "creation_time" in columns:
        return frame([], columns)
    return pd.DataFrame(columns=list(columns), dtype="object")
