"""df.omics: registration, validation, expand_tags, to_arrow/to_parquet, fetch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import omics_magic
from omics_magic.accessor import OmicsAccessor
from omics_magic.columns import frame
from omics_magic.errors import ExportError, InputError
from omics_magic.export.files import to_arrow
from omics_magic.testing import OmicsBackend, OmicsServer
from tests.conftest import FAKE_ACCESS_KEY, FAKE_SECRET_KEY, FAKE_SESSION_TOKEN

REGIONS = ["us-east-1", "eu-west-2"]


def _tagged() -> pd.DataFrame:
    rows = [
        {"region": "us-east-1", "sequence_store_id": "1000000001", "tags": {"team": "a", "z": ""}},
        {"region": "us-east-1", "sequence_store_id": "1000000002", "tags": {}},
        {"region": "eu-west-2", "sequence_store_id": "1000000003", "tags": None},
        {"region": "eu-west-2", "sequence_store_id": "1000000004", "tags": {"ünï": "çødé"}},
    ]
    return frame(rows, ["region", "sequence_store_id", "tags"])


def test_importing_omics_magic_registers_the_accessor() -> None:
    assert pd.DataFrame.omics is OmicsAccessor
    assert isinstance(_tagged().omics, OmicsAccessor)


def test_frame_without_key_columns_has_no_omics() -> None:
    df = pd.DataFrame({"name": ["x"], "tags": [{}]})
    with pytest.raises(AttributeError, match="none of the key columns 'region', "):
        df.omics  # noqa: B018
    assert not hasattr(df, "omics")


@pytest.mark.parametrize(
    ("columns", "missing"),
    [(["region", "name"], "'sequence_store_id'"), (["sequence_store_id"], "'region'")],
)
def test_refresh_needs_store_keys(
    omics_backend: OmicsBackend, columns: list[str], missing: str
) -> None:
    df = frame([{"region": "us-east-1", "sequence_store_id": "1000000001"}], columns)
    needs = f"refresh\\(\\) needs to know which stores.*{missing}"
    with pytest.raises(AttributeError, match=needs):
        df.omics.refresh()
    assert len(omics_backend.requests) == 0


def test_expand_tags_needs_tags() -> None:
    with pytest.raises(AttributeError, match="expand_tags\\(\\) needs the column\\(s\\) 'tags'"):
        _tagged().drop(columns="tags").omics.expand_tags()


def test_expand_tags_one_column_per_key_sorted() -> None:
    df = _tagged()
    df.index = [10, 20, 30, 40]
    df.attrs["omics_errors"] = []
    before = df.copy()

    wide = df.omics.expand_tags()

    assert list(wide.columns) == [*df.columns, "tag:team", "tag:z", "tag:ünï"]
    assert wide["tag:team"].tolist() == ["a", None, None, None]
    assert wide["tag:z"].tolist() == ["", None, None, None]
    assert wide["tag:ünï"].tolist() == [None, None, None, "çødé"]
    assert all(wide[c].dtype == object for c in ("tag:team", "tag:z", "tag:ünï"))
    assert list(wide.index) == [10, 20, 30, 40]
    assert wide.attrs == df.attrs
    pd.testing.assert_frame_equal(wide[list(df.columns)], df)
    pd.testing.assert_frame_equal(df, before)  # a copy: the original is untouched
    assert wide.groupby("tag:team").size().to_dict() == {"a": 1}


def test_expand_tags_prefix_and_clashes() -> None:
    df = _tagged()
    assert "team" in df.omics.expand_tags(prefix="").columns
    with pytest.raises(InputError, match="would replace column 'tag:team'; pass another prefix"):
        df.omics.expand_tags().omics.expand_tags()
    empty = df.iloc[:0]
    assert list(empty.omics.expand_tags().columns) == list(df.columns)
    bad = df.assign(tags=["team=a", {}, None, {}])
    with pytest.raises(InputError, match="tags of row 0 is 'team=a'"):
        bad.omics.expand_tags()


def test_to_arrow_and_to_parquet_round_trip(tmp_path: Path) -> None:
    df = _tagged()
    assert df.omics.to_arrow().equals(to_arrow(df))
    path = df.omics.to_parquet(tmp_path / "x.parquet")
    pd.testing.assert_frame_equal(omics_magic.read_parquet(path), df, check_exact=True)
    dataset = df.omics.to_parquet(tmp_path / "ds", partition_by_region=True)
    pd.testing.assert_frame_equal(omics_magic.read_parquet(dataset), df, check_exact=True)
    with pytest.raises(ExportError, match="already exists; pass overwrite=True"):
        df.omics.to_parquet(path)
    df.omics.to_parquet(path, overwrite=True, compression=None)
    with pytest.raises(ExportError, match="use a path ending in .parquet, not 'x.csv'"):
        df.omics.to_parquet(tmp_path / "x.csv")


def test_fetch_classmethod_is_sequence_stores(omics_backend: OmicsBackend) -> None:
    omics_backend.seed(REGIONS, stores_per_region=3)
    df = pd.DataFrame.omics.fetch(REGIONS, rate=None, columns=["name", "tags"])
    expected = omics_magic.sequence_stores(REGIONS, rate=None, columns=["name", "tags"])
    pd.testing.assert_frame_equal(df, expected)
    assert len(df) == 6
    assert sorted(df["name"]) == sorted(
        s["name"] for region in REGIONS for s in omics_backend.stores(region)
    )
    # The second fetch is the first's, from the session's result cache.
    assert omics_backend.requests.count(operation="ListSequenceStores") == 2


def test_parquet_of_a_fetched_frame_names_no_credentials_or_endpoint(
    omics_server: OmicsServer, tmp_path: Path
) -> None:
    omics_server.backend.seed(REGIONS, stores_per_region=3)
    omics_server.backend.inject_error("AccessDeniedException", region="eu-west-2")
    with pytest.warns(omics_magic.RegionFailureWarning):
        df = pd.DataFrame.omics.fetch(REGIONS, rate=None)
    assert len(df) == 3 and df.attrs["omics_errors"]
    path = df.omics.to_parquet(tmp_path / "x.parquet", compression=None)
    raw = path.read_bytes()
    host = omics_server.endpoint_url.split("//", 1)[1]
    for secret in (FAKE_ACCESS_KEY, FAKE_SECRET_KEY, FAKE_SESSION_TOKEN, host, "AccessDenied"):
        assert secret.encode() not in raw
    assert b"eu-west-2" not in raw  # only the failed region's error mentions it
    pd.testing.assert_frame_equal(omics_magic.read_parquet(path), df, check_exact=True)


def test_registering_the_accessor_loads_nothing_heavy() -> None:
    code = (
        "import sys, pandas as pd, omics_magic\n"
        "assert pd.DataFrame.omics.__name__ == 'OmicsAccessor'\n"
        "heavy = ('boto3', 'botocore', 'duckdb', 'sqlglot', 'pyarrow.parquet')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
