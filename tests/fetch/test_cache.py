"""The session's result cache: hits, partial fetches and misses, by the fake's request counts."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pytest
from IPython.core.interactiveshell import InteractiveShell

import omics_magic
from omics_magic.errors import InputError, RegionFailureWarning
from omics_magic.fetch.cache import CacheKey, ResultCache, Scope
from omics_magic.sql.run import run_query
from omics_magic.testing import OmicsBackend

TWO = ["us-east-1", "eu-west-2"]
STORES = "aws.omics.sequence_stores"
LIST, GET, TAGS = "ListSequenceStores", "GetSequenceStore", "ListTagsForResource"


@pytest.fixture
def backend(omics_backend: OmicsBackend, monkeypatch: pytest.MonkeyPatch) -> OmicsBackend:
    monkeypatch.setenv("OMICS_MAGIC_TPS", "0")
    omics_backend.seed(TWO, stores_per_region=4)
    return omics_backend


def calls(backend: OmicsBackend) -> dict[str, int]:
    """Requests the fake answered since the last look, per operation; then forget them."""
    counted: dict[str, int] = {}
    for record in backend.requests.records:
        counted[str(record.operation)] = counted.get(str(record.operation), 0) + 1
    backend.requests.clear()
    return counted


def test_the_same_fetch_again_makes_no_call(backend: OmicsBackend) -> None:
    first = omics_magic.sequence_stores(TWO)
    assert calls(backend) == {LIST: 2, TAGS: 8}
    assert first.attrs["omics_cached"] is False

    again = omics_magic.sequence_stores(TWO)

    assert calls(backend) == {}
    pd.testing.assert_frame_equal(again, first)
    assert again.attrs["omics_cached"] is True
    assert again.attrs["omics_fetched_at"] == first.attrs["omics_fetched_at"]
    assert str(pd.Timestamp(again.attrs["omics_fetched_at"]).tz) == "UTC"


def test_fewer_columns_and_fewer_regions_come_from_the_cache(backend: OmicsBackend) -> None:
    everything = omics_magic.sequence_stores(TWO, columns=["region", "name", "tags", "s3_uri"])
    calls(backend)

    names = omics_magic.sequence_stores(TWO, columns=["name"])
    one = omics_magic.sequence_stores("eu-west-2", columns=["name", "tags"])

    assert calls(backend) == {}
    assert names["name"].tolist() == everything["name"].tolist()
    assert one["tags"].tolist() == everything[everything["region"] == "eu-west-2"]["tags"].tolist()


def test_a_listing_covers_a_narrower_name_or_id_lookup(backend: OmicsBackend) -> None:
    store = backend.stores("us-east-1")[2]
    run_query(f"SELECT * FROM {STORES}", regions=TWO)
    calls(backend)

    by_name = run_query(f"SELECT arn FROM {STORES} WHERE name = '{store['name']}'", regions=TWO)
    by_id = run_query(
        f"SELECT arn, tags FROM {STORES} WHERE data__Identifier = '{store['id']}'", regions=TWO
    )
    one = omics_magic.sequence_store(store["id"], TWO, columns=["name"])
    named = omics_magic.sequence_stores(TWO, name=store["name"])

    assert calls(backend) == {}
    assert by_name["arn"].tolist() == [store["arn"]]
    assert by_id["arn"].tolist() == [store["arn"]] and by_id["tags"][0] == store["tags"]
    assert one["name"].tolist() == [store["name"]]
    assert named["arn"].tolist() == [store["arn"]]


def test_a_name_lookup_does_not_cover_the_whole_listing(backend: OmicsBackend) -> None:
    store = backend.stores("us-east-1")[2]
    omics_magic.sequence_stores("us-east-1", name=store["name"], columns=["name"])
    calls(backend)

    whole = omics_magic.sequence_stores("us-east-1", columns=["name"])

    assert calls(backend) == {LIST: 1}
    assert len(whole) == 4


def test_only_the_missing_part_is_fetched(backend: OmicsBackend) -> None:
    """Tags for rows listed a minute ago: ListTagsForResource only, no listing."""
    listed = omics_magic.sequence_stores(TWO, columns=["name"])
    calls(backend)

    tagged = omics_magic.sequence_stores(TWO, columns=["name", "tags"])
    assert calls(backend) == {TAGS: 8}
    assert tagged["name"].tolist() == listed["name"].tolist()
    assert tagged["tags"].tolist() == [s["tags"] for r in TWO for s in _ordered(backend, r)]
    assert tagged.attrs["omics_cached"] is True  # as old as the listing it reused
    assert tagged.attrs["omics_fetched_at"] == listed.attrs["omics_fetched_at"]

    extras = omics_magic.sequence_stores(TWO, columns=["name", "tags", "s3_uri"])
    assert calls(backend) == {GET: 8}  # the tags now come from the cache too
    assert extras["s3_uri"].notna().all()


def test_refresh_goes_to_aws_and_repopulates(backend: OmicsBackend) -> None:
    omics_magic.sequence_stores(TWO, columns=["name"])
    backend.seed("us-east-1", stores_per_region=1)  # a new store the cache doesn't know
    calls(backend)

    stale = omics_magic.sequence_stores(TWO, columns=["name"])
    assert calls(backend) == {} and len(stale) == 8
    fresh = omics_magic.sequence_stores(TWO, columns=["name"], refresh=True)
    assert calls(backend) == {LIST: 2} and len(fresh) == 9
    again = omics_magic.sequence_stores(TWO, columns=["name"])
    assert calls(backend) == {} and len(again) == 9  # repopulated


def test_clear_cache_and_a_zero_ttl(backend: OmicsBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    omics_magic.sequence_stores(TWO, columns=["name"])
    omics_magic.clear_cache()
    calls(backend)
    omics_magic.sequence_stores(TWO, columns=["name"])
    assert calls(backend) == {LIST: 2}

    omics_magic.sequence_stores(TWO, columns=["name"], cache_ttl=0)  # 0: not read...
    assert calls(backend) == {LIST: 2}
    omics_magic.clear_cache()
    omics_magic.sequence_stores(TWO, columns=["name"], cache_ttl=0)  # ...nor kept
    omics_magic.sequence_stores(TWO, columns=["name"])
    assert calls(backend) == {LIST: 4}

    monkeypatch.setenv("OMICS_MAGIC_CACHE_TTL", "0")
    omics_magic.sequence_stores(TWO, columns=["name"])
    assert calls(backend) == {LIST: 2}


def test_data_older_than_the_ttl_is_not_used(backend: OmicsBackend) -> None:
    omics_magic.sequence_stores(TWO, columns=["name"])
    calls(backend)
    omics_magic.sequence_stores(TWO, columns=["name"], cache_ttl=1e-9)  # older than that
    assert calls(backend) == {LIST: 2}


@pytest.mark.parametrize("bad", [-1, "soon", True, float("nan")])
def test_a_bad_ttl_fails_before_any_call(backend: OmicsBackend, bad: Any) -> None:
    with pytest.raises(InputError, match="cache_ttl must be a number of seconds >= 0"):
        omics_magic.sequence_stores(TWO, cache_ttl=bad)
    assert calls(backend) == {}


def test_a_failed_region_is_not_cached(
    backend: OmicsBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A 5xx past the retries (a region not enabled is skipped for the session instead).
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    backend.inject_error("InternalServerException", region="eu-west-2", operation=LIST, times=1)
    with pytest.warns(RegionFailureWarning):
        first = omics_magic.sequence_stores(TWO, columns=["region", "name"])
    assert set(first["region"]) == {"us-east-1"}
    calls(backend)

    second = omics_magic.sequence_stores(TWO, columns=["region", "name"])

    assert calls(backend) == {LIST: 1}  # only the region that failed is asked again
    assert set(second["region"]) == set(TWO) and second.attrs["omics_errors"] == []


def test_a_failed_per_store_call_is_not_cached(backend: OmicsBackend) -> None:
    """The listing is kept, without the tags that failed: only the tags are asked again."""
    backend.inject_error("AccessDeniedException", region="eu-west-2", operation=TAGS, times=1)
    with pytest.warns(RegionFailureWarning):
        first = omics_magic.sequence_stores(TWO, columns=["name", "tags"])
    assert first["tags"].isna().any()
    calls(backend)

    second = omics_magic.sequence_stores(TWO, columns=["name", "tags"])

    assert calls(backend) == {TAGS: 4}
    assert second["tags"].notna().all()
    assert second.attrs["omics_errors"] == []


def test_a_delete_removes_the_store_from_every_cached_entry(
    backend: OmicsBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    doomed = backend.stores("us-east-1")[1]
    omics_magic.sequence_stores(TWO, columns=["name"])
    omics_magic.sequence_stores(TWO, columns=["name", "tags"])
    omics_magic.sequence_stores("us-east-1", name=doomed["name"], columns=["name"])

    omics_magic.delete_sequence_store(doomed["id"], "us-east-1", confirm=doomed["id"])
    calls(backend)

    for columns in (["name"], ["name", "tags"]):
        df = omics_magic.sequence_stores(TWO, columns=["sequence_store_id", *columns])
        assert doomed["id"] not in df["sequence_store_id"].tolist() and len(df) == 7
    named = omics_magic.sequence_stores("us-east-1", name=doomed["name"], columns=["name"])
    assert named.empty
    assert calls(backend) == {}


def test_df_omics_refresh_always_goes_to_aws(backend: OmicsBackend) -> None:
    df = omics_magic.sequence_stores(TWO, columns=["region", "sequence_store_id", "tags"])
    calls(backend)
    fresh = df.omics.refresh()
    assert calls(backend).get(TAGS) == 8
    assert fresh.attrs["omics_cached"] is False


def test_queries_from_many_threads_share_the_cache_safely(backend: OmicsBackend) -> None:
    expected = omics_magic.sequence_stores(TWO, cache_ttl=0)
    column_sets = [["name"], ["name", "tags"], None, ["sequence_store_id", "tags", "s3_uri"]]

    def query(i: int) -> pd.DataFrame:
        if i % 7 == 0:
            omics_magic.clear_cache()
        return omics_magic.sequence_stores(TWO, columns=column_sets[i % 4])

    with ThreadPoolExecutor(8) as pool:
        frames = list(pool.map(query, range(40)))

    for i, df in enumerate(frames):
        columns = column_sets[i % 4] or list(expected.columns)
        want = expected.reindex(columns=[c for c in columns if c in expected.columns])
        pd.testing.assert_frame_equal(df[want.columns], want)
        assert df.attrs["omics_errors"] == []


def test_the_cache_is_bounded() -> None:
    @dataclass(frozen=True)
    class Record:
        ident: str

        def field(self, name: str) -> Any:
            return None

    cache = ResultCache(max_records=5)
    keys = [CacheKey("key", "endpoint", region, "resource", "", 0) for region in ("a", "b", "c")]
    for key in keys:
        cache.store(key, Scope(), frozenset(), [Record(str(i)) for i in range(2)])
    assert len(cache) == 2  # the least recently used entry went
    assert cache.lookup(keys[0], Scope(), frozenset(), ttl=60) is None
    assert cache.lookup(keys[2], Scope(), frozenset(), ttl=60) is not None
    cache.store(keys[0], Scope(), frozenset(), [Record(str(i)) for i in range(6)])
    assert len(cache) == 2  # more than the bound at once: not kept


def test_the_magic_notes_the_cache_and_refresh_goes_to_aws(
    ip: InteractiveShell, backend: OmicsBackend
) -> None:
    from tests.magic_support import displayed

    def notes(line: str) -> str:
        with displayed(ip) as outputs:
            ip.run_cell_magic("omics", line, f"SELECT name FROM {STORES}")
        return "\n".join(o["data"].get("text/plain", "") for o in outputs)

    ip.run_line_magic("config", f"OmicsMagic.regions = {TWO!r}")
    assert "from cache" not in notes("")
    calls(backend)

    assert re.search(r"from cache, fetched \d+ s ago; --refresh to fetch again", notes(""))
    assert calls(backend) == {}

    assert "from cache" not in notes("--refresh")
    assert calls(backend) == {LIST: 2}

    ip.run_line_magic("config", "OmicsMagic.cache_ttl = 0")
    notes("")
    assert calls(backend) == {LIST: 2}


def test_the_cli_takes_refresh(backend: OmicsBackend, capsys: pytest.CaptureFixture[str]) -> None:
    from omics_magic.cli.main import main

    query = f"SELECT name FROM {STORES} WHERE region = 'us-east-1'"
    assert main(["query", query]) == 0
    assert main(["query", "--refresh", query]) == 0
    assert calls(backend) == {LIST: 2}


def _ordered(backend: OmicsBackend, region: str) -> list[dict[str, Any]]:
    return sorted(backend.stores(region), key=lambda s: (s["creationTime"], s["id"]))
