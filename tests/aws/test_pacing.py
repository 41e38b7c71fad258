"""Pacing under the quotas, the client cache and retry configuration."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

import omics_magic
from omics_magic.aws.clients import DEFAULT_MAX_ATTEMPTS, omics_client, resolve_session
from omics_magic.aws.pacing import DEFAULT_RATE, Pacer, paced, resolve_rate
from omics_magic.errors import InputError, RegionFailureWarning
from omics_magic.testing import OmicsBackend

TWO = ["us-east-1", "eu-west-2"]
THROTTLED = {"error_code": "ThrottlingException"}


def test_default_pacing_causes_no_throttling_on_aws_quotas(omics_fake: OmicsBackend) -> None:
    omics_fake.seed(TWO, stores_per_region=15)
    omics_fake.set_quotas("aws")

    df = omics_magic.sequence_stores(TWO, columns=["name", "tags", "s3_uri"], strict=True)

    assert len(df) == 30 and df["tags"].notna().all() and df["s3_uri"].notna().all()
    assert omics_fake.requests.count(**THROTTLED) == 0
    assert omics_fake.requests.count() == 2 + 30 + 30


def test_concurrent_fetches_share_the_quota(omics_backend: OmicsBackend) -> None:
    omics_backend.seed(TWO, stores_per_region=8)
    omics_backend.set_quotas("aws")

    with ThreadPoolExecutor(2) as pool:
        frames = list(pool.map(lambda _: omics_magic.sequence_stores(TWO, strict=True), range(2)))

    assert [len(df) for df in frames] == [16, 16]
    assert omics_backend.requests.count(**THROTTLED) == 0
    assert omics_backend.requests.count("ListTagsForResource") == 32


@pytest.mark.parametrize("how", ["argument", "environment"])
def test_without_pacing_the_same_fetch_is_throttled(
    omics_backend: OmicsBackend, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """The counter-test: the fake's quotas do bite, so the zero above means pacing works."""
    omics_backend.seed("us-east-1", stores_per_region=15)
    omics_backend.set_quotas("aws")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    kwargs: dict[str, object] = {}
    if how == "argument":
        kwargs["rate"] = None
    else:
        monkeypatch.setenv("OMICS_MAGIC_TPS", "0")

    with pytest.warns(RegionFailureWarning, match="throttled"):
        omics_magic.sequence_stores("us-east-1", **kwargs)  # type: ignore[arg-type]

    assert omics_backend.requests.count(**THROTTLED) > 0


def test_pacer_spaces_calls_from_many_threads() -> None:
    pacer = Pacer(rate=100.0)
    with ThreadPoolExecutor(8) as pool:
        passed = sorted(t for t in pool.map(lambda _: pacer.acquire(), range(30)) if t)
    gaps = [b - a for a, b in zip(passed, passed[1:], strict=False)]
    assert len(passed) == 30 and min(gaps) >= 0.01  # judged when each call went through


def test_pacer_judges_the_gap_from_when_a_call_actually_went() -> None:
    now = [100.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds + 0.003  # every wake-up comes 3 ms late

    pacer = Pacer(rate=4.0, clock=lambda: now[0], sleep=sleep)
    passed = [pacer.acquire() for _ in range(5)]
    assert passed == pytest.approx([100.0, 100.253, 100.506, 100.759, 101.012])
    now[0] = 200.0  # idle for long: no credit banked beyond the burst
    assert [pacer.acquire(), pacer.acquire()] == pytest.approx([200.0, 200.253])


def test_pacer_burst_and_cancel() -> None:
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    pacer = Pacer(rate=2.0, burst=3, clock=lambda: now[0], sleep=sleep)
    assert [pacer.acquire() for _ in range(5)] == pytest.approx([0.0, 0.0, 0.0, 0.5, 1.0])
    cancel = threading.Event()
    cancel.set()
    assert Pacer(rate=0.001).acquire(cancel) is None


def test_retries_are_paced_too(omics_backend: OmicsBackend) -> None:
    """A throttled call's retry waits its turn (botocore retries pass the before-send hook)."""
    omics_backend.seed("us-east-1", stores_per_region=1)
    turns: list[float] = []

    class Recording(Pacer):
        def acquire(self, cancel: threading.Event | None = None) -> float | None:
            turns.append(super().acquire(cancel) or 0.0)
            return turns[-1]

    client = omics_client(resolve_session(), "us-east-1")
    client.list_sequence_stores()  # outside paced(): the hook stays out of the way
    assert turns == []
    omics_backend.inject_error("ServiceUnavailableException", times=2)
    with paced(Recording(rate=1000.0)):
        client.list_sequence_stores()
    assert omics_backend.requests.count("ListSequenceStores", status=503) == 2
    assert len(turns) == 3  # the first try and both retries took a turn


def test_rate_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_rate("auto") == DEFAULT_RATE == 5.0
    assert resolve_rate(12) == 12.0
    assert [resolve_rate(r) for r in (None, 0, float("inf"))] == [None, None, None]
    monkeypatch.setenv("OMICS_MAGIC_TPS", "50")
    assert resolve_rate("auto") == 50.0
    monkeypatch.setenv("OMICS_MAGIC_TPS", "fast")
    with pytest.raises(InputError, match=r"\$OMICS_MAGIC_TPS.*'fast'"):
        resolve_rate("auto")
    for bad in (-1, "x", True, float("nan")):
        with pytest.raises(InputError):
            resolve_rate(bad)  # type: ignore[arg-type]


def test_one_client_per_session_and_region_even_when_racing() -> None:
    session = resolve_session()
    barrier = threading.Barrier(12)

    def make(region: str) -> object:
        barrier.wait()
        return omics_client(session, region)

    with ThreadPoolExecutor(12) as pool:
        made = list(pool.map(make, ["us-east-1", "eu-west-2"] * 6))

    assert len({id(c) for c in made[0::2]}) == 1 and len({id(c) for c in made[1::2]}) == 1
    assert made[0] is not made[1]
    assert made[0].meta.region_name == "us-east-1" and made[1].meta.region_name == "eu-west-2"
    assert omics_client(session, "us-east-1") is made[0]
    assert omics_client(resolve_session(), "us-east-1") is made[0]  # default session reused


def test_new_environment_gives_a_new_session(monkeypatch: pytest.MonkeyPatch) -> None:
    before = resolve_session()
    monkeypatch.setenv("AWS_ENDPOINT_URL_OMICS", "http://127.0.0.1:9")
    assert resolve_session() is not before
    assert omics_client(resolve_session(), "us-east-1").meta.endpoint_url == "http://127.0.0.1:9"


def test_retry_configuration_standard_mode_and_user_settings_win(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    retries = omics_client(resolve_session(), "us-east-1").meta.config.retries
    assert retries == {"mode": "standard", "total_max_attempts": DEFAULT_MAX_ATTEMPTS}
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "7")
    monkeypatch.setenv("AWS_RETRY_MODE", "adaptive")
    retries = omics_client(resolve_session(), "us-east-1").meta.config.retries
    assert retries == {"mode": "adaptive", "total_max_attempts": 7}


def test_max_concurrency_bounds_requests_in_flight(omics_backend: OmicsBackend) -> None:
    omics_backend.seed(TWO, stores_per_region=6)
    omics_backend.set_latency(0.02)
    in_flight, peak, lock = [0], [0], threading.Lock()

    def count(**_: object) -> None:
        with lock:
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])

    def done(**_: object) -> None:
        with lock:
            in_flight[0] -= 1

    session = resolve_session()
    for region in TWO:
        events = omics_client(session, region, max_pool=4).meta.events
        events.register("before-call.omics", count)
        events.register("after-call.omics", done)
    try:
        df = omics_magic.sequence_stores(TWO, rate=None, max_concurrency=3, session=session)
    finally:
        for region in TWO:
            events = omics_client(session, region).meta.events
            events.unregister("before-call.omics", count)
            events.unregister("after-call.omics", done)

    assert len(df) == 12
    assert 1 < peak[0] <= 3
