"""OmicsBackend: the state of the fake service, its faults and its request log.

State is kept per (account, region). Both ways in (``mock_omics`` and
``OmicsServer``) share one backend; the wire layer (``responses``) runs the
API operations (``operations``) on it, tests call its methods to arrange
state directly. Store IDs are unique across the backend and never reused.

Deletion: DeleteSequenceStore marks a store ``DELETING``; it is gone from the
first request that comes ``deletion_delay`` seconds later (default 0: gone on
the very next request, so DELETING is only seen with a delay).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

from .exceptions import OmicsServiceError, not_found
from .faults import Faults
from .log import RequestLog
from .models import RegionState, SequenceStore, to_millis

__all__ = ["DEFAULT_ACCOUNT_ID", "OmicsBackend"]

DEFAULT_ACCOUNT_ID = "123456789012"  # moto's default account, for unknown access keys


def _omics_regions() -> tuple[str, ...]:
    from ..regions import omics_regions

    return omics_regions()


class OmicsBackend:
    """In-memory AWS HealthOmics sequence stores, keyed by (account, region).

    Parameters
    ----------
    random_seed
        Seed for store IDs (``None``: unpredictable).
    clock
        Monotonic clock for quotas and deletion (inject a fake one in tests).
    deletion_delay
        Seconds a deleted store stays ``DELETING`` before it is gone.
    max_stores_per_region
        If set, CreateSequenceStore beyond it answers ServiceQuotaExceededException.

    Examples
    --------
    >>> backend = OmicsBackend(random_seed=1)
    >>> store = backend.create_sequence_store("us-east-1", "wgs-cohort-001")
    >>> store["status"], len(store["id"])
    ('ACTIVE', 10)
    """

    def __init__(
        self,
        *,
        random_seed: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        deletion_delay: float = 0.0,
        max_stores_per_region: int | None = None,
    ) -> None:
        self._lock = threading.RLock()
        self._rng = random.Random(random_seed)
        self._clock = clock
        self.deletion_delay = deletion_delay
        self.max_stores_per_region = max_stores_per_region
        self._state: dict[tuple[str, str], RegionState] = {}
        self._access_keys: dict[str, str] = {}
        self._ids: set[str] = set()  # every ID ever handed out (AWS never reuses one)
        self.faults = Faults(clock)
        self.requests = RequestLog()

    # -- accounts and regions ---------------------------------------------------------

    def map_access_key(self, access_key_id: str, account_id: str) -> None:
        """Answer requests signed with ``access_key_id`` as account ``account_id``."""
        self._access_keys[access_key_id] = account_id

    def account_for(self, access_key_id: str | None) -> str:
        """The account of an access key: mapped here, else moto's IAM/STS keys, else default."""
        if access_key_id and access_key_id in self._access_keys:
            return self._access_keys[access_key_id]
        import sys

        moto_iam = sys.modules.get("moto.iam.models")
        if access_key_id and moto_iam is not None:
            return str(moto_iam.get_account_id_from(access_key_id))
        return DEFAULT_ACCOUNT_ID

    def _region(self, region: str, account_id: str) -> RegionState:
        # Callers hold self._lock.
        if region not in _omics_regions():
            raise ValueError(f"{region!r} is not an omics region; use one of {_omics_regions()}")
        state = self._state.get((account_id, region))
        if state is None:
            state = self._state[(account_id, region)] = RegionState(region, account_id)
        state.purge(self._clock(), self.deletion_delay)
        return state

    def _store(self, region: str, account_id: str, store_id: str) -> SequenceStore:
        store = self._region(region, account_id).stores.get(store_id)
        if store is None:
            raise not_found(f"Sequence store {store_id} not found")
        return store

    def _new_id(self) -> str:
        while True:
            candidate = str(self._rng.randrange(10**9, 10**10))
            if candidate not in self._ids:
                return candidate

    # -- direct state access (for tests and seeding) -----------------------------------

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
            if store_id is not None and not (store_id.isdigit() and 10 <= len(store_id) <= 36):
                raise ValueError(f"store_id must be 10 to 36 digits, not {store_id!r}")
            if store_id is not None and (
                store_id in state.stores or (not allow_duplicate_id and store_id in self._ids)
            ):
                raise ValueError(f"store ID {store_id} is taken (IDs are unique, as in AWS)")
            store = SequenceStore(
                id=store_id or self._new_id(),
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
            self._ids.add(store.id)
            return {**store.to_api(), "tags": dict(store.tags)}

    def stores(self, region: str, *, account_id: str = DEFAULT_ACCOUNT_ID) -> list[dict[str, Any]]:
        """A snapshot of the stores in one region, oldest first (API shape plus ``"tags"``)."""
        with self._lock:
            found = sorted(
                self._region(region, account_id).stores.values(),
                key=lambda s: (s.creation_time, s.id),
            )
            return [{**s.to_api(), "tags": dict(s.tags)} for s in found]

    def delete_store(
        self, region: str, store_id: str, *, account_id: str = DEFAULT_ACCOUNT_ID
    ) -> None:
        """Remove a store at once, bypassing the API (no read-set check, no DELETING)."""
        with self._lock:
            self._region(region, account_id).stores.pop(store_id, None)

    def set_read_set_count(
        self, region: str, store_id: str, count: int, *, account_id: str = DEFAULT_ACCOUNT_ID
    ) -> None:
        """Pretend the store holds ``count`` read sets (> 0 makes deletion conflict)."""
        with self._lock:
            try:
                store = self._store(region, account_id, store_id)
            except OmicsServiceError:
                raise KeyError(f"no store {store_id} in {region} ({account_id})") from None
            store.read_set_count = int(count)

    def seed(
        self,
        regions: str | Iterable[str],
        stores_per_region: int = 10,
        *,
        account_id: str = DEFAULT_ACCOUNT_ID,
        random_seed: int = 0,
    ) -> dict[str, list[dict[str, Any]]]:
        """Create realistic stores; see :func:`omics_magic.testing.seed.seed_stores`."""
        from .seed import seed_stores

        return seed_stores(
            self, regions, stores_per_region, account_id=account_id, random_seed=random_seed
        )

    # -- faults ------------------------------------------------------------------------

    def set_latency(
        self, seconds: float, *, region: str | None = None, operation: str | None = None
    ) -> None:
        """Add ``seconds`` of delay before answering matching requests."""
        self.faults.set_latency(seconds, region, operation)

    def inject_error(
        self,
        code: str,
        *,
        region: str | None = None,
        operation: str | None = None,
        times: int | None = None,
        message: str | None = None,
        status: int | None = None,
        after: bool = False,
    ) -> None:
        """Answer matching requests with error ``code`` (every time, or the next ``times``).

        ``after=True`` answers it only once the operation has taken effect, as
        when AWS acts and the answer is lost (a 500, a dropped connection).
        """
        self.faults.inject_error(code, region, operation, times, message, status, after)

    def disable_region(self, region: str) -> None:
        """Answer every request in ``region`` with UnrecognizedClientException (403)."""
        self.faults.disable_region(region)

    def enable_region(self, region: str) -> None:
        """Undo :meth:`disable_region`."""
        self.faults.enable_region(region)

    def set_quotas(
        self, rates: str | Mapping[str, float] | None = "aws", *, burst: float | None = None
    ) -> None:
        """Throttle with token buckets per (account, region, operation); ``None`` turns off."""
        self.faults.set_quotas(rates, burst)

    def clear_faults(self) -> None:
        """Remove latency, injected errors, disabled regions and quotas."""
        self.faults.clear()
