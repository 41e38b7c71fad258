"""Re-fetch the read sets a frame holds: ``df.omics.refresh()`` on a frame of read sets.

Only the frame's stores are called, each as cheaply as the frame allows:
GetReadSetMetadata per read set when the store has at most
:data:`~omics_magic.fetch.refresh.GET_THRESHOLD` of the frame's read sets, or
when the frame's columns need a per-read-set call anyway (``files``,
``creation_job_id``, ``tags``); otherwise the store's ListReadSets pages (100
read sets per call). No ListSequenceStores call is made.

As for stores (:mod:`.refresh`): columns, order and index are kept, a user's
own columns carried over, a read set that is gone dropped with one
``kind="not_found"`` record, and rows of a region or store whose answer
failed kept as they were, with the failure reported. Over several accounts,
each row is refreshed through its own account's session (:mod:`.owners`);
a row whose account none reaches is kept as it was, and reported.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from typing import TYPE_CHECKING, Any

from ..aws.accounts import ALL_REGIONS, AccountChoice, account_of_arn
from ..errors import InputError
from ..failures import Failure, failures_in, set_failures
from ..regions import resolve_regions, validate_identifier
from ..resources import READ_SETS
from ..workers import map_all
from .accounts import Reached
from .options import FetchOptions
from .owners import owners_of, recorded_choice, row_accounts
from .refresh import GET_THRESHOLD, _report, overlay

if TYPE_CHECKING:
    import boto3
    import pandas as pd


__all__ = ["MAX_AT_ONCE", "read_set_keys", "refresh_read_sets"]

#: Fetches at once (a store of few read sets is one fetch): each is a region's calls.
MAX_AT_ONCE = 32

_ARN = re.compile(
    r"^arn:[^:]+:omics:(?P<region>[^:]+):[^:]*:sequenceStore/(?P<store>[0-9]+)"
    r"/readSet/(?P<id>[0-9]+)$"
)


def read_set_keys(df: pd.DataFrame) -> list[tuple[str, str, str]]:
    """The ``(region, sequence_store_id, read_set_id)`` of every row, validated.

    From those columns, or parsed from ``arn`` where they are missing.

    Raises
    ------
    InputError
        A row identifies no read set, or an unknown region or malformed ID.

    Examples
    --------
    >>> import pandas as pd
    >>> arn = "arn:aws:omics:eu-west-2:1:sequenceStore/1234567890/readSet/9876543210"
    >>> read_set_keys(pd.DataFrame({"arn": [arn]}))
    [('eu-west-2', '1234567890', '9876543210')]
    """
    columns = set(df.columns)

    def values(name: str) -> list[Any]:
        return df[name].tolist() if name in columns else [None] * len(df)

    keys = []
    rows = zip(
        df.index,
        values("region"),
        values("sequence_store_id"),
        values("read_set_id"),
        values("arn"),
        strict=True,
    )
    for label, region, store, identifier, arn in rows:
        if not all(isinstance(v, str) for v in (region, store, identifier)):
            parsed = _ARN.match(arn) if isinstance(arn, str) else None
            if parsed is None:
                raise InputError(
                    f"row {label!r} has no region, sequence_store_id and read_set_id (nor a "
                    "read set arn); fill them in or drop the row"
                )
            region = region if isinstance(region, str) else parsed["region"]
            store = store if isinstance(store, str) else parsed["store"]
            identifier = identifier if isinstance(identifier, str) else parsed["id"]
        keys.append(
            (
                resolve_regions(region)[0],
                validate_identifier(store),
                READ_SETS.validate_identifier(identifier),
            )
        )
    return keys


def refresh_read_sets(
    df: pd.DataFrame,
    *,
    session: boto3.Session | None = None,
    options: FetchOptions | None = None,
    accounts: AccountChoice | None = None,
) -> pd.DataFrame:
    """Re-fetch the read sets in ``df``'s rows; see the module docstring for what changes.

    ``options`` and ``accounts`` as for :func:`~omics_magic.fetch.refresh.refresh_frame`.

    Examples
    --------
    >>> fresh = refresh_read_sets(read_sets_df)    # doctest: +SKIP
    """
    from .engine import REGIONS_ATTR, fetch_frame

    # Always from AWS (refresh=True), and the fresh answers replace the cached ones.
    asked = dataclasses.replace(options or FetchOptions(progress=False), refresh=True).started()
    # One cancel for all of them: an interrupt stops every fetch at once.
    cancel = threading.Event()
    options = dataclasses.replace(asked, strict=False, warn=False, cancel=cancel)
    keys = read_set_keys(df)
    choice = accounts or AccountChoice()
    owned = row_accounts(df)
    owners = owners_of(
        owned, recorded_choice(df, choice), session=session, deadline=options.deadline
    )

    def owner(account: str | None) -> str | None:
        return account if owners.per_account else None

    known = [name for name in df.columns if name in READ_SETS.all_columns]
    extra = ["arn"] if owners.per_account else []
    names = READ_SETS.resolve_columns([*known, *READ_SETS.key_columns, *extra])
    # (account, region, store) -> IDs; account None: every row through the one base session.
    wanted: dict[tuple[str | None, str, str], list[str]] = {}
    for (region, store, identifier), account in zip(keys, owned, strict=True):
        if owners.per_account and account not in owners.sessions:
            continue  # not reached: the row stays as it was, reported by owners_of
        ids = wanted.setdefault((owner(account), region, store), [])
        if identifier not in ids:
            ids.append(identifier)
    per_row = READ_SETS.needs(names, "get") or READ_SETS.needs(names, "tags")
    by_id = {k: ids for k, ids in wanted.items() if per_row or len(ids) <= GET_THRESHOLD}
    listed: dict[Any, list[str]] = {}
    for account, region, store in wanted:
        if (account, region, store) not in by_id:
            place = (account, region) if owners.per_account else region
            listed.setdefault(place, []).append(store)

    def fetch(job: tuple[dict[Any, list[str]], list[str] | None]) -> pd.DataFrame:
        stores, identifiers = job
        reached = None
        if owners.per_account:
            used = dict.fromkeys(account for account, _ in stores)
            reached = Reached([owners.sessions[a] for a in used])
        return fetch_frame(
            list(dict.fromkeys(p[1] if isinstance(p, tuple) else p for p in stores)),
            columns=names,
            identifiers=identifiers,
            session=session,
            options=options,
            reached=reached,
            resource=READ_SETS,
            parents=stores,
        )

    jobs: list[tuple[dict[Any, list[str]], list[str] | None]] = [
        ({(account, region) if owners.per_account else region: [store]}, ids)
        for (account, region, store), ids in by_id.items()
    ]
    if listed:
        jobs.append((listed, None))  # one fetch lists every such store, regions in parallel
    frames = map_all(fetch, jobs, name="refresh", cancel=cancel, max_workers=MAX_AT_ONCE)
    errors = owners.failures + [f for fetched in frames for f in failures_in(fetched)]
    lost = {(owner(e.account_id), e.region, e.sequence_store_id) for e in errors}
    failed = {(owner(e.account_id), e.region) for e in errors if e.sequence_store_id is None}
    failed |= {(account or None, ALL_REGIONS) for account in owners.unreached}

    def stale(key: tuple[str | None, str, str, str]) -> bool:
        account, region, store, _ = key
        return bool(
            {(account, region), (account, ALL_REGIONS)} & failed or (account, region, store) in lost
        )

    fresh: dict[tuple[str | None, str, str, str], dict[str, Any]] = {}
    for fetched in frames:
        for row in fetched.to_dict(orient="records"):
            account = owner(account_of_arn(row.get("arn")))
            fresh[(account, row["region"], row["sequence_store_id"], row["read_set_id"])] = row
    row_keys = [(owner(a), *key) for key, a in zip(keys, owned, strict=True)]
    keep = [p for p, key in enumerate(row_keys) if key in fresh or stale(key)]
    gone = [_gone(key) for key in row_keys if key not in fresh and not stale(key)]
    result = overlay(df, keep, [row_keys[p] for p in keep], fresh, names)
    places = {(account, region) for account, region, _ in wanted}
    _report(errors, len(places) + len(owners.failures), strict=asked.strict)
    set_failures(result, errors + gone)
    result.attrs[REGIONS_ATTR] = list(dict.fromkeys(region for _, region, _ in wanted))
    return result


def _gone(key: tuple[str | None, str, str, str]) -> Failure:
    account, region, store, identifier = key
    return Failure(
        region,
        "ResourceNotFoundException",
        f"read set {identifier} of store {store} no longer exists in {region}; its row was dropped",
        "not_found",
        account_id=account,
        resource=READ_SETS.name,
        sequence_store_id=store,
    )
