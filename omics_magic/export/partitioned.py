"""Hive-partitioned Parquet datasets, one folder per partition value, that read back exactly.

Layout (what pyarrow.dataset, DuckDB's ``hive_partitioning``, Spark and Athena
expect), here partitioned by ``["account_id", "region"]`` (by default, by region)::

    stores/
    ├── _common_metadata                              the full schema, partition columns included
    ├── account_id=111122223333/region=eu-west-1/part-0.parquet
    └── account_id=444455556666/region=us-east-1/part-0.parquet

Each file holds the rows of its partition, without the partition columns. To
restore the frame exactly, ``_common_metadata`` keeps the full schema (so the
partition columns go back in their places, and a 0-row frame keeps its
columns) and the partition columns, and each file's metadata lists the
original row positions of its rows. Readers that don't know about this simply
ignore it (names starting with ``_`` are skipped by dataset readers).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote

import numpy as np
import pyarrow as pa

__all__ = ["read_dataset", "write_dataset"]

ROWS_KEY = b"omics_magic.rows"
PARTITION_KEY = b"omics_magic.partition_by"
COMMON_METADATA = "_common_metadata"
PARTITION_COLUMN = "region"


def write_dataset(
    table: pa.Table,
    values: Sequence[tuple[str, ...]],
    directory: Path,
    *,
    compression: str,
    partition_by: Sequence[str] = (PARTITION_COLUMN,),
) -> None:
    """Write ``table`` under ``directory``, one ``col=<value>/...`` folder per partition.

    ``values`` holds each row's values of the ``partition_by`` columns
    (already validated as plain names).
    """
    import pyarrow.parquet as pq

    positions: dict[tuple[str, ...], list[int]] = {}
    for row, key in enumerate(values):
        positions.setdefault(tuple(key), []).append(row)
    body = table.drop_columns(list(partition_by))
    for key, rows in positions.items():
        part = body.take(pa.array(rows, type=pa.int64()))
        metadata = dict(table.schema.metadata or {})
        metadata[ROWS_KEY] = json.dumps(rows).encode()
        folder = directory.joinpath(*(f"{c}={v}" for c, v in zip(partition_by, key, strict=True)))
        folder.mkdir(parents=True)
        pq.write_table(
            part.replace_schema_metadata(metadata),
            str(folder / "part-0.parquet"),
            compression=compression,
        )
    common = dict(table.schema.metadata or {})
    common[PARTITION_KEY] = json.dumps(list(partition_by)).encode()
    pq.write_metadata(table.schema.with_metadata(common), str(directory / COMMON_METADATA))


def read_dataset(directory: Path) -> pa.Table:
    """Read a dataset written by :func:`write_dataset` back to the original table.

    A Hive-partitioned dataset from elsewhere is read with pyarrow.dataset,
    in whatever row order it gives.
    """
    import pyarrow.parquet as pq

    common = directory / COMMON_METADATA
    if not common.is_file():
        import pyarrow.dataset as ds

        return ds.dataset(str(directory), format="parquet", partitioning="hive").to_table()
    schema = pq.read_schema(str(common))
    metadata = dict(schema.metadata or {})
    partition_by = json.loads(metadata.pop(PARTITION_KEY, b'["region"]'))
    schema = schema.with_metadata(metadata)
    at = sorted((schema.get_field_index(c), c) for c in partition_by)
    body_schema = schema
    for index, _ in reversed(at):
        body_schema = body_schema.remove(index)
    body_schema = body_schema.remove_metadata()
    pieces: list[pa.Table] = []
    positions: list[int] = []
    pattern = "/".join(f"{c}=*" for c in partition_by) + "/*.parquet"
    for file in sorted(directory.glob(pattern)):
        part = pq.ParquetFile(str(file)).read()
        rows = json.loads((part.schema.metadata or {}).get(ROWS_KEY, b"null"))
        # A frame of only the region column leaves files with no columns, which
        # can't hold a row count: the row positions then give it.
        count = part.num_rows if part.num_columns or rows is None else len(rows)
        if rows is None or len(rows) != count:  # not ours: keep file order
            rows = list(range(len(positions), len(positions) + count))
        positions.extend(rows)
        part = part.select(body_schema.names).replace_schema_metadata(None).cast(body_schema)
        folders = file.relative_to(directory).parts[:-1]
        found = {f.split("=", 1)[0]: unquote(f.split("=", 1)[1]) for f in folders}
        columns = list(part.columns)
        for index, name in at:  # in schema order, so each lands in its place
            kind = schema.field(index).type
            columns.insert(index, pa.chunked_array([[found[name]] * count], type=kind))
        pieces.append(pa.Table.from_arrays(columns, schema=schema.remove_metadata()))
    if not pieces:
        return schema.empty_table()
    combined = pa.concat_tables([p.replace_schema_metadata(None) for p in pieces])
    order = np.argsort(np.asarray(positions, dtype=np.int64), kind="stable")
    ordered = combined.take(pa.array(order))
    return pa.Table.from_arrays(ordered.columns, schema=schema)
