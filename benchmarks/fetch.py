"""Fetch benchmark: omics_magic against the loops users write today, on the fake.

Runs the fake omics service (``OmicsServer``, threaded, in its own process so
that it doesn't share the client's GIL) on 127.0.0.1 in two scenarios:

- latency-bound: every request takes ``--latency`` (20 ms), no quotas,
  ``--regions`` x ``--latency-stores`` (10 x 50). omics_magic is told the
  account has no quota (``rate=None``), as a user with raised quotas would.
- quota-bound: the same latency plus AWS's default quota, ``--tps`` (5)
  requests per second per region for ListSequenceStores, GetSequenceStore and
  ListTagsForResource, as a token bucket of ``--burst`` (2);
  ``--regions`` x ``--quota-stores`` (10 x 10). omics_magic at its defaults.

Contenders, alternated over ``--repetitions`` (medians reported):

(a) the sequential boto3 loop a user writes: per region, ListSequenceStores
    through the paginator, then ListTagsForResource per store; boto3's
    default retries;
(b) ``aws omics list-sequence-stores --region R`` per region, if ``aws`` is on
    PATH (lists only: no tags);
(c) ``omics_magic.sequence_stores()``: the nine documented columns, tags included;
(d) the same without ``tags`` (the eight other columns).

The critical path (the fastest any client could finish, from the fake's own
parameters) is printed with its formula; see :func:`critical_path`.

Run ``python benchmarks/fetch.py --help`` for the flags; ``--quick`` is a tiny
smoke run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import _harness
from _harness import median, ratio_line, table

LIST, GET, TAGS = "ListSequenceStores", "GetSequenceStore", "ListTagsForResource"
QUOTA_OPERATIONS = (LIST, GET, TAGS)


# -- the fake, in its own process -------------------------------------------------------------


def serve(config: dict[str, Any]) -> None:
    """Child process: run the fake and answer ``stats`` / ``reset`` lines on stdin."""
    from omics_magic.testing import OmicsBackend, OmicsServer
    from omics_magic.testing import server as fake_server

    # socketserver listens with a backlog of 5: a client opening 100+ connections
    # at once overflows it, and each dropped handshake stalls its connection for
    # a second (SYN-ACK retransmit). Real endpoints have deep backlogs.
    fake_server._Server.request_queue_size = max(fake_server._Server.request_queue_size, 1024)
    backend = OmicsBackend()
    backend.seed(config["regions"], config["stores"], random_seed=0)
    backend.set_latency(config["latency"])

    def apply_quotas() -> None:  # also refills every bucket: each run starts from the same state
        tps = config["tps"]
        rates = {op: tps for op in QUOTA_OPERATIONS} if tps else None
        backend.set_quotas(rates, burst=config["burst"] if tps else None)

    apply_quotas()
    with OmicsServer(backend) as server:
        print(json.dumps({"env": server.env()}), flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == "stats":
                counts = Counter(
                    f"{r.operation}|{r.status}|{r.error_code or ''}"
                    for r in backend.requests.records
                )
                print(json.dumps({"counts": counts, "cpu": time.process_time()}), flush=True)
            elif command == "reset":
                backend.requests.clear()
                apply_quotas()
                print(json.dumps({"ok": True}), flush=True)


class FakeProcess:
    """The parent's handle on the fake's process."""

    def __init__(self, config: dict[str, Any]) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", json.dumps(config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=_harness.child_env(),
        )
        self.env: dict[str, str] = self._ask(None)["env"]

    def _ask(self, command: str | None) -> dict[str, Any]:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        if command is not None:
            self._proc.stdin.write(command + "\n")
            self._proc.stdin.flush()
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError("the fake omics server process exited")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def reset(self) -> None:
        self._ask("reset")

    def stats(self) -> tuple[Counter[tuple[str, int, str]], float]:
        answer = self._ask("stats")
        counts: Counter[tuple[str, int, str]] = Counter()
        for key, n in answer["counts"].items():
            operation, status, code = key.split("|")
            counts[(operation, int(status), code)] += n
        return counts, float(answer["cpu"])

    def close(self) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.close()
        self._proc.wait(timeout=30)


# -- the critical path ------------------------------------------------------------------------


class _Bucket:
    """The fake's token bucket, for an ideal client whose calls arrive exactly when allowed."""

    def __init__(self, tps: float | None, burst: float) -> None:
        self.tps, self.burst = tps, burst
        self.tokens, self.stamp = burst, None  # type: float, float | None

    def admit(self, wanted: float) -> float:
        """When a call that would reach the server at ``wanted`` gets its token."""
        if self.tps is None:
            return wanted
        if self.stamp is None:  # the fake makes a full bucket at the first call
            self.stamp = wanted
        at = max(wanted, self.stamp)
        tokens = min(self.burst, self.tokens + (at - self.stamp) * self.tps)
        if tokens < 1.0:
            at += (1.0 - tokens) / self.tps
            tokens = 1.0
        self.tokens, self.stamp = tokens - 1.0, at
        return at


def critical_path(
    stores: int,
    *,
    latency: float,
    tps: float | None,
    burst: float,
    tags: bool,
    page_size: int = 100,
) -> float:
    """The earliest one region's fetch can finish, in seconds.

    Pages come one after another (each needs the previous page's token); each
    store's ListTagsForResource can leave when its page arrives. Every call
    takes ``latency`` and must get a token from the fake's per-region,
    per-operation bucket (``tps``, ``burst``; full at the first call). With one
    page of S stores this is ``2L + max(0, S - B) / TPS`` (tags) or ``L`` (no
    tags); without quotas, ``P*L + L``.
    """
    pages = max(1, math.ceil(stores / page_size))
    list_bucket, tag_bucket = _Bucket(tps, burst), _Bucket(tps, burst)
    now, ready, left = 0.0, [], stores
    for _ in range(pages):
        now = list_bucket.admit(now + latency)
        ready += [now] * min(page_size, left)
        left -= page_size
    finish = now
    if tags:
        for arrived in ready:
            finish = max(finish, tag_bucket.admit(arrived + latency))
    return finish


# -- the contenders ---------------------------------------------------------------------------


@dataclass
class Outcome:
    """One contender's run."""

    seconds: float
    cpu: float
    rows: int
    failed: int  # failed regions (or, for a loop that raised, 1: the run failed)
    error: str = ""
    calls: Counter[tuple[str, int, str]] = field(default_factory=Counter)
    fake_cpu: float = 0.0


def boto3_loop(regions: list[str]) -> tuple[int, int, str]:
    """(a) What a user writes today; returns (rows, failed, error)."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    rows = []
    try:
        for region in regions:
            client = boto3.client("omics", region_name=region)
            for page in client.get_paginator("list_sequence_stores").paginate():
                for store in page["sequenceStores"]:
                    tags = client.list_tags_for_resource(resourceArn=store["arn"])["tags"]
                    rows.append({**store, "region": region, "tags": tags})
    except (BotoCoreError, ClientError) as err:
        return len(rows), 1, type(err).__name__ + ": " + str(err)[:80]
    return len(rows), 0, ""


def awscli_loop(regions: list[str], env: dict[str, str]) -> tuple[int, int, str]:
    """(b) ``aws omics list-sequence-stores`` per region, as a shell loop would run it."""
    rows, failed, error = 0, 0, ""
    for region in regions:
        done = subprocess.run(
            ["aws", "omics", "list-sequence-stores", "--region", region, "--output", "json"],
            capture_output=True,
            text=True,
            env=env,
        )
        if done.returncode != 0:
            failed += 1
            error = error or done.stderr.strip().splitlines()[-1][:100]
            continue
        rows += len(json.loads(done.stdout)["sequenceStores"])
    return rows, failed, error


def omics_magic_fetch(
    regions: list[str], *, columns: list[str] | None, rate: Any, max_concurrency: int | None
) -> tuple[int, int, str]:
    """(c)/(d): one call to omics_magic.sequence_stores."""
    import omics_magic

    kwargs: dict[str, Any] = {"columns": columns, "max_concurrency": max_concurrency}
    if rate != "default":
        kwargs["rate"] = rate
    df = omics_magic.sequence_stores(regions, progress=False, **kwargs)
    errors = df.attrs.get("omics_errors", [])
    return len(df), len(errors), "; ".join(f"{e['region']}: {e['code']}" for e in errors)[:100]


def calibrate(client: Any, calls: int = 60) -> float:
    """CPU seconds one ListTagsForResource costs this process on a warm client.

    Times calls made one at a time, so the figure is botocore's own cost (build,
    sign, send, parse) with no thread contention: a floor for any client in one
    CPython process, whose threads share one GIL.
    """
    arn = client.list_sequence_stores(maxResults=1)["sequenceStores"][0]["arn"]
    client.list_tags_for_resource(resourceArn=arn)
    start = time.process_time()
    for _ in range(calls):
        client.list_tags_for_resource(resourceArn=arn)
    return (time.process_time() - start) / calls


def timed(run: Callable[[], tuple[int, int, str]], fake: FakeProcess) -> Outcome:
    fake.reset()
    _, fake_cpu0 = fake.stats()
    children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu0, start = time.process_time(), time.perf_counter()
    rows, failed, error = run()
    seconds = time.perf_counter() - start
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = time.process_time() - cpu0
    # awscli's own CPU; the fake is not our child (it is, but its CPU is only
    # reported when it exits), so this counts only the finished aws processes.
    cpu += (children.ru_utime - children0.ru_utime) + (children.ru_stime - children0.ru_stime)
    calls, fake_cpu1 = fake.stats()
    return Outcome(seconds, cpu, rows, failed, error, calls, fake_cpu1 - fake_cpu0)


# -- one scenario -----------------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    stores: int
    tps: float | None
    rate: Any  # what omics_magic is told: "default" (its defaults), or a rate argument
    note: str


def run_scenario(args: argparse.Namespace, scenario: Scenario) -> list[tuple[str, bool]]:
    from omics_magic.columns import DEFAULT_COLUMNS
    from omics_magic.fetch import MAX_DEFAULT_CONCURRENCY, PER_REGION_CONCURRENCY
    from omics_magic.regions import omics_regions

    regions = list(omics_regions())[: args.regions]
    n_regions, stores, latency = len(regions), scenario.stores, args.latency
    config = {
        "regions": regions,
        "stores": stores,
        "latency": latency,
        "tps": scenario.tps,
        "burst": args.burst,
    }
    print(
        f"\n== {scenario.name}: {n_regions} regions x {stores} stores, "
        f"{latency * 1000:g} ms a request, "
        + (
            f"quota {scenario.tps:g} TPS per region and operation, burst {args.burst:g}"
            if scenario.tps
            else "no quotas"
        )
    )
    print(f"   omics_magic: {scenario.note}")

    fake = FakeProcess(config)
    os.environ.update(fake.env)
    awscli_env = {**os.environ}
    try:
        contenders: dict[str, Callable[[], tuple[int, int, str]]] = {
            "(a) boto3 loop": lambda: boto3_loop(regions),
        }
        if args.awscli and shutil.which("aws"):
            probe = timed(lambda: awscli_loop(regions[:1], awscli_env), fake)
            if probe.calls[(LIST, 200, "")] >= 1 and not probe.failed:
                contenders["(b) aws cli loop"] = lambda: awscli_loop(regions, awscli_env)
            else:
                print(
                    f"   (b) skipped: awscli did not reach the fake through "
                    f"AWS_ENDPOINT_URL_OMICS ({probe.error or 'no request seen'})"
                )
        elif args.awscli:
            print("   (b) skipped: no `aws` on PATH")
        without_tags = [c for c in DEFAULT_COLUMNS if c != "tags"]
        contenders["(c) omics_magic"] = lambda: omics_magic_fetch(
            regions, columns=None, rate=scenario.rate, max_concurrency=args.max_concurrency
        )
        contenders["(d) omics_magic, no tags"] = lambda: omics_magic_fetch(
            regions, columns=without_tags, rate=scenario.rate, max_concurrency=args.max_concurrency
        )

        # Warm-up, untimed: imports, botocore's models, omics_magic's clients.
        warm = timed(contenders["(d) omics_magic, no tags"], fake)
        import boto3

        client = boto3.client("omics", region_name=regions[0])
        per_call_cpu = calibrate(client) if not scenario.tps else float("nan")
        print(f"   warm-up (untimed): first omics_magic call in this process {warm.seconds:.2f} s")

        outcomes: dict[str, list[Outcome]] = {name: [] for name in contenders}
        for rep in range(args.repetitions):
            order = list(contenders)
            if rep % 2:  # alternate the order too, so no contender always goes first
                order.reverse()
            for name in order:
                outcomes[name].append(timed(contenders[name], fake))
    finally:
        fake.close()
        for key in fake.env:
            os.environ.pop(key, None)

    rows = []
    for name, runs in outcomes.items():
        good = [o for o in runs if not (name.startswith("(a)") and o.failed)] or runs
        last = good[-1]
        rows.append(
            [
                name,
                median(o.seconds for o in good),
                min(o.seconds for o in good),
                median(o.cpu for o in good),
                median(o.fake_cpu for o in good),
                _calls(last, LIST),
                _calls(last, TAGS),
                _calls(last, GET),
                max(_throttled(o) for o in runs),
                max(o.failed for o in runs),
                last.rows,
            ]
        )
    print(
        table(
            [
                "contender",
                "median s",
                "min s",
                "client CPU s",
                "fake CPU s",
                "List",
                "ListTags",
                "Get",
                "429s (max)",
                "failed",
                "rows",
            ],
            rows,
        )
    )
    for name, runs in outcomes.items():
        errors = {o.error for o in runs if o.error}
        if errors:
            print(
                f"   {name}: {sum(1 for o in runs if o.failed)} of {len(runs)} runs had "
                f"failures: {'; '.join(sorted(errors))}"
            )
    if "(b) aws cli loop" in outcomes:
        print("   (b) lists only (no tags): compare it with (d)")

    # The bound, from the fake's own parameters.
    pages = max(1, math.ceil(stores / 100))
    burst = args.burst
    if scenario.tps:
        bound = critical_path(stores, latency=latency, tps=scenario.tps, burst=burst, tags=True)
        print(
            f"   critical path T* = P*L + L + max(0, S - B)/TPS = {pages}*{latency:g} + "
            f"{latency:g} + max(0, {stores} - {burst:g})/{scenario.tps:g} = {bound:.3f} s "
            "(slowest region: its pages, then its tag calls at the quota after the burst)"
        )
        concurrency = None
    else:
        concurrency = args.max_concurrency or min(
            PER_REGION_CONCURRENCY * n_regions, MAX_DEFAULT_CONCURRENCY
        )
        waves = math.ceil(n_regions * stores / concurrency)
        bound = pages * latency + waves * latency
        unbounded = critical_path(stores, latency=latency, tps=None, burst=burst, tags=True)
        print(
            f"   critical path T* = P*L + ceil(R*S/C)*L = {pages}*{latency:g} + "
            f"ceil({n_regions}*{stores}/{concurrency})*{latency:g} = {bound:.3f} s "
            f"(C = omics_magic's {concurrency} requests in flight; "
            f"with unbounded concurrency P*L + L = {unbounded:.3f} s)"
        )
    bound_no_tags = critical_path(
        stores, latency=latency, tps=scenario.tps, burst=burst, tags=False
    )

    a = median(o.seconds for o in outcomes["(a) boto3 loop"] if not o.failed)
    c_runs = outcomes["(c) omics_magic"]
    c = median(o.seconds for o in c_runs)
    d_runs = outcomes["(d) omics_magic, no tags"]
    d = median(o.seconds for o in d_runs)
    c_calls = max(sum(o.calls.values()) for o in c_runs)
    c_throttled = max(_throttled(o) for o in c_runs)
    d_tags = max(_calls(o, TAGS) + _throttled(o, TAGS) for o in d_runs)
    # botocore's CPU per call times the calls: the floor for one CPython process,
    # whatever its concurrency, since its threads share one GIL.
    cpu_floor = per_call_cpu * c_calls

    results: list[tuple[str, bool]] = []
    tag = "latency" if not scenario.tps else "quota"
    print("ratios:")
    if scenario.tps:
        target = 0.8 * n_regions
        checks = [
            ("(c)/critical path", c / bound, "<= 1.25", c / bound <= 1.25),
            ("(a)/(c)", a / c, f">= {target:g}", a / c >= target),
            (
                "(c) failed regions",
                max(o.failed for o in c_runs),
                "0",
                max(o.failed for o in c_runs) == 0,
            ),
            (
                "(c) throttled retries, % of calls",
                100 * c_throttled / max(1, c_calls),
                "<= 5%",
                c_throttled <= 0.05 * c_calls,
            ),
            ("(d) ListTagsForResource calls", d_tags, "0", d_tags == 0),
        ]
    else:
        checks = [
            ("(a)/(c)", a / c, ">= 20", a / c >= 20),
            ("(c)/critical path", c / bound, "<= 1.25", c / bound <= 1.25),
            ("(d) ListTagsForResource calls", d_tags, "0", d_tags == 0),
        ]
    for name, value, target_text, ok in checks:
        print(ratio_line(name, float(value), target_text, ok))
        results.append((f"{tag}: {name}", ok))
    print(ratio_line("(d)/critical path without tags", d / bound_no_tags, "-", None))
    if not scenario.tps:  # CPU-bound only when nothing else holds the calls back
        print(
            ratio_line(
                "(c)/client CPU floor",
                c / cpu_floor,
                "-",
                None,
                f"floor = {c_calls} calls x {per_call_cpu * 1000:.2f} ms CPU a call "
                f"(warm boto3 client, one at a time) = {cpu_floor:.3f} s",
            )
        )
    if "(b) aws cli loop" in outcomes:
        b = median(o.seconds for o in outcomes["(b) aws cli loop"])
        print(ratio_line("(b)/(d)", b / d, "-", None, "awscli lists only, like (d)"))
    return results


def _calls(outcome: Outcome, operation: str) -> int:
    return sum(
        n for (op, status, _), n in outcome.calls.items() if op == operation and status < 400
    )


def _throttled(outcome: Outcome, operation: str | None = None) -> int:
    return sum(
        n
        for (op, status, _), n in outcome.calls.items()
        if status == 429 and operation in (None, op)
    )


# -- main -------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="omics_magic fetch benchmark on the fake omics server (see module docstring)"
    )
    parser.add_argument("--scenario", choices=["latency", "quota", "both"], default="both")
    parser.add_argument("--regions", type=int, default=10, help="regions (max 10: botocore's)")
    parser.add_argument(
        "--latency-stores", type=int, default=50, help="stores per region, latency-bound"
    )
    parser.add_argument(
        "--quota-stores", type=int, default=10, help="stores per region, quota-bound"
    )
    parser.add_argument("--latency", type=float, default=0.020, help="seconds added a request")
    parser.add_argument(
        "--tps",
        type=float,
        default=5.0,
        help="quota-bound: requests/s per region and operation (AWS: 5)",
    )
    parser.add_argument(
        "--burst", type=float, default=2.0, help="quota-bound: token bucket size (calls at once)"
    )
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument(
        "--max-concurrency",
        type=int,
        default=None,
        help="omics_magic's max_concurrency (default: its own)",
    )
    parser.add_argument(
        "--no-awscli", dest="awscli", action="store_false", help="skip contender (b)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny smoke run: 2 regions, few stores, 2 ms, 50 TPS, 1 repetition",
    )
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.regions, args.latency_stores, args.quota_stores = 2, 5, 4
        args.latency, args.tps, args.repetitions = 0.002, 50.0, 1
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    _harness.offline_environment()
    if args.serve:
        serve(json.loads(args.serve))
        return 0
    from omics_magic.pacing import DEFAULT_RATE
    from omics_magic.testing import AWS_QUOTAS

    print("omics_magic fetch benchmark; fake OmicsServer on 127.0.0.1 in its own process")
    print(f"machine: {_harness.machine()}")
    print(
        f"omics_magic default rate {DEFAULT_RATE:g} TPS; AWS's documented default "
        f"{AWS_QUOTAS[LIST]:g} TPS (List/Get/ListTags): "
        + ("match" if DEFAULT_RATE == AWS_QUOTAS[LIST] == AWS_QUOTAS[TAGS] else "MISMATCH")
    )
    scenarios = []
    if args.scenario in ("latency", "both"):
        scenarios.append(
            Scenario(
                "latency-bound",
                args.latency_stores,
                None,
                None,
                "rate=None (no quota: pacing off), default max_concurrency"
                if args.max_concurrency is None
                else f"rate=None, max_concurrency={args.max_concurrency}",
            )
        )
    if args.scenario in ("quota", "both"):
        default = args.tps == DEFAULT_RATE
        scenarios.append(
            Scenario(
                "quota-bound",
                args.quota_stores,
                args.tps,
                "default" if default else args.tps,
                "defaults (rate 'auto' = 5 TPS)"
                if default
                else f"rate={args.tps:g} (the account's quota, as --tps says)",
            )
        )
    results = []
    for scenario in scenarios:
        results += run_scenario(args, scenario)
    missed = [name for name, ok in results if not ok]
    print(
        f"\ntargets: {len(results) - len(missed)} PASS, {len(missed)} MISS"
        + (f" ({'; '.join(missed)})" if missed else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
