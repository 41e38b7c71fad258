"""to_parquet(partition_by=["account_id", "region"]): a Hive dataset read back exactly."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import omics_magic
from omics_magic.errors import ExportError
from omics_magic.testing import OmicsBackend
from tests.accounts_support import DEV, PROD, REGIONS


def test_a_multi_account_frame_partitioned_by_account_and_region(
    estate: OmicsBackend, tmp_path: Path
) -> None:
    import pyarrow.dataset as ds

    df = omics_magic.sequence_stores(
        REGIONS, profiles=["dev", "prod"], columns=["name", "tags", "region", "account_id"]
    )
    written = df.omics.to_parquet(tmp_path / "estate", partition_by=["account_id", "region"])
    folders = sorted(p.relative_to(written).as_posix() for p in written.glob("*/*"))
    assert folders == [f"account_id={a}/region={r}" for a in (DEV, PROD) for r in sorted(REGIONS)]
    back = omics_magic.read_parquet(written)
    pd.testing.assert_frame_equal(back, df.reset_index(drop=True), check_like=False)
    # Any Hive reader sees the partitions (here pyarrow's, which puts them last).
    table = ds.dataset(str(written), format="parquet", partitioning="hive").to_table()
    counts = table.group_by("account_id").aggregate([("name", "count")]).to_pylist()
    assert {str(c["account_id"]): c["name_count"] for c in counts} == (
        df.groupby("account_id").size().to_dict()
    )


def test_partition_by_region_keeps_working(tmp_path: Path) -> None:
    from omics_magic.columns import frame

    df = frame(
        [{"region": "us-east-1", "name": "a"}, {"region": "eu-west-1", "name": "b"}],
        ["region", "name"],
    )
    written = df.omics.to_parquet(tmp_path / "ds", partition_by_region=True)
    assert sorted(p.name for p in written.iterdir()) == [
        "_common_metadata",
        "region=eu-west-1",
        "region=us-east-1",
    ]
    pd.testing.assert_frame_equal(omics_magic.read_parquet(written), df)


@pytest.mark.parametrize(
    ("partition_by", "message"),
    [
        (["account_id", "region"], "needs a 'account_id' column; fetch it with columns="),
        ([], "partition_by must be a list of column names"),
        (["region", "region"], "distinct columns"),
    ],
)
def test_bad_partitions_are_one_line_before_writing(
    tmp_path: Path, partition_by: list[str], message: str
) -> None:
    from omics_magic.columns import frame

    df = frame([{"region": "us-east-1", "name": "a"}], ["region", "name"])
    with pytest.raises(ExportError, match=message):
        df.omics.to_parquet(tmp_path / "ds", partition_by=partition_by)
    assert not (tmp_path / "ds").exists()
