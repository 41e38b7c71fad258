"""The SQL sandbox: no query reads a file, writes one, loads an extension or reaches the network.

Each statement is refused with one of our errors (UsageError at the magic),
before any AWS call. Afterwards no file has appeared in the sentinel's
directory or the working directory, the sentinel has not been read (its
access time is unchanged, where the filesystem records reads) and its
content appears in no message. The same statements handed straight to
DuckDB's sandboxed connection, past the planner, fail too.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from omics_magic.errors import SQLError
from omics_magic.sql.run import run_query, sandbox_connection
from omics_magic.testing import OmicsBackend

SECRET = "SENTINEL-7f3a9c-never-to-be-read"
STORES = "aws.omics.sequence_stores"
STATEMENTS = [
    "SELECT * FROM read_csv('{csv}')",
    "SELECT * FROM read_csv_auto('{csv}')",
    "SELECT * FROM '{csv}'",
    'SELECT * FROM "{csv}"',
    "FROM '{csv}'",
    "SELECT * FROM read_parquet('{parquet}')",
    "SELECT * FROM '{parquet}'",
    "SELECT * FROM parquet_scan(['{parquet}'])",
    "SELECT * FROM read_text('{csv}')",
    "SELECT content FROM read_blob('{csv}')",
    "SELECT * FROM read_json_auto('{csv}')",
    "SELECT * FROM glob('{dir}/*')",
    f"SELECT * FROM {STORES} WHERE name IN (SELECT * FROM read_csv('{{csv}}'))",
    "WITH f AS (FROM '{csv}') SELECT * FROM f",
    f"SELECT * FROM {STORES} s POSITIONAL JOIN '{{csv}}'",
    "CREATE TABLE t AS SELECT * FROM '{csv}'",
    f"COPY (SELECT * FROM {STORES}) TO '{{dir}}/out.csv'",
    "COPY (SELECT 1) TO 'relative.csv'",
    "COPY (SELECT 1) TO '{dir}/out.parquet' (FORMAT parquet)",
    "ATTACH '{dir}/new.duckdb' AS other",
    "INSTALL httpfs",
    "FORCE INSTALL httpfs",
    "LOAD httpfs",
    "SET enable_external_access = true",
    "SET threads = 1",
    "RESET threads",
    "PRAGMA enable_profiling",
    "PRAGMA profiling_output = '{dir}/profile.txt'",
    "EXPORT DATABASE '{dir}/export'",
    "IMPORT DATABASE '{dir}'",
    "SELECT * FROM read_csv('https://example.com/x.csv')",
    "SELECT * FROM 'https://example.com/x.parquet'",
    "SELECT * FROM 's3://bucket/stores.parquet'",
    "SELECT * FROM read_parquet('http://127.0.0.1:9/x.parquet')",
    "SELECT getenv('AWS_SECRET_ACCESS_KEY')",
    f"SELECT * FROM {STORES}; COPY (SELECT 1) TO '{{dir}}/second.csv'",
    "SELECT 1; SELECT 2",
    "SELECT 1;\n-- a comment\nSELECT 2",
]
# DuckDB's connection answers these (its settings can't be hidden from it): the planner
# refuses them, since settings name local paths (home_directory, secret_directory).
SETTINGS_READS = [
    "SELECT current_setting('home_directory')",
    "SELECT current_setting('secret_directory') AS s FROM aws.omics.sequence_stores",
    "SELECT 'temp_directory'.current_setting()",
    "SELECT main.CURRENT_SETTING('extension_directory')",
    "SELECT name FROM aws.omics.sequence_stores WHERE name = current_setting('TimeZone')",
    "SELECT getvariable('x')",
]


@pytest.fixture
def sentinel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Path]]:
    """A CSV and a Parquet file that must never be read; the working directory is tmp too."""
    folder = tmp_path / "data"
    folder.mkdir()
    csv = folder / "secret.csv"
    csv.write_text(f"a\n{SECRET}\n")
    parquet = folder / "secret.parquet"
    pd.DataFrame({"a": [SECRET]}).to_parquet(parquet)
    for path in (csv, parquet):  # an old access time: any read would move it
        os.utime(path, (time.time() - 10_000, path.stat().st_mtime))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    yield {"csv": csv, "parquet": parquet, "dir": folder, "work": work}


def _reads_are_visible(folder: Path) -> bool:
    """Does this filesystem record reads in the access time (not mounted noatime)?"""
    probe = folder.parent / "atime-probe"
    probe.write_text("x")
    os.utime(probe, (time.time() - 10_000, probe.stat().st_mtime))
    before = probe.stat().st_atime
    probe.read_text()
    seen = probe.stat().st_atime != before
    probe.unlink()
    return seen


def _snapshot(paths: dict[str, Path]) -> dict[str, object]:
    return {
        "files": sorted(
            str(p.relative_to(paths["dir"].parent)) for p in paths["dir"].parent.rglob("*")
        ),
        "atimes": [paths["csv"].stat().st_atime, paths["parquet"].stat().st_atime],
    }


def _check_untouched(paths: dict[str, Path], before: dict[str, object], message: str) -> None:
    after = _snapshot(paths)
    assert after["files"] == before["files"], "a file appeared or vanished"
    if _reads_are_visible(paths["dir"]):
        assert after["atimes"] == before["atimes"], "the sentinel was read"
    assert SECRET not in message
    assert "\n" not in message.strip()


@pytest.fixture
def backend(configured_fake: Callable[..., OmicsBackend]) -> OmicsBackend:
    return configured_fake(["us-east-1"], stores_per_region=2)


@pytest.mark.parametrize("statement", STATEMENTS + SETTINGS_READS)
def test_run_query_refuses(
    statement: str, sentinel: dict[str, Path], backend: OmicsBackend
) -> None:
    before = _snapshot(sentinel)
    with pytest.raises(SQLError) as refused:
        run_query(statement.format(**sentinel))
    assert backend.requests.count() == 0
    _check_untouched(sentinel, before, str(refused.value))


@pytest.mark.parametrize("statement", STATEMENTS + SETTINGS_READS)
def test_the_magic_refuses(
    statement: str, sentinel: dict[str, Path], backend: OmicsBackend, ip: InteractiveShell
) -> None:
    before = _snapshot(sentinel)
    with pytest.raises(UsageError) as refused:
        ip.run_cell_magic("omics", "", statement.format(**sentinel))
    assert backend.requests.count() == 0
    _check_untouched(sentinel, before, str(refused.value))


@pytest.mark.parametrize(
    # (two harmless SELECTs are the planner's business only)
    "statement",
    [s for s in STATEMENTS if not s.startswith("SELECT 1;")],
)
def test_duckdb_refuses_them_even_past_the_planner(
    statement: str, sentinel: dict[str, Path]
) -> None:
    """The hard guarantee: the connection itself, given the raw text (resources made empty)."""
    before = _snapshot(sentinel)
    connection = sandbox_connection()
    try:
        connection.execute(f"CREATE TABLE {STORES.rsplit('.', 1)[-1]} (name VARCHAR)")
        text = statement.format(**sentinel).replace(STORES, "sequence_stores")
        with pytest.raises(duckdb.Error) as refused:
            connection.execute(text).fetchall()
    finally:
        connection.close()
    _check_untouched(sentinel, before, str(refused.value).splitlines()[0])


def test_what_one_query_leaves_in_the_shared_sandbox_is_gone_for_the_next() -> None:
    """Queries share one sandboxed database: each connection's changes die with it."""
    import pyarrow as pa

    first = sandbox_connection()
    first.register("mine", pa.table({"x": [1]}))
    first.execute("CREATE TABLE left_behind AS SELECT 1 AS v")
    first.execute("CREATE MACRO plus_one(x) AS x + 1")
    assert first.execute("SELECT plus_one(v) FROM left_behind, mine").fetchall() == [(2,)]
    at_once = sandbox_connection()  # a query running at the same time sees none of it
    try:
        with pytest.raises(duckdb.CatalogException):
            at_once.execute("SELECT * FROM mine")
    finally:
        at_once.close()
    first.close()
    for sql in ("SELECT * FROM left_behind", "SELECT plus_one(1)", "SELECT * FROM mine"):
        later = sandbox_connection()
        try:
            with pytest.raises(duckdb.CatalogException):
                later.execute(sql)
        finally:
            later.close()
