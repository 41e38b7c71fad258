"""The fake's state: sequence stores, with their tags and read sets.

A :class:`SequenceStore` holds one store and its read sets
(:class:`~omics_magic.testing.read_sets.ReadSet`); :class:`RegionState` holds
the stores of one (account, region) and answers list queries. The backend that owns them
(:mod:`omics_magic.testing.backend`) adds locking, faults and the request log.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property
from typing import Any

from .arns import parse_store_arn, store_arn
from .pagination import Key, Listed, page
from .read_sets import ReadSet

__all__ = ["RegionState", "SequenceStore", "parse_store_arn", "store_arn", "to_millis"]


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
    read_sets: Listed[ReadSet] = field(default_factory=lambda: Listed(ReadSet.key_of))
    deleted_at: float | None = None  # backend clock reading when DeleteSequenceStore ran

    @property
    def arn(self) -> str:
        return store_arn(self.region, self.account_id, self.id)

    @cached_property
    def _alias_digest(self) -> str:
        # Deterministic, realistic-looking access point alias derived from the ARN
        # (which never changes: worked out once, not on every listing of the store).
        return hashlib.sha256(self.arn.encode()).hexdigest()[:24]

    def s3_access(self) -> dict[str, str]:
        digest = self._alias_digest
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


def _sort_key(store: SequenceStore) -> Key:
    return (store.creation_time, store.id)


class RegionState:
    """The stores of one account in one region."""

    def __init__(self, region: str, account_id: str) -> None:
        self.region = region
        self.account_id = account_id
        self.stores: Listed[SequenceStore] = Listed(_sort_key)
        self.client_tokens: dict[str, str] = {}  # CreateSequenceStore clientToken -> store ID
        self.deleting: set[str] = set()  # IDs of stores DeleteSequenceStore marked

    def mark_deleting(self, store: SequenceStore, now: float) -> None:
        """DeleteSequenceStore: the store is DELETING from ``now`` until :meth:`purge`."""
        store.status = "DELETING"
        store.deleted_at = now
        self.deleting.add(store.id)

    def purge(self, now: float, deletion_delay: float) -> None:
        """Drop stores whose deletion finished (DELETING for ``deletion_delay`` seconds)."""
        for sid in list(self.deleting):
            store = self.stores.get(sid)
            if store is None or store.deleted_at is None:
                self.deleting.discard(sid)
            elif now - store.deleted_at >= deletion_delay:
                del self.stores[sid]
                self.deleting.discard(sid)

    def page(
        self, max_results: int, next_token: str | None, filters: dict[str, Any]
    ) -> tuple[list[SequenceStore], str | None]:
        """One page of ListSequenceStores, in (creationTime, id) order."""
        return page(self.stores, lambda s: _keep(s, filters), max_results, next_token)


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
