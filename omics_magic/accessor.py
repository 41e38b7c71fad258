"""``df.omics``: the pandas accessor for frames of sequence stores or of read sets.

Importing omics_magic registers it. pandas builds a new accessor on every
``df.omics`` access, so it keeps no state: each method works on the frame as
it is at that moment.

What a frame needs:

- ``df.omics`` at all: at least one of the key columns ``region``,
  ``sequence_store_id`` or ``arn`` (a frame with none of them is not a frame
  of sequence stores), else AttributeError.
- Actions on the stores themselves (``refresh``, ``delete``): both ``region`` and
  ``sequence_store_id``, or ``arn`` (from which both derive).
- ``expand_tags``: the ``tags`` column.
- ``to_arrow`` and ``to_parquet``: nothing more; every column is written,
  with the canonical schema of the frame's resource.
- On a frame of read sets (it has ``read_set_id``): ``refresh`` needs
  ``region``, ``sequence_store_id`` and ``read_set_id`` (or ``arn``);
  ``delete`` and ``read_sets`` are for frames of stores and refuse.
- ``read_sets``: the read sets of the frame's stores (keys as for ``refresh``).

A missing column raises AttributeError naming it, before any AWS call.
Heavy modules (boto3, pyarrow.parquet, the fetch engine) load on first use.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .errors import InputError

if TYPE_CHECKING:
    import boto3
    import pyarrow as pa

    from .aws.pacing import Rate

__all__ = ["KEY_COLUMNS", "OmicsAccessor"]

KEY_COLUMNS = ("region", "sequence_store_id", "arn")


@pd.api.extensions.register_dataframe_accessor("omics")
class OmicsAccessor:
    """Sequence store actions on a DataFrame: ``df.omics.refresh()``, ``.to_parquet()``...

    Examples
    --------
    >>> import omics_magic, pandas as pd
    >>> df = pd.DataFrame.omics.fetch(["us-east-1"])        # doctest: +SKIP
    >>> df.omics.expand_tags().groupby("tag:team").size()    # doctest: +SKIP
    >>> df.omics.to_parquet("stores.parquet")                # doctest: +SKIP
    """

    def __init__(self, df: pd.DataFrame) -> None:
        if not any(name in df.columns for name in KEY_COLUMNS):
            raise AttributeError(
                "df.omics needs a frame of sequence stores: it has none of the key columns "
                "'region', 'sequence_store_id', 'arn'; select region and sequence_store_id "
                "(or arn) too"
            )
        self._df = df

    @classmethod
    def fetch(cls, regions: str | Iterable[str] | None = None, **kwargs: Any) -> pd.DataFrame:
        """Every sequence store in ``regions``: the same as :func:`omics_magic.sequence_stores`.

        Examples
        --------
        >>> df = pd.DataFrame.omics.fetch(["us-east-1"], columns=["name", "tags"])  # doctest: +SKIP
        """
        from .fetch.engine import sequence_stores

        return sequence_stores(regions, **kwargs)

    def refresh(
        self,
        *,
        session: boto3.Session | None = None,
        strict: bool = False,
        timeout: float | None = None,
        rate: Rate = "auto",
        profiles: Iterable[str] | None = None,
        role_arns: Iterable[str] | None = None,
        role_external_id: str | None = None,
        role_session_name: str | None = None,
    ) -> pd.DataFrame:
        """Re-fetch the stores in this frame's rows, calling only their regions.

        Each region gets as few calls as the frame allows: GetSequenceStore
        per store for a few stores (or when ``tags`` or Get-only extras are
        needed anyway), the listing for more.

        Parameters
        ----------
        session, strict, timeout, rate
            As in :func:`omics_magic.sequence_stores`.
        profiles, role_arns, role_external_id, role_session_name
            The sessions of the frame's accounts (default: those it was fetched
            with). Each row is refreshed in its own account (its ``account_id``
            or ARN); a row whose account none reaches is kept as it was, and reported.

        Returns
        -------
        pandas.DataFrame
            The same columns, in the same order, with fresh values for the
            known columns (a user's own columns are carried over). Stores that
            no longer exist are dropped, each reported in
            ``attrs["omics_errors"]`` with ``kind="not_found"``. Rows of a
            failed region are kept as they were and the region's error is
            reported (or raised as FetchError with ``strict=True``).

        Raises
        ------
        AttributeError
            The frame has neither ``region`` and ``sequence_store_id`` nor ``arn``.
        InputError
            A row identifies no store, or an unknown region or malformed ID.

        Examples
        --------
        >>> df = df.omics.refresh()                 # doctest: +SKIP
        >>> df.attrs["omics_errors"]                 # doctest: +SKIP
        [{'region': 'us-east-1', 'kind': 'not_found', 'sequence_store_id': '1234567890', ...}]
        """
        from .aws.accounts import AccountChoice
        from .fetch.options import FetchOptions

        if not self._holds_read_sets:
            self._require_store_keys("refresh")
        options = FetchOptions(strict=strict, progress=False, timeout=timeout, rate=rate)
        accounts = AccountChoice.of(profiles, role_arns, role_external_id, role_session_name)
        if self._holds_read_sets:
            from .fetch.refresh_read_sets import refresh_read_sets

            return refresh_read_sets(self._df, session=session, options=options, accounts=accounts)
        from .fetch.refresh import refresh_frame

        return refresh_frame(self._df, session=session, options=options, accounts=accounts)

    def read_sets(
        self,
        columns: Iterable[str] | None = None,
        *,
        session: boto3.Session | None = None,
        strict: bool = False,
        profiles: Iterable[str] | None = None,
        role_arns: Iterable[str] | None = None,
        role_external_id: str | None = None,
        role_session_name: str | None = None,
    ) -> pd.DataFrame:
        """The read sets of exactly this frame's stores, each listed in its own region.

        One ListReadSets page per 100 read sets of each store, and no
        ListSequenceStores call. Failures are reported as by
        :func:`omics_magic.read_sets`.

        Parameters
        ----------
        columns, session, strict
            As in :func:`omics_magic.read_sets`.
        profiles, role_arns, role_external_id, role_session_name
            The sessions of the frame's accounts (default: those it was fetched
            with). Each store is listed in its own account (its ``account_id``
            or ARN); a store whose account none reaches is reported, not listed.

        Raises
        ------
        AttributeError
            The frame has neither ``region`` and ``sequence_store_id`` nor
            ``arn``, or it holds read sets already.

        Examples
        --------
        >>> stores = omics_magic.sequence_stores()                 # doctest: +SKIP
        >>> genomics = stores[stores["tags"].str.get("team") == "genomics"]  # doctest: +SKIP
        >>> genomics.omics.read_sets()                             # doctest: +SKIP
        """
        from .aws.accounts import AccountChoice
        from .fetch.options import FetchOptions
        from .fetch.read_sets import stores_read_sets

        self._require_stores("read_sets")
        self._require_store_keys("read_sets")
        return stores_read_sets(
            self._df,
            columns=columns,
            session=session,
            options=FetchOptions(strict=strict),
            accounts=AccountChoice.of(profiles, role_arns, role_external_id, role_session_name),
        )

    def delete(
        self,
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
        """Delete exactly the stores in this frame's rows, after a preview and a confirmation.

        The stores are this frame's (region, sequence_store_id) pairs (or its
        arns), and nothing else. Each is read first and the preview shown; only
        the stores found are deleted, and only once confirmed.

        Parameters
        ----------
        confirm
            Exactly the previewed store IDs: a list, set or tuple of str, or one
            comma-separated str. Without it, the user is asked to type
            ``delete N stores`` if a prompt is possible (a terminal, or a
            notebook frontend with stdin), else ConfirmationRequired.
        dry_run
            Show and return the preview; delete nothing.
        session
            A ``boto3.Session``; None uses the default credential chain.
        profiles, role_arns, role_external_id, role_session_name
            The sessions of the frame's accounts (default: those it was
            fetched with). Each row is deleted in its own account (its
            ``account_id`` or ARN), never through another's; the preview and
            the report then show ``account_id``, and a row whose account none
            reaches is reported and not deleted.
        timeout
            Seconds the whole delete may take; None for no bound. Stores whose
            delete was not sent by then are ``not_attempted``.

        Returns
        -------
        pandas.DataFrame
            One row per store, in the frame's order: region, sequence_store_id,
            name, outcome (``deleted``, ``deleting``, ``not_found``, ``conflict``,
            ``denied``, ``error``, ``cancelled``, ``not_attempted`` or
            ``unknown``) and message. A failed store doesn't stop the others.
            With ``dry_run``: the preview.

        Raises
        ------
        AttributeError
            The frame has neither ``region`` and ``sequence_store_id`` nor ``arn``.
        InputError
            A row identifies no store, or ``confirm`` is not str(s).
        ConfirmationRequired, ConfirmationMismatch
            No confirmation and no prompt, or a wrong one. Nothing was deleted.
        DeleteInterrupted
            Interrupted (Ctrl-C, a kernel interrupt): no further delete was sent;
            its ``report`` says what happened to every store.

        Examples
        --------
        >>> scratch = df[df["name"].str.startswith("scratch-")]    # doctest: +SKIP
        >>> scratch.omics.delete(dry_run=True)                      # doctest: +SKIP
        >>> scratch.omics.delete(confirm=list(scratch["sequence_store_id"]))  # doctest: +SKIP
        """
        from .delete.protocol import delete_sequence_stores

        self._require_stores("delete")
        self._require_store_keys("delete")
        return delete_sequence_stores(
            self._df,
            confirm=confirm,
            dry_run=dry_run,
            session=session,
            profiles=profiles,
            role_arns=role_arns,
            role_external_id=role_external_id,
            role_session_name=role_session_name,
            timeout=timeout,
        )

    def expand_tags(self, prefix: str = "tag:") -> pd.DataFrame:
        """A copy with one column per tag key, to group, filter and pivot by tag.

        Parameters
        ----------
        prefix
            Put before each key to name its column.

        Returns
        -------
        pandas.DataFrame
            Every original column, then one ``object`` column per tag key
            (sorted by key): the tag's value, or None where the store does not
            have that tag (or its tags are unknown).

        Raises
        ------
        AttributeError
            The frame has no ``tags`` column.
        InputError
            A new column would replace an existing one (pick another prefix).

        Examples
        --------
        >>> from omics_magic.columns import frame
        >>> df = frame([{"region": "us-east-1", "tags": {"team": "x"}},
        ...             {"region": "us-east-1", "tags": {}}], ["region", "tags"])
        >>> df.omics.expand_tags()["tag:team"].tolist()
        ['x', None]
        """
        self._require("expand_tags", "tags")
        if not isinstance(prefix, str):
            raise InputError(f"prefix must be a string; got {prefix!r}")
        tags = self._df["tags"].tolist()
        for label, value in zip(self._df.index, tags, strict=True):
            if value is not None and not isinstance(value, dict):
                raise InputError(f"tags of row {label!r} is {value!r}, not a dict or None")
        keys = sorted({key for value in tags if value for key in value})
        names = [f"{prefix}{key}" for key in keys]
        clash = [name for name in names if name in self._df.columns]
        if clash:
            raise InputError(
                f"expand_tags would replace column {clash[0]!r}; pass another prefix= "
                "(or drop the column)"
            )
        expanded = pd.DataFrame(
            {
                name: pd.Series(
                    [v.get(key) if v else None for v in tags], index=self._df.index, dtype=object
                )
                for name, key in zip(names, keys, strict=True)
            },
            index=self._df.index,
            columns=names,
        )
        result = pd.concat([self._df, expanded], axis=1) if names else self._df.copy()
        result.attrs = dict(self._df.attrs)
        return result

    def to_arrow(self) -> pa.Table:
        """The frame as a ``pyarrow.Table`` with the canonical schema.

        See :func:`omics_magic.export.files.to_arrow`.

        Examples
        --------
        >>> df.omics.to_arrow().schema.field("tags").type  # doctest: +SKIP
        MapType(map<string, string>)
        """
        from .export.arrow import to_arrow

        return to_arrow(self._df)

    def to_parquet(
        self,
        path: str | PathLike[str],
        *,
        partition_by_region: bool = False,
        compression: str | None = "zstd",
        overwrite: bool = False,
        partition_by: Sequence[str] | None = None,
    ) -> Path:
        """Write the frame to Parquet, safely; ``omics_magic.read_parquet`` reads it back exactly.

        Parameters
        ----------
        path
            A ``.parquet`` file; with ``partition_by_region``, a dataset
            directory (``path/region=<r>/part-0.parquet``).
        partition_by_region
            Write a Hive-partitioned dataset, one folder per region.
        partition_by
            Columns to partition the dataset by, outermost first, e.g.
            ``["account_id", "region"]`` (``path/account_id=<a>/region=<r>/``).
            zstd (default), snappy, gzip, brotli, lz4 or None.
        overwrite
            Replace an existing file or dataset; otherwise that is an ExportError.

        Returns
        -------
        pathlib.Path
            The path written.

        Examples
        --------
        >>> df.omics.to_parquet("stores.parquet")                # doctest: +SKIP
        >>> df.omics.to_parquet("ds", partition_by_region=True)  # doctest: +SKIP
        >>> df.omics.to_parquet("ds", partition_by=["account_id", "region"])  # doctest: +SKIP
        """
        from .errors import ExportError
        from .export.files import output_path, write_frame

        target = output_path(path)
        if not partition_by_region and partition_by is None and target.suffix.lower() != ".parquet":
            raise ExportError(
                f"to_parquet writes Parquet: use a path ending in .parquet, not {target.name!r}"
            )
        return write_frame(
            self._df,
            target,
            overwrite=overwrite,
            partition_by_region=partition_by_region,
            compression=compression,
            partition_by=partition_by,
        )

    def _require(self, action: str, *names: str) -> None:
        missing = [name for name in names if name not in self._df.columns]
        if missing:
            listed = ", ".join(repr(name) for name in missing)
            raise AttributeError(f"df.omics.{action}() needs the column(s) {listed}; select them")

    @property
    def _holds_read_sets(self) -> bool:
        from .resources import READ_SETS, resource_of_columns

        return resource_of_columns(self._df.columns) is READ_SETS

    def _require_stores(self, action: str) -> None:
        """Store actions never run on a frame of read sets (whose store IDs are its parents)."""
        if self._holds_read_sets:
            raise AttributeError(
                f"df.omics.{action}() works on a frame of sequence stores; this frame holds "
                "read sets (it has read_set_id): use a frame of the stores instead"
            )

    def _require_store_keys(self, action: str) -> None:
        """Actions on the stores need to know which: region + sequence_store_id, or arn."""
        columns = self._df.columns
        if "arn" in columns or ("region" in columns and "sequence_store_id" in columns):
            return
        missing = [n for n in ("region", "sequence_store_id") if n not in columns]
        listed = " and ".join(repr(name) for name in missing)
        raise AttributeError(
            f"df.omics.{action}() needs to know which stores: the frame lacks {listed} "
            "(or 'arn', from which both derive); select them"
        )
