"""The resource declarations: what the issue and StackQL say each table holds."""

from __future__ import annotations

import pyarrow as pa
import pytest

from omics_magic import columns
from omics_magic.errors import InvalidIdentifierError, UnknownColumnError
from omics_magic.resources import (
    READ_SETS,
    RESOURCES,
    SEQUENCE_STORES,
    resource_named,
    resource_of_columns,
)

STRING = pa.string()
READ_SET_COLUMNS = [
    ("region", STRING),
    ("arn", STRING),
    ("read_set_id", STRING),
    ("sequence_store_id", STRING),
    ("name", STRING),
    ("description", STRING),
    ("sample_id", STRING),
    ("subject_id", STRING),
    ("status", STRING),
    ("file_type", STRING),
    ("reference_arn", STRING),
    ("creation_type", STRING),
    ("creation_time", pa.timestamp("us", tz="UTC")),
    (
        "sequence_information",
        pa.struct(
            [
                ("total_read_count", pa.int64()),
                ("total_base_count", pa.int64()),
                ("generated_from", STRING),
                ("alignment", STRING),
            ]
        ),
    ),
    ("status_message", STRING),
    ("etag", pa.struct([("algorithm", STRING), ("source1", STRING), ("source2", STRING)])),
]


def test_read_set_documented_columns_are_the_issues_in_order_with_their_types() -> None:
    schema = READ_SETS.arrow_schema()
    assert [(f.name, f.type) for f in schema] == READ_SET_COLUMNS
    # account_id: every resource's, from the row's ARN (several accounts at once).
    assert READ_SETS.extra_columns == ("files", "creation_job_id", "tags", "account_id")
    assert all(READ_SETS.column(n).source == "list" for n in READ_SETS.default_columns[1:])


def test_read_set_files_are_read_from_get_read_set_metadata_in_the_columns_shape() -> None:
    files = READ_SETS.column("files")
    part = {"totalParts": 2, "partSize": 10, "contentLength": 15, "s3Access": {"s3Uri": "s3://b/k"}}
    value = files.value({"files": {"source1": part}})
    assert value == {
        "source1": {"total_parts": 2, "part_size": 10, "content_length": 15, "s3_uri": "s3://b/k"},
        "source2": None,
        "index": None,
    }
    assert pa.array([value], type=files.arrow_type).to_pylist() == [value]


def test_sequence_stores_keep_their_columns_through_the_compatibility_layer() -> None:
    assert columns.DEFAULT_COLUMNS == SEQUENCE_STORES.default_columns
    assert columns.DEFAULT_COLUMNS[:3] == ("region", "arn", "creation_time")
    assert len(columns.DEFAULT_COLUMNS) == 9
    sse = SEQUENCE_STORES.column("sse_config").value({"sseConfig": {"type": "KMS", "keyArn": "k"}})
    assert sse == {"type": "KMS", "key_arn": "k"}


def test_every_resource_names_its_calls_and_keys() -> None:
    for resource in RESOURCES.values():
        assert resource.identifier in resource.all_columns
        assert resource.list.page_size == 100 and resource.list.items
        for call in resource.operations:
            assert set(call.params.values()) <= set(resource.all_columns), call
        for found in resource.filters:
            assert found.column in resource.all_columns
    assert READ_SETS.key_columns == ("region", "sequence_store_id", "read_set_id")
    assert READ_SETS.parent is not None and READ_SETS.parent.resource == "sequence_stores"


def test_lookups_fail_with_one_clear_line() -> None:
    with pytest.raises(UnknownColumnError, match="unknown column 'nope' of aws.omics.read_sets"):
        READ_SETS.resolve_columns(["nope"])
    with pytest.raises(InvalidIdentifierError, match="not a read set ID"):
        READ_SETS.validate_identifier("12")
    assert resource_named("read_sets") is READ_SETS
    assert resource_of_columns(["read_set_id"]) is READ_SETS
    assert resource_of_columns(["tags"]) is SEQUENCE_STORES
