"""The core of the backend: its state keyed by (account, region), its lock, IDs and clock.

:class:`BackendState` is the base of :class:`~omics_magic.testing.OmicsBackend`;
the methods tests call are added by the classes built on it (stores, read
sets, accounts, faults), each in its own module.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

from .accounts import Accounts
from .exceptions import not_found
from .faults import Faults
from .log import RequestLog
from .models import RegionState, SequenceStore
from .read_sets import ReadSet

__all__ = ["BackendState", "omics_regions"]


def omics_regions() -> tuple[str, ...]:
    """Every region where botocore lists omics (the package's list, read once)."""
    from ..regions import omics_regions as listed

    return listed()


class BackendState:
    """State, lock, IDs, accounts, faults and the request log of one backend."""

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
        self._ids: set[str] = set()  # every ID ever handed out (AWS never reuses one)
        self._accounts = Accounts()
        self.faults = Faults(clock)
        self.requests = RequestLog()

    def account_for(self, access_key_id: str | None) -> str:
        """The account of an access key: added here, else moto's IAM/STS keys, else default."""
        return self._accounts.account_for(access_key_id)

    def _region(self, region: str, account_id: str) -> RegionState:
        # Callers hold self._lock.
        if region not in omics_regions():
            raise ValueError(f"{region!r} is not an omics region; use one of {omics_regions()}")
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

    def _read_set(self, region: str, account_id: str, store_id: str, read_set_id: str) -> ReadSet:
        read_set = self._store(region, account_id, store_id).read_sets.get(read_set_id)
        if read_set is None:
            raise not_found(f"Read set {read_set_id} not found in sequence store {store_id}")
        return read_set

    def _claim_id(self, chosen: str | None, name: str, *, taken: bool | None = None) -> str:
        """The ID of a new store or read set: ``chosen`` if it is 10 to 36 digits and
        not ``taken`` (default: handed out before, as AWS never reuses one), else a
        fresh one; recorded as handed out. ``name`` is the argument's, for errors.

        Callers hold self._lock.
        """
        if chosen is None:
            chosen = self._new_id()
        elif not (chosen.isdigit() and 10 <= len(chosen) <= 36):
            raise ValueError(f"{name} must be 10 to 36 digits, not {chosen!r}")
        elif (chosen in self._ids) if taken is None else taken:
            what = name.removesuffix("_id").replace("_", " ")
            raise ValueError(f"{what} ID {chosen} is taken (IDs are unique, as in AWS)")
        self._ids.add(chosen)
        return chosen

    def _new_id(self, rng: random.Random | None = None) -> str:
        rng = rng or self._rng
        while True:
            candidate = str(rng.randrange(10**9, 10**10))
            if candidate not in self._ids:
                return candidate
