"""write_frame: destinations, safe writes that leave nothing behind, metadata, CSV/JSON."""

from __future__ import annotations

import errno
import hashlib
import json
import os
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import omics_magic
from omics_magic.columns import DEFAULT_COLUMNS, column, frame
from omics_magic.errors import ExportError, InputError, WriteError
from omics_magic.export.files import read_parquet, to_arrow, write_frame
from tests.conftest import FAKE_ACCESS_KEY, FAKE_SECRET_KEY, FAKE_SESSION_TOKEN


def _frame(n: int = 3) -> pd.DataFrame:
    regions = ["us-east-1", "eu-west-1"]
    rows = [
        {
            "region": regions[i % 2],
            "sequence_store_id": f"{1000000000 + i}",
            "name": f"store-{i}",
            "tags": {"team": f"t{i}"} if i % 2 else {},
        }
        for i in range(n)
    ]
    return frame(rows, ["region", "sequence_store_id", "name", "tags"])


def _tree(path: Path) -> dict[str, str]:
    """Every file under ``path`` (or the file itself) with a hash of its bytes."""
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    return {
        str(f.relative_to(path.parent)): hashlib.sha256(f.read_bytes()).hexdigest() for f in files
    }


def test_existing_path_needs_overwrite(tmp_path: Path) -> None:
    path = write_frame(_frame(), tmp_path / "x.parquet")
    before = _tree(path)
    with pytest.raises(ExportError, match="already exists; pass overwrite=True"):
        write_frame(_frame(5), path)
    assert _tree(path) == before
    write_frame(_frame(5), path, overwrite=True)
    assert len(read_parquet(path)) == 5
    assert sorted(os.listdir(tmp_path)) == ["x.parquet"]


@pytest.mark.parametrize(
    ("name", "kwargs", "message"),
    [
        ("x.xlsx", {}, "can't tell the format of 'x.xlsx'"),
        ("x", {}, "can't tell the format"),
        ("x.csv", {"partition_by_region": True}, "partition_by_region writes a Parquet dataset"),
        ("missing/x.parquet", {}, "does not exist; create it first"),
        ("x.parquet", {"compression": "zip"}, "unknown compression 'zip'"),
    ],
)
def test_bad_destinations_fail_before_writing(
    tmp_path: Path, name: str, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ExportError, match=message):
        write_frame(_frame(), tmp_path / name, **kwargs)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_parent_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(ExportError, match="is not a directory"):
        write_frame(_frame(), tmp_path / "file" / "x.parquet")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_unwritable_directory_is_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(ExportError, match="is not writable"):
        write_frame(_frame(), locked / "x.parquet")
    assert list(locked.iterdir()) == []


def test_unwritable_value_leaves_old_file_untouched(tmp_path: Path) -> None:
    path = write_frame(_frame(), tmp_path / "x.parquet")
    before = _tree(path)
    bad = _frame()
    bad["mixed"] = pd.Series([1, "two", 3.0], dtype=object)
    with pytest.raises(ExportError, match="column 'mixed' can't be written"):
        write_frame(bad, path, overwrite=True)
    assert _tree(path) == before
    assert sorted(os.listdir(tmp_path)) == ["x.parquet"]


def _interrupt_after_some_bytes(table: object, where: object, **kwargs: object) -> None:
    with open(str(where), "wb") as partial:
        partial.write(b"PAR1 half a file")
    raise KeyboardInterrupt


@pytest.mark.parametrize("partition", [False, True])
def test_interrupted_write_leaves_old_output_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, partition: bool
) -> None:
    path = write_frame(_frame(), tmp_path / "stores.parquet", partition_by_region=partition)
    before = _tree(path)
    monkeypatch.setattr(pq, "write_table", _interrupt_after_some_bytes)
    with pytest.raises(KeyboardInterrupt):
        write_frame(_frame(6), path, overwrite=True, partition_by_region=partition)
    assert _tree(path) == before
    assert sorted(os.listdir(tmp_path)) == ["stores.parquet"]
    monkeypatch.undo()
    pd.testing.assert_frame_equal(read_parquet(path), _frame())


def test_full_disk_is_a_write_error_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(table: object, where: object, **kwargs: object) -> None:
        Path(str(where)).write_bytes(b"PAR1")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pq, "write_table", disk_full)
    with pytest.raises(WriteError, match="No space left on device") as caught:
        write_frame(_frame(), tmp_path / "x.parquet")
    # Not bad input: the destination was fine, the disk was not (the CLI exits 1, not 2).
    assert not isinstance(caught.value, InputError)
    assert list(tmp_path.iterdir()) == []


def test_overwrite_never_replaces_an_unrelated_directory(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "important.txt").write_text("keep me")
    with pytest.raises(ExportError, match="not a partitioned dataset"):
        write_frame(_frame(), folder, partition_by_region=True, overwrite=True)
    assert (folder / "important.txt").read_text() == "keep me"


def test_overwrite_swaps_datasets_and_files(tmp_path: Path) -> None:
    path = tmp_path / "stores.parquet"
    write_frame(_frame(2), path)
    write_frame(_frame(4), path, partition_by_region=True, overwrite=True)
    assert path.is_dir()
    pd.testing.assert_frame_equal(read_parquet(path), _frame(4))
    write_frame(_frame(3), path, partition_by_region=True, overwrite=True)
    pd.testing.assert_frame_equal(read_parquet(path), _frame(3))
    write_frame(_frame(5), path, overwrite=True)
    assert path.is_file()
    pd.testing.assert_frame_equal(read_parquet(path), _frame(5))
    assert sorted(os.listdir(tmp_path)) == ["stores.parquet"]


def test_partition_needs_plain_region_names(tmp_path: Path) -> None:
    df = _frame()
    df.loc[1, "region"] = None
    with pytest.raises(ExportError, match="row 1 has None"):
        write_frame(df, tmp_path / "ds", partition_by_region=True)
    with pytest.raises(ExportError, match="needs a 'region' column"):
        write_frame(df.drop(columns="region"), tmp_path / "ds", partition_by_region=True)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda df: df.set_axis(["region", "region", "name", "tags"], axis=1), "more than once"),
        (lambda df: df.set_axis(["region", 7, "name", "tags"], axis=1), "is not a string"),
        (lambda df: df.assign(tags=["a", "b", "c"]), "column 'tags' can't be written"),
        (
            lambda df: df.assign(sse_config=[{"type": "KMS", "kms": "x"}, None, None]),
            "column 'sse_config' must hold None or dicts",
        ),
    ],
)
def test_frames_that_cannot_be_written_say_why(tmp_path: Path, mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ExportError, match=message):
        write_frame(mutate(_frame()), tmp_path / "x.parquet")
    assert list(tmp_path.iterdir()) == []


def test_metadata_has_docs_and_version_only(tmp_path: Path) -> None:
    df = frame([{"region": "us-east-1"}], DEFAULT_COLUMNS)
    df["mine"] = [1]
    # attrs can carry error messages naming endpoints: they must not be written.
    df.attrs["omics_errors"] = [
        {"region": "us-east-1", "message": "Could not connect to http://127.0.0.1:4566/"}
    ]
    path = write_frame(df, tmp_path / "x.parquet", compression=None)
    schema = pq.read_schema(path)
    meta = json.loads(schema.metadata[b"omics_magic"])
    assert meta["version"] == omics_magic.__version__
    docs = {c["name"]: c.get("doc") for c in meta["columns"]}
    assert docs == {**{n: column(n).doc for n in DEFAULT_COLUMNS}, "mine": None}
    for name in DEFAULT_COLUMNS:
        assert schema.field(name).metadata == {b"doc": column(name).doc.encode()}
    raw = path.read_bytes()
    for secret in (FAKE_ACCESS_KEY, FAKE_SECRET_KEY, FAKE_SESSION_TOKEN, "127.0.0.1", "http"):
        assert secret.encode() not in raw
    assert set(to_arrow(df).schema.metadata) == {b"omics_magic", b"pandas"}


def test_csv_holds_dicts_as_json_text(tmp_path: Path) -> None:
    df = _frame()
    df["creation_time"] = pd.Series(
        pd.to_datetime(
            ["2024-01-01T00:00:00Z", None, "2024-02-01T00:00:00.5Z"], utc=True, format="ISO8601"
        )
    ).astype("datetime64[us, UTC]")
    path = write_frame(df, tmp_path / "x.csv")
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert back["sequence_store_id"].tolist() == df["sequence_store_id"].tolist()
    assert [json.loads(t) for t in back["tags"]] == df["tags"].tolist()
    assert back["creation_time"][1] == ""
    assert pd.Timestamp(back["creation_time"][2]) == df["creation_time"][2]


def test_json_holds_records_with_nested_tags(tmp_path: Path) -> None:
    df = _frame()
    df.loc[2, "tags"] = None
    path = write_frame(df, tmp_path / "x.json")
    records = json.loads(path.read_text(encoding="utf-8"))
    assert [r["tags"] for r in records] == df["tags"].tolist()
    assert [r["name"] for r in records] == df["name"].tolist()
    with pytest.raises(ExportError, match="already exists"):
        write_frame(df, path)


def test_text_formats_refuse_duplicate_columns(tmp_path: Path) -> None:
    df = _frame().set_axis(["region", "name", "name", "tags"], axis=1)
    for suffix in (".csv", ".json"):
        with pytest.raises(ExportError, match="column 'name' appears more than once"):
            write_frame(df, tmp_path / f"x{suffix}")
    assert list(tmp_path.iterdir()) == []
