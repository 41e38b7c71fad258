"""Hive-partitioned Parquet datasets, one folder per region, that read back exactly.

Layout (what pyarrow.dataset, DuckDB's ``hive_partitioning``, Spark and Athena
expect)::

    stores/
    ├── _common_metadata                the full schema, region included
    ├── region=eu-west-1/part-0.parquet the rows of that region, without the column
    └── region=us-east-1/part-0.parquet

To restore the frame exactly, ``_common_metadata`` keeps the full schema (so
the region column goes back in its place, and a 0-row frame keeps its
columns), and each file's metadata lists the original row positions of its
rows. Readers that don't know about this simply ignore it (names starting
with ``_`` are skipped by dataset readers).
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
COMMON_METADATA = "_common_metadata"
PARTITION_COLUMN = "region"


def write_dataset(
    table: pa.Table, regions: Sequence[str], directory: Path, *, compression: str
) -> None:
    """Write ``table`` under ``directory`` as one ``region=<r>`` folder per region.

    ``regions`` holds the region of each row (the table's ``region`` column,
    already validated as plain names).
    """
    import pyarrow.parquet as pq

    positions: dict[str, list[int]] = {}
    for row, region in enumerate(regions):
        positions.setdefault(region, []).append(row)
    body = table.drop_columns([PARTITION_COLUMN])
    for region, rows in positions.items():
        part = body.take(pa.array(rows, type=pa.int64()))
        metadata = dict(table.schema.metadata or {})
        metadata[ROWS_KEY] = json.dumps(rows).encode()
        folder = directory / f"{PARTITION_COLUMN}={region}"
        folder.mkdir()
        pq.write_table(
            part.replace_schema_metadata(metadata),
            str(folder / "part-0.parquet"),
            compression=compression,
        )
    pq.write_metadata(table.schema, str(directory / COMMON_METADATA))


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
    region_at = schema.get_field_index(PARTITION_COLUMN)
    body_schema = schema.remove(region_at).remove_metadata()
    pieces: list[pa.Table] = []
    positions: list[int] = []
    for file in sorted(directory.glob(f"{PARTITION_COLUMN}=*/*.parquet")):
        part = pq.ParquetFile(str(file)).read()
        rows = json.loads((part.schema.metadata or {}).get(ROWS_KEY, b"null"))
        # A frame of only the region column leaves files with no columns, which
        # can't hold a row count: the row positions then give it.
        count = part.num_rows if part.num_columns or rows is None else len(rows)
        if rows is None or len(rows) != count:  # not ours: keep file order
            rows = list(range(len(positions), len(positions) + count))
        positions.extend(rows)
        part = part.select(body_schema.names).replace_schema_metadata(None).cast(body_schema)
        region = unquote(file.parent.name.split("=", 1)[1])
        columns = list(part.columns)
        columns.insert(region_at, pa.chunked_array([[region] * count], type=pa.string()))
        pieces.append(pa.Table.from_arrays(columns, schema=schema.remove_metadata()))
    if not pieces:
        return schema.empty_table()
    combined = pa.concat_tables([p.replace_schema_metadata(None) for p in pieces])
    order = np.argsort(np.asarray(positions, dtype=np.int64), kind="stable")
    ordered = combined.take(pa.array(order))
    return pa.Table.from_arrays(ordered.columns, schema=schema)
