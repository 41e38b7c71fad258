"""DESCRIBE <resource> and SHOW RESOURCES: the schema from the definitions, no AWS call."""

from __future__ import annotations

import pandas as pd
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

import omics_magic
from omics_magic.sql.plan import RESOURCES, TABLES
from omics_magic.testing import OmicsBackend
from tests.magic_support import run_cell

DESCRIBE_COLUMNS = [
    "column_name",
    "column_type",
    "in_select_star",
    "api_call",
    "pushdown",
    "description",
]


@pytest.mark.parametrize("resource", sorted(RESOURCES))
def test_describe_lists_every_column_without_any_aws_call(
    omics_backend: OmicsBackend, ip: InteractiveShell, resource: str
) -> None:
    by_python = omics_magic.run_query(f"DESCRIBE {resource}")
    by_magic = ip.run_cell_magic("omics", "", f"describe {resource.upper()};")
    assert omics_backend.requests.records == []
    pd.testing.assert_frame_equal(by_python, by_magic)
    assert list(by_python.columns) == DESCRIBE_COLUMNS
    rows = by_python.set_index("column_name")
    definition, _ = TABLES[resource]
    # Every column of the resource's definition, SELECT *'s first, then data__Identifier.
    assert list(rows.index) == [*definition.all_columns, "data__Identifier"]
    for column in definition.columns:
        row = rows.loc[column.name]
        assert row["in_select_star"] == (not column.extra)
        assert row["description"] == column.doc
    assert rows.loc["tags", "column_type"] == "MAP(VARCHAR, VARCHAR)"
    assert rows.loc["tags", "api_call"] == "ListTagsForResource"
    assert "TIMESTAMP WITH TIME ZONE" == rows.loc["creation_time", "column_type"]
    assert rows.loc["region", "pushdown"] == "= / IN: only these regions are called"
    assert rows.loc["description", "pushdown"] == ""  # DuckDB alone applies it


def test_describe_the_stores() -> None:
    rows = omics_magic.run_query("DESCRIBE aws.omics.sequence_stores").set_index("column_name")
    assert rows.loc["s3_uri", "api_call"] == "GetSequenceStore"
    assert rows.loc["name", "api_call"] == "ListSequenceStores"
    assert rows.loc["name", "pushdown"] == "=: the name filter of ListSequenceStores"
    assert "key_arn IS NOT NULL" in rows.loc["sse_config", "description"]
    assert rows.loc["sequence_store_id", "pushdown"].startswith("= / IN: GetSequenceStore by ID")
    one = omics_magic.run_query("DESCRIBE aws.omics.sequence_store").set_index("column_name")
    assert one.loc["name", "api_call"] == "GetSequenceStore"  # one store: got, not listed
    assert one.loc["name", "pushdown"] == ""


def test_describe_the_read_sets() -> None:
    rows = omics_magic.run_query("DESCRIBE aws.omics.read_sets").set_index("column_name")
    assert rows.loc["sample_id", "api_call"] == "ListReadSets"
    assert rows.loc["files", "api_call"] == "GetReadSetMetadata"
    assert not rows.loc["files", "in_select_star"]
    assert rows.loc["sample_id", "pushdown"] == "=: the sampleId filter of ListReadSets"
    assert "createdAfter / createdBefore" in rows.loc["creation_time", "pushdown"]
    assert rows.loc["sequence_store_id", "pushdown"] == (
        "= / IN: ListReadSets in these stores only, no ListSequenceStores"
    )
    assert rows.loc["sequence_information", "column_type"].startswith("STRUCT(total_read_count")
    one = omics_magic.run_query("DESCRIBE aws.omics.read_set").set_index("column_name")
    assert "needs sequence_store_id and it" in one.loc["data__Identifier", "description"]


def test_show_resources_lists_the_resources(
    omics_backend: OmicsBackend, ip: InteractiveShell
) -> None:
    by_python = omics_magic.run_query("SHOW RESOURCES")
    by_magic = run_cell(ip, "%omics show resources")
    assert omics_backend.requests.records == []
    pd.testing.assert_frame_equal(by_python, by_magic)
    assert list(by_python["resource"]) == list(RESOURCES)
    assert "aws.omics.read_sets" in set(by_python["resource"])
    lives_in = dict(zip(by_python["resource"], by_python["lives_in"], strict=True))
    assert lives_in["aws.omics.read_sets"] == "aws.omics.sequence_stores"
    assert lives_in["aws.omics.sequence_stores"] is None


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("DESCRIBE sequence_stores", "did you mean aws.omics.sequence_stores"),
        ("DESCRIBE SELECT 1", "DESCRIBE takes a resource name"),
        ("SHOW TABLES", "SHOW takes a resource name"),
    ],
)
def test_a_bad_describe_is_one_line(ip: InteractiveShell, sql: str, message: str) -> None:
    with pytest.raises(omics_magic.SQLError, match=message):
        omics_magic.run_query(sql)
    with pytest.raises(UsageError, match=message):
        ip.run_cell_magic("omics", "", sql)


def test_help_is_the_same_as_the_question_mark(
    ip: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    for line in ("--help", "-h"):
        assert ip.run_line_magic("omics", line) is None
        shown = capsys.readouterr().out
        assert "unrecognized" not in shown
        run_cell(ip, "%%omics?")
        pinfo = capsys.readouterr().out
        for option in ("-r REGION, --region REGION", "--no-progress", "DESCRIBE", "-h, --help"):
            assert option in shown and option in pinfo
        # The same text: every line of the help is in %%omics?'s docstring.
        assert all(text.strip() in pinfo for text in shown.splitlines())
