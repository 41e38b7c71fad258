"""Sequence stores, arranged directly by tests and seeding (the API's own path is
:mod:`~omics_magic.testing.operations`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

from .accounts import DEFAULT_ACCOUNT_ID
from .exceptions import OmicsServiceError
from .models import SequenceStore, to_millis
from .state import BackendState

__all__ = ["StoreMethods"]


class StoreMethods(BackendState):
    """Create, list and remove sequence stores directly."""

    def create_sequence_store(
        self,
        region: str,
        name: str,
        *,
        account_id: str = DEFAULT_ACCOUNT_ID,
        description: str | None = None,
        sse_config: Mapping[str, str] | None = None,
        fallback_location: str | None = None,
        tags: Mapping[str, str] | None = None,
        e_tag_algorithm_family: str = "MD5up",
        propagated_set_level_tags: Iterable[str] | None = None,
        access_log_location: str | None = None,
        creation_time: datetime | None = None,
        status: str = "ACTIVE",
        store_id: str | None = None,
        allow_duplicate_id: bool = False,
    ) -> dict[str, Any]:
        """Create a store directly; returns it as GetSequenceStore would, plus ``"tags"``.

        ``sse_config`` defaults to the AWS-owned key (``{"type": "KMS"}``);
        ``creation_time`` defaults to now (truncated to milliseconds, as AWS answers).
        ``store_id`` picks the ID (default: a fresh random 10-digit one).
        ``allow_duplicate_id`` lets ``store_id`` repeat an ID taken in another
        region, which AWS never does, to test how callers handle the ambiguity.

        Examples
        --------
        >>> from omics_magic.testing import OmicsBackend
        >>> backend = OmicsBackend()
        >>> backend.create_sequence_store("eu-west-1", "rna", tags={"team": "bio"})["tags"]
        {'team': 'bio'}
        """
        created = to_millis(creation_time or datetime.now(timezone.utc))
        with self._lock:
            state = self._region(region, account_id)
            if (
                self.max_stores_per_region is not None
                and len(state.stores) >= self.max_stores_per_region
            ):
                raise OmicsServiceError(
                    "ServiceQuotaExceededException",
                    f"Sequence store limit of {self.max_stores_per_region} reached in {region}",
                )
            # An ID of another region only when asked for; never one of this region.
            taken = store_id in state.stores or (not allow_duplicate_id and store_id in self._ids)
            identifier = self._claim_id(store_id, "store_id", taken=taken)
            store = SequenceStore(
                id=identifier,
                region=region,
                account_id=account_id,
                name=name,
                creation_time=created,
                description=description,
                sse_config=dict(sse_config) if sse_config else {"type": "KMS"},
                fallback_location=fallback_location,
                e_tag_algorithm_family=e_tag_algorithm_family,
                propagated_set_level_tags=(
                    list(propagated_set_level_tags)
                    if propagated_set_level_tags is not None
                    else None
                ),
                access_log_location=access_log_location,
                status=status,
                update_time=created,
                tags=dict(tags or {}),
            )
            state.stores[store.id] = store
            return {**store.to_api(), "tags": dict(store.tags)}

    def stores(self, region: str, *, account_id: str = DEFAULT_ACCOUNT_ID) -> list[dict[str, Any]]:
        """A snapshot of the stores in one region, oldest first (API shape plus ``"tags"``)."""
        with self._lock:
            found = self._region(region, account_id).stores.after(None)
            return [{**s.to_api(), "tags": dict(s.tags)} for s in found]

    def delete_store(
        self, region: str, store_id: str, *, account_id: str = DEFAULT_ACCOUNT_ID
    ) -> None:
        """Remove a store and its read sets at once, bypassing the API (no check, no DELETING)."""
        with self._lock:
            self._region(region, account_id).stores.pop(store_id, None)
