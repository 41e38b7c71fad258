"""Re-fetch the stores a frame holds: ``df.omics.refresh()``.

Only the frame's regions are called, each as cheaply as the frame allows:

- GetSequenceStore per store (plus ListTagsForResource per store for
  ``tags``) when the region has at most :data:`GET_THRESHOLD` of the frame's
  stores, or when the frame's columns need a per-store call anyway (``tags``
  or a GetSequenceStore-only extra). Listing would make those calls for
  *every* store of the region, however few of them the frame holds, so Get by
  ID is never more than about twice the cheapest plan and usually far less.
- Otherwise one ListSequenceStores page per 100 stores of the region.

The result keeps the frame's columns (and their order), its row order and
index labels. Known columns get fresh values; columns omics_magic doesn't
know (a user's own) are carried over per row. A store that is gone is
dropped, with one ``kind="not_found"`` record in ``attrs["omics_errors"]``.
Only a region that answered without errors can say a store is gone: when a
region failed, its rows that got no fresh answer are kept as they were (stale)
and the region's error is reported, as :func:`omics_magic.sequence_stores`
reports it.

Over several accounts, each row is refreshed through the session of its own
account (:mod:`.owners`): the profiles and roles given, else those the frame
was fetched with. A row whose account no session reaches is kept as it was,
and reported once per account; it is never looked up through another
account's session, where it would look gone.
"""

from __future__ import annotations

import dataclasses
import threading
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..aws.accounts import ALL_REGIONS, AccountChoice, account_of_arn
from ..columns import ALL_COLUMNS, column, resolve_columns
from ..errors import FetchError, RegionFailureWarning
from ..failures import Failure, failure_note, failures_in, set_failures
from ..regions import store_keys
from ..workers import map_all
from .accounts import Reached
from .options import FetchOptions
from .owners import Owners, owners_of, recorded_choice, row_accounts

if TYPE_CHECKING:
    import boto3


__all__ = ["GET_THRESHOLD", "overlay", "refresh_frame"]

#: Most of a frame's stores in one region refreshed by GetSequenceStore each; more
#: are refreshed from the listing (up to 100 stores per call) when no per-store
#: call is needed anyway.
GET_THRESHOLD = 5


def refresh_frame(
    df: pd.DataFrame,
    *,
    session: boto3.Session | None = None,
    options: FetchOptions | None = None,
    accounts: AccountChoice | None = None,
) -> pd.DataFrame:
    """Re-fetch the stores in ``df``'s rows; see the module docstring for what changes.

    ``df.omics.refresh()`` calls this; the stores are :func:`~omics_magic.regions.store_keys`.
    ``options`` say how (``strict``, ``timeout``, ``rate``; no progress bar by
    default), ``accounts`` the profiles and roles of the frame's accounts
    (None: those it was fetched with, else the base session).

    Examples
    --------
    >>> fresh = refresh_frame(df, options=FetchOptions(rate=None))  # doctest: +SKIP
    >>> fresh.attrs["omics_errors"]             # doctest: +SKIP
    """
    from .engine import REGIONS_ATTR, fetch_frame

    # Always from AWS (refresh=True), and the fresh answers replace the cached ones.
    asked = dataclasses.replace(options or FetchOptions(progress=False), refresh=True).started()
    # Refresh reports once, for all its fetches (below): they neither warn nor raise.
    # One cancel for all of them: an interrupt stops every fetch at once.
    cancel = threading.Event()
    options = dataclasses.replace(asked, strict=False, warn=False, cancel=cancel)
    keys = store_keys(df)
    choice = accounts or AccountChoice()
    owned = row_accounts(df)
    owners = owners_of(
        owned, recorded_choice(df, choice), session=session, deadline=options.deadline
    )
    known = [name for name in df.columns if name in ALL_COLUMNS]
    extra = ["arn"] if owners.per_account else []
    names = resolve_columns([*known, "region", "sequence_store_id", *extra])
    # (account, region) -> IDs; account None: every row through the one base session.
    wanted: dict[tuple[str | None, str], list[str]] = {}
    for (region, identifier), account in zip(keys, owned, strict=True):
        owner = account if owners.per_account else None
        if owners.per_account and account not in owners.sessions:
            continue  # not reached: the row stays as it was, reported below
        ids = wanted.setdefault((owner, region), [])
        if identifier not in ids:
            ids.append(identifier)
    per_store = any(column(n).source in ("tags", "get") for n in names)
    by_id = {k: ids for k, ids in wanted.items() if per_store or len(ids) <= GET_THRESHOLD}
    listed: dict[str | None, list[str]] = {}
    for owner, region in wanted:
        if (owner, region) not in by_id:
            listed.setdefault(owner, []).append(region)

    def fetch(owner: str | None, regions: list[str], ids: list[str] | None) -> pd.DataFrame:
        reached = None if owner is None else Reached([owners.sessions[owner]])
        return fetch_frame(
            regions,
            columns=names,
            identifiers=ids,
            session=session,
            options=options,
            reached=reached,
        )

    jobs: list[tuple[str | None, list[str], list[str] | None]] = [
        (owner, [region], ids) for (owner, region), ids in by_id.items()
    ]
    # One fetch per account lists every such region of it in parallel.
    jobs.extend((owner, regions, None) for owner, regions in listed.items())
    frames = map_all(lambda job: fetch(*job), jobs, name="refresh", cancel=cancel)
    errors = owners.failures + [f for fetched in frames for f in failures_in(fetched)]
    failed = {(e.account_id if owners.per_account else None, e.region) for e in errors}
    failed |= {(account or None, ALL_REGIONS) for account in owners.unreached}
    result, gone = _merge(df, keys, owned, frames, names, failed=failed, owners=owners)
    _report(errors, len(wanted) + len(owners.failures), strict=asked.strict)
    set_failures(result, errors + gone)
    result.attrs[REGIONS_ATTR] = list(dict.fromkeys(region for _, region in wanted))
    return result


def _merge(
    df: pd.DataFrame,
    keys: Sequence[tuple[str, str]],
    accounts: Sequence[str | None],
    frames: Sequence[pd.DataFrame],
    names: Sequence[str],
    *,
    failed: set[tuple[str | None, str]],
    owners: Owners,
) -> tuple[pd.DataFrame, list[Failure]]:
    def owner(account: str | None) -> str | None:
        return account if owners.per_account else None

    fresh: dict[tuple[str | None, str, str], dict[str, Any]] = {}
    for fetched in frames:
        for row in fetched.to_dict(orient="records"):
            account = owner(account_of_arn(row.get("arn")))
            fresh[(account, row["region"], row["sequence_store_id"])] = row
    keep: list[int] = []
    gone: list[Failure] = []
    row_keys = [
        (owner(account), region, identifier)
        for (region, identifier), account in zip(keys, accounts, strict=True)
    ]
    for position, (account, region, identifier) in enumerate(row_keys):
        if (
            (account, region, identifier) in fresh
            or (account, region) in failed
            or (account, ALL_REGIONS) in failed
        ):
            keep.append(position)
        else:
            gone.append(
                Failure(
                    region,
                    "ResourceNotFoundException",
                    f"sequence store {identifier} no longer exists in {region}; "
                    "its row was dropped",
                    "not_found",
                    account_id=account,
                    sequence_store_id=identifier,
                )
            )
    return overlay(df, keep, [row_keys[p] for p in keep], fresh, names), gone


def overlay(
    df: pd.DataFrame,
    keep: Sequence[int],
    kept_keys: Sequence[Any],
    fresh: dict[Any, dict[str, Any]],
    names: Sequence[str],
) -> pd.DataFrame:
    """Rows ``keep`` of ``df`` (keys ``kept_keys``), their columns of ``names`` overlaid
    with ``fresh`` (key -> fresh row) where it has the key, each in its original dtype.

    A column not in ``names`` (the user's own) keeps its values, and so does a
    row with no fresh answer (its region failed: stale, not gone).
    """
    result = df.iloc[list(keep)].copy()
    for position, name in enumerate(df.columns):
        if name not in names:
            continue  # not ours: the user's value stays
        old = result.iloc[:, position].tolist()
        values = [
            fresh[key][name] if key in fresh else value
            for key, value in zip(kept_keys, old, strict=True)
        ]
        result.isetitem(position, _like(values, df.iloc[:, position], result.index))
    return result


def _like(values: list[Any], original: pd.Series, index: pd.Index) -> pd.Series:
    """Fresh values in the original column's dtype (when they fit it)."""
    if isinstance(original.dtype, pd.DatetimeTZDtype) or original.dtype.kind == "M":
        series = pd.Series(pd.to_datetime(values, utc=True), index=index)
    else:
        series = pd.Series(values, index=index, dtype=object)
    try:
        return series.astype(original.dtype)
    except (TypeError, ValueError):
        return series


def _report(errors: list[Failure], n_regions: int, *, strict: bool) -> None:
    if not errors:
        return
    if strict:
        note = failure_note(errors, total=n_regions, detail=True, then=None, audience=None)
        raise FetchError(f"refresh: {note}", errors)
    warnings.warn(
        f"refresh: {failure_note(errors, total=n_regions, then='kept')}",
        RegionFailureWarning,
        stacklevel=4,
    )
