"""The %%omics magic against the fake: every SQL form, pushdown call counts, results.

Expected answers are computed with pandas from the fake's own state
(``backend.stores``), never written out by hand.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from omics_magic.columns import ALL_COLUMNS, DEFAULT_COLUMNS, frame, pandas_dtype
from omics_magic.testing import OmicsBackend
from tests.fetch_helpers import expected_row
from tests.magic_support import displayed, run_cell, strict_shell

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-1"]
STORES = "aws.omics.sequence_stores"
SEED_SELECT = """SELECT
region,
arn,
creation_time,
description,
name,
fallback_location,
sequence_store_id,
sse_config,
tags
FROM aws.omics.sequence_store
WHERE data__Identifier = '{id}'{more};"""


@pytest.fixture
def backend(omics_backend: OmicsBackend, monkeypatch: pytest.MonkeyPatch) -> OmicsBackend:
    monkeypatch.setenv("OMICS_MAGIC_REGIONS", ",".join(REGIONS))
    monkeypatch.setenv("OMICS_MAGIC_TPS", "0")
    # These tests count each query's calls; the cache's own are in tests/fetch/test_cache.py.
    monkeypatch.setenv("OMICS_MAGIC_CACHE_TTL", "0")
    omics_backend.seed(REGIONS, stores_per_region=5)
    omics_backend.requests.clear()
    return omics_backend


def state(backend: OmicsBackend, regions: list[str] = REGIONS) -> pd.DataFrame:
    """Every store the fake holds, as the magic should show it (all columns)."""
    rows = [expected_row(r, s) for r in regions for s in backend.stores(r)]
    return frame(rows, ALL_COLUMNS)


def calls(backend: OmicsBackend) -> dict[tuple[str, str], int]:
    counted: dict[tuple[str, str], int] = {}
    for record in backend.requests.records:
        key = (record.operation, record.region)
        counted[key] = counted.get(key, 0) + 1
    return counted


def omics(ip: InteractiveShell, sql: str, line: str = "") -> Any:
    return ip.run_cell_magic("omics", line, sql)


def test_the_seed_select_verbatim_with_a_region_is_one_get_and_one_tags_call(
    ip: InteractiveShell, backend: OmicsBackend
) -> None:
    store = backend.stores("eu-west-1")[2]
    sql = SEED_SELECT.format(id=store["id"], more="\nAND region = 'eu-west-1'")
    df = omics(ip, sql)
    assert calls(backend) == {
        ("GetSequenceStore", "eu-west-1"): 1,
        ("ListTagsForResource", "eu-west-1"): 1,
    }
    want = state(backend)
    want = want[want["sequence_store_id"] == store["id"]][list(DEFAULT_COLUMNS)]
    pd.testing.assert_frame_equal(df, want.reset_index(drop=True))


def test_the_seed_select_verbatim_searches_every_configured_region(
    ip: InteractiveShell, backend: OmicsBackend
) -> None:
    store = backend.stores("ap-southeast-1")[0]
    df = omics(ip, SEED_SELECT.format(id=store["id"], more=""))
    assert df["sequence_store_id"].tolist() == [store["id"]]
    assert df["region"].tolist() == ["ap-southeast-1"]
    assert df["tags"][0] == store["tags"]
    assert {(op, r) for (op, r) in calls(backend)} == {("GetSequenceStore", r) for r in REGIONS} | {
        ("ListTagsForResource", "ap-southeast-1")
    }
    assert backend.requests.count("GetSequenceStore") == len(REGIONS)


def test_the_seed_select_over_http(omics_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMICS_MAGIC_TPS", "0")
    backend = omics_server.backend
    backend.seed(["us-east-1"], stores_per_region=2)
    store = backend.stores("us-east-1")[1]
    with strict_shell() as shell:
        df = omics(shell, SEED_SELECT.format(id=store["id"], more=" AND region = 'us-east-1'"))
    assert df["arn"].tolist() == [store["arn"]]
    assert backend.requests.count() == 2


@pytest.mark.parametrize(
    ("where", "regions"),
    [
        ("WHERE region = 'eu-west-1'", ["eu-west-1"]),
        ("WHERE region IN ('us-east-1', 'ap-southeast-1')", ["us-east-1", "ap-southeast-1"]),
        ("", REGIONS),
    ],
)
def test_the_list_resource_calls_only_the_regions_picked(
    ip: InteractiveShell, backend: OmicsBackend, where: str, regions: list[str]
) -> None:
    df = omics(ip, f"SELECT * FROM {STORES} {where} ORDER BY region, sequence_store_id")
    assert {r for (_, r) in calls(backend)} == set(regions)
    assert backend.requests.count("ListSequenceStores") == len(regions)
    assert backend.requests.count("ListTagsForResource") == len(df) == 5 * len(regions)
    assert list(df.columns) == list(DEFAULT_COLUMNS)
    assert {c: str(df[c].dtype) for c in df} == {c: pandas_dtype(c) for c in DEFAULT_COLUMNS}
    want = state(backend, regions)[list(DEFAULT_COLUMNS)]
    want = want.sort_values(["region", "sequence_store_id"], ignore_index=True)
    pd.testing.assert_frame_equal(df, want)


def test_extras_come_only_when_named(ip: InteractiveShell, backend: OmicsBackend) -> None:
    df = omics(ip, f"SELECT * FROM {STORES} WHERE status = 'ACTIVE'")
    assert list(df.columns) == list(DEFAULT_COLUMNS)
    assert backend.requests.count("GetSequenceStore") == 0
    backend.requests.clear()
    df = omics(ip, f"SELECT name, status, s3_uri FROM {STORES} WHERE region = 'us-east-1'")
    assert list(df.columns) == ["name", "status", "s3_uri"]
    assert backend.requests.count("GetSequenceStore") == 5  # s3_uri is only in GetSequenceStore
    assert backend.requests.count("ListTagsForResource") == 0
    want = state(backend, ["us-east-1"])
    assert sorted(df["s3_uri"]) == sorted(want["s3_uri"])


def test_group_by_region_makes_no_tag_calls(ip: InteractiveShell, backend: OmicsBackend) -> None:
    df = omics(ip, f"SELECT region, count(*) AS n FROM {STORES} GROUP BY region ORDER BY region")
    assert backend.requests.count("ListTagsForResource") == 0
    assert backend.requests.count() == backend.requests.count("ListSequenceStores") == 3
    want = state(backend).groupby("region").size().rename("n").reset_index()
    assert df.values.tolist() == want.values.tolist()
    df = omics(ip, f"SELECT * EXCLUDE (tags) FROM {STORES}")
    assert backend.requests.count("ListTagsForResource") == 0
    assert len(df) == 15 and "tags" not in df.columns


def test_tags_structs_case_cte_and_subquery(ip: InteractiveShell, backend: OmicsBackend) -> None:
    all_rows = state(backend)
    team = all_rows["tags"].map(lambda t: t.get("team"))
    some_team = team.dropna().iloc[0]
    df = omics(
        ip,
        f"""
        WITH tagged AS (
            SELECT region, name, tags['team'] AS team, sse_config.type AS sse,
                   CASE WHEN sse_config.key_arn IS NULL THEN 'aws-owned' ELSE 'customer' END
                       AS key_kind
            FROM {STORES}
        )
        SELECT * FROM tagged
        WHERE team = '{some_team}'
          AND region IN (SELECT DISTINCT region FROM {STORES} WHERE name IS NOT NULL)
        ORDER BY region, name
        """,
    )
    want = all_rows.assign(
        team=team,
        sse=all_rows["sse_config"].map(lambda s: s["type"]),
        key_kind=all_rows["sse_config"].map(
            lambda s: "aws-owned" if s["key_arn"] is None else "customer"
        ),
    )
    want = want[want["team"] == some_team].sort_values(["region", "name"])
    assert list(df.columns) == ["region", "name", "team", "sse", "key_kind"]
    assert df.values.tolist() == want[list(df.columns)].values.tolist()


def test_or_and_not_are_not_pushed_down_but_answers_stay_right(
    ip: InteractiveShell, backend: OmicsBackend
) -> None:
    all_rows = state(backend)
    name = backend.stores("eu-west-1")[0]["name"]
    df = omics(
        ip,
        f"SELECT arn FROM {STORES} WHERE region = 'us-east-1' OR name = '{name}' ORDER BY arn",
    )
    assert backend.requests.count("ListSequenceStores") == len(REGIONS)
    want = all_rows[(all_rows["region"] == "us-east-1") | (all_rows["name"] == name)]
    assert df["arn"].tolist() == sorted(want["arn"])
    backend.requests.clear()
    df = omics(ip, f"SELECT arn FROM {STORES} WHERE NOT region = 'us-east-1' ORDER BY arn")
    assert backend.requests.count("ListSequenceStores") == len(REGIONS)
    assert df["arn"].tolist() == sorted(all_rows[all_rows["region"] != "us-east-1"]["arn"])


def test_name_and_identifier_pushdown(ip: InteractiveShell, backend: OmicsBackend) -> None:
    store = backend.stores("us-east-1")[3]
    df = omics(
        ip, f"SELECT arn FROM {STORES} WHERE name = '{store['name']}' AND region = 'us-east-1'"
    )
    assert calls(backend) == {("ListSequenceStores", "us-east-1"): 1}
    assert store["arn"] in df["arn"].tolist()
    backend.requests.clear()
    df = omics(ip, f"SELECT arn FROM {STORES} WHERE data__Identifier IN ('{store['id']}')")
    assert backend.requests.count("GetSequenceStore") == len(REGIONS)
    assert backend.requests.count("ListSequenceStores") == 0
    assert df["arn"].tolist() == [store["arn"]]


def test_order_limit_offset_distinct(ip: InteractiveShell, backend: OmicsBackend) -> None:
    all_rows = state(backend)
    df = omics(ip, f"SELECT DISTINCT region FROM {STORES} ORDER BY region DESC LIMIT 2 OFFSET 1")
    assert df["region"].tolist() == sorted(set(all_rows["region"]), reverse=True)[1:3]
    df = omics(ip, f"SELECT creation_time FROM {STORES} ORDER BY creation_time LIMIT 3")
    assert str(df["creation_time"].dtype) == "datetime64[us, UTC]"
    assert df["creation_time"].tolist() == sorted(all_rows["creation_time"])[:3]


def test_assignment_displays_nothing(ip: InteractiveShell, backend: OmicsBackend) -> None:
    assert omics(ip, f"SELECT name FROM {STORES}", line="stores <<") is None
    assert len(ip.user_ns["stores"]) == 15
    assert ip.run_line_magic("omics", f"-r eu-west-1 few << SELECT name FROM {STORES}") is None
    assert len(ip.user_ns["few"]) == 5
    out = run_cell(ip, f"%%omics quiet << --no-progress\nSELECT name FROM {STORES}")
    assert out is None and len(ip.user_ns["quiet"]) == 15


def test_line_magic_and_repeated_region_option(ip: InteractiveShell, backend: OmicsBackend) -> None:
    df = ip.run_line_magic(
        "omics", f"-r us-east-1 --region eu-west-1 SELECT DISTINCT region FROM {STORES} ORDER BY 1"
    )
    assert df["region"].tolist() == ["eu-west-1", "us-east-1"]
    assert {r for (_, r) in calls(backend)} == {"us-east-1", "eu-west-1"}


def test_templates_fill_in_literals(ip: InteractiveShell, backend: OmicsBackend) -> None:
    backend.create_sequence_store("us-east-1", "o'brien's store")
    backend.requests.clear()
    ip.user_ns.update(picked=["eu-west-1", "us-east-1"], who="o'brien's store")
    df = omics(
        ip,
        f"SELECT region, name FROM {STORES} WHERE region IN {{{{picked}}}} AND name = {{{{who}}}}",
    )
    assert df.values.tolist() == [["us-east-1", "o'brien's store"]]
    assert {r for (_, r) in calls(backend)} == {"us-east-1", "eu-west-1"}
    ip.user_ns["who"] = "x' OR name <> '"
    assert omics(ip, f"SELECT name FROM {STORES} WHERE name = {{{{who}}}}").empty
    # a line magic in a cell: IPython must not expand {{picked}} (or $x) itself
    run_cell(
        ip, f"found = %omics SELECT '$x' AS d, name FROM {STORES} WHERE region IN {{{{picked}}}}"
    )
    assert set(ip.user_ns["found"]["d"]) == {"$x"} and len(ip.user_ns["found"]) == 11


def test_region_errors_are_one_note_under_the_result_not_on_stderr(
    ip: InteractiveShell, backend: OmicsBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    backend.disable_region("eu-west-1")
    with displayed(ip) as outputs:
        df = omics(ip, f"SELECT region FROM {STORES}")
    assert set(df["region"]) == {"us-east-1", "ap-southeast-1"}
    assert [e["region"] for e in df.attrs["omics_errors"]] == ["eu-west-1"]
    assert capsys.readouterr().err == ""
    [note] = [o["data"] for o in outputs]
    text = note["text/plain"]
    assert text.count("eu-west-1") == 1 and "--strict" in text and "not enabled" in text
    assert "fix: " in text and "%config OmicsMagic.regions" in text
    assert 'class="omics-note"' in note["text/html"]


def test_a_region_whose_per_store_calls_failed_is_not_called_missing(
    ip: InteractiveShell, backend: OmicsBackend
) -> None:
    """Its rows are there; the note says its results are incomplete, as the CLI does."""
    backend.inject_error(
        "AccessDeniedException", operation="ListTagsForResource", region="eu-west-1"
    )
    with displayed(ip) as outputs:
        df = omics(ip, f"SELECT region, name, tags FROM {STORES}")
    assert "eu-west-1" in set(df["region"])
    [note] = [o["data"]["text/plain"] for o in outputs]
    assert "missing from the result" not in note
    assert "eu-west-1: access denied (AccessDeniedException)" in note
    assert "its results are missing or incomplete" in note


def test_in_a_cell_the_note_comes_after_the_result(
    ip: InteractiveShell, backend: OmicsBackend
) -> None:
    """In a notebook the cell's value is displayed after the magic returns: the note waits."""
    backend.disable_region("eu-west-1")
    seen_before_cell_end: list[int] = []

    with displayed(ip) as outputs:

        def cell_finished_running(*_: object) -> None:  # post_execute: before post_run_cell
            seen_before_cell_end.append(len(outputs))

        ip.events.register("post_execute", cell_finished_running)
        try:
            df = run_cell(ip, f"%%omics\nSELECT region FROM {STORES}")
        finally:
            ip.events.unregister("post_execute", cell_finished_running)
    assert set(df["region"]) == {"us-east-1", "ap-southeast-1"}
    # Nothing was displayed when the cell finished running (its value is displayed
    # next, by the display hook); the note came after.
    texts = [o["data"].get("text/plain", "") for o in outputs]
    assert seen_before_cell_end == [len(outputs) - 1] and "eu-west-1" in texts[-1]


def test_a_region_not_enabled_is_skipped_in_later_queries(
    ip: InteractiveShell, backend: OmicsBackend
) -> None:
    backend.disable_region("eu-west-1")
    omics(ip, f"SELECT region FROM {STORES}")
    backend.requests.clear()
    with displayed(ip) as outputs:
        df = omics(ip, f"SELECT region, name FROM {STORES}")
    assert "eu-west-1" not in {region for _, region in calls(backend)}
    [error] = df.attrs["omics_errors"]
    assert error["region"] == "eu-west-1" and error["kind"] == "not_enabled" and error["skipped"]
    [note] = [o["data"]["text/plain"] for o in outputs]
    assert "skipped (not enabled): eu-west-1" in note and note.count("eu-west-1") == 1
    with pytest.raises(UsageError, match="eu-west-1"):  # --strict keeps its meaning
        omics(ip, f"SELECT region FROM {STORES}", line="--strict")


def test_python_callers_still_get_a_region_failure_warning(backend: OmicsBackend) -> None:
    import omics_magic
    from omics_magic import RegionFailureWarning

    backend.disable_region("eu-west-1")
    for _ in range(2):  # asked, then skipped: both warn
        with pytest.warns(RegionFailureWarning, match="eu-west-1"):
            omics_magic.run_query(f"SELECT region FROM {STORES}")


def test_strict_turns_region_errors_into_one_line(
    ip: InteractiveShell, backend: OmicsBackend
) -> None:
    backend.inject_error("AccessDeniedException", region="ap-southeast-1")
    with pytest.raises(UsageError, match="ap-southeast-1") as info:
        omics(ip, f"SELECT region FROM {STORES}", line="--strict")
    assert "\n" not in str(info.value)
    run_cell(ip, "%config OmicsMagic.strict = True")
    with pytest.raises(UsageError, match="ap-southeast-1"):
        omics(ip, f"SELECT region FROM {STORES}")


def test_config_regions_take_effect(
    ip: InteractiveShell, backend: OmicsBackend, caplog: pytest.LogCaptureFixture
) -> None:
    run_cell(ip, "%config OmicsMagic.regions = ['ap-southeast-1']")
    df = omics(ip, f"SELECT DISTINCT region FROM {STORES}")
    assert df["region"].tolist() == ["ap-southeast-1"]
    assert {r for (_, r) in calls(backend)} == {"ap-southeast-1"}
    # traitlets logs a config value it can't accept and keeps the old one
    run_cell(ip, "%config OmicsMagic.regions = ['mars-north-1']")
    assert "'mars-north-1' is not a region where AWS HealthOmics is offered" in caplog.text
    magic = next(c for c in ip.configurables if type(c).__name__ == "OmicsMagic")
    assert magic.regions == ["ap-southeast-1"]
    run_cell(ip, "%config OmicsMagic.progress = False")
    run_cell(ip, "%config OmicsMagic.max_concurrency = 2")
    assert (magic.progress, magic.max_concurrency) == (False, 2)
