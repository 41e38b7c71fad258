"""Deleting sequence stores, only with a confirmation that can't be given by accident.

The protocol, in order:

1. **Validate** IDs, regions and ``confirm``: bad input fails before any AWS call.
2. **Resolve and preview**: GetSequenceStore for each store (every searched
   region at once) and one ListReadSets (``maxResults=1``) for each found, then
   display what will be deleted. A store that holds read sets is reported and
   not tried: AWS refuses to delete it until they are gone.
3. **Confirm**: ``confirm=``, else a prompt if one is possible, else
   :class:`ConfirmationRequired` (see :mod:`omics_magic.delete.confirm`).
   ``dry_run=True`` stops after the preview.
4. **Delete** exactly the previewed, confirmed stores. botocore retries
   throttling and server errors; conflict and access denied are final.
   A bulk delete carries on past a failed store. An answer that may have been
   lost after AWS acted is checked with a re-read (:mod:`.calls`).
5. **Report** one row per store: region, sequence_store_id, name, outcome, message.

Stop means stop: ``timeout=`` bounds the whole delete, and an interrupt
(Ctrl-C, a kernel interrupt) sends no further delete. Either way every store
is accounted for: ``not_attempted`` (never sent, still there) or ``unknown``
(sent, answer not awaited). After an interrupt the report comes with
:class:`~omics_magic.errors.DeleteInterrupted`, a KeyboardInterrupt.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from ..aws.accounts import AccountChoice
from ..columns import frame
from ..errors import (
    AmbiguousStoreError,
    DeleteInterrupted,
    FetchError,
    InputError,
    StoreNotFoundError,
)
from ..failures import Failure, failure_note, set_failures
from ..fetch.owners import owners_of, recorded_choice, row_accounts
from ..regions import resolve_regions, store_keys, validate_identifier
from . import confirm as confirming
from .accounts import AccountCalls, base_calls
from .calls import Calls, Target, account_for

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
    profiles: Iterable[str] | None = None,
    role_arns: Iterable[str] | None = None,
    role_external_id: str | None = None,
    role_session_name: str | None = None,
    timeout: float | None = None,
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
    profiles, role_arns, role_external_id, role_session_name
        The accounts to search, as in :func:`omics_magic.sequence_stores`; the
        store is deleted through its own account's session.
    timeout
        Seconds the whole delete may take (look-up included); None for no bound.
        A delete not sent by then is ``not_attempted``, one sent but not
        answered ``unknown``.

    Returns
    -------
    pandas.DataFrame
        One row: region, sequence_store_id, name, outcome (``deleted``,
        ``deleting``, ``not_found``, ``conflict``, ``denied``, ``error``,
        ``cancelled``, ``not_attempted`` or ``unknown``) and message. With
        ``dry_run``: the preview (region, sequence_store_id, name,
        creation_time, status).

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
    DeleteInterrupted
        Interrupted (Ctrl-C) while deleting; its ``report`` is the report.

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
    timeout = _check_timeout(timeout)

    choice = AccountChoice.of(profiles, role_arns, role_external_id, role_session_name)
    calls: Calls | AccountCalls
    if choice.chosen:
        owners = owners_of([], choice, session=session)
        accounts: list[str | None] = list(owners.sessions)
        targets = [Target(r, identifier, account=a) for a in accounts for r in regions]
        calls = AccountCalls(owners, targets, timeout)
        unreachable = [f.to_dict() for f in owners.failures]
    else:
        targets = [Target(r, identifier) for r in regions]
        calls, unreachable = base_calls(session, regions, timeout), []
    found = calls.look_up(targets)
    hits = [s for s in found if s.store is not None]
    # A region that is not enabled can't hold a store; one that denied us might.
    unsearched = [s for s in found if s.kind not in (None, "not_found", "not_enabled")]
    if len(hits) > 1:
        raise AmbiguousStoreError(
            f"store {identifier} exists in {len(hits)} regions "
            f"({', '.join(_where(s) for s in hits)}); say which one with region= "
            f"(in SQL: AND region = '{hits[0].region}')"
        )
    if not hits:
        where = ", ".join(regions)
        if unsearched or unreachable:
            records = [s.error_record() for s in unsearched] + [
                Failure.from_dict(r) for r in unreachable
            ]
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
        f"Not searched: {failure_note([r], detail=True, then=None, audience=None)}"
        "; a store with this ID there would not be deleted."
        for r in [s.error_record() for s in unsearched]
        + [Failure.from_dict(r) for r in unreachable]
    ]
    return _confirm_and_delete(hits, calls, wanted, dry_run=dry_run, notes=notes, single=True)


def _where(target: Target) -> str:
    return target.region if target.account is None else f"{target.region} ({target.account})"


def delete_sequence_stores(
    frame_or_pairs: pd.DataFrame | Iterable[tuple[str, str]],
    *,
    confirm: str | Iterable[str] | None = None,
    dry_run: bool = False,
    session: boto3.Session | None = None,
    profiles: Iterable[str] | None = None,
    role_arns: Iterable[str] | None = None,
    role_external_id: str | None = None,
    role_session_name: str | None = None,
    timeout: float | None = None,
) -> pd.DataFrame:
    """Delete exactly the given (region, sequence_store_id) stores; behind ``df.omics.delete``.

    ``frame_or_pairs`` is a frame with ``region`` and ``sequence_store_id``
    columns (or ``arn``), or (region, id) pairs. ``confirm`` is the exact set of
    previewed IDs (list, set or tuple of str, or one comma-separated str); at
    a prompt the user types ``delete N stores``. Stores not found, or unreadable,
    at preview time are reported and not deleted. Returns the report frame (see
    :func:`delete_sequence_store`, also for ``timeout`` and
    :class:`~omics_magic.errors.DeleteInterrupted`), in the order given.

    A frame of several accounts (its ``account_id`` or ARNs) is deleted row by
    row in each row's own account, through the sessions of ``profiles`` and
    ``role_arns`` (default: those the frame was fetched with); the preview and
    the report then show ``account_id``. A row whose account none of them
    reaches is reported and not deleted.
    """
    choice = AccountChoice.of(profiles, role_arns, role_external_id, role_session_name)
    stores = [Target(r, i, account=a) for (r, i), a in _pairs(frame_or_pairs)]
    wanted = confirming.normalize_bulk_confirm(confirm)
    _check_dry_run(dry_run)
    timeout = _check_timeout(timeout)
    if not stores:
        return _empty(confirming.PREVIEW_COLUMNS if dry_run else REPORT_COLUMNS)

    if isinstance(frame_or_pairs, pd.DataFrame):
        choice = recorded_choice(frame_or_pairs, choice)
    owners = owners_of([s.account for s in stores], choice, session=session)
    calls: Calls | AccountCalls
    if owners.per_account:
        calls = AccountCalls(owners, stores, timeout)
    else:
        for store in stores:
            store.account = None  # one account: shown and reported as before
        calls = base_calls(session, [s.region for s in stores], timeout)
    calls.look_up(stores)
    notes = [
        f"Skipped {s.identifier} in {s.region}: {s.outcome}, {s.message}"
        for s in stores
        if s.store is None
    ]
    return _confirm_and_delete(stores, calls, wanted, dry_run=dry_run, notes=notes, single=False)


def _confirm_and_delete(
    stores: list[Target],
    calls: Calls | AccountCalls,
    confirm: str | frozenset[str] | None,
    *,
    dry_run: bool,
    notes: list[str],
    single: bool,
) -> pd.DataFrame:
    """Steps 2 (display) to 5 for stores already looked up; only found ones are deleted.

    A store that holds read sets is previewed with a note saying so, and then
    not tried (``conflict`` in the report): AWS refuses it until they are gone.
    """
    plan = [s for s in stores if s.store is not None]
    holding = [s for s in plan if s.holds_read_sets]
    notes = notes + [
        f"{s.identifier} in {s.region} holds read sets: AWS refuses to delete it until "
        "they are gone, so it will not be tried"
        for s in holding
    ]
    several = any(s.account is not None for s in stores)
    preview = frame(
        [
            {
                "account_id": s.account,
                "region": s.region,
                "sequence_store_id": s.identifier,
                "name": s.name,
                "creation_time": (s.store or {}).get("creationTime"),
                "status": (s.store or {}).get("status"),
            }
            for s in plan
        ],
        (("account_id",) if several else ()) + confirming.PREVIEW_COLUMNS,
    )
    if single:
        label = f"store {plan[0].identifier} ({plan[0].name!r} in {_where(plan[0])})"
    else:
        label = f"{len(plan)} sequence store" + ("" if len(plan) == 1 else "s")
    title = f"{'Would delete' if dry_run else 'About to delete'} {label}:"
    # A dry run returns the preview, which a notebook shows as the cell's value:
    # the table once, not twice.
    confirming.show_preview(
        preview, title if plan else "Nothing to delete.", notes, table=not dry_run
    )
    if dry_run:
        set_failures(preview, [s.error_record() for s in stores if s.store is None])
        return preview
    if not plan:
        return _report(stores)
    previewed = [
        confirming.Previewed(s.region, s.identifier, (s.store or {}).get("arn")) for s in plan
    ]
    if confirming.confirmed(previewed, confirm, single=single, label=label):
        for s in holding:
            s.refuse_read_sets()
        try:
            calls.delete([s for s in plan if not s.holds_read_sets])
        except KeyboardInterrupt:
            account_for(plan, "interrupted")  # e.g. accounts not yet reached
            raise DeleteInterrupted(_report(stores)) from None
    else:
        for s in plan:
            s.outcome, s.message = "cancelled", confirming.LAST_CANCEL.reason
    return _report(stores)


def _check_timeout(timeout: object) -> float | None:
    from ..fetch.options import check_timeout

    return check_timeout(timeout)


def _check_dry_run(dry_run: object) -> None:
    if not isinstance(dry_run, bool):
        raise InputError(f"dry_run must be True or False, not {dry_run!r}")


def _pairs(frame_or_pairs: object) -> list[tuple[tuple[str, str], str | None]]:
    """Validated, de-duplicated ((region, id), account) pairs, in the order given."""
    if isinstance(frame_or_pairs, pd.DataFrame):
        df = frame_or_pairs
        if "arn" not in df.columns and not {"region", "sequence_store_id"} <= set(df.columns):
            raise InputError(
                "the frame needs region and sequence_store_id columns (or arn) to say "
                f"which stores to delete; it has: {', '.join(map(str, df.columns))}"
            )
        keyed = zip(store_keys(df), row_accounts(df), strict=True)
        return list(dict.fromkeys(keyed))
    if isinstance(frame_or_pairs, (str, bytes)) or not isinstance(frame_or_pairs, Iterable):
        raise InputError(
            "give the stores to delete as a DataFrame or as (region, sequence_store_id) pairs"
        )
    checked: list[tuple[tuple[str, str], str | None]] = []
    for pair in frame_or_pairs:
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise InputError(f"expected a (region, sequence_store_id) pair, got {pair!r}")
        checked.append(((resolve_regions([pair[0]])[0], validate_identifier(pair[1])), None))
    return list(dict.fromkeys(checked))


def _report(stores: list[Target]) -> pd.DataFrame:
    several = any(s.account is not None for s in stores)
    rows = [
        {
            "account_id": s.account,
            "region": s.region,
            "sequence_store_id": s.identifier,
            "name": s.name,
            "outcome": s.outcome,
            "message": s.message,
        }
        for s in stores
    ]
    columns = (["account_id"] if several else []) + list(REPORT_COLUMNS)
    return pd.DataFrame(rows, columns=columns, dtype="object")


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    if "creation_time" in columns:
        return frame([], columns)
    return pd.DataFrame(columns=list(columns), dtype="object")
