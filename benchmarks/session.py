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
from _harness import ratio_line, table, targets_line

SELECT_ALL = "SELECT * FROM aws.omics.sequence_stores"
SELECT_READ_SETS = "SELECT * FROM aws.omics.read_sets"


def fresh_state() -> None:
    from omics_magic import clear_cache
    from omics_magic.aws.pacing import forget_pacers

    forget_pacers()
    clear_cache()


def run_select_all(
    regions: list[str], env: dict[str, str] | None = None, sql: str = SELECT_ALL, **kwargs: Any
) -> tuple[float, float, int]:
    """(seconds, client CPU seconds, rows) of one SELECT *, with ``env`` set meanwhile."""
    from omics_magic.sql.run import run_query

    os.environ.update(env or {})
    try:
        cpu0, start = time.process_time(), time.perf_counter()
        df = run_query(sql, regions=regions, progress=False, **kwargs)
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
    """SELECT * of stores, then of their read sets, each then again within the TTL."""
    regions = all_regions[: args.repeat_regions]
    fake = with_fake(
        {
            "regions": regions,
            "stores": args.repeat_stores,
            "read_sets_per_store": args.repeat_read_sets,
            "latency": args.latency,
            "tps": args.repeat_tps or None,
            "burst": args.repeat_burst,
        }
    )
    found = []
    try:
        env = {} if args.repeat_tps else {"OMICS_MAGIC_TPS": "0"}
        run_select_all(regions[:1], env, cache_ttl=0)  # warm-up
        fresh_state()
        for sql in (SELECT_ALL, SELECT_READ_SETS):
            fresh_state()
            first, _, n = run_select_all(regions, env, sql)
            fake.reset()
            again, _, _ = run_select_all(regions, env, sql)
            calls = sum(fake.stats()[0].values())
            found.append([sql.split()[-1], n, first, again, calls, first / again])
    finally:
        close(fake)
    quota = f"{args.repeat_tps:g} TPS, burst {args.repeat_burst}" if args.repeat_tps else "none"
    print(f"\n## repeat: SELECT * (quota: {quota}), then again within the TTL\n")
    print(
        table(
            ["table", "rows", "fetch s", "repeat s", "AWS calls in the repeat", "fetch / repeat"],
            found,
        )
    )
    stores, read_sets = found
    print(ratio_line("repeat AWS calls", stores[4], "0", stores[4] == 0))
    print(ratio_line("fetch / repeat", stores[5], ">= 20", stores[5] >= 20))
    print(ratio_line("read sets: repeat AWS calls", read_sets[4], "0", read_sets[4] == 0))
    return [
        ("repeat: 0 calls", stores[4] == 0),
        ("repeat: >= 20x", stores[5] >= 20),
        ("read sets repeat: 0 calls", read_sets[4] == 0),
    ]


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
if sys.argv[3] == "preimported":  # the libraries a notebook may well have imported already
    import boto3, botocore.session, duckdb, pyarrow, sqlglot  # noqa: F401
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
    extra: dict[str, list[float]] = {"imports included": [], "preimported": []}
    try:
        env = {**_harness.child_env(), **fake.env, "OMICS_MAGIC_TPS": "0"}
        root = str(Path(__file__).resolve().parent.parent)
        for _ in range(args.repetitions):
            for mode, costs in extra.items():
                done = subprocess.run(
                    [sys.executable, "-c", _FIRST_QUERY, root, json.dumps(regions), mode],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                first, second = json.loads(done.stdout.strip().splitlines()[-1])
                costs.append(first - second)
    finally:
        close(fake)
    included = _harness.median(extra["imports included"])
    preimported = _harness.median(extra["preimported"])
    print(f"\n## first query: a fresh interpreter, {len(regions)} regions x 10 stores\n")
    print(
        table(
            ["first - second s, imports included", "boto3/duckdb/sqlglot/pyarrow imported before"],
            [[included, preimported]],
        )
    )
    print(ratio_line("first - second query (s)", included, "<= 0.25", included <= 0.25))
    print(ratio_line("  ... libraries imported", preimported, "<= 0.25", preimported <= 0.25))
    return [
        ("first query <= 0.25 s more", included <= 0.25),
        ("first query <= 0.25 s more, libraries imported", preimported <= 0.25),
    ]


def memory(args: argparse.Namespace) -> list[tuple[str, bool]]:
    """Peak memory of SELECT *'s post-fetch (DuckDB and the conversion) over a frame of
    ``--memory-rows`` rows, as RSS sampled every 2 ms above what was there before.

    Each run is its own fresh interpreter: "cold" is a process's first query
    (DuckDB's library and the sandbox's first connection, ~40 MB once per
    process, count in its peak); "warm" runs a 1,000-row query first.
    """
    import json
    import subprocess

    if args.memory_child:
        print(json.dumps(_memory_child(args.memory_rows, warm=args.memory_child == "warm")))
        return []
    found = {}
    for mode in ("cold", "warm"):
        done = subprocess.run(
            [sys.executable, __file__, "--part", "memory", "--memory-child", mode]
            + ["--memory-rows", str(args.memory_rows)],
            capture_output=True,
            text=True,
            check=True,
        )
        found[mode] = json.loads(done.stdout.strip().splitlines()[-1])
    cold, warm = found["cold"], found["warm"]
    print(f"\n## memory: SELECT * post-fetch over {args.memory_rows:,} rows\n")
    print(
        table(
            ["run", "frame MB", "peak above baseline MB", "peak / frame", "post-fetch s"],
            [["cold (first query)", *cold], ["warm (DuckDB loaded)", *warm]],
        )
    )
    print(ratio_line("post-fetch peak / frame, warm", warm[2], "<= 2", warm[2] <= 2))
    print(ratio_line("  ... cold, DuckDB's load included", cold[2], "<= 2", cold[2] <= 2))
    return [("memory <= 2x the frame (warm)", warm[2] <= 2)]


def _memory_child(rows: int, *, warm: bool) -> list[float]:
    from omics_magic.columns import frame, resolve_columns
    from omics_magic.sql.plan import plan_statement
    from omics_magic.sql.run import execute_plan

    plan = plan_statement(SELECT_ALL)
    if warm:
        small = frame([_memory_row(i) for i in range(1000)], resolve_columns(None))
        execute_plan(plan, lambda request: small, default_regions=["us-east-1"])
    df = frame([_memory_row(i) for i in range(rows)], resolve_columns(None))
    return list(_post_fetch_peak(plan, df))


def _memory_row(i: int) -> dict[str, Any]:
    import pandas as pd

    return {
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


def _post_fetch_peak(plan: Any, df: Any) -> tuple[float, float, float, float]:
    """(frame MB, peak RSS above the baseline MB, peak / frame, seconds) of one post-fetch."""
    import gc
    import threading

    from omics_magic.sql.run import execute_plan

    gc.collect()
    size = int(df.memory_usage(deep=True).sum())

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
    result = execute_plan(plan, lambda request: df, default_regions=["us-east-1"])
    took = time.perf_counter() - start
    done.set()
    watcher.join()
    del result
    return size / 1e6, (peak[0] - base) / 1e6, (peak[0] - base) / size, took


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--part", choices=["grid", "repeat", "latency", "first", "memory", "all"], default="all")
    add("--memory-rows", type=int, default=100_000)
    add("--memory-child", choices=["cold", "warm"], help=argparse.SUPPRESS)
    add("--latency", type=float, default=0.020)
    add("--tps", type=float, default=5.0)
    add("--grid-bursts", type=int, nargs="+", default=[1, 5, 10])
    add("--grid-stores", type=int, nargs="+", default=[10, 100])
    add("--grid-regions", type=int, nargs="+", default=[1, 10])
    add("--repeat-regions", type=int, default=10)
    add("--repeat-stores", type=int, default=100)
    add("--repeat-tps", type=float, default=5.0, help="repeat's quota (0: none, unpaced)")
    add("--repeat-burst", type=int, default=5)
    add("--repeat-read-sets", type=int, default=2, help="read sets per store in the repeat")
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
    if args.memory_child:  # one measurement, in its own interpreter (see memory())
        memory(args)
        return 0
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
    print(targets_line(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
