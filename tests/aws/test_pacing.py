"""Pacing under the quotas, the client cache and retry configuration."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

import omics_magic
from omics_magic.aws import pacing
from omics_magic.aws.clients import DEFAULT_MAX_ATTEMPTS, omics_client, resolve_session
from omics_magic.aws.pacing import (
    DEFAULT_RATE,
    DEFAULT_RATES,
    Pacer,
    Ticket,
    paced,
    resolve_burst,
    resolve_rate,
)
from omics_magic.errors import InputError, RegionFailureWarning
from omics_magic.testing import OmicsBackend
from omics_magic.testing.faults import TokenBucket
from tests.fetch_helpers import most_throttles_per_bucket

TWO = ["us-east-1", "eu-west-2"]
THROTTLED = {"error_code": "ThrottlingException"}


def pacing_of(region: str, operation: str) -> Pacer:
    """The one process-wide pacer of ``region`` and ``operation`` (whatever the key's rest)."""
    [pacer] = [p for key, p in pacing._pacers.items() if key[2:4] == (region, operation)]
    return pacer


def test_default_pacing_learns_the_burst_with_one_throttle_then_none(
    omics_fake: OmicsBackend,
) -> None:
    omics_fake.seed(TWO, stores_per_region=15)
    omics_fake.set_quotas("aws")  # 5 TPS, 5 banked

    df = omics_magic.sequence_stores(TWO, columns=["name", "tags", "s3_uri"], strict=True)

    assert len(df) == 30 and df["tags"].notna().all() and df["s3_uri"].notna().all()
    # Learning: one throttle for each (region, per-store operation), retried by botocore.
    assert omics_fake.requests.count(**THROTTLED) == 4
    assert most_throttles_per_bucket(omics_fake) == 1
    assert omics_fake.requests.count(status=200) == 2 + 30 + 30
    omics_fake.requests.clear()

    again = omics_magic.sequence_stores(TWO, columns=["name", "tags", "s3_uri"], strict=True)

    assert len(again) == 30
    assert omics_fake.requests.count(**THROTTLED) == 0  # a later query: within what was learned


def test_read_set_calls_are_paced_by_the_same_learning_pacer(omics_fake: OmicsBackend) -> None:
    """ListReadSets is metered by its own bucket, learned as the stores' are."""
    omics_fake.seed("us-east-1", stores_per_region=12, read_sets_per_store=1)
    omics_fake.set_quotas("aws")  # 5 TPS, 5 banked, each operation its own bucket

    df = omics_magic.read_sets("us-east-1", strict=True)

    assert len(df) == 12
    # Learning costs at most one throttle (retried); none if a slow machine let the
    # bucket refill as fast as the probes went.
    assert most_throttles_per_bucket(omics_fake) <= 1
    pacer = pacing_of("us-east-1", "ListReadSets")
    assert pacer is not pacing_of("us-east-1", "ListSequenceStores")
    assert pacer.rate == pytest.approx(DEFAULT_RATES["ListReadSets"] * pacing.HEADROOM)
    assert pacer.burst >= 4
    omics_fake.requests.clear()
    omics_magic.clear_cache()

    again = omics_magic.read_sets("us-east-1", strict=True)

    assert len(again) == 12 and omics_fake.requests.count("ListReadSets") == 12
    assert omics_fake.requests.count(**THROTTLED) == 0  # within what was learned


def test_the_default_rates_are_aws_documented_quotas() -> None:
    from omics_magic.resources import RESOURCES
    from omics_magic.testing.quotas import AWS_QUOTAS

    made = {c.operation for r in RESOURCES.values() for c in r.operations}
    assert made <= set(DEFAULT_RATES)  # every call a fetch makes has its quota
    assert {op: AWS_QUOTAS[op] for op in DEFAULT_RATES} == dict(DEFAULT_RATES)
    assert resolve_rate("auto", "DeleteSequenceStore") == 1.0
    assert resolve_rate("auto", "ListReadSets") == resolve_rate("auto") == DEFAULT_RATE


def test_concurrent_fetches_share_the_quota(omics_backend: OmicsBackend) -> None:
    omics_backend.seed(TWO, stores_per_region=8)
    omics_backend.set_quotas("aws")

    with ThreadPoolExecutor(2) as pool:
        frames = list(pool.map(lambda _: omics_magic.sequence_stores(TWO, strict=True), range(2)))

    assert [len(df) for df in frames] == [16, 16]
    assert most_throttles_per_bucket(omics_backend) <= 1
    assert omics_backend.requests.count("ListTagsForResource", status=200) == 32


def test_a_known_burst_is_spent_at_once_without_learning(
    omics_backend: OmicsBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    omics_backend.seed(TWO, stores_per_region=8)
    # The bucket banks 2; told 1, the pacer never probes past it (learning would, and
    # be throttled once past 2). Not 1 and 1: then any call reaching the fake 10 ms
    # early on a busy machine is throttled, whatever the pacer does.
    omics_backend.set_quotas("aws", burst=2)
    monkeypatch.setenv("OMICS_MAGIC_BURST", "1")

    omics_magic.sequence_stores(TWO, columns=["name", "tags"], strict=True)

    assert omics_backend.requests.count(**THROTTLED) == 0  # told: no probe over the quota
    pacer = pacing_of("us-east-1", "ListTagsForResource")
    assert pacer.burst == 1 and not pacer.learning


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


class Clock:
    """An injected clock: time moves only when a pacer sleeps (or a test says so)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def against(pacer: Pacer, server: TokenBucket, calls: int) -> list[tuple[float, bool]]:
    """Make ``calls`` calls in sequence, each answered at once by ``server``'s bucket;
    a throttled call is retried (and takes its turn again). (time, accepted) per attempt."""
    attempts: list[tuple[float, bool]] = []
    while sum(ok for _, ok in attempts) < calls:
        ticket = pacer.take()
        assert ticket is not None
        accepted = server.take()
        pacer.answered(ticket, throttled=not accepted)
        attempts.append((round(ticket.at, 6), accepted))
    return attempts


def test_pacer_learns_the_burst_on_its_first_throttle_then_keeps_within_it() -> None:
    clock = Clock()
    # 4 TPS: intervals of 0.25 s are exact in binary, so the schedule is exact too.
    server = TokenBucket(rate=4.0, burst=3, clock=clock)
    pacer = Pacer(rate=4.0, learn=True, clock=clock, sleep=clock.sleep)

    # By hand: the first call is safe (every bucket holds one); each next one goes at
    # once as a probe while the last was accepted; the 4th is throttled: burst 3, and
    # the bucket empty at 0.0, so its retry waits one interval, then 4 TPS.
    assert against(pacer, server, 7) == [
        (0.0, True),
        (0.0, True),
        (0.0, True),
        (0.0, False),
        (0.25, True),
        (0.5, True),
        (0.75, True),
        (1.0, True),
    ]
    assert (pacer.burst, pacer.learning, pacer.throttles) == (3, False, 1)

    # A later query starts from the modelled refill: at 1.5 s the bucket holds 2.
    clock.now = 1.5
    assert against(pacer, server, 3) == [(1.5, True), (1.5, True), (1.75, True)]
    # Idle long enough, it is full again: the learned burst at once, then the rate.
    clock.now = 10.0
    assert against(pacer, server, 4) == [(10.0, True)] * 3 + [(10.25, True)]
    assert pacer.throttles == 1


@pytest.mark.parametrize("burst", [1, 2, 5, 10])
def test_pacer_learns_any_burst_with_exactly_one_throttle(burst: int) -> None:
    clock = Clock()
    server = TokenBucket(rate=4.0, burst=burst, clock=clock)
    pacer = Pacer(rate=4.0, learn=True, clock=clock, sleep=clock.sleep)

    attempts = against(pacer, server, 20) + against(pacer, server, 20)

    assert [ok for _, ok in attempts].count(False) == 1
    assert pacer.burst == burst
    # The first `burst` calls went at once: the burst was spent, not assumed away.
    assert [t for t, _ in attempts[:burst]] == [0.0] * burst


def test_a_slow_server_is_never_probed_beyond_what_it_needs() -> None:
    """Calls slower than the rate never need the burst: nothing is probed or learned."""
    clock = Clock()
    pacer = Pacer(rate=5.0, learn=True, clock=clock, sleep=clock.sleep)
    for _ in range(10):
        ticket = pacer.take()
        assert ticket is not None and not ticket.probe
        pacer.answered(ticket, throttled=False)
        clock.now += 0.25
    assert (pacer.burst, pacer.learning) == (1, True)


def test_a_probe_waits_until_every_earlier_call_is_answered() -> None:
    """One call still on its way could take the token a probe finds: no probe while
    any call is out, and so never two probes at once."""
    clock = Clock()
    pacer = Pacer(rate=5.0, learn=True, clock=clock, sleep=clock.sleep)
    first = pacer.take()
    assert first is not None and not first.probe
    # `first` is unanswered: the next call waits for the safe time (0.2 s), no probe.
    second = pacer.take()
    assert second is not None and not second.probe and second.at == pytest.approx(0.2)
    pacer.answered(first, throttled=False)
    pacer.answered(second, throttled=False)
    probe = pacer.take()
    assert probe is not None and probe.probe and probe.at == pytest.approx(0.2)
    # The probe is unanswered: the next call waits for the safe time (0.6 s), not another probe.
    third = pacer.take()
    assert third is not None and not third.probe and third.at == pytest.approx(0.6)
    pacer.answered(third, throttled=False)
    pacer.answered(probe, throttled=None)  # a 5xx says nothing: the burst stays as known
    assert pacer.burst == 1 and pacer.learning
    nxt = pacer.take()
    assert nxt is not None and nxt.probe  # and probing goes on


def test_acquire_never_probes() -> None:
    """Callers that can't report answers (acquire) stay within what is known."""
    clock = Clock()
    pacer = Pacer(rate=5.0, learn=True, clock=clock, sleep=clock.sleep)
    assert [round(pacer.acquire() or 0, 6) for _ in range(3)] == [0.0, 0.2, 0.4]


def test_a_throttle_after_learning_empties_the_model_and_widens_the_spacing() -> None:
    """Someone else spending the quota, or calls reaching it unevenly: the pacer backs off
    (the bucket empty now, calls 5% further apart, at most 25%), burst unchanged."""
    clock = Clock()
    pacer = Pacer(rate=4.0, burst=3, clock=clock, sleep=clock.sleep)
    ticket = pacer.take()
    assert ticket is not None and not ticket.probe
    pacer.answered(ticket, throttled=True)
    assert pacer.burst == 3 and pacer.throttles == 1
    assert [round(pacer.acquire() or 0, 6) for _ in range(2)] == [0.2625, 0.525]  # 0.25 x 1.05
    for _ in range(10):
        ticket = pacer.take()
        assert ticket is not None
        pacer.answered(ticket, throttled=True)
    start = pacer.acquire() or 0
    assert (pacer.acquire() or 0) - start == pytest.approx(0.3125)  # 0.25 x 1.25 at most


def test_burst_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_burst("auto") is None  # learn it
    assert resolve_burst(1) == 1 and resolve_burst(40) == 40 and resolve_burst(3.0) == 3
    monkeypatch.setenv("OMICS_MAGIC_BURST", "12")
    assert resolve_burst("auto") == 12
    assert resolve_burst(2) == 2  # the argument wins
    monkeypatch.setenv("OMICS_MAGIC_BURST", "auto")
    assert resolve_burst() is None
    monkeypatch.setenv("OMICS_MAGIC_BURST", "lots")
    with pytest.raises(InputError, match=r"\$OMICS_MAGIC_BURST must be a whole number.*'lots'"):
        resolve_burst()
    for bad in (0, -1, 2.5, True, "x", None, float("inf")):
        with pytest.raises(InputError, match="burst must be a whole number"):
            resolve_burst(bad)  # type: ignore[arg-type]


def test_a_bad_burst_fails_before_any_call(omics_backend: OmicsBackend) -> None:
    with pytest.raises(InputError, match="burst"):
        omics_magic.sequence_stores("us-east-1", burst=0)
    assert omics_backend.requests.count() == 0


def test_retries_are_paced_too(omics_backend: OmicsBackend) -> None:
    """A throttled call's retry waits its turn (botocore retries pass the before-send hook)."""
    omics_backend.seed("us-east-1", stores_per_region=1)
    turns: list[float] = []

    class Recording(Pacer):
        def take(self, cancel: threading.Event | None = None) -> Ticket | None:
            ticket = super().take(cancel)
            turns.append(ticket.at if ticket else 0.0)
            return ticket

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
