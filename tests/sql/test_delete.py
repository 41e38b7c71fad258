"""The SQL DELETE: only one store by ID (and maybe region); anything else refused first."""

from __future__ import annotations

from typing import Any

import pytest

from omics_magic import (
    ConfirmationRequired,
    InvalidIdentifierError,
    SQLError,
    UnknownRegionError,
)
from omics_magic.sql.delete import DeletePlan, plan_delete, run_delete

ID = "1234567890"


@pytest.fixture
def backend(configured_fake: Any) -> Any:
    return configured_fake(["us-east-1", "eu-west-1"])


@pytest.mark.parametrize(
    ("sql", "plan"),
    [
        (
            f"DELETE FROM aws.omics.sequence_store WHERE data__Identifier = '{ID}'",
            DeletePlan(ID),
        ),
        (
            f"DELETE FROM aws.omics.sequence_store WHERE data__Identifier = '{ID}' "
            "AND region = 'us-east-1';",
            DeletePlan(ID, "us-east-1"),
        ),
        (
            f"delete from AWS.OMICS.SEQUENCE_STORES where region = 'eu-west-1' "
            f"and ('{ID}' = DATA__IDENTIFIER)",
            DeletePlan(ID, "eu-west-1"),
        ),
        (
            f"DELETE FROM aws.omics.sequence_stores s WHERE s.data__Identifier = '{ID}'",
            DeletePlan(ID),
        ),
        (
            f"DELETE FROM aws.omics.sequence_store WHERE ((data__Identifier = '{ID}') "
            "AND ((region = 'us-east-1')))",
            DeletePlan(ID, "us-east-1"),
        ),
    ],
)
def test_the_supported_form(sql: str, plan: DeletePlan) -> None:
    assert plan_delete(sql) == plan


REFUSED = {
    "no WHERE": "DELETE FROM aws.omics.sequence_store",
    "no ID": "DELETE FROM aws.omics.sequence_stores WHERE region = 'us-east-1'",
    "OR": f"DELETE FROM aws.omics.sequence_store WHERE data__Identifier = '{ID}' "
    "OR region = 'us-east-1'",
    "NOT": f"DELETE FROM aws.omics.sequence_store WHERE NOT data__Identifier = '{ID}'",
    "extra predicate": f"DELETE FROM aws.omics.sequence_store WHERE data__Identifier = '{ID}' "
    "AND name = 'scratch'",
    "IN several": f"DELETE FROM aws.omics.sequence_store WHERE data__Identifier IN "
    f"('{ID}', '1234567891')",
    "IN subquery": "DELETE FROM aws.omics.sequence_store WHERE data__Identifier IN "
    "(SELECT sequence_store_id FROM aws.omics.sequence_stores)",
    "scalar subquery": "DELETE FROM aws.omics.sequence_store WHERE data__Identifier = "
    "(SELECT max(sequence_store_id) FROM aws.omics.sequence_stores)",
    "LIKE": "DELETE FROM aws.omics.sequence_store WHERE data__Identifier LIKE '12%'",
    "ID twice": f"DELETE FROM aws.omics.sequence_store WHERE data__Identifier = '{ID}' "
    "AND data__Identifier = '1234567891'",
    "number, not string": f"DELETE FROM aws.omics.sequence_store WHERE data__Identifier = {ID}",
    "column = column": "DELETE FROM aws.omics.sequence_store WHERE data__Identifier = region",
    "other qualifier": f"DELETE FROM aws.omics.sequence_store WHERE t.data__Identifier = '{ID}'",
    "RETURNING": f"DELETE FROM aws.omics.sequence_store WHERE data__Identifier = '{ID}' "
    "RETURNING *",
    "USING": f"DELETE FROM aws.omics.sequence_store USING aws.omics.sequence_stores "
    f"WHERE data__Identifier = '{ID}'",
    "WITH": f"WITH x AS (SELECT 1) DELETE FROM aws.omics.sequence_store "
    f"WHERE data__Identifier = '{ID}'",
    "LIMIT": f"DELETE FROM aws.omics.sequence_store WHERE data__Identifier = '{ID}' LIMIT 1",
    "other table": f"DELETE FROM aws.omics.reference_store WHERE data__Identifier = '{ID}'",
    "two statements": f"DELETE FROM aws.omics.sequence_store WHERE data__Identifier = '{ID}'; "
    f"DELETE FROM aws.omics.sequence_store WHERE data__Identifier = '{ID}'",
    "not a DELETE": "SELECT * FROM aws.omics.sequence_stores",
}


@pytest.mark.parametrize("sql", REFUSED.values(), ids=REFUSED.keys())
def test_any_other_delete_is_refused_before_any_call(backend: Any, sql: str) -> None:
    store = backend.create_sequence_store("us-east-1", "precious", store_id=ID)["id"]
    with pytest.raises(SQLError) as info:
        run_delete(sql, confirm=ID)
    assert "\n" not in str(info.value)
    if "statement" not in str(info.value):
        assert "df.omics.delete()" in str(info.value)
    assert backend.requests.count() == 0
    assert [s["id"] for s in backend.stores("us-east-1")] == [store]


@pytest.mark.parametrize(
    ("sql", "error"),
    [
        (
            "DELETE FROM aws.omics.sequence_store WHERE data__Identifier = '12'",
            InvalidIdentifierError,
        ),
        (
            f"DELETE FROM aws.omics.sequence_store WHERE data__Identifier = '{ID}' "
            "AND region = 'mars-1'",
            UnknownRegionError,
        ),
        (  # as in a SELECT's pushdown: the literal must match the region column exactly
            f"DELETE FROM aws.omics.sequence_store WHERE data__Identifier = '{ID}' "
            "AND region = 'us-east-1 '",
            UnknownRegionError,
        ),
        ("DELETE FROM aws.omics.sequence_store WHERE", SQLError),
    ],
)
def test_bad_values_are_refused_before_any_call(
    backend: Any, sql: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        run_delete(sql, confirm=ID)
    assert backend.requests.count() == 0


def test_run_delete_deletes_with_confirm(backend: Any) -> None:
    store = backend.create_sequence_store("eu-west-1", "scratch")["id"]
    sql = f"DELETE FROM aws.omics.sequence_store WHERE data__Identifier = '{store}'"

    with pytest.raises(ConfirmationRequired, match=f"--confirm {store}"):
        run_delete(sql)
    assert backend.requests.count(operation="DeleteSequenceStore") == 0

    report = run_delete(sql, confirm=store)
    assert report.loc[0, ["region", "outcome"]].tolist() == ["eu-west-1", "deleted"]
    assert backend.stores("eu-west-1") == []


def test_the_sql_region_wins_over_the_search_scope(backend: Any) -> None:
    store = backend.create_sequence_store("us-west-2", "scratch")["id"]
    sql = (
        f"DELETE FROM aws.omics.sequence_stores WHERE data__Identifier = '{store}' "
        "AND region = 'us-west-2'"
    )
    report = run_delete(sql, confirm=store, regions=["us-east-1"])
    assert report.loc[0, "outcome"] == "deleted"
    assert backend.requests.count(operation="GetSequenceStore") == 1


def test_without_region_the_given_scope_is_searched(backend: Any) -> None:
    store = backend.create_sequence_store("us-west-2", "scratch")["id"]
    sql = f"DELETE FROM aws.omics.sequence_stores WHERE data__Identifier = '{store}'"
    report = run_delete(sql, confirm=store, regions=["us-east-1", "us-west-2"])
    assert report.loc[0, "region"] == "us-west-2"
    assert backend.requests.count(operation="GetSequenceStore") == 2
