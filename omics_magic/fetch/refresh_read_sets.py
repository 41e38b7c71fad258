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
failed kept as they were, with the failure reported.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..failures import Failure, failures_in, set_failures
from ..regions import resolve_regions, validate_identifier
from ..resources import READ_SETS
from ..workers import map_all
from .options import FetchOptions
from .refresh import GET_THRESHOLD, _like, _report

if TYPE_CHECKING:
    import boto3
    import pandas as pd

    from ..aws.pacing import Rate

__all__ = ["read_set_keys", "refresh_read_sets"]

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
    strict: bool = False,
    timeout: float | None = None,
    rate: Rate = "auto",
) -> pd.DataFrame:
    """Re-fetch the read sets in ``df``'s rows; see the module docstring for what changes.

    Examples
    --------
    >>> fresh = refresh_read_sets(read_sets_df)    # doctest: +SKIP
    """
    from .engine import REGIONS_ATTR, fetch_frame

    # Always from AWS (refresh=True), and the fresh answers replace the cached ones.
    asked = FetchOptions(
        strict=strict, progress=False, timeout=timeout, rate=rate, refresh=True
    ).started()
    # One cancel for all of them: an interrupt stops every fetch at once.
    cancel = threading.Event()
    options = dataclasses.replace(asked, strict=False, warn=False, cancel=cancel)
    keys = read_set_keys(df)
    known = [name for name in df.columns if name in READ_SETS.all_columns]
    names = READ_SETS.resolve_columns([*known, *READ_SETS.key_columns])
    wanted: dict[tuple[str, str], list[str]] = {}
    for region, store, identifier in keys:
        ids = wanted.setdefault((region, store), [])
        if identifier not in ids:
            ids.append(identifier)
    per_row = READ_SETS.needs(names, "get") or READ_SETS.needs(names, "tags")
    by_id = {k: ids for k, ids in wanted.items() if per_row or len(ids) <= GET_THRESHOLD}
    listed: dict[str, list[str]] = {}
    for region, store in wanted:
        if (region, store) not in by_id:
            listed.setdefault(region, []).append(store)

    def fetch(job: tuple[dict[str, list[str]], list[str] | None]) -> pd.DataFrame:
        stores, identifiers = job
        return fetch_frame(
            list(stores),
            columns=names,
            identifiers=identifiers,
            session=session,
            options=options,
            resource=READ_SETS,
            parents=stores,
        )

    jobs: list[tuple[dict[str, list[str]], list[str] | None]] = [
        ({region: [store]}, ids) for (region, store), ids in by_id.items()
    ]
    if listed:
        jobs.append((listed, None))  # one fetch lists every such store, regions in parallel
    frames = map_all(fetch, jobs, name="refresh", cancel=cancel)
    errors = [failure for fetched in frames for failure in failures_in(fetched)]
    lost = {(e.region, e.sequence_store_id) for e in errors if e.sequence_store_id}
    failed = {e.region for e in errors if e.sequence_store_id is None}
    result, gone = _merge(
        df, keys, frames, names, stale=lambda key: key[0] in failed or key[:2] in lost
    )
    _report(errors, len({region for region, _ in wanted}), strict=asked.strict)
    set_failures(result, errors + gone)
    result.attrs[REGIONS_ATTR] = list(dict.fromkeys(region for region, _ in wanted))
    return result


def _gone(key: tuple[str, ...]) -> Failure:
    region, store, identifier = key
    return Failure(
        region,
        "ResourceNotFoundException",
        f"read set {identifier} of store {store} no longer exists in {region}; its row was dropped",
        "not_found",
        resource=READ_SETS.name,
        sequence_store_id=store,
    )


def _merge(
    df: pd.DataFrame,
    keys: Sequence[tuple[str, str, str]],
    frames: Sequence[pd.DataFrame],
    names: Sequence[str],
    *,
    stale: Callable[[tuple[str, str, str]], bool],
) -> tuple[pd.DataFrame, list[Failure]]:
    """Fresh values into ``df``'s rows by key; a key with no fresh row is gone, unless
    ``stale(key)`` (its region or store failed): then it is kept as it was."""
    fresh: dict[tuple[str, str, str], dict[str, Any]] = {}
    for fetched in frames:
        for row in fetched.to_dict(orient="records"):
            fresh[(row["region"], row["sequence_store_id"], row["read_set_id"])] = row
    keep = [p for p, key in enumerate(keys) if key in fresh or stale(key)]
    gone = [_gone(key) for key in keys if key not in fresh and not stale(key)]
    result = df.iloc[keep].copy()
    kept_keys = [keys[p] for p in keep]
    for position, name in enumerate(df.columns):
        if name not in names:
            continue  # not ours: the user's value stays
        old = result.iloc[:, position].tolist()
        values = [
            fresh[key][name] if key in fresh else value
            for key, value in zip(kept_keys, old, strict=True)
        ]
        result.isetitem(position, _like(values, df.iloc[:, position], result.index))
    return result, gone
