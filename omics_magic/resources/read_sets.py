"""``aws.omics.read_sets``: the read sets of every sequence store, declared.

Every documented column comes straight from ListReadSets (one page call per
100 read sets of a store, no per-read-set call). The extras cost one call per
read set, under a 5 TPS quota: ``files`` and ``creation_job_id`` come from
GetReadSetMetadata, ``tags`` from ListTagsForResource on the read set's ARN.
"""

from __future__ import annotations

import re
from typing import Any

import pyarrow as pa

from ..errors import InvalidIdentifierError
from .model import Call, Column, Filter, Parent, RangeFilter, Resource
from .sequence_stores import TAGS_TYPE, TIMESTAMP_TYPE

__all__ = [
    "ETAG_TYPE",
    "FILES_TYPE",
    "READ_SETS",
    "SEQUENCE_INFORMATION_TYPE",
    "validate_read_set_id",
]

SEQUENCE_INFORMATION_TYPE = pa.struct(
    [
        ("total_read_count", pa.int64()),
        ("total_base_count", pa.int64()),
        ("generated_from", pa.string()),
        ("alignment", pa.string()),
    ]
)
ETAG_TYPE = pa.struct(
    [("algorithm", pa.string()), ("source1", pa.string()), ("source2", pa.string())]
)
FILE_TYPE = pa.struct(
    [
        ("total_parts", pa.int64()),
        ("part_size", pa.int64()),
        ("content_length", pa.int64()),
        ("s3_uri", pa.string()),
    ]
)
FILES_TYPE = pa.struct([("source1", FILE_TYPE), ("source2", FILE_TYPE), ("index", FILE_TYPE)])
_IDENTIFIER = re.compile(r"[0-9]{10,36}")


def validate_read_set_id(identifier: object) -> str:
    """A read set ID must be 10 to 36 digits (raises InvalidIdentifierError).

    Examples
    --------
    >>> validate_read_set_id("1234567890")
    '1234567890'
    """
    if not isinstance(identifier, str) or not _IDENTIFIER.fullmatch(identifier):
        raise InvalidIdentifierError(
            f"{identifier!r} is not a read set ID; IDs are 10 to 36 digits, e.g. '1234567890'"
        )
    return identifier


def _file(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        return None
    return {
        "total_parts": value.get("totalParts"),
        "part_size": value.get("partSize"),
        "content_length": value.get("contentLength"),
        "s3_uri": (value.get("s3Access") or {}).get("s3Uri"),
    }


def _files(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        return None
    return {key: _file(value.get(key)) for key in ("source1", "source2", "index")}


READ_SETS = Resource(
    name="read_sets",
    singular="read_set",
    noun="read set",
    plural="read sets",
    identifier="read_set_id",
    list=Call(
        "ListReadSets",
        "list_read_sets",
        params={"sequenceStoreId": "sequence_store_id"},
        items="readSets",
        page_size=100,
    ),
    get=Call(
        "GetReadSetMetadata",
        "get_read_set_metadata",
        params={"sequenceStoreId": "sequence_store_id", "id": "read_set_id"},
    ),
    tags=Call("ListTagsForResource", "list_tags_for_resource", params={"resourceArn": "arn"}),
    validate_identifier=validate_read_set_id,
    parent=Parent("sequence_stores", "sequence_store_id"),
    filters=(
        Filter("name", "name", max_length=127),
        Filter("status", "status"),
        Filter("sample_id", "sampleId", max_length=127),
        Filter("subject_id", "subjectId", max_length=127),
        Filter("reference_arn", "referenceArn", max_length=127),
        Filter("creation_type", "creationType"),
        RangeFilter("creation_time", "createdAfter", "createdBefore"),
    ),
    columns=(
        Column("region", "region", (), pa.string(), "AWS region."),
        Column("arn", "list", ("arn",), pa.string(), "The read set's ARN."),
        Column("read_set_id", "list", ("id",), pa.string(), "The read set's ID."),
        Column(
            "sequence_store_id",
            "list",
            ("sequenceStoreId",),
            pa.string(),
            "The ID of the sequence store holding the read set.",
        ),
        Column("name", "list", ("name",), pa.string(), "The read set's name."),
        Column("description", "list", ("description",), pa.string(), "The read set's description."),
        Column("sample_id", "list", ("sampleId",), pa.string(), "The read set's sample ID."),
        Column("subject_id", "list", ("subjectId",), pa.string(), "The read set's subject ID."),
        Column(
            "status",
            "list",
            ("status",),
            pa.string(),
            "ACTIVE, ARCHIVED (cheaper storage, must be activated to read), ACTIVATING, ...",
        ),
        Column("file_type", "list", ("fileType",), pa.string(), "FASTQ, BAM, CRAM or UBAM."),
        Column(
            "reference_arn",
            "list",
            ("referenceArn",),
            pa.string(),
            "The reference genome the reads were aligned to (aligned files only).",
        ),
        Column("creation_type", "list", ("creationType",), pa.string(), "IMPORT or UPLOAD."),
        Column(
            "creation_time",
            "list",
            ("creationTime",),
            TIMESTAMP_TYPE,
            "When the read set was created.",
        ),
        Column(
            "sequence_information",
            "list",
            ("sequenceInformation",),
            SEQUENCE_INFORMATION_TYPE,
            "Read and base counts, what the reads were generated from, and their alignment.",
        ),
        Column("status_message", "list", ("statusMessage",), pa.string(), "The status message."),
        Column(
            "etag",
            "list",
            ("etag",),
            ETAG_TYPE,
            "The read set's ETag: the algorithm and the hash of each source file.",
        ),
        # Extra fields: only when named; each costs one call per read set.
        Column(
            "files",
            "get",
            ("files",),
            FILES_TYPE,
            "The read set's files (source1, source2, index): parts, part size, bytes, S3 URI.",
            True,
            transform=_files,
        ),
        Column(
            "creation_job_id",
            "get",
            ("creationJobId",),
            pa.string(),
            "The ID of the import job that created the read set.",
            True,
        ),
        Column("tags", "tags", (), TAGS_TYPE, "The read set's tags, key to value.", True),
        Column(
            "account_id", "account", ("arn",), pa.string(), "The AWS account of the read set.", True
        ),
    ),
)
