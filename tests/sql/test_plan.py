"""SQL planning on its own: what each statement pushes down, fetches, and refuses."""

from __future__ import annotations

import re

import pytest

from omics_magic.columns import DEFAULT_COLUMNS, EXTRA_COLUMNS
from omics_magic.errors import InvalidIdentifierError, SQLError, UnknownRegionError
from omics_magic.sql.plan import DeleteStatement, SelectPlan, plan_statement

ID = "1234567890"
ID2 = "2234567890"
STORES = "aws.omics.sequence_stores"
STORE = "aws.omics.sequence_store"
SEED = (
    "SELECT\nregion,\narn,\ncreation_time,\ndescription,\nname,\nfallback_location,\n"
    "sequence_store_id,\nsse_config,\ntags\nFROM aws.omics.sequence_store\n"
    "WHERE data__Identifier = '{id}'{more};"
)


def select(sql: str) -> SelectPlan:
    plan = plan_statement(sql)
    assert isinstance(plan, SelectPlan)
    return plan


def test_the_seed_select_gets_one_store_by_id_in_the_configured_regions() -> None:
    plan = select(SEED.format(id=ID, more=""))
    (ref,) = plan.refs
    assert ref.resource == STORE
    assert ref.identifiers == (ID,)
    assert ref.regions is None
    assert plan.columns == DEFAULT_COLUMNS
    assert STORE not in plan.duckdb_sql and ref.relation in plan.duckdb_sql


def test_the_seed_select_with_a_region_reads_only_that_region() -> None:
    plan = select(SEED.format(id=ID, more=" AND region = 'eu-west-1'"))
    assert (plan.refs[0].regions, plan.refs[0].identifiers) == (("eu-west-1",), (ID,))


@pytest.mark.parametrize(
    ("where", "regions"),
    [
        ("region = 'us-east-1'", ("us-east-1",)),
        ("'us-east-1' = region", ("us-east-1",)),
        ("region IN ('eu-west-1', 'us-east-1')", ("eu-west-1", "us-east-1")),
        ("(region IN ('eu-west-1', 'us-east-1')) AND region = 'us-east-1'", ("us-east-1",)),
        ("name LIKE 'a%' AND (region = 'us-east-1')", ("us-east-1",)),
        ("region = 'us-east-1' OR region = 'eu-west-1'", None),
        ("NOT region = 'us-east-1'", None),
        ("region <> 'us-east-1'", None),
        ("region NOT IN ('us-east-1')", None),
        ("region = name", None),
        ("upper(region) = 'US-EAST-1'", None),
        ("region IN ('us-east-1', NULL)", None),
        ("region IN (SELECT 'us-east-1')", None),
    ],
)
def test_region_pushdown_only_from_top_level_conjuncts(
    where: str, regions: tuple[str, ...] | None
) -> None:
    assert select(f"SELECT name FROM {STORES} WHERE {where}").refs[0].regions == regions


def test_contradicting_conjuncts_need_no_fetch() -> None:
    plan = select(f"SELECT * FROM {STORES} WHERE region = 'us-east-1' AND region = 'eu-west-1'")
    assert plan.refs[0].no_rows and plan.refs[0].regions == ()
    plan = select(
        f"SELECT * FROM {STORE} WHERE data__Identifier = '{ID}' AND sequence_store_id = '{ID2}'"
    )
    assert plan.refs[0].no_rows


def test_identifier_and_name_pushdown() -> None:
    plan = select(f"SELECT * FROM {STORES} WHERE data__Identifier IN ('{ID}', '{ID2}')")
    assert plan.refs[0].identifiers == (ID, ID2)
    assert select(f"SELECT * FROM {STORES} WHERE sequence_store_id = '{ID}'").refs[
        0
    ].identifiers == (ID,)
    plan = select(f"SELECT * FROM {STORES} WHERE name = 'alpha' AND region = 'us-east-1'")
    assert (plan.refs[0].name, plan.refs[0].regions) == ("alpha", ("us-east-1",))
    assert select(f"SELECT * FROM {STORES} WHERE name IN ('a', 'b')").refs[0].name is None
    assert select(f"SELECT * FROM {STORES} WHERE name = 'a' OR region = 'x'").refs[0].name is None


def test_pushdown_follows_qualifiers_in_joins() -> None:
    plan = select(
        f"SELECT a.name FROM {STORES} a JOIN {STORES} b ON a.name = b.name "
        "WHERE a.region = 'us-east-1' AND b.region IN ('eu-west-1') AND region = 'us-west-2'"
    )
    assert [r.regions for r in plan.refs] == [("us-east-1",), ("eu-west-1",)]
    assert plan.refs[0].relation != plan.refs[1].relation


@pytest.mark.parametrize(
    "source",
    [
        f"{STORES} a POSITIONAL JOIN {STORES} b",
        f"{STORES} b ASOF JOIN {STORES} a ON a.creation_time >= b.creation_time",
        f"{STORES} a TABLESAMPLE 50%",
        f"{STORES} a TABLESAMPLE reservoir(2 ROWS)",
        # DuckDB samples USING SAMPLE's rows before the WHERE, wherever the clause is written.
        f"{STORES} a WHERE a.region = 'us-east-1' USING SAMPLE 2 ROWS --",
    ],
)
def test_no_pushdown_where_rows_before_where_matter(source: str) -> None:
    plan = select(f"SELECT a.name FROM {source} WHERE a.region = 'us-east-1'")
    assert all(ref.regions is None for ref in plan.refs)


def test_pushdown_is_per_select() -> None:
    plan = select(
        f"SELECT name FROM {STORES} WHERE region = 'us-east-1' "
        f"UNION ALL SELECT name FROM (SELECT * FROM {STORES}) WHERE region = 'eu-west-1'"
    )
    assert [r.regions for r in plan.refs] == [("us-east-1",), None]


def test_same_pushdown_shares_one_relation() -> None:
    plan = select(f"SELECT * FROM {STORES} a, {STORES} b WHERE a.name = b.name")
    assert plan.refs[0].relation == plan.refs[1].relation
    assert len(plan.relations) == 1


@pytest.mark.parametrize(
    ("sql", "columns"),
    [
        (f"SELECT * FROM {STORES}", DEFAULT_COLUMNS),
        (f"SELECT region, count(*) FROM {STORES} GROUP BY region", ("region",)),
        (f"SELECT count(*) FROM {STORES}", ("sequence_store_id",)),
        (f"SELECT tags['team'] FROM {STORES}", ("tags",)),
        (f"SELECT sse_config.type FROM {STORES} s", ("sse_config",)),
        (f"SELECT *, status FROM {STORES}", (*DEFAULT_COLUMNS, "status")),
        (f"SELECT name FROM {STORES} WHERE s3_uri LIKE 's3://%'", ("name", "s3_uri")),
        (
            f"SELECT * EXCLUDE (tags) FROM {STORES}",
            tuple(c for c in DEFAULT_COLUMNS if c != "tags"),
        ),
        (f"SELECT s FROM {STORES} s", DEFAULT_COLUMNS),
        (
            f"SELECT data__Identifier FROM {STORE} WHERE data__Identifier = '{ID}'",
            ("sequence_store_id",),
        ),
    ],
)
def test_only_referenced_columns_are_fetched(sql: str, columns: tuple[str, ...]) -> None:
    assert select(sql).columns == columns


def test_star_keeps_to_documented_columns_when_extras_are_named() -> None:
    plan = select(f"SELECT *, status FROM {STORES} s WHERE update_time IS NOT NULL")
    assert "EXCLUDE (s.status, s.update_time)" in plan.duckdb_sql
    assert set(plan.columns) - set(DEFAULT_COLUMNS) == {"status", "update_time"}
    assert set(EXTRA_COLUMNS) >= {"status", "update_time"}


@pytest.mark.parametrize(
    ("query", "rewritten"),
    [
        ("SELECT * EXCLUDE (tags), status FROM {r} s", "* EXCLUDE (tags, s.status)"),
        ("SELECT * EXCLUDE ( s.tags ) , status FROM {r} s", "* EXCLUDE ( s.tags, s.status ) ,"),
        ("SELECT * EXCLUDE (s.tags) FROM {r} s WHERE status = 'A'", "* EXCLUDE (s.tags, s.status)"),
        ("SELECT * EXCLUDE tags, status FROM {r} s", "* EXCLUDE (tags, s.status), status"),
        ("SELECT s.* EXCLUDE (tags), status FROM {r} s", "s.* EXCLUDE (tags, status)"),
        ("SELECT * EXCLUDE (status), status FROM {r} s", "SELECT * EXCLUDE (status), status"),
    ],
)
def test_extras_join_an_existing_exclude_list(query: str, rewritten: str) -> None:
    assert rewritten in select(query.format(r=STORES)).duckdb_sql


def test_data_identifier_is_read_as_sequence_store_id() -> None:
    plan = select(f"SELECT data__Identifier, name FROM {STORE} WHERE data__Identifier = '{ID}'")
    assert "sequence_store_id AS data__Identifier" in plan.duckdb_sql
    assert "WHERE sequence_store_id = " in plan.duckdb_sql


def test_unaliased_resources_keep_their_name_as_qualifier() -> None:
    plan = select(f"SELECT sequence_stores.name FROM {STORES}")
    assert plan.duckdb_sql.endswith(f"{plan.refs[0].relation} AS sequence_stores")
    plan = select(f"SELECT aws.omics.sequence_stores.name FROM {STORES}")
    assert plan.duckdb_sql.startswith("SELECT sequence_stores.name FROM")


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("", "empty"),
        ("  ;  ", "empty"),
        ("SELEC name FROM t", "syntax error at line 1, column"),
        ("SHOW TABLES", "SHOW statements are not allowed"),
        ("SUMMARIZE SELECT 1", "SUMMARIZE statements are not allowed"),
        ("VALUES (1)", "VALUES statements are not allowed"),
        (f"SELECT name FROM {STORES} WHERE (region = 'x'", "syntax error at line 1"),
        (f"SELECT 'unclosed FROM {STORES}", "unclosed quote"),
        (f"SELECT 1; SELECT * FROM {STORES}", "2 statements"),
        (f"SELECT * FROM {STORES}; DROP TABLE x", "2 statements"),
        ("INSERT INTO t VALUES (1)", "INSERT statements are not allowed"),
        ("UPDATE t SET a = 1", "UPDATE statements are not allowed"),
        ("CREATE TABLE t (a INT)", "CREATE statements are not allowed"),
        ("DROP TABLE t", "DROP statements are not allowed"),
        ("COPY (SELECT 1) TO 'x.csv'", "COPY statements are not allowed"),
        ("ATTACH 'x.db'", "ATTACH statements are not allowed"),
        ("DETACH x", "DETACH statements are not allowed"),
        ("INSTALL httpfs", "INSTALL statements are not allowed"),
        ("LOAD httpfs", "LOAD statements are not allowed"),
        ("PRAGMA version", "PRAGMA statements are not allowed"),
        ("SET threads = 1", "SET statements are not allowed"),
        ("RESET threads", "RESET statements are not allowed"),
        ("EXPORT DATABASE 'x'", "EXPORT statements are not allowed"),
        ("CALL pragma_version()", "CALL statements are not allowed"),
        ("DESCRIBE SELECT 1", "DESCRIBE statements are not allowed"),
        ("WITH a AS (SELECT 1) INSERT INTO t SELECT * FROM a", "INSERT statements are not"),
        ("SELECT * FROM aws.omics.workflows", "known resources: aws.omics.sequence_store, "),
        ("SELECT * FROM sequence_stores", "did you mean aws.omics.sequence_stores?"),
        ("SELECT * FROM 'stores.csv'", "reading files or URLs"),
        ("SELECT * FROM 'https://example.com/x.parquet'", "reading files or URLs"),
        ("SELECT * FROM read_csv('x.csv')", "read_csv() is not allowed"),
        ("SELECT * FROM read_parquet('x.parquet')", "read_parquet() is not allowed"),
        ("SELECT * FROM read_json_auto('x.json')", "read_json_auto() is not allowed"),
        ("SELECT * FROM glob('*')", "glob() is not allowed"),
        ("SELECT * FROM query('SELECT 1')", "query() is not allowed"),
        (f"SELECT read_text('/etc/hostname') FROM {STORES}", "read_text() is not allowed"),
        ("SELECT * FROM duckdb_settings()", "duckdb_settings() is not allowed"),
        (f"SELECT name FROM {STORE}", "needs WHERE data__Identifier"),
        (
            f"SELECT name FROM {STORE} WHERE data__Identifier = '{ID}' OR name = 'a'",
            "needs WHERE data__Identifier",
        ),
        (
            f"SELECT name FROM {STORE} WHERE NOT data__Identifier <> '{ID}'",
            "needs WHERE data__Identifier",
        ),
        (f"FROM {STORES} WHERE status = 'ACTIVE'", "write SELECT * explicitly"),
    ],
)
def test_refused_before_any_call(sql: str, message: str) -> None:
    with pytest.raises(SQLError, match=re.escape(message)) as info:
        plan_statement(sql)
    assert "\n" not in str(info.value)


def test_parse_errors_say_where() -> None:
    with pytest.raises(SQLError, match=r"line 2, column \d+"):
        plan_statement(f"SELECT name\nFROM {STORES} WHERE region = = 'x'")


def test_bad_pushed_down_values_are_refused() -> None:
    with pytest.raises(UnknownRegionError, match="us-east-1"):
        plan_statement(f"SELECT * FROM {STORES} WHERE region = 'mars-north-1'")
    with pytest.raises(UnknownRegionError):
        plan_statement(f"SELECT * FROM {STORES} WHERE region IN ('us-east-1', ' eu-west-1')")
    with pytest.raises(InvalidIdentifierError, match="10 to 36 digits"):
        plan_statement(f"SELECT * FROM {STORE} WHERE data__Identifier = 'abc'")
    with pytest.raises(InvalidIdentifierError):
        plan_statement(f"SELECT * FROM {STORES} WHERE data__Identifier IN ('{ID}', '12')")


def test_values_under_or_are_left_to_duckdb() -> None:
    plan = select(f"SELECT * FROM {STORES} WHERE region = 'mars-1' OR name = 'a'")
    assert plan.refs[0].regions is None


def test_a_delete_is_handed_on_parsed() -> None:
    sql = f"DELETE FROM {STORE} WHERE data__Identifier = '{ID}' AND region = 'us-east-1'"
    plan = plan_statement(sql)
    assert isinstance(plan, DeleteStatement)
    assert plan.sql == sql and plan.tree.this.name == "sequence_store"


@pytest.mark.parametrize(
    "sql",
    [
        f"DELETE FROM aws.omics.workflows WHERE data__Identifier = '{ID}'",
        f"DELETE FROM {STORE} WHERE data__Identifier IN (SELECT * FROM read_csv('x'))",
        f"DELETE FROM {STORE} WHERE data__Identifier = '{ID}'; DELETE FROM {STORE}",
    ],
)
def test_deletes_get_the_same_first_checks(sql: str) -> None:
    with pytest.raises(SQLError):
        plan_statement(sql)
