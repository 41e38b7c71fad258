"""Every region fails differently at once: the healthy ones are whole, the rest named once.

Ten regions (every omics region botocore knows) against the fake over HTTP:
one not enabled, one denying, one answering 500 to every call, one throttled
past botocore's retries, one unreachable (connection refused), one slower than
the deadline, and four healthy. Run through the API, run_query and the magic.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator

import pandas as pd
import pytest

import omics_magic
from omics_magic.aws.clients import resolve_session
from omics_magic.columns import DEFAULT_COLUMNS
from omics_magic.errors import RegionFailureWarning
from omics_magic.regions import omics_regions
from omics_magic.sql.run import run_query
from omics_magic.testing import OmicsBackend, OmicsServer
from tests.fetch_helpers import expected_records, records
from tests.magic_support import displayed, run_cell, strict_shell
from tests.reliability.support import make_unreachable, new_session

REGIONS = list(omics_regions())
#: region -> (kind, code) it must be reported with
FAILED = {
    "ap-northeast-1": ("not_enabled", "UnrecognizedClientException"),
    "ap-northeast-2": ("denied", "AccessDeniedException"),
    "ap-southeast-1": ("unavailable", "InternalServerException"),
    "eu-central-1": ("throttled", "ThrottlingException"),
    "eu-west-1": ("unavailable", "EndpointConnectionError"),
    "eu-west-2": ("unavailable", "DeadlineExceeded"),
}
UNREACHABLE, SLOW = "eu-west-1", "eu-west-2"
HEALTHY = [r for r in REGIONS if r not in FAILED]
#: Seconds every region may take. The failing regions give up well before it:
#: two attempts each (AWS_MAX_ATTEMPTS=2), so at most ~1 s of botocore backoff.
DEADLINE = 4.0
#: Generous: this guards against a hang, it is not a speed test.
MARGIN = 5.0


@pytest.fixture
def server(omics_server: OmicsServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[OmicsServer]:
    """The fake over HTTP with every fault of the table in place."""
    assert len(REGIONS) == 10, "the table assumes botocore's 10 omics regions"
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    backend: OmicsBackend = omics_server.backend
    backend.seed(REGIONS, stores_per_region=4)
    backend.disable_region("ap-northeast-1")
    backend.inject_error("AccessDeniedException", region="ap-northeast-2")
    backend.inject_error("InternalServerException", region="ap-southeast-1")
    backend.inject_error("ThrottlingException", region="eu-central-1")
    backend.set_latency(60, region=SLOW)  # the server's stop() wakes it up
    yield omics_server


def _check_errors(errors: list[dict[str, str]]) -> None:
    got = [(e["region"], e["kind"], e["code"]) for e in errors]
    assert sorted(got) == sorted((r, *kc) for r, kc in FAILED.items())
    assert len({e["region"] for e in errors}) == len(errors)  # each region once
    assert all(e["message"] and "\n" not in e["message"] for e in errors)


def _per_region(df: pd.DataFrame) -> list[dict[str, object]]:
    """Rows in the engine's order (region as given, creation time, ID), for comparison."""
    order = {region: i for i, region in enumerate(REGIONS)}
    keyed = df.assign(_r=df["region"].map(order))
    keyed = keyed.sort_values(["_r", "creation_time", "sequence_store_id"], kind="stable")
    return records(keyed.drop(columns="_r").reset_index(drop=True))


def test_api_returns_every_healthy_row_and_names_each_failed_region_once(
    server: OmicsServer,
) -> None:
    session = new_session()
    make_unreachable(session, UNREACHABLE)

    started = time.monotonic()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = omics_magic.sequence_stores(REGIONS, session=session, timeout=DEADLINE)
    elapsed = time.monotonic() - started

    assert elapsed < DEADLINE + MARGIN
    assert records(df) == expected_records(server.backend, HEALTHY, DEFAULT_COLUMNS)
    _check_errors(df.attrs["omics_errors"])
    [warning] = [w for w in caught if issubclass(w.category, RegionFailureWarning)]
    assert all(str(warning.message).count(region) == 1 for region in FAILED)
    # the faults really happened where they should, and nowhere else
    assert server.backend.requests.count(region=UNREACHABLE) == 0
    assert server.backend.requests.count(region="eu-central-1", status=429) == 2
    assert all(
        server.backend.requests.count("ListSequenceStores", r, status=200) == 1 for r in HEALTHY
    )


def test_run_query_returns_every_healthy_row_and_names_each_failed_region_once(
    server: OmicsServer,
) -> None:
    session = new_session()
    make_unreachable(session, UNREACHABLE)

    started = time.monotonic()
    with pytest.warns(RegionFailureWarning) as caught:
        df = run_query(
            "SELECT * FROM aws.omics.sequence_stores",
            regions=REGIONS,
            session=session,
            timeout=DEADLINE,
        )
    elapsed = time.monotonic() - started

    assert elapsed < DEADLINE + MARGIN
    assert _per_region(df) == expected_records(server.backend, HEALTHY, DEFAULT_COLUMNS)
    _check_errors(df.attrs["omics_errors"])
    assert len([w for w in caught if issubclass(w.category, RegionFailureWarning)]) == 1


def test_a_query_reading_the_regions_twice_still_keeps_one_deadline(
    server: OmicsServer,
) -> None:
    """Three relations with different pushdowns are three fetches: together, one deadline."""
    session = new_session()
    make_unreachable(session, UNREACHABLE)
    listed = ", ".join(repr(r) for r in REGIONS)
    backwards = ", ".join(repr(r) for r in reversed(REGIONS))
    sql = (
        "SELECT region, name FROM aws.omics.sequence_stores "
        f"UNION ALL SELECT region, name FROM aws.omics.sequence_stores WHERE region IN ({listed}) "
        "UNION ALL SELECT region, name FROM aws.omics.sequence_stores "
        f"WHERE region IN ({backwards})"
    )

    started = time.monotonic()
    with pytest.warns(RegionFailureWarning):
        df = run_query(sql, regions=REGIONS, session=session, timeout=DEADLINE)
    elapsed = time.monotonic() - started

    assert elapsed < DEADLINE + MARGIN
    assert len(df) == 3 * 4 * len(HEALTHY)
    _check_errors(df.attrs["omics_errors"])


def test_the_magic_shows_every_healthy_row_and_notes_each_failed_region_once(
    server: OmicsServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OMICS_MAGIC_REGIONS", ",".join(REGIONS))
    # The magic uses the default session for this environment: make its region unreachable.
    make_unreachable(resolve_session(), UNREACHABLE)

    with strict_shell() as ip, displayed(ip) as outputs:
        run_cell(ip, f"%config OmicsMagic.timeout = {DEADLINE}")
        started = time.monotonic()
        df = ip.run_cell_magic("omics", "", "SELECT * FROM aws.omics.sequence_stores")
        elapsed = time.monotonic() - started

    assert elapsed < DEADLINE + MARGIN
    assert _per_region(df) == expected_records(server.backend, HEALTHY, DEFAULT_COLUMNS)
    _check_errors(df.attrs["omics_errors"])
    assert "omics:" not in capsys.readouterr().err  # the note is under the result, not on stderr
    [note] = [o["data"]["text/plain"] for o in outputs]
    assert all(note.count(region) == 1 for region in FAILED)
    assert not any(region in note for region in HEALTHY)
