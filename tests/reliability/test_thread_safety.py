"""Eight threads at once: each gets its own, correct answer, and no shared state is left behind."""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pandas as pd
import pytest

import omics_magic
from omics_magic.columns import DEFAULT_COLUMNS
from omics_magic.errors import RegionFailureWarning
from omics_magic.sql.plan import plan_statement
from omics_magic.sql.run import run_query
from omics_magic.testing import OmicsBackend
from tests.fetch_helpers import expected_records, most_throttles_per_bucket, records
from tests.reliability.support import new_session

THREADS = 8
REGIONS = ["us-east-1", "eu-west-2"]
T = TypeVar("T")


def _all_at_once(work: Callable[[int], T]) -> list[T]:
    """Run ``work(i)`` in 8 threads released together by a barrier."""
    barrier = threading.Barrier(THREADS)

    def start(i: int) -> T:
        barrier.wait(timeout=30)
        return work(i)

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(start, range(THREADS)))


@pytest.fixture
def backend(omics_backend: OmicsBackend, monkeypatch: pytest.MonkeyPatch) -> OmicsBackend:
    # Every thread really fetches (the cache's thread safety: tests/fetch/test_cache.py).
    monkeypatch.setenv("OMICS_MAGIC_CACHE_TTL", "0")
    omics_backend.seed(REGIONS, stores_per_region=2)
    # AWS's real quotas: eight fetches sharing one pacer per region stay under them.
    omics_backend.set_quotas("aws")
    return omics_backend


@pytest.mark.parametrize("sessions", ["shared", "separate"])
def test_eight_threads_fetching_at_once_all_get_the_whole_frame(
    backend: OmicsBackend, sessions: str
) -> None:
    shared = new_session()
    own = [new_session() for _ in range(THREADS)]

    def fetch(i: int) -> pd.DataFrame:
        session = shared if sessions == "shared" else own[i]
        return omics_magic.sequence_stores(REGIONS, session=session, strict=True)

    frames = _all_at_once(fetch)

    expected = expected_records(backend, REGIONS, DEFAULT_COLUMNS)
    assert len(expected) == 4
    for df in frames:
        assert records(df) == expected
        assert df.attrs["omics_errors"] == []
    assert most_throttles_per_bucket(backend) <= 1  # the pacers were shared, not doubled
    assert backend.requests.count("ListSequenceStores", status=200) == THREADS * len(REGIONS)


# Each of the eight queries reports the disabled region once: expected, not noise.
@pytest.mark.filterwarnings("ignore::omics_magic.errors.RegionFailureWarning")
def test_eight_queries_at_once_leave_warnings_and_logging_as_they_were(
    backend: OmicsBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """run_query quiets the engine's per-fetch warnings; doing so must not leak across threads."""
    monkeypatch.setenv("OMICS_MAGIC_TPS", "0")
    backend.set_quotas(None)
    backend.set_latency(0.05)  # so that the queries overlap
    backend.disable_region("ap-southeast-1")
    regions = [*REGIONS, "ap-southeast-1"]
    filters_before = list(warnings.filters)
    sqlglot_level = logging.getLogger("sqlglot").level
    session = new_session()

    def query(i: int) -> pd.DataFrame:
        # (no catch_warnings here: it is process-wide, and itself not thread-safe)
        return run_query(
            f"SELECT name, {i} AS thread FROM aws.omics.sequence_stores",
            regions=regions,
            session=session,
        )

    results = _all_at_once(query)

    names = sorted(s["name"] for r in REGIONS for s in backend.stores(r))
    for i, df in enumerate(results):
        assert sorted(df["name"]) == names and set(df["thread"]) == {i}
        assert [(e["region"], e["kind"]) for e in df.attrs["omics_errors"]] == [
            ("ap-southeast-1", "not_enabled")
        ]
    assert list(warnings.filters) == filters_before
    assert logging.getLogger("sqlglot").level == sqlglot_level
    # ...so that the next failure is still reported to the user
    with pytest.warns(RegionFailureWarning, match="ap-southeast-1"):
        omics_magic.sequence_stores(regions, session=session)


def test_parsing_in_eight_threads_leaves_sqlglot_logging_as_it_was() -> None:
    logger = logging.getLogger("sqlglot")
    level = logger.level

    def plan(i: int) -> list[tuple[str, ...]]:
        sql = f"SELECT name, {i} FROM aws.omics.sequence_stores WHERE region = 'us-east-1'"
        return [plan_statement(sql).refs[0].regions or () for _ in range(200)]

    results = _all_at_once(plan)

    assert results == [[("us-east-1",)] * 200] * THREADS
    assert logger.level == level
    assert logger.getEffectiveLevel() <= logging.WARNING  # its warnings still reach the user
