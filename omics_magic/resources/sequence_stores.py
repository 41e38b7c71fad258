"""``aws.omics.sequence_stores``: the sequence store resource, declared.

The first nine columns are the ones documented on StackQL's
``aws.omics.sequence_store`` page, in its order; the extra fields come only
when named. ListSequenceStores carries most values; GetSequenceStore alone
carries the S3 access details and the propagated tag keys.
"""

from __future__ import annotations

import pyarrow as pa

from ..regions import validate_identifier
from .model import Call, Column, Filter, Resource

__all__ = ["SEQUENCE_STORES", "SSE_CONFIG_TYPE", "TAGS_TYPE", "TIMESTAMP_TYPE"]

SSE_CONFIG_TYPE = pa.struct([("type", pa.string()), ("key_arn", pa.string())])
TAGS_TYPE = pa.map_(pa.string(), pa.string())
TIMESTAMP_TYPE = pa.timestamp("us", tz="UTC")

SEQUENCE_STORES = Resource(
    name="sequence_stores",
    singular="sequence_store",
    noun="sequence store",
    plural="stores",
    identifier="sequence_store_id",
    list=Call("ListSequenceStores", "list_sequence_stores", items="sequenceStores", page_size=100),
    get=Call("GetSequenceStore", "get_sequence_store", params={"id": "sequence_store_id"}),
    tags=Call("ListTagsForResource", "list_tags_for_resource", params={"resourceArn": "arn"}),
    validate_identifier=validate_identifier,
    filters=(Filter("name", "name", max_length=127),),
    columns=(
        Column("region", "region", (), pa.string(), "AWS region."),
        Column("arn", "list", ("arn",), pa.string(), "The store's ARN."),
        Column(
            "creation_time",
            "list",
            ("creationTime",),
            TIMESTAMP_TYPE,
            "When the store was created.",
        ),
        Column(
            "description", "list", ("description",), pa.string(), "A description for the store."
        ),
        Column("name", "list", ("name",), pa.string(), "A name for the store."),
        Column(
            "fallback_location",
            "list",
            ("fallbackLocation",),
            pa.string(),
            "An S3 URI representing the bucket and folder to store failed read set uploads.",
        ),
        Column("sequence_store_id", "list", ("id",), pa.string(), "The store's ID."),
        Column(
            "sse_config",
            "list",
            ("sseConfig",),
            SSE_CONFIG_TYPE,
            "The store's server-side encryption: type (KMS) and key_arn, the ARN of a "
            "customer-managed KMS key; key_arn is NULL when AWS owns the key, so "
            "sse_config.key_arn IS NOT NULL means a customer key.",
        ),
        Column("tags", "tags", (), TAGS_TYPE, "The store's tags, key to value."),
        # Extra fields: only when named.
        Column("status", "list", ("status",), pa.string(), "The store's status.", True),
        Column(
            "status_message", "list", ("statusMessage",), pa.string(), "The status message.", True
        ),
        Column(
            "update_time",
            "list",
            ("updateTime",),
            TIMESTAMP_TYPE,
            "When the store was updated.",
            True,
        ),
        Column(
            "e_tag_algorithm_family",
            "list",
            ("eTagAlgorithmFamily",),
            pa.string(),
            "The algorithm family of the ETag.",
            True,
        ),
        Column(
            "propagated_set_level_tags",
            "get",
            ("propagatedSetLevelTags",),
            pa.list_(pa.string()),
            "The tags keys to propagate to the S3 objects associated with read sets.",
            True,
        ),
        Column(
            "s3_uri", "get", ("s3Access", "s3Uri"), pa.string(), "The S3 URI of the store.", True
        ),
        Column(
            "s3_access_point_arn",
            "get",
            ("s3Access", "s3AccessPointArn"),
            pa.string(),
            "The ARN of the store's S3 access point.",
            True,
        ),
        Column(
            "access_log_location",
            "get",
            ("s3Access", "accessLogLocation"),
            pa.string(),
            "Where the S3 access logs of the store are written.",
            True,
        ),
        Column(
            "account_id", "account", ("arn",), pa.string(), "The AWS account of the store.", True
        ),
    ),
)
