"""Writing frames to Parquet (or CSV/JSON) safely, and reading Parquet back exactly.

:func:`write_frame` is the one writer: ``df.omics.to_parquet``, the magic's
``-o`` and the CLI all call it. Parquet files carry the canonical Arrow schema
(:mod:`omics_magic.export.arrow`); :func:`read_parquet` is their exact inverse, for
single files and for datasets partitioned by region
(:mod:`omics_magic.export.partitioned`). Writes are atomic (:mod:`omics_magic.export.atomic`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..errors import ExportError, WriteError
from .arrow import check_column_names, from_arrow, to_arrow
from .atomic import atomic_dir, atomic_file, check_destination

if TYPE_CHECKING:
    import pyarrow as pa
    from pyarrow.parquet import ParquetFile

__all__ = [
    "COMPRESSIONS",
    "FORMATS",
    "check_output",
    "output_path",
    "read_parquet",
    "to_arrow",
    "write_frame",
]

COMPRESSIONS = ("zstd", "snappy", "gzip", "brotli", "lz4", "none")
FORMATS = {".parquet": "parquet", ".csv": "csv", ".json": "json"}
# Hive partition values (regions, accounts) end up in directory names: keep them plain.
_PLAIN_REGION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
# Rows per piece when reading a column (pyarrow decodes a column's row group at once anyway).
_BATCH_ROWS = 16_384


def read_parquet(path: str | PathLike[str]) -> pd.DataFrame:
    """Read a Parquet file or partitioned dataset written by omics_magic, exactly.

    The inverse of ``df.omics.to_parquet(path)``: same dtypes, dicts, ``{}``
    vs None, time zones, column order and row order, extra columns included.
    For a dataset written with ``partition_by_region=True``, the ``region``
    column comes back in its original position and the rows in their
    original order. The index is a fresh RangeIndex (the index is not written).

    Files and datasets from other tools read too: known columns get
    omics_magic's dtypes, other columns pyarrow's defaults.

    Raises
    ------
    FileNotFoundError
        Nothing at ``path``.
    pyarrow.ArrowInvalid
        ``path`` is not Parquet.

    Examples
    --------
    >>> import omics_magic
    >>> df = omics_magic.read_parquet("stores.parquet")  # doctest: +SKIP
    """
    import pyarrow.parquet as pq

    from .arrow import frame_from_columns
    from .partitioned import read_dataset

    where = Path(path).expanduser()
    if not where.exists():
        raise FileNotFoundError(f"{where} does not exist")
    if where.is_dir():
        return from_arrow(read_dataset(where))
    file = pq.ParquetFile(where)
    names = file.schema_arrow.names
    if not names or len(set(names)) != len(names):
        # No column to count the rows by, or names that can't select one column.
        return from_arrow(file.read())
    # Column by column: the whole Arrow table and the frame never live at once.
    columns = (_column_pieces(file, name) for name in names)
    return frame_from_columns(file.schema_arrow, columns)


def _column_pieces(file: ParquetFile, name: str) -> Iterator[pa.Array]:
    for batch in file.iter_batches(batch_size=_BATCH_ROWS, columns=[name], use_threads=False):
        # By name, not position: Parquet selects by column path, and dotted
        # names ("a.b" next to "a") must not pick a neighbour.
        yield batch.column(name)


def write_frame(
    df: pd.DataFrame,
    path: str | PathLike[str],
    *,
    overwrite: bool = False,
    partition_by_region: bool = False,
    compression: str | None = "zstd",
    partition_by: Sequence[str] | None = None,
) -> Path:
    """Write a frame to Parquet, CSV or JSON by the path's suffix, safely.

    The file is written next to ``path`` under a temporary name and renamed
    into place: on any failure (a value that can't be written, a full disk,
    an interrupt) an existing file is left untouched and nothing partial is
    left behind.

    Parameters
    ----------
    df
        The frame to write.
    path
        ``.parquet`` (canonical schema, exact round trip with
        :func:`read_parquet`), ``.csv`` or ``.json`` (dict and list columns
        as JSON text in CSV, nested objects in JSON; for people, not round
        trips). With ``partition_by_region``: a directory, with no suffix or
        ``.parquet``.
    overwrite
        Replace an existing file (or dataset directory). Otherwise an
        existing ``path`` is an error.
    partition_by_region
        Write a Hive-partitioned Parquet dataset ``path/region=<r>/part-0.parquet``
        (the same as ``partition_by=["region"]``).
    compression
        Parquet compression: zstd, snappy, gzip, brotli, lz4 or None/"none".
    partition_by
        Columns to partition a Parquet dataset by, outermost first, e.g.
        ``["account_id", "region"]``: ``path/account_id=<a>/region=<r>/part-0.parquet``.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ExportError
        Bad suffix, missing or unwritable directory, existing path without
        ``overwrite``, unwritable values; all before anything is written.
    WriteError
        The write itself failed (a full disk, an I/O error); nothing is left
        behind and an existing file is untouched.

    Examples
    --------
    >>> write_frame(df, "stores.parquet", overwrite=True)  # doctest: +SKIP
    PosixPath('stores.parquet')
    """
    partitions = _partition_columns(partition_by, partition_by_region)
    dest = check_output(path, overwrite=overwrite, partition_by_region=bool(partitions))
    fmt = _format_of(dest, bool(partitions))
    codec = _compression_of(compression)
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"write_frame writes a pandas DataFrame, not {type(df).__name__}")
    try:
        if fmt == "csv" or fmt == "json":
            from .text import write_text_frame

            check_column_names(df)
            try:
                text = write_text_frame(df, fmt)
            except (TypeError, ValueError, OverflowError) as err:
                raise ExportError(f"can't write the frame as {fmt.upper()}: {err}") from None
            with atomic_file(dest, overwrite=overwrite) as tmp:
                tmp.write_bytes(text)
        elif partitions:
            from .partitioned import write_dataset

            values = _partition_values(df, partitions)
            table = to_arrow(df)
            with atomic_dir(dest, overwrite=overwrite) as tmp:
                write_dataset(table, values, tmp, compression=codec, partition_by=partitions)
        else:
            import pyarrow.parquet as pq

            table = to_arrow(df)
            with atomic_file(dest, overwrite=overwrite) as tmp:
                pq.write_table(table, str(tmp), compression=codec)
    except OSError as err:
        # Not bad input: the destination passed its checks, the write itself failed.
        raise WriteError(f"could not write {dest}: {err}") from err
    return dest


def check_output(
    path: str | PathLike[str], *, overwrite: bool = False, partition_by_region: bool = False
) -> Path:
    """Check that :func:`write_frame` could write ``path``; write nothing.

    The magic's ``-o`` and the CLI call this before any AWS call, so that a bad
    or existing destination fails at once instead of after a long query.

    Raises
    ------
    ExportError
        Unknown format, missing or unwritable directory, or an existing path
        without ``overwrite``.

    Examples
    --------
    >>> check_output("stores.txt")
    Traceback (most recent call last):
    ...
    omics_magic.errors.ExportError: can't tell the format of 'stores.txt': ...
    """
    dest = output_path(path)
    _format_of(dest, partition_by_region)
    check_destination(dest, overwrite=overwrite)
    return dest


def output_path(path: object) -> Path:
    """``path`` as a Path (``~`` expanded), or ExportError if it is not a path at all."""
    if not isinstance(path, (str, PathLike)) or (isinstance(path, str) and not path.strip()):
        raise ExportError(
            f"the output path must be a file name (str or pathlib.Path), not {path!r}; "
            "e.g. 'stores.parquet'"
        )
    return Path(path).expanduser()


def _format_of(dest: Path, partition_by_region: bool) -> str:
    suffix = dest.suffix.lower()
    if partition_by_region:
        if suffix not in ("", ".parquet"):
            raise ExportError(
                f"partition_by_region writes a Parquet dataset directory: use a path with no "
                f"suffix or .parquet, not {dest.name!r}"
            )
        return "parquet"
    if suffix not in FORMATS:
        raise ExportError(
            f"can't tell the format of {dest.name!r}: use a path ending in {', '.join(FORMATS)}"
        )
    return FORMATS[suffix]


def _compression_of(compression: str | None) -> str:
    codec = "none" if compression is None else str(compression).lower()
    if codec not in COMPRESSIONS:
        raise ExportError(
            f"unknown compression {compression!r}; use one of {', '.join(COMPRESSIONS)} or None"
        )
    return codec


def _partition_columns(partition_by: object, partition_by_region: bool) -> tuple[str, ...]:
    """The partition columns asked for: ``partition_by``, or ``("region",)``, or none."""
    if partition_by is None:
        return ("region",) if partition_by_region else ()
    if isinstance(partition_by, str):
        partition_by = [partition_by]
    if not isinstance(partition_by, Sequence) or not partition_by:
        raise ExportError(
            f"partition_by must be a list of column names, e.g. ['account_id', 'region']; "
            f"got {partition_by!r}"
        )
    names = tuple(partition_by)
    if not all(isinstance(n, str) for n in names) or len(set(names)) != len(names):
        raise ExportError(f"partition_by must name distinct columns; got {list(names)!r}")
    if partition_by_region and "region" not in names:
        raise ExportError(
            "partition_by_region=True and a partition_by without 'region' contradict each "
            "other; pass one"
        )
    return names


def _partition_values(df: pd.DataFrame, partitions: Sequence[str]) -> list[tuple[str, ...]]:
    """Each row's partition values, checked: plain names, for directory names."""
    option = "partition_by_region" if tuple(partitions) == ("region",) else "partition_by"
    for name in partitions:
        if name not in df.columns:
            hint = (
                "fetch it with columns=[..., 'account_id'] (or SELECT account_id)"
                if name == "account_id"
                else "add it"
            )
            raise ExportError(f"{option} needs a {name!r} column; {hint}")
    columns = [df[name].tolist() for name in partitions]
    for name, values in zip(partitions, columns, strict=True):
        for row, value in enumerate(values):
            if not (isinstance(value, str) and _PLAIN_REGION.match(value)):
                raise ExportError(
                    f"{option} needs a plain {name} in every row; row {row} has {value!r}"
                )
    return list(zip(*columns, strict=True))
