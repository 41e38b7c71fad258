"""DELETE through ``%%omics`` on a strict shell: refusals are one UsageError line, no call."""

from __future__ import annotations

from typing import Any

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

DELETE = "DeleteSequenceStore"


@pytest.fixture
def backend(configured_fake: Any) -> Any:
    return configured_fake(["us-east-1", "eu-west-1"])


def delete_sql(store: str, region: str | None = None, resource: str = "sequence_store") -> str:
    sql = f"DELETE FROM aws.omics.{resource} WHERE data__Identifier = '{store}'"
    return sql if region is None else f"{sql} AND region = '{region}'"


def test_delete_without_confirm_is_one_line_and_deletes_nothing(
    ip: InteractiveShell, backend: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    store = backend.create_sequence_store("us-east-1", "precious")["id"]

    with pytest.raises(UsageError, match=f"--confirm {store}") as info:
        ip.run_cell_magic("omics", "", delete_sql(store, "us-east-1"))

    assert "\n" not in str(info.value)
    assert backend.requests.count(operation=DELETE) == 0
    assert [s["id"] for s in backend.stores("us-east-1")] == [store]
    assert "precious" in capsys.readouterr().err  # the text preview, outside a notebook


def test_delete_with_a_wrong_confirm_deletes_nothing(ip: InteractiveShell, backend: Any) -> None:
    store = backend.create_sequence_store("us-east-1", "precious")["id"]

    with pytest.raises(UsageError, match=f"pass confirm='{store}'"):
        ip.run_cell_magic("omics", "--confirm 9999999999", delete_sql(store))

    assert backend.requests.count(operation=DELETE) == 0
    assert [s["id"] for s in backend.stores("us-east-1")] == [store]


@pytest.mark.parametrize("resource", ["sequence_store", "sequence_stores"])
def test_delete_with_confirm(ip: InteractiveShell, backend: Any, resource: str) -> None:
    store = backend.create_sequence_store("eu-west-1", "scratch")["id"]
    kept = backend.create_sequence_store("eu-west-1", "keep")["id"]

    report = ip.run_cell_magic(
        "omics", f"--confirm {store}", delete_sql(store, "eu-west-1", resource)
    )

    assert report.loc[0, ["region", "sequence_store_id", "outcome"]].tolist() == [
        "eu-west-1",
        store,
        "deleted",
    ]
    assert [s["id"] for s in backend.stores("eu-west-1")] == [kept]
    assert backend.requests.count(operation=DELETE) == 1


def test_delete_line_magic_with_template_and_region_option(
    ip: InteractiveShell, backend: Any
) -> None:
    store = backend.create_sequence_store("us-west-2", "scratch")["id"]
    ip.user_ns["doomed"] = store

    report = ip.run_line_magic(
        "omics",
        f"-r us-west-2 --confirm {store} "
        "DELETE FROM aws.omics.sequence_store WHERE data__Identifier = {{doomed}}",
    )

    assert report.loc[0, ["region", "outcome"]].tolist() == ["us-west-2", "deleted"]
    assert backend.requests.count(operation="GetSequenceStore") == 1  # only -r's region


def test_delete_of_an_id_in_two_regions_asks_for_the_region(
    ip: InteractiveShell, backend: Any
) -> None:
    store = backend.create_sequence_store("us-east-1", "east")["id"]
    backend.create_sequence_store("eu-west-1", "west", store_id=store, allow_duplicate_id=True)

    with pytest.raises(UsageError, match="AND region = "):
        ip.run_cell_magic("omics", f"--confirm {store}", delete_sql(store))
    assert backend.requests.count(operation=DELETE) == 0


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM aws.omics.sequence_stores WHERE region = 'us-east-1'",
        "DELETE FROM aws.omics.sequence_stores",
        "DELETE FROM aws.omics.sequence_store WHERE data__Identifier = '{id}' OR name = 'x'",
        "DELETE FROM aws.omics.sequence_store WHERE data__Identifier = '{id}' AND name = 'x'",
        "DELETE FROM aws.omics.sequence_stores WHERE data__Identifier IN "
        "(SELECT sequence_store_id FROM aws.omics.sequence_stores)",
        "DELETE FROM aws.omics.sequence_store WHERE data__Identifier IN ('{id}', '1234567891')",
        "WITH x AS (SELECT 1) DELETE FROM aws.omics.sequence_store WHERE data__Identifier = '{id}'",
    ],
    ids=["region only", "no where", "or", "extra predicate", "subquery", "in", "with"],
)
def test_other_deletes_are_refused_with_a_hint_before_any_call(
    ip: InteractiveShell, backend: Any, sql: str
) -> None:
    store = backend.create_sequence_store("us-east-1", "precious")["id"]

    with pytest.raises(UsageError, match=r"df\.omics\.delete\(\)"):
        ip.run_cell_magic("omics", f"--confirm {store}", sql.format(id=store))

    assert backend.requests.count() == 0
    assert [s["id"] for s in backend.stores("us-east-1")] == [store]
