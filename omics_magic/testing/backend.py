"""OmicsBackend: the state of the fake service, its faults and its request log.

State is kept per (account, region). Both ways in (``mock_omics`` and
``OmicsServer``) share one backend; the wire layer (``responses``) runs the
API operations (``operations``) on it, tests call its methods to arrange
state directly. Store and read set IDs are unique across the backend and
never reused.

Its methods come in families, one module each: stores (``backend_stores``),
read sets (``backend_read_sets``), accounts (``backend_accounts``) and faults
(``backend_faults``), on the shared state of ``state``.

Deletion: DeleteSequenceStore marks a store ``DELETING``; it is gone from the
first request that comes ``deletion_delay`` seconds later (default 0: gone on
the very next request, so DELETING is only seen with a delay). A store that
holds read sets can't be deleted (ConflictException), as in AWS.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .accounts import DEFAULT_ACCOUNT_ID
from .backend_accounts import AccountMethods
from .backend_faults import FaultMethods
from .backend_read_sets import ReadSetMethods
from .backend_stores import StoreMethods
from .seed import seed_stores

__all__ = ["DEFAULT_ACCOUNT_ID", "OmicsBackend"]


class OmicsBackend(StoreMethods, ReadSetMethods, AccountMethods, FaultMethods):
    """In-memory AWS HealthOmics sequence stores and read sets, keyed by (account, region).

    Parameters
    ----------
    random_seed
        Seed for store and read set IDs (``None``: unpredictable).
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
    >>> read_set = backend.add_read_set("us-east-1", store["id"], sample_id="NA12878")
    >>> [r["sampleId"] for r in backend.read_sets("us-east-1", store["id"])]
    ['NA12878']
    """

    def seed(
        self,
        regions: str | Iterable[str],
        stores_per_region: int = 10,
        *,
        account_id: str = DEFAULT_ACCOUNT_ID,
        random_seed: int = 0,
        read_sets_per_store: int = 0,
    ) -> dict[str, list[dict[str, Any]]]:
        """Create realistic stores (and read sets); see :func:`~omics_magic.testing.seed_stores`.

        Examples
        --------
        >>> backend = OmicsBackend()
        >>> seeded = backend.seed("eu-west-1", 2, read_sets_per_store=3)
        >>> [len(backend.read_sets("eu-west-1", s["id"])) for s in seeded["eu-west-1"]]
        [3, 3]
        """
        return seed_stores(
            self,
            regions,
            stores_per_region,
            account_id=account_id,
            random_seed=random_seed,
            read_sets_per_store=read_sets_per_store,
        )
