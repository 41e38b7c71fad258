"""Every read set of every sequence store across regions, as one typed DataFrame.

The engine is the stores' (:func:`~omics_magic.fetch.engine.fetch_frame`),
given the read-set resource (:data:`omics_magic.resources.READ_SETS`): in
each region the stores are listed (unless named), then each store's read sets
(:mod:`omics_magic.fetch.children`). A store whose listing fails costs only
its own rows, and gets its own failure record.

``profiles`` and ``role_arns`` choose the accounts, as for the stores; a
frame of stores (:func:`stores_read_sets`, ``stores.omics.read_sets()``)
lists each store in its own region and through its own account's session
(:mod:`.owners`), never through another account's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..aws.accounts import AccountChoice
from ..errors import AmbiguousStoreError
from ..regions import resolve_regions, store_keys, validate_identifier
from ..resources import READ_SETS
from .accounts import Reached
from .engine import fetch_frame
from .options import FetchOptions
from .owners import owners_of, recorded_choice, row_accounts

if TYPE_CHECKING:
    import boto3
    import pandas as pd

__all__ = ["read_set", "read_sets", "stores_read_sets"]


def read_sets(
    regions: str | Iterable[str] | None = None,
    *,
    sequence_store_ids: str | Iterable[str] | None = None,
    columns: Iterable[str] | None = None,
    session: boto3.Session | None = None,
    strict: bool = False,
    progress: bool | None = None,
    profiles: Iterable[str] | None = None,
    role_arns: Iterable[str] | None = None,
    role_external_id: str | None = None,
    role_session_name: str | None = None,
) -> pd.DataFrame:
    """Every read set of every sequence store in ``regions``, one row each.

    Parameters
    ----------
    regions
        Region names; None means ``$OMICS_MAGIC_REGIONS`` if set, else every
        region where botocore lists omics.
    sequence_store_ids
        Only these stores' read sets (no ListSequenceStores call is made); a
        region without one of them is not an error.
    columns
        Column names; None means the sixteen documented ones (every value
        from ListReadSets). The extras ``files`` and ``creation_job_id``
        (GetReadSetMetadata) and ``tags`` (ListTagsForResource) cost one call
        per read set each, under a 5 TPS quota, and come only when named.
    session
        The boto3 session; None uses the default credential chain.
    strict
        Raise :class:`~omics_magic.errors.FetchError` naming every failure
        instead of warning.
    progress
        Show a progress bar over regions; None shows one in a notebook for
        more than one region.
    profiles, role_arns, role_external_id, role_session_name
        The accounts to query, as in :func:`omics_magic.sequence_stores`:
        every (account, region) at once; ``account_id`` is an extra column.

    Returns
    -------
    pandas.DataFrame
        Rows ordered by account (as given), region (as given), store (oldest first, or as named),
        then creation time and ID. ``df.attrs["omics_errors"]`` holds one
        record per failed region, and one per store whose listing failed
        (with its ``sequence_store_id``).

    Raises
    ------
    InputError
        An unknown region or column, or a malformed store ID, before any call.
    CredentialsError
        No usable AWS credentials, before any call.
    FetchError
        With ``strict=True``, if anything failed.

    Examples
    --------
    >>> import omics_magic
    >>> df = omics_magic.read_sets(["us-east-1"])                          # doctest: +SKIP
    >>> df = omics_magic.read_sets(sequence_store_ids=["4839201756"])       # doctest: +SKIP
    >>> df.groupby("status")["sequence_information"].count()               # doctest: +SKIP
    >>> df = omics_magic.read_sets(profiles=["dev", "prod"])                 # doctest: +SKIP
    """
    options = FetchOptions(strict=strict, progress=progress)
    return fetch_frame(
        resolve_regions(regions),
        columns=columns,
        session=session,
        options=options,
        accounts=AccountChoice.of(profiles, role_arns, role_external_id, role_session_name),
        resource=READ_SETS,
        parents=sequence_store_ids,
    )


def read_set(
    sequence_store_id: str,
    read_set_id: str,
    region: str | Iterable[str] | None = None,
    *,
    columns: Iterable[str] | None = None,
    session: boto3.Session | None = None,
    strict: bool = False,
    profiles: Iterable[str] | None = None,
    role_arns: Iterable[str] | None = None,
    role_external_id: str | None = None,
    role_session_name: str | None = None,
) -> pd.DataFrame:
    """The read set ``read_set_id`` of store ``sequence_store_id``: a frame of 0 or 1 rows.

    Read by GetReadSetMetadata (one call per region asked; with
    ``region=None``, every configured region at once). A region without it
    is not an error; a region that fails is reported as in :func:`read_sets`.
    ``profiles`` and ``role_arns`` choose the accounts to ask, as there.

    Raises
    ------
    InvalidIdentifierError
        If either ID is not 10 to 36 digits, before any call.
    AmbiguousStoreError
        If more than one region has it.

    Examples
    --------
    >>> import omics_magic
    >>> omics_magic.read_set("4839201756", "1234567890", "us-east-1")  # doctest: +SKIP
    """
    store = validate_identifier(sequence_store_id)
    identifier = READ_SETS.validate_identifier(read_set_id)
    df = fetch_frame(
        resolve_regions(region),
        columns=columns,
        identifiers=[identifier],
        session=session,
        options=FetchOptions(strict=strict, progress=False),
        accounts=AccountChoice.of(profiles, role_arns, role_external_id, role_session_name),
        resource=READ_SETS,
        parents=[store],
    )
    if len(df) > 1:
        found = ", ".join(map(str, df["region"])) if "region" in df else f"{len(df)} places"
        raise AmbiguousStoreError(
            f"read set {identifier} of store {store} exists in {found}; pass region= to choose one"
        )
    return df


def stores_read_sets(
    stores: pd.DataFrame,
    *,
    columns: Iterable[str] | None = None,
    session: boto3.Session | None = None,
    options: FetchOptions | None = None,
    accounts: AccountChoice | None = None,
) -> pd.DataFrame:
    """The read sets of exactly the stores in ``stores``' rows (``stores.omics.read_sets()``).

    Each store is listed in its own region, and, in a frame of several
    accounts (its ``account_id`` or ARNs), through its own account's session:
    those of ``accounts``, else those the frame was fetched with. A store
    whose account none of them reaches is reported, once per account, and
    not listed through another's. No ListSequenceStores call is made.

    Examples
    --------
    >>> stores = omics_magic.sequence_stores(profiles=["dev", "prod"])  # doctest: +SKIP
    >>> stores_read_sets(stores).attrs["omics_errors"]                # doctest: +SKIP
    []
    """
    options = (options or FetchOptions()).started()
    keys = store_keys(stores)
    owned = row_accounts(stores)
    choice = recorded_choice(stores, accounts or AccountChoice())
    owners = owners_of(owned, choice, session=session, deadline=options.deadline)
    # region -> store IDs through the base session, or (account, region) -> IDs.
    wanted: dict[Any, list[str]] = {}
    for (region, identifier), account in zip(keys, owned, strict=True):
        if owners.per_account and account not in owners.sessions:
            continue  # reported by owners_of; never listed through another account
        ids = wanted.setdefault((account, region) if owners.per_account else region, [])
        if identifier not in ids:
            ids.append(identifier)
    regions = list(dict.fromkeys(k[1] if isinstance(k, tuple) else k for k in wanted))
    reached = None
    if owners.per_account:
        used = dict.fromkeys(account for account, _ in wanted)
        reached = Reached([owners.sessions[a] for a in used], failures=owners.failures)
    return fetch_frame(
        regions,
        columns=columns,
        session=session,
        options=options,
        accounts=choice,
        reached=reached,
        resource=READ_SETS,
        parents=wanted,
    )
