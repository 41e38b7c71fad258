"""Fetch benchmark: omics_magic against the loops users write today, on the fake.

Runs the fake omics service (``OmicsServer``, threaded, in its own process so
that it doesn't share the client's GIL; see ``_fake_process.py``) on 127.0.0.1
in two scenarios:

- latency-bound: every request takes ``--latency`` (20 ms), no quotas,
  ``--regions`` x ``--latency-stores`` (10 x 50). omics_magic is told the
  account has no quota (``rate=None``), as a user with raised quotas would.
- quota-bound: the same latency plus AWS's default quota, ``--tps`` (5)
  requests per second per region for ListSequenceStores, GetSequenceStore and
  ListTagsForResource, as a token bucket of ``--burst`` (2);
  ``--regions`` x ``--quota-stores`` (10 x 10). omics_magic at its defaults.

Contenders, in turn, the order alternating each of ``--repetitions`` (medians):

(a) the sequential boto3 loop a user writes: per region, ListSequenceStores
    through the paginator, then ListTagsForResource per store; boto3's
    default retries;
(b) ``aws omics list-sequence-stores --region R`` per region, if ``aws`` is on
    PATH (lists only: no tags);
(c) ``omics_magic.sequence_stores()``: the nine documented columns, tags included;
(d) the same without ``tags`` (the eight other columns).

Calls and throttles come from the fake's own request log, cleared (and its
token buckets refilled) before each run. The critical path, the fastest any
client could finish, is computed from the fake's parameters (``_bounds.py``)
and printed with its formula.

``python benchmarks/fetch.py --help`` lists the flags; ``--quick`` is a tiny
smoke run.
"""

from __future__ import annotations

import argparse
import json
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
from _bounds import concurrency_bound, critical_path, pages_of
from _fake_process import GET, LIST, TAGS, FakeProcess
from _harness import median, ratio_line, table, targets_line

A, B, C, D = "(a) boto3 loop", "(b) aws cli loop", "(c) omics_magic", "(d) omics_magic, no tags"
Run = Callable[[], "tuple[int, int, str]"]  # -> (rows, failed regions, first error)


# -- the contenders ---------------------------------------------------------------------------


def boto3_loop(regions: list[str]) -> tuple[int, int, str]:
    """(a) What a user writes today."""
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
    except (BotoCoreError, ClientError) as err:  # the loop stops: the run failed
        return len(rows), 1, type(err).__name__ + ": " + str(err)[:80]
    return len(rows), 0, ""


def awscli_loop(regions: list[str], env: dict[str, str]) -> tuple[int, int, str]:
    """(b) ``aws omics list-sequence-stores`` per region, as a shell loop runs it."""
    rows, failed, error = 0, 0, ""
    for region in regions:
        done = subprocess.run(
            ["aws", "omics", "list-sequence-stores", "--region", region, "--output", "json"],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        if done.returncode != 0:
            failed += 1
            error = error or (done.stderr.strip().splitlines() or ["?"])[-1][:100]
            continue
        rows += len(json.loads(done.stdout)["sequenceStores"])
    return rows, failed, error


def omics_magic_fetch(
    regions: list[str], *, columns: list[str] | None, rate: Any, max_concurrency: int | None
) -> tuple[int, int, str]:
    """(c)/(d): one call to omics_magic.sequence_stores (``rate="default"``: not passed)."""
    import omics_magic

    kwargs: dict[str, Any] = {"columns": columns, "max_concurrency": max_concurrency}
    if rate != "default":
        kwargs["rate"] = rate
    df = omics_magic.sequence_stores(regions, progress=False, **kwargs)
    errors = df.attrs.get("omics_errors", [])
    return len(df), len(errors), "; ".join(f"{e['region']}: {e['code']}" for e in errors)[:100]


# -- measuring --------------------------------------------------------------------------------


@dataclass
class Outcome:
    """One contender's run."""

    seconds: float
    cpu: float  # this process's CPU, plus finished children's (awscli)
    rows: int
    failed: int  # failed regions; for the loops, regions (b) or the run (a) that failed
    error: str = ""
    calls: Counter[tuple[str, int, str]] = field(default_factory=Counter)
    fake_cpu: float = 0.0

    def answered(self, operation: str) -> int:
        return sum(
            n for (op, status, _), n in self.calls.items() if op == operation and status < 400
        )

    def throttled(self, operation: str | None = None) -> int:
        return sum(
            n
            for (op, status, _), n in self.calls.items()
            if status == 429 and operation in (None, op)
        )


def timed(run: Run, fake: FakeProcess) -> Outcome:
    fake.reset()
    _, fake_cpu0 = fake.stats()
    # RUSAGE_CHILDREN counts children once they have exited: the aws processes,
    # not the fake, which is still running.
    children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu0, start = time.process_time(), time.perf_counter()
    rows, failed, error = run()
    seconds = time.perf_counter() - start
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = time.process_time() - cpu0
    cpu += (children.ru_utime - children0.ru_utime) + (children.ru_stime - children0.ru_stime)
    calls, fake_cpu1 = fake.stats()
    return Outcome(seconds, cpu, rows, failed, error, calls, fake_cpu1 - fake_cpu0)


def calibrate(client: Any, calls: int = 60) -> float:
    """CPU seconds one ListTagsForResource costs this process on a warm client.

    Calls made one at a time: botocore's own cost (build, sign, send, parse)
    without thread contention. Times the calls a fetch makes, it is a floor for
    any client in one CPython process, whose threads share one GIL.
    """
    arn = client.list_sequence_stores(maxResults=1)["sequenceStores"][0]["arn"]
    client.list_tags_for_resource(resourceArn=arn)
    start = time.process_time()
    for _ in range(calls):
        client.list_tags_for_resource(resourceArn=arn)
    return (time.process_time() - start) / calls


# -- one scenario -----------------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    stores: int
    tps: float | None  # the fake's quota; None: no quotas
    rate: Any  # what omics_magic is told: "default" (nothing), or a rate= argument
    note: str


def contenders(args: argparse.Namespace, scenario: Scenario, regions: list[str]) -> dict[str, Run]:
    from omics_magic.columns import DEFAULT_COLUMNS

    without_tags = [c for c in DEFAULT_COLUMNS if c != "tags"]
    env = dict(os.environ)
    runs: dict[str, Run] = {A: lambda: boto3_loop(regions)}
    if args.awscli and shutil.which("aws"):
        runs[B] = lambda: awscli_loop(regions, env)
    runs[C] = lambda: omics_magic_fetch(
        regions, columns=None, rate=scenario.rate, max_concurrency=args.max_concurrency
    )
    runs[D] = lambda: omics_magic_fetch(
        regions, columns=without_tags, rate=scenario.rate, max_concurrency=args.max_concurrency
    )
    return runs


def measure(
    args: argparse.Namespace, scenario: Scenario, regions: list[str]
) -> tuple[dict[str, list[Outcome]], float]:
    """Every contender's runs, and botocore's CPU a call (latency-bound only, else NaN)."""
    fake = FakeProcess(
        {
            "regions": regions,
            "stores": scenario.stores,
            "latency": args.latency,
            "tps": scenario.tps,
            "burst": args.burst,
        }
    )
    os.environ.update(fake.env)
    try:
        runs = contenders(args, scenario, regions)
        if B in runs:  # does awscli reach the fake through AWS_ENDPOINT_URL_OMICS?
            probe = timed(lambda: awscli_loop(regions[:1], dict(os.environ)), fake)
            if probe.failed or probe.answered(LIST) < 1:
                del runs[B]
                print(
                    "   (b) skipped: awscli did not reach the fake through "
                    f"AWS_ENDPOINT_URL_OMICS ({probe.error or 'no request seen'})"
                )
        elif args.awscli:
            print("   (b) skipped: no `aws` on PATH")

        # Untimed warm-up: imports, botocore's models, omics_magic's clients.
        warm = timed(runs[D], fake)
        import boto3

        per_call = float("nan") if scenario.tps else calibrate(boto3.client("omics", regions[0]))
        print(f"   warm-up (untimed): first omics_magic call in this process {warm.seconds:.2f} s")

        outcomes: dict[str, list[Outcome]] = {name: [] for name in runs}
        for rep in range(args.repetitions):
            order = list(runs) if rep % 2 == 0 else list(reversed(runs))
            for name in order:
                outcomes[name].append(timed(runs[name], fake))
        return outcomes, per_call
    finally:
        fake.close()
        for key in fake.env:
            os.environ.pop(key, None)


def print_table(outcomes: dict[str, list[Outcome]]) -> None:
    rows = []
    for name, runs in outcomes.items():
        good = [o for o in runs if not (name == A and o.failed)] or runs
        last = good[-1]
        rows.append(
            [
                name,
                median(o.seconds for o in good),
                min(o.seconds for o in good),
                median(o.cpu for o in good),
                median(o.fake_cpu for o in good),
                last.answered(LIST),
                last.answered(TAGS),
                last.answered(GET),
                max(o.throttled() for o in runs),
                max(o.failed for o in runs),
                last.rows,
            ]
        )
    headers = ["contender", "median s", "min s", "client CPU s", "fake CPU s", "List"]
    headers += ["ListTags", "Get", "429s (max)", "failed", "rows"]
    print(table(headers, rows))
    for name, runs in outcomes.items():
        errors = sorted({o.error for o in runs if o.error})
        if errors:
            failed = sum(1 for o in runs if o.failed)
            print(f"   {name}: {failed} of {len(runs)} runs had failures: {'; '.join(errors)}")
    if B in outcomes:
        print("   (b) lists only (no tags): compare it with (d)")


def the_bound(args: argparse.Namespace, scenario: Scenario, n_regions: int) -> float:
    """The critical path for (c), printed with its formula."""
    from omics_magic.fetch.engine import MAX_DEFAULT_CONCURRENCY, PER_REGION_CONCURRENCY

    stores, latency, pages = scenario.stores, args.latency, pages_of(scenario.stores)
    if scenario.tps:
        bound = critical_path(
            stores, latency=latency, tps=scenario.tps, burst=args.burst, tags=True
        )
        formula = (
            f"P*L + L + max(0, S - B)/TPS = {pages}*{latency:g} + {latency:g} + "
            f"max(0, {stores} - {args.burst:g})/{scenario.tps:g}"
            if pages == 1
            else "simulated: pages in turn, tag calls pipelined, at the quota after the burst"
        )
        print(
            f"   critical path T* = {formula} = {bound:.3f} s (the slowest region: its "
            "pages, then its tag calls, the first B at once, then one per 1/TPS)"
        )
        return bound
    concurrency = args.max_concurrency or min(
        PER_REGION_CONCURRENCY * n_regions, MAX_DEFAULT_CONCURRENCY
    )
    bound = concurrency_bound(n_regions, stores, latency=latency, concurrency=concurrency)
    unbounded = critical_path(stores, latency=latency, tps=None, burst=1, tags=True)
    print(
        f"   critical path T* = P*L + ceil(R*S/C)*L = {pages}*{latency:g} + "
        f"ceil({n_regions}*{stores}/{concurrency})*{latency:g} = {bound:.3f} s "
        f"(C = omics_magic's {concurrency} requests in flight; "
        f"with unbounded concurrency P*L + L = {unbounded:.3f} s)"
    )
    return bound


def check(
    args: argparse.Namespace,
    scenario: Scenario,
    n_regions: int,
    outcomes: dict[str, list[Outcome]],
    per_call: float,
) -> list[tuple[str, bool]]:
    """Print the ratio lines; return (target, met) pairs."""
    bound = the_bound(args, scenario, n_regions)
    bound_no_tags = critical_path(
        scenario.stores, latency=args.latency, tps=scenario.tps, burst=args.burst, tags=False
    )
    a = median(o.seconds for o in outcomes[A] if not o.failed)
    c_runs, d_runs = outcomes[C], outcomes[D]
    c, d = median(o.seconds for o in c_runs), median(o.seconds for o in d_runs)
    c_calls = max(sum(o.calls.values()) for o in c_runs)
    c_throttled = max(o.throttled() for o in c_runs)
    c_failed = max(o.failed for o in c_runs)
    d_tags = max(o.answered(TAGS) + o.throttled(TAGS) for o in d_runs)

    print("ratios:")
    if scenario.tps:
        least = 0.8 * n_regions
        checks = [
            ("(c)/critical path", c / bound, "<= 1.25", c / bound <= 1.25),
            ("(a)/(c)", a / c, f">= {least:g}", a / c >= least),
            ("(c) failed regions", c_failed, "0", c_failed == 0),
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
    for name, value, target, ok in checks:
        print(ratio_line(name, float(value), target, ok))
    print(ratio_line("(d)/critical path without tags", d / bound_no_tags, "-", None))
    if not scenario.tps:  # the CPU floor binds only when nothing else holds the calls back
        floor = per_call * c_calls
        print(
            ratio_line(
                "(c)/client CPU floor",
                c / floor,
                "-",
                None,
                f"floor = {c_calls} calls x {per_call * 1000:.2f} ms CPU a call "
                f"(warm boto3 client, one at a time) = {floor:.3f} s",
            )
        )
    if B in outcomes:
        b = median(o.seconds for o in outcomes[B])
        print(ratio_line("(b)/(d)", b / d, "-", None, "awscli lists only, like (d)"))
    short = "quota" if scenario.tps else "latency"
    return [(f"{short}: {name}", ok) for name, _, _, ok in checks]


def run_scenario(args: argparse.Namespace, scenario: Scenario) -> list[tuple[str, bool]]:
    from omics_magic.regions import omics_regions

    regions = list(omics_regions())[: args.regions]
    quota = (
        f"quota {scenario.tps:g} TPS per region and operation, burst {args.burst:g}"
        if scenario.tps
        else "no quotas"
    )
    print(
        f"\n== {scenario.name}: {len(regions)} regions x {scenario.stores} stores, "
        f"{args.latency * 1000:g} ms a request, {quota}"
    )
    print(f"   omics_magic: {scenario.note}")
    outcomes, per_call = measure(args, scenario, regions)
    print_table(outcomes)
    return check(args, scenario, len(regions), outcomes, per_call)


# -- main -------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="omics_magic fetch benchmark on the fake omics server (see module docstring)"
    )
    add = parser.add_argument
    add("--scenario", choices=["latency", "quota", "both"], default="both")
    add("--regions", type=int, default=10, help="regions (at most botocore's 10)")
    add("--latency-stores", type=int, default=50, help="stores per region, latency-bound")
    add("--quota-stores", type=int, default=10, help="stores per region, quota-bound")
    add("--latency", type=float, default=0.020, help="seconds added to every request")
    add("--tps", type=float, default=5.0, help="quota-bound: requests/s per region and operation")
    add("--burst", type=float, default=2.0, help="quota-bound: token bucket size")
    add("--repetitions", type=int, default=3)
    add("--max-concurrency", type=int, default=None, help="omics_magic's (default: its own)")
    add("--no-awscli", dest="awscli", action="store_false", help="skip contender (b)")
    add("--quick", action="store_true", help="tiny smoke run: 2 regions, few stores, 1 repetition")
    args = parser.parse_args(argv)
    if args.quick:
        args.regions, args.latency_stores, args.quota_stores = 2, 5, 4
        args.latency, args.tps, args.repetitions = 0.002, 50.0, 1
    return args


def scenarios(args: argparse.Namespace) -> list[Scenario]:
    from omics_magic.aws.pacing import DEFAULT_RATE

    chosen = []
    if args.scenario in ("latency", "both"):
        note = "rate=None (no quota: pacing off), " + (
            "default max_concurrency"
            if args.max_concurrency is None
            else f"max_concurrency={args.max_concurrency}"
        )
        chosen.append(Scenario("latency-bound", args.latency_stores, None, None, note))
    if args.scenario in ("quota", "both"):
        if args.tps == DEFAULT_RATE:
            rate, note = "default", f"its defaults (rate 'auto' = {DEFAULT_RATE:g} TPS)"
        else:
            rate, note = args.tps, f"rate={args.tps:g} (the account's quota, as --tps says)"
        chosen.append(Scenario("quota-bound", args.quota_stores, args.tps, rate, note))
    return chosen


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    _harness.offline_environment()
    from omics_magic.aws.pacing import DEFAULT_RATE
    from omics_magic.testing import AWS_QUOTAS

    print("omics_magic fetch benchmark; fake OmicsServer on 127.0.0.1 in its own process")
    print(f"machine: {_harness.machine()}")
    same = DEFAULT_RATE == AWS_QUOTAS[LIST] == AWS_QUOTAS[GET] == AWS_QUOTAS[TAGS]
    print(
        f"omics_magic's default rate {DEFAULT_RATE:g} TPS; AWS's documented default quota "
        f"{AWS_QUOTAS[LIST]:g} TPS (List/Get/ListTagsForResource): "
        + ("match" if same else "MISMATCH")
    )
    results = []
    for scenario in scenarios(args):
        results += run_scenario(args, scenario)
    print(targets_line(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
