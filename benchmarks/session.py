"""Session benchmark (issue #14): the learning pacer, the result cache, the latency-bound fetch.

Runs the fake (``OmicsServer`` in its own process, ``_fake_process.py``) and,
in one run, measures:

- quota-bound, ``--tps`` (5) per region and operation and ``--latency`` (20 ms),
  for each bucket burst B, stores per region S and regions R of the grid:
  ``SELECT *`` (``run_query``) with the learning pacer (a fresh process state:
  pacers forgotten, cache off) against max(critical path, its client CPU),
  and against today's pacer (``burst=1``: GCRA at 95% of the rate, no burst,
  which is exactly what omics_magic did before); the most 429s any one
  (region, operation) got, in the first query and in a second one right after;
- repeat: ``SELECT *`` over 10 x 100 stores at the default quota (``--repeat-tps``
  5, ``--repeat-burst`` 5; 0 for none), then the same again within the TTL:
  AWS calls made by the repeat, and first / repeat time;
- latency-bound: no quotas, ``--latency``, 10 x ``--latency-stores`` (500):
  ``sequence_stores(rate=None)`` against a warm, reused pool of 128 threads of
  boto3 calls (one client per region), and omics_magic's client CPU per call;
- first query: in fresh interpreters (pandas imported, as in a notebook), the
  first ``SELECT *`` over 10 regions (importing what it needs included) minus
  the second, cache off;
- memory: the post-fetch of ``SELECT *`` (DuckDB, conversion to pandas) over a
  100,000-row frame, peak RSS above what was there before / the frame's size.

``--quick`` is a smoke run (tiny sizes; ``tests/test_benchmarks.py`` style).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import _harness
from _bounds import critical_path
from _fake_process import FakeProcess
from _harness import ratio_line, table

SELECT_ALL = "SELECT * FROM aws.omics.sequence_stores"


def fresh_state() -> None:
    from omics_magic import clear_cache
    from omics_magic.aws.pacing import forget_pacers

    forget_pacers()
    clear_cache()


def run_select_all(
    regions: list[str], env: dict[str, str] | None = None, **kwargs: Any
) -> tuple[float, float, int]:
    """(seconds, client CPU seconds, rows) of one SELECT *, with ``env`` set meanwhile."""
    from omics_magic.sql.run import run_query

    os.environ.update(env or {})
    try:
        cpu0, start = time.process_time(), time.perf_counter()
        df = run_query(SELECT_ALL, regions=regions, progress=False, **kwargs)
        return time.perf_counter() - start, time.process_time() - cpu0, len(df)
    finally:
        for key in env or {}:
            del os.environ[key]


def with_fake(config: dict[str, Any]) -> FakeProcess:
    fake = FakeProcess(config)
    os.environ.update(fake.env)
    from omics_magic.aws.clients import clear_cache

    clear_cache()  # clients made for another fake's port
    return fake


def close(fake: FakeProcess) -> None:
    fake.close()
    for key in fake.env:
        os.environ.pop(key, None)


def quota_grid(args: argparse.Namespace, all_regions: list[str]) -> list[tuple[str, bool]]:
    results: list[tuple[str, bool]] = []
    rows = []
    for regions_n in args.grid_regions:
        for stores in args.grid_stores:
            for burst in args.grid_bursts:
                regions = all_regions[:regions_n]
                fake = with_fake(
                    {
                        "regions": regions,
                        "stores": stores,
                        "latency": args.latency,
                        "tps": args.tps,
                        "burst": burst,
                    }
                )
                try:
                    run_select_all(regions[:1], cache_ttl=0)  # warm-up: imports, clients
                    fresh_state()
                    fake.reset()
                    seconds, cpu, n = run_select_all(regions, cache_ttl=0)
                    first_throttles = fake.most_throttles_per_bucket()
                    before = sum(fake._ask("stats")["throttled"].values())
                    run_select_all(regions, cache_ttl=0)  # a later query, bucket as left
                    later = sum(fake._ask("stats")["throttled"].values()) - before
                    fresh_state()
                    fake.reset()
                    # Today's pacer: burst 1, no learning.
                    old_seconds, _, _ = run_select_all(
                        regions, {"OMICS_MAGIC_BURST": "1"}, cache_ttl=0
                    )
                    old_throttles = fake.most_throttles_per_bucket()
                finally:
                    close(fake)
                bound = critical_path(
                    stores, latency=args.latency, tps=args.tps, burst=burst, tags=True
                )
                floor = max(bound, cpu)
                rows.append(
                    [
                        f"B={burst} S={stores} R={regions_n}",
                        n,
                        seconds,
                        bound,
                        cpu,
                        seconds / floor,
                        old_seconds,
                        seconds / old_seconds,
                        first_throttles,
                        later,
                        old_throttles,
                    ]
                )
                name = f"B={burst},S={stores},R={regions_n}"
                results.append((f"{name} within 1.25x", seconds / floor <= 1.25))
                results.append(
                    (f"{name} <=1 429/bucket, 0 later", first_throttles <= 1 and not later)
                )
                if burst == 1:
                    results.append((f"{name} <=1.10x today", seconds / old_seconds <= 1.10))
    print("\n## quota-bound: SELECT *, learning pacer vs today's (burst=1)\n")
    print(
        table(
            [
                "cell",
                "rows",
                "learning s",
                "critical path s",
                "client CPU s",
                "learning / max(path, CPU)",
                "today s",
                "learning / today",
                "most 429s per bucket",
                "429s in a later query",
                "today's most 429s per bucket",
            ],
            rows,
        )
    )
    return results


def repeat(args: argparse.Namespace, all_regions: list[str]) -> list[tuple[str, bool]]:
    regions = all_regions[: args.repeat_regions]
    fake = with_fake(
        {
            "regions": regions,
            "stores": args.repeat_stores,
            "latency": args.latency,
            "tps": args.repeat_tps or None,
            "burst": args.repeat_burst,
        }
    )
    try:
        env = {} if args.repeat_tps else {"OMICS_MAGIC_TPS": "0"}
        run_select_all(regions[:1], env, cache_ttl=0)  # warm-up
        fresh_state()
        first, _, n = run_select_all(regions, env)
        fake.reset()
        again, _, _ = run_select_all(regions, env)
        calls = sum(fake.stats()[0].values())
    finally:
        close(fake)
    quota = f"{args.repeat_tps:g} TPS, burst {args.repeat_burst}" if args.repeat_tps else "none"
    print(f"\n## repeat: SELECT * over {n} rows (quota: {quota}), then again within the TTL\n")
    print(
        table(
            ["fetch s", "repeat s", "AWS calls in the repeat", "fetch / repeat"],
            [[first, again, calls, first / again]],
        )
    )
    print(ratio_line("repeat AWS calls", calls, "0", calls == 0))
    print(ratio_line("fetch / repeat", first / again, ">= 20", first / again >= 20))
    return [("repeat: 0 calls", calls == 0), ("repeat: >= 20x", first / again >= 20)]


def latency_bound(args: argparse.Namespace, all_regions: list[str]) -> list[tuple[str, bool]]:
    import boto3

    import omics_magic

    regions = all_regions[: args.latency_regions]
    stores = args.latency_stores
    fake = with_fake(
        {"regions": regions, "stores": stores, "latency": args.latency, "tps": None, "burst": 1}
    )
    try:
        omics_magic.sequence_stores(regions, rate=None, progress=False, cache_ttl=0)  # warm
        clients = {r: boto3.client("omics", region_name=r) for r in regions}
        pool = ThreadPoolExecutor(128)  # warm and reused, as a user's pool would be

        def boto3_pool() -> int:
            listed = []
            for region in regions:
                for page in clients[region].get_paginator("list_sequence_stores").paginate():
                    listed += [(region, s["arn"]) for s in page["sequenceStores"]]
            tags = pool.map(
                lambda item: clients[item[0]].list_tags_for_resource(resourceArn=item[1]), listed
            )
            return len(list(tags))

        boto3_pool()  # warm the pool's connections
        times: dict[str, list[float]] = {"pool": [], "omics_magic": []}
        cpu_per_call: list[float] = []
        for _ in range(args.repetitions):
            start = time.perf_counter()
            boto3_pool()
            times["pool"].append(time.perf_counter() - start)
            cpu0, start = time.process_time(), time.perf_counter()
            df = omics_magic.sequence_stores(regions, rate=None, progress=False, cache_ttl=0)
            times["omics_magic"].append(time.perf_counter() - start)
            calls = len(regions) * (1 + (stores - 1) // 100) + len(df)
            cpu_per_call.append((time.process_time() - cpu0) / calls)
        pool.shutdown()
    finally:
        close(fake)
    ours, theirs = _harness.median(times["omics_magic"]), _harness.median(times["pool"])
    per_call = _harness.median(cpu_per_call) * 1000
    print(f"\n## latency-bound: {len(regions)} x {stores} stores, {args.latency * 1000:g} ms\n")
    print(
        table(
            ["boto3 pool (128 threads) s", "omics_magic s", "ratio", "client CPU per call ms"],
            [[theirs, ours, ours / theirs, per_call]],
        )
    )
    print(ratio_line("omics_magic / boto3 pool", ours / theirs, "<= 0.7", ours / theirs <= 0.7))
    return [("latency-bound <= 0.7x pool", ours / theirs <= 0.7)]


_FIRST_QUERY = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
import pandas  # a notebook has it already
regions = json.loads(sys.argv[2])
times = []
for _ in range(2):
    start = time.perf_counter()  # the first includes importing what the query needs
    from omics_magic.sql.run import run_query
    run_query("SELECT * FROM aws.omics.sequence_stores", regions=regions, cache_ttl=0)
    times.append(time.perf_counter() - start)
print(json.dumps(times))
"""


def first_query(args: argparse.Namespace, all_regions: list[str]) -> list[tuple[str, bool]]:
    """A fresh interpreter's first SELECT * against its second (cache off, no quota)."""
    import json
    import subprocess
    from pathlib import Path

    regions = all_regions[: args.latency_regions]
    fake = with_fake(
        {"regions": regions, "stores": 10, "latency": args.latency, "tps": None, "burst": 1}
    )
    extra: list[float] = []
    try:
        env = {**_harness.child_env(), **fake.env, "OMICS_MAGIC_TPS": "0"}
        root = str(Path(__file__).resolve().parent.parent)
        for _ in range(args.repetitions):
            done = subprocess.run(
                [sys.executable, "-c", _FIRST_QUERY, root, json.dumps(regions)],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            first, second = json.loads(done.stdout.strip().splitlines()[-1])
            extra.append(first - second)
    finally:
        close(fake)
    cost = _harness.median(extra)
    print(f"\n## first query: a fresh interpreter, {len(regions)} regions x 10 stores\n")
    print(table(["first - second s (median)"], [[cost]]))
    print(ratio_line("first - second query (s)", cost, "<= 0.25", cost <= 0.25))
    return [("first query <= 0.25 s more", cost <= 0.25)]


def memory(args: argparse.Namespace) -> list[tuple[str, bool]]:
    """Peak memory of SELECT *'s post-fetch (DuckDB and the conversion) over a frame of
    ``--memory-rows`` rows, as RSS sampled every 2 ms above what was there before."""
    import gc
    import threading

    import pandas as pd

    from omics_magic.columns import frame, resolve_columns
    from omics_magic.sql.plan import plan_statement
    from omics_magic.sql.run import execute_plan

    names = resolve_columns(None)
    rows = [
        {
            "region": "us-east-1",
            "arn": f"arn:aws:omics:us-east-1:123456789012:sequenceStore/{i:010d}",
            "creation_time": pd.Timestamp("2024-01-01", tz="UTC"),
            "description": "a store" if i % 2 else None,
            "name": f"store-{i}",
            "fallback_location": None,
            "sequence_store_id": f"{i:010d}",
            "sse_config": {"type": "KMS", "key_arn": None},
            "tags": {"team": "x", "n": str(i % 7)},
        }
        for i in range(args.memory_rows)
    ]
    df = frame(rows, names)
    del rows
    gc.collect()
    size = int(df.memory_usage(deep=True).sum())
    plan = plan_statement(SELECT_ALL)

    def rss() -> int:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    peak, done = [0], threading.Event()

    def watch() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], rss())
            done.wait(0.002)

    base = rss()
    watcher = threading.Thread(target=watch)
    watcher.start()
    start = time.perf_counter()
    execute_plan(plan, lambda request: df, default_regions=["us-east-1"])
    took = time.perf_counter() - start
    done.set()
    watcher.join()
    ratio = (peak[0] - base) / size
    print(f"\n## memory: SELECT * post-fetch over {args.memory_rows:,} rows\n")
    print(
        table(
            ["frame MB", "peak above baseline MB", "peak / frame", "post-fetch s"],
            [[size / 1e6, (peak[0] - base) / 1e6, ratio, took]],
        )
    )
    print(ratio_line("post-fetch peak / frame", ratio, "<= 2", ratio <= 2))
    return [("memory <= 2x the frame", ratio <= 2)]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--part", choices=["grid", "repeat", "latency", "first", "memory", "all"], default="all")
    add("--memory-rows", type=int, default=100_000)
    add("--latency", type=float, default=0.020)
    add("--tps", type=float, default=5.0)
    add("--grid-bursts", type=int, nargs="+", default=[1, 5, 10])
    add("--grid-stores", type=int, nargs="+", default=[10, 100])
    add("--grid-regions", type=int, nargs="+", default=[1, 10])
    add("--repeat-regions", type=int, default=10)
    add("--repeat-stores", type=int, default=100)
    add("--repeat-tps", type=float, default=5.0, help="repeat's quota (0: none, unpaced)")
    add("--repeat-burst", type=int, default=5)
    add("--latency-regions", type=int, default=10)
    add("--latency-stores", type=int, default=500)
    add("--repetitions", type=int, default=3)
    add("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.grid_bursts, args.grid_stores, args.grid_regions = [1, 3], [4], [1]
        args.repeat_regions, args.repeat_stores, args.repeat_tps = 2, 10, 50.0
        args.latency_regions, args.latency_stores, args.repetitions = 2, 20, 1
        args.tps, args.latency, args.memory_rows = 50.0, 0.002, 1000
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    _harness.offline_environment()
    from omics_magic.regions import omics_regions

    all_regions = list(omics_regions())
    print("omics_magic session benchmark; fake OmicsServer on 127.0.0.1 in its own process")
    print(f"machine: {_harness.machine()}; load average {os.getloadavg()[0]:.2f}")
    results: list[tuple[str, bool]] = []
    if args.part in ("grid", "all"):
        results += quota_grid(args, all_regions)
    if args.part in ("repeat", "all"):
        results += repeat(args, all_regions)
    if args.part in ("latency", "all"):
        results += latency_bound(args, all_regions)
    if args.part in ("first", "all"):
        results += first_query(args, all_regions)
    if args.part in ("memory", "all"):
        results += memory(args)
    missed = [name for name, ok in results if not ok]
    print(
        f"\ntargets: {len(results) - len(missed)} PASS, {len(missed)} MISS"
        + (f" ({'; '.join(missed)})" if missed else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
