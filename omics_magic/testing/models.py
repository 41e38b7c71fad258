"""The fake's state: sequence stores, their tags and read-set counts, and pagination.

A :class:`SequenceStore` holds one store; :class:`RegionState` holds the stores
of one (account, region) and answers list queries. The backend that owns them
(:mod:`omics_magic.testing.backend`) adds locking, faults and the request log.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .exceptions import validation

__all__ = ["RegionState", "SequenceStore", "parse_store_arn", "store_arn", "to_millis"]

_ARN = re.compile(
    r"arn:(?P<partition>[^:]+):(?P<service>[^:]+):(?P<region>[^:]*):"
    r"(?P<account>[^:]*):(?P<resource>.+)"
)


def store_arn(region: str, account_id: str, store_id: str) -> str:
    """The ARN of a sequence store, as AWS spells it."""
    return f"arn:aws:omics:{region}:{account_id}:sequenceStore/{store_id}"


def parse_store_arn(arn: str) -> tuple[str, str, str] | None:
    """``(region, account, id)`` of a sequence store ARN; None if it names something else.

    Raises a ValidationException if ``arn`` is not an ARN at all.
    """
    match = _ARN.fullmatch(arn)
    if match is None:
        raise validation(f"Invalid ARN: {arn!r} is not a valid Amazon Resource Name")
    resource = match["resource"]
    if match["service"] != "omics" or not resource.startswith("sequenceStore/"):
        return None
    return match["region"], match["account"], resource.split("/", 1)[1]


def to_millis(value: datetime) -> datetime:
    """``value`` in UTC, truncated to milliseconds (the precision AWS answers with)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    value = value.astimezone(timezone.utc)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


@dataclass
class SequenceStore:
    """One sequence store, with what only the fake knows (tags, read sets, deletion)."""

    id: str
    region: str
    account_id: str
    name: str
    creation_time: datetime
    description: str | None = None
    sse_config: dict[str, str] | None = None
    fallback_location: str | None = None
    e_tag_algorithm_family: str = "MD5up"
    propagated_set_level_tags: list[str] | None = None
    access_log_location: str | None = None
    status: str = "ACTIVE"
    status_message: str | None = None
    update_time: datetime | None = None
    tags: dict[str, str] = field(default_factory=dict)
    read_set_count: int = 0
    deleted_at: float | None = None  # backend clock reading when DeleteSequenceStore ran

    @property
    def arn(self) -> str:
        return store_arn(self.region, self.account_id, self.id)

    def s3_access(self) -> dict[str, str]:
        # Deterministic, realistic-looking access point alias derived from the ARN.
        digest = hashlib.sha256(self.arn.encode()).hexdigest()[:24]
        access = {
            "s3Uri": f"s3://{self.id}-{digest}-s3alias/{self.account_id}/sequenceStore/{self.id}/",
            "s3AccessPointArn": (
                f"arn:aws:s3:{self.region}:{self.account_id}:accesspoint/{self.id}-{digest[:10]}"
            ),
        }
        if self.access_log_location:
            access["accessLogLocation"] = self.access_log_location
        return access

    def to_api(self) -> dict[str, Any]:
        """Every member GetSequenceStore can answer with (camelCase, no None values).

        The wire layer keeps only the members of each operation's output shape.
        """
        api: dict[str, Any] = {
            "id": self.id,
            "arn": self.arn,
            "name": self.name,
            "description": self.description,
            "sseConfig": dict(self.sse_config) if self.sse_config else None,
            "creationTime": self.creation_time,
            "fallbackLocation": self.fallback_location,
            "eTagAlgorithmFamily": self.e_tag_algorithm_family,
            "status": self.status,
            "statusMessage": self.status_message,
            "propagatedSetLevelTags": (
                list(self.propagated_set_level_tags)
                if self.propagated_set_level_tags is not None
                else None
            ),
            "s3Access": self.s3_access(),
            "updateTime": self.update_time,
        }
        return {k: v for k, v in api.items() if v is not None}


def _sort_key(store: SequenceStore) -> tuple[datetime, str]:
    return (store.creation_time, store.id)


def encode_token(store: SequenceStore) -> str:
    """An opaque nextToken naming the last store of a page by (creationTime, id).

    Listing resumes strictly after that key, in (creationTime, id) order, so a
    store that exists for the whole listing is seen exactly once, whatever is
    created or deleted between pages.
    """
    cursor = {"v": 1, "t": store.creation_time.isoformat(), "i": store.id}
    return base64.urlsafe_b64encode(json.dumps(cursor).encode()).decode()


def decode_token(token: str) -> tuple[datetime, str]:
    try:
        cursor = json.loads(base64.urlsafe_b64decode(token.encode()))
        after = datetime.fromisoformat(cursor["t"])
        if after.tzinfo is None:
            raise ValueError("naive time")
        return after, str(cursor["i"])
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeError):
        raise validation("Invalid nextToken") from None


class RegionState:
    """The stores of one account in one region."""

    def __init__(self, region: str, account_id: str) -> None:
        self.region = region
        self.account_id = account_id
        self.stores: dict[str, SequenceStore] = {}
        self.client_tokens: dict[str, str] = {}  # CreateSequenceStore clientToken -> store ID

    def purge(self, now: float, deletion_delay: float) -> None:
        """Drop stores whose deletion finished (DELETING for ``deletion_delay`` seconds)."""
        gone = [
            sid
            for sid, s in self.stores.items()
            if s.deleted_at is not None and now - s.deleted_at >= deletion_delay
        ]
        for sid in gone:
            del self.stores[sid]

    def page(
        self, max_results: int, next_token: str | None, filters: dict[str, Any]
    ) -> tuple[list[SequenceStore], str | None]:
        """One page of ListSequenceStores, in (creationTime, id) order."""
        ordered = sorted((s for s in self.stores.values() if _keep(s, filters)), key=_sort_key)
        if next_token is not None:
            after = decode_token(next_token)
            ordered = [s for s in ordered if _sort_key(s) > after]
        page = ordered[:max_results]
        token = encode_token(page[-1]) if len(ordered) > max_results else None
        return page, token


def _keep(store: SequenceStore, filters: dict[str, Any]) -> bool:
    # Time bounds are inclusive.
    if "name" in filters and store.name != filters["name"]:
        return False
    if "status" in filters and store.status != filters["status"]:
        return False
    if "createdAfter" in filters and store.creation_time < filters["createdAfter"]:
        return False
    if "createdBefore" in filters and store.creation_time > filters["createdBefore"]:
        return False
    updated = store.update_time or store.creation_time
    if "updatedAfter" in filters and updated < filters["updatedAfter"]:
        return False
    return not ("updatedBefore" in filters and updated > filters["updatedBefore"])
