"""DuckDB execution on its own: frames built by columns.frame(), answers checked with pandas.

The fetch function here stands in for the engine (which has its own tests):
it filters a fixed set of rows the way the engine's pushdown does and records
what it was asked for.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from omics_magic.columns import ALL_COLUMNS, DEFAULT_COLUMNS, frame, pandas_dtype
from omics_magic.errors import FetchError, SQLError, UnknownColumnError
from omics_magic.sql.plan import SelectPlan, plan_statement
from omics_magic.sql.run import FetchRequest, execute_plan, run_query
from omics_magic.sql.sandbox import sandbox_connection

STORES = "aws.omics.sequence_stores"
STORE = "aws.omics.sequence_store"
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-1")
T0 = datetime(2024, 3, 1, 22, 30, tzinfo=timezone.utc)


def _rows() -> list[dict[str, Any]]:
    rows = []
    for i in range(12):
        region = REGIONS[i % 3]
        rows.append(
            {
                "region": region,
                "arn": f"arn:aws:omics:{region}:123456789012:sequenceStore/{1000000000 + i}",
                "creation_time": T0 + timedelta(hours=7 * i),
                "description": None if i % 4 == 0 else f"store {i}",
                "name": ["wgs", "rna", "panel", "wgs-old"][i % 4],
                "fallback_location": None if i % 2 else f"s3://bucket-{i}/failed/",
                "sequence_store_id": str(1000000000 + i),
                "sse_config": None if i == 5 else {"type": "KMS", "key_arn": None},
                "tags": {} if i % 3 == 2 else {"team": ["onc", "cardio"][i % 2], "n": str(i)},
                "status": "DELETING" if i == 7 else "ACTIVE",
                "status_message": None,
                "update_time": T0 + timedelta(days=i),
                "e_tag_algorithm_family": "MD5up",
                "propagated_set_level_tags": ["team"] if i % 2 else [],
                "s3_uri": f"s3://access-point-{i}/",
                "s3_access_point_arn": None,
                "access_log_location": None,
            }
        )
    return rows


ROWS = _rows()
ALL = frame(ROWS, ALL_COLUMNS)


class FakeFetch:
    """Answers like the engine: pushdown-filtered rows, only the requested columns."""

    def __init__(self, errors: list[dict[str, str]] | None = None) -> None:
        self.requests: list[FetchRequest] = []
        self.errors = errors or []

    def __call__(self, request: FetchRequest) -> pd.DataFrame:
        self.requests.append(request)
        rows = [
            r
            for r in ROWS
            if r["region"] in request.regions
            and (request.identifiers is None or r["sequence_store_id"] in request.identifiers)
            and (request.name is None or r["name"] == request.name)
        ]
        df = frame(rows, request.columns)
        df.attrs["omics_errors"] = [e for e in self.errors if e["region"] in request.regions]
        return df


def run(sql: str, fetch: FakeFetch | None = None, **kwargs: Any) -> pd.DataFrame:
    plan = plan_statement(sql)
    assert isinstance(plan, SelectPlan)
    return execute_plan(plan, fetch or FakeFetch(), default_regions=REGIONS, **kwargs)


def test_select_star_is_the_nine_documented_columns_typed() -> None:
    df = run(f"SELECT * FROM {STORES} ORDER BY sequence_store_id")
    assert list(df.columns) == list(DEFAULT_COLUMNS)
    assert {c: str(df[c].dtype) for c in df} == {c: pandas_dtype(c) for c in DEFAULT_COLUMNS}
    expected = ALL[list(DEFAULT_COLUMNS)].sort_values("sequence_store_id", ignore_index=True)
    pd.testing.assert_frame_equal(df, expected)
    assert isinstance(df["tags"][0], dict) and isinstance(df["sse_config"][0], dict)
    assert df["creation_time"].dt.tz is not None and str(df["creation_time"].dt.tz) == "UTC"


def test_extras_only_when_named() -> None:
    df = run(f"SELECT * FROM {STORES} WHERE status = 'ACTIVE' AND s3_uri IS NOT NULL")
    assert list(df.columns) == list(DEFAULT_COLUMNS)
    assert len(df) == (ALL["status"] == "ACTIVE").sum()
    df = run(f"SELECT *, status, propagated_set_level_tags FROM {STORES} ORDER BY arn")
    assert list(df.columns) == [*DEFAULT_COLUMNS, "status", "propagated_set_level_tags"]
    assert (
        df["propagated_set_level_tags"].tolist()
        == ALL.sort_values("arn")["propagated_set_level_tags"].tolist()
    )
    assert df["status"].dtype == object
    df = run(f"SELECT * EXCLUDE (tags, arn), status FROM {STORES} s ORDER BY s.name, 3")
    assert list(df.columns) == [c for c in DEFAULT_COLUMNS if c not in ("tags", "arn")] + ["status"]


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            f"SELECT name FROM {STORES} WHERE tags['team'] = 'onc' ORDER BY name, arn",
            lambda a: a[a["tags"].map(lambda t: t.get("team") == "onc")].sort_values(
                ["name", "arn"]
            )[["name"]],
        ),
        (
            f"SELECT sequence_store_id FROM {STORES} ORDER BY creation_time DESC LIMIT 3 OFFSET 2",
            lambda a: a.sort_values("creation_time", ascending=False)[["sequence_store_id"]][2:5],
        ),
        (
            f"SELECT DISTINCT name FROM {STORES} ORDER BY name",
            lambda a: a[["name"]].drop_duplicates().sort_values("name"),
        ),
        (
            f"SELECT region, count(*) AS n FROM {STORES} GROUP BY region ORDER BY region",
            lambda a: a.groupby("region").size().rename("n").reset_index(),
        ),
        (
            f"SELECT sse_config.type AS t, count(*) AS n FROM {STORES} GROUP BY ALL ORDER BY t",
            lambda a: (
                a["sse_config"]
                .map(lambda s: None if s is None else s["type"])
                .rename("t")
                .value_counts(dropna=False)
                .rename("n")
                .reset_index()
                .sort_values("t", na_position="last")
            ),
        ),
        (
            f"SELECT arn, CASE WHEN description IS NULL THEN 'none' ELSE 'some' END AS d "
            f"FROM {STORES} ORDER BY arn",
            lambda a: a.assign(
                d=a["description"].map(lambda d: "none" if d is None else "some")
            ).sort_values("arn")[["arn", "d"]],
        ),
        (
            f"WITH old AS (SELECT * FROM {STORES} WHERE creation_time < TIMESTAMPTZ "
            "'2024-03-03 00:00:00+00') SELECT name FROM old WHERE name IN "
            f"(SELECT name FROM {STORES} WHERE region = 'eu-west-1') ORDER BY arn",
            lambda a: a[
                (a["creation_time"] < pd.Timestamp("2024-03-03", tz="UTC"))
                & a["name"].isin(a[a["region"] == "eu-west-1"]["name"])
            ].sort_values("arn")[["name"]],
        ),
        (
            f"SELECT name FROM {STORES} WHERE region = 'us-east-1' OR tags['team'] = 'cardio' "
            "ORDER BY arn",
            lambda a: a[
                (a["region"] == "us-east-1") | a["tags"].map(lambda t: t.get("team") == "cardio")
            ].sort_values("arn")[["name"]],
        ),
        (
            f"SELECT name FROM {STORES} WHERE NOT (region = 'us-east-1') ORDER BY arn",
            lambda a: a[a["region"] != "us-east-1"].sort_values("arn")[["name"]],
        ),
        (
            f"SELECT a.arn FROM {STORES} a JOIN {STORES} b ON a.name = b.name "
            "AND a.arn <> b.arn WHERE a.region = 'us-east-1' AND b.region = 'eu-west-1' "
            "ORDER BY 1",
            lambda a: (
                a[a["region"] == "us-east-1"]
                .merge(a[a["region"] == "eu-west-1"], on="name", suffixes=("", "_b"))[["arn"]]
                .sort_values("arn")
            ),
        ),
        (
            f"SELECT hour(creation_time) AS h FROM {STORES} ORDER BY arn",
            lambda a: a.sort_values("arn")["creation_time"].dt.hour.rename("h").to_frame(),
        ),
    ],
)
def test_sql_runs_with_duckdb_semantics(sql: str, expected: Any) -> None:
    df = run(sql)
    want = expected(ALL).reset_index(drop=True)
    assert len(df) > 0
    assert list(df.columns) == list(want.columns)
    assert (
        df.astype(object).where(df.notna(), None).values.tolist()
        == want.astype(object).where(want.notna(), None).values.tolist()
    )


def test_pushdown_fetches_only_what_the_query_needs() -> None:
    fetch = FakeFetch()
    df = run(f"SELECT region, count(*) FROM {STORES} WHERE region = 'eu-west-1' GROUP BY 1", fetch)
    assert df.values.tolist() == [["eu-west-1", 4]]
    assert fetch.requests == [FetchRequest(("eu-west-1",), ("region",))]

    fetch = FakeFetch()
    ident = ROWS[4]["sequence_store_id"]
    run(f"SELECT tags FROM {STORE} WHERE data__Identifier = '{ident}'", fetch)
    assert fetch.requests == [FetchRequest(REGIONS, ("sequence_store_id", "tags"), (ident,))]

    fetch = FakeFetch()
    df = run(f"SELECT arn FROM {STORES} WHERE name = 'rna' AND region IN ('us-east-1')", fetch)
    assert fetch.requests == [FetchRequest(("us-east-1",), ("region", "arn", "name"), None, "rna")]
    assert (
        df["arn"].tolist() == ALL[(ALL.name == "rna") & (ALL.region == "us-east-1")]["arn"].tolist()
    )


def test_exclude_needs_no_fetch_of_what_it_excludes() -> None:
    fetch = FakeFetch()
    df = run(f"SELECT * EXCLUDE (tags, sse_config) FROM {STORES} ORDER BY arn", fetch)
    assert "tags" not in fetch.requests[0].columns
    assert "sse_config" not in fetch.requests[0].columns
    kept = [c for c in DEFAULT_COLUMNS if c not in ("tags", "sse_config")]
    pd.testing.assert_frame_equal(df, ALL[kept].sort_values("arn", ignore_index=True))


def test_an_excluded_extra_stays_out_of_other_stars() -> None:
    df = run(
        f"SELECT * EXCLUDE (status) FROM {STORES} WHERE region = 'us-east-1' "
        f"UNION ALL BY NAME SELECT * FROM {STORES} WHERE region = 'eu-west-1'"
    )
    assert list(df.columns) == list(DEFAULT_COLUMNS)
    assert len(df) == 8


def test_references_with_one_pushdown_share_one_fetch() -> None:
    fetch = FakeFetch()
    df = run(f"SELECT count(*) AS n FROM {STORES} a, {STORES} b WHERE a.name = b.name", fetch)
    assert len(fetch.requests) == 1
    assert df["n"][0] == ALL.merge(ALL, on="name").shape[0]


def test_a_contradiction_fetches_nothing_and_keeps_types() -> None:
    fetch = FakeFetch()
    df = run(f"SELECT * FROM {STORES} WHERE region = 'us-east-1' AND region = 'eu-west-1'", fetch)
    assert fetch.requests == []
    assert df.empty and list(df.columns) == list(DEFAULT_COLUMNS)
    assert {c: str(df[c].dtype) for c in df} == {c: pandas_dtype(c) for c in DEFAULT_COLUMNS}


def test_empty_fetches_give_typed_empty_results() -> None:
    df = run(f"SELECT creation_time, tags FROM {STORES} WHERE name = 'absent'")
    assert df.empty
    assert str(df["creation_time"].dtype) == "datetime64[us, UTC]" and df["tags"].dtype == object


@pytest.mark.parametrize(
    ("sql", "match"),
    [
        (f"SELECT bogus FROM {STORES}", r"unknown column 'bogus' \(line 1, column 8\); valid"),
        (f"SELECT s.nope FROM {STORES} s", "unknown column 'nope'"),
        (f"WITH a AS (SELECT * FROM {STORES}) SELECT status FROM a", "is an extra field"),
        (f"SELECT name FROM {STORES} WHERE no_such_fn(name)", "no_such_fn"),
        (f"WITH a AS (SELECT name FROM {STORES}) SELECT region FROM a", "unknown column"),
    ],
)
def test_duckdb_errors_come_before_any_fetch(sql: str, match: str) -> None:
    fetch = FakeFetch()
    with pytest.raises((UnknownColumnError, SQLError), match=match) as info:
        run(sql, fetch)
    assert fetch.requests == []
    assert "\n" not in str(info.value)


def test_struct_fields_aliases_and_lambdas_are_not_unknown_columns() -> None:
    df = run(
        "SELECT sse_config.type AS kind, upper(name) AS u, "
        f"list_transform([1, 2], lambda x: x + 1) AS l FROM {STORES} s "
        "WHERE u LIKE 'W%' ORDER BY arn LIMIT 1"
    )
    assert df.iloc[0].tolist() == ["KMS", "WGS", [2, 3]]


def test_region_errors_are_merged_into_attrs_and_strict_raises() -> None:
    error = {
        "region": "eu-west-1",
        "code": "AccessDeniedException",
        "message": "no",
        "kind": "denied",
    }
    df = run(
        f"SELECT a.name FROM {STORES} a JOIN {STORES} b USING (name) WHERE b.region = 'eu-west-1'",
        FakeFetch([error]),
    )
    assert df.attrs["omics_errors"] == [error]
    with pytest.raises(FetchError, match="eu-west-1") as info:
        run(f"SELECT * FROM {STORES}", FakeFetch([error]), strict=True)
    assert info.value.errors == [error]


def test_repeated_output_names_are_kept() -> None:
    df = run(f"SELECT name, name FROM {STORES} LIMIT 1")
    assert list(df.columns) == ["name", "name"]


# --- the sandbox: DuckDB itself refuses files, network, extensions and settings ---------


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.csv"
    path.write_text("a,b\n1,2\n")
    pd.DataFrame({"a": [1]}).to_parquet(tmp_path / "secret.parquet")
    return path


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT * FROM read_csv('{dir}/secret.csv')",
        "SELECT * FROM '{dir}/secret.csv'",
        "SELECT * FROM read_parquet('{dir}/secret.parquet')",
        "SELECT * FROM read_text('{dir}/secret.csv')",
        "SELECT * FROM glob('{dir}/*')",
        "COPY (SELECT 42) TO '{dir}/out.csv'",
        "ATTACH '{dir}/new.db' AS other",
        "EXPORT DATABASE '{dir}/export'",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SELECT * FROM read_csv('https://example.com/x.csv')",
        "SET enable_external_access = true",
        "SET lock_configuration = false",
        "PRAGMA enable_profiling",
        "SET TimeZone = 'Asia/Tokyo'",
    ],
)
def test_the_sandbox_refuses_files_network_extensions_and_settings(
    statement: str, secret_file: Path
) -> None:
    before = sorted(p.name for p in secret_file.parent.iterdir())
    connection = sandbox_connection()
    try:
        with pytest.raises(duckdb.Error):
            connection.execute(statement.format(dir=secret_file.parent)).fetchall()
    finally:
        connection.close()
    # Every query shares the sandbox (a connection each): the next one sees it unchanged.
    following = sandbox_connection()
    try:
        (timezone_row,) = following.execute("SELECT current_setting('TimeZone')").fetchall()
    finally:
        following.close()
    assert timezone_row == ("UTC",)
    assert sorted(p.name for p in secret_file.parent.iterdir()) == before


def test_sql_that_slips_past_the_planner_still_hits_the_sandbox(secret_file: Path) -> None:
    plan = SelectPlan(
        sql="(hand-made)",
        duckdb_sql=f"SELECT * FROM read_csv('{secret_file}')",
        refs=(),
        columns=("region",),
    )
    with pytest.raises(SQLError, match="not allowed: .*file system operations are disabled"):
        execute_plan(plan, FakeFetch(), default_regions=REGIONS)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_csv('{file}')",
        "SELECT * FROM '{file}'",
        f"SELECT * FROM {STORES}; COPY (SELECT 1) TO '{{file}}.out'",
        f"COPY (SELECT * FROM {STORES}) TO '{{file}}.out'",
    ],
)
def test_run_query_refuses_file_access_before_anything(sql: str, secret_file: Path) -> None:
    before = sorted(p.name for p in secret_file.parent.iterdir())
    with pytest.raises(SQLError):
        run_query(sql.format(file=secret_file), regions=["us-east-1"])
    assert sorted(p.name for p in secret_file.parent.iterdir()) == before
