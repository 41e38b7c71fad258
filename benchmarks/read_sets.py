"""Read-sets benchmark: every read set of every store of every region, on the fake.

The fake (``OmicsServer`` in its own process, see ``_fake_process.py``) holds
``--regions`` regions x ``--stores`` stores x ``--read-sets`` read sets
(default 4 x 5 x 1,000, issue #16), meters every (region, operation) with its
own token bucket (``--tps``, ``--burst``), as AWS does, and takes
``--latency`` per request. Two contenders, run in turn (the order alternating
each repetition), medians of ``--repetitions``:

- (a) the loop a user writes: per region ``boto3.client("omics")``, the
  ``list_sequence_stores`` paginator, then per store the ``list_read_sets``
  paginator (100 a page). boto3's default retries give up on a throttled call
  after 3 attempts, so the loop is given 10 (``--loop-attempts``): a run that
  fails anyway is reported and left out of its times.
- (c) ``omics_magic.run_query("SELECT * FROM aws.omics.read_sets")`` at its
  defaults (paced at AWS's 5 TPS), with the session's result cache off
  (``cache_ttl=0``) so that every repetition reads the fake.

Targets: (c) within 1.25x of the critical path (per region: the store
listing, then its ListReadSets pages, one store's pages in sequence, at the
quota; ``_bounds.children_critical_path``), and (a)/(c) >= 3.

``python benchmarks/read_sets.py --help`` lists the flags; ``--quick`` is a
tiny smoke run. Run it by hand, on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from typing import Any

import _harness
from _bounds import children_critical_path
from _fake_process import LIST, LIST_READ_SETS, FakeProcess
from _harness import median, ratio_line, table, targets_line

Calls = Counter  # (operation, status, error code) -> answers


def boto3_loop(regions: list[str], attempts: int) -> tuple[int, str]:
    """(a) What a user writes today: (rows, first error or "")."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    config = Config(retries={"mode": "standard", "max_attempts": attempts})
    rows = 0
    try:
        for region in regions:
            client = boto3.client("omics", region_name=region, config=config)
            for page in client.get_paginator("list_sequence_stores").paginate():
                for store in page["sequenceStores"]:
                    pages = client.get_paginator("list_read_sets").paginate(
                        sequenceStoreId=store["id"], PaginationConfig={"PageSize": 100}
                    )
                    rows += sum(len(p["readSets"]) for p in pages)
    except (BotoCoreError, ClientError) as err:  # the loop stops: the run failed
        return rows, type(err).__name__ + ": " + str(err)[:80]
    return rows, ""


def omics_magic_query(regions: list[str]) -> tuple[int, str]:
    """(c) The issue's statement, at omics_magic's defaults: (rows, failures or "")."""
    import warnings

    import omics_magic

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", omics_magic.RegionFailureWarning)  # counted below
        df = omics_magic.run_query(  # cache_ttl=0: every run from the fake, none from the cache
            "SELECT * FROM aws.omics.read_sets", regions=regions, progress=False, cache_ttl=0
        )
    errors = df.attrs.get("omics_errors", [])
    return len(df), "; ".join(f"{e['region']}: {e['code']}" for e in errors)[:100]


def warm_up(regions: list[str]) -> None:
    """One small query and one boto3 call first, so that neither contender pays the imports."""
    import boto3

    import omics_magic

    omics_magic.run_query(
        "SELECT name FROM aws.omics.sequence_stores", regions=regions, cache_ttl=0
    )
    boto3.client("omics", region_name=regions[0]).list_sequence_stores(maxResults=1)


def timed(run: Any, fake: FakeProcess) -> dict[str, Any]:
    fake.reset()
    cpu0, start = time.process_time(), time.perf_counter()
    rows, error = run()
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu0
    calls, _ = fake.stats()
    return {"seconds": seconds, "cpu": cpu, "rows": rows, "error": error, "calls": calls}


def answered(calls: Calls[tuple[str, int, str]], operation: str) -> int:
    return sum(n for (op, status, _), n in calls.items() if op == operation and status < 400)


def throttled(calls: Calls[tuple[str, int, str]]) -> int:
    return sum(n for (_, status, _), n in calls.items() if status == 429)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="every read set of every store and region, on the fake (see the docstring)"
    )
    add = parser.add_argument
    add("--regions", type=int, default=4)
    add("--stores", type=int, default=5, help="stores per region")
    add("--read-sets", type=int, default=1000, help="read sets per store")
    add("--latency", type=float, default=0.020, help="seconds added to every request")
    add("--tps", type=float, default=5.0, help="requests/s per region and operation")
    add("--burst", type=float, default=2.0, help="token bucket size")
    add("--repetitions", type=int, default=3)
    add("--loop-attempts", type=int, default=10, help="(a)'s botocore max_attempts")
    add("--quick", action="store_true", help="tiny smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        args.regions, args.stores, args.read_sets = 2, 2, 150
        args.latency, args.tps, args.repetitions = 0.002, 50.0, 1
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    _harness.offline_environment()
    from omics_magic.aws.clients import clear_cache
    from omics_magic.regions import omics_regions

    regions = list(omics_regions())[: args.regions]
    print("omics_magic read-sets benchmark; fake OmicsServer on 127.0.0.1 in its own process")
    print(f"machine: {_harness.machine()}")
    config = {
        "regions": regions,
        "stores": args.stores,
        "read_sets_per_store": args.read_sets,
        "latency": args.latency,
        "tps": args.tps,
        "burst": args.burst,
    }
    fake = FakeProcess(config)
    saved = dict(os.environ)
    os.environ.update(fake.env)
    contenders = {
        "(a) boto3 loop": lambda: boto3_loop(regions, args.loop_attempts),
        "(c) omics_magic": lambda: omics_magic_query(regions),
    }
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in contenders}
    try:
        clear_cache()
        warm_up(regions)  # imports (sqlglot, duckdb, boto3) and clients: not what is measured
        for repetition in range(args.repetitions):
            order = list(contenders) if repetition % 2 == 0 else list(reversed(contenders))
            for name in order:
                runs[name].append(timed(contenders[name], fake))
    finally:
        os.environ.clear()
        os.environ.update(saved)
        fake.close()
        clear_cache()

    expected = args.regions * args.stores * args.read_sets
    bound = children_critical_path(
        args.stores, args.read_sets, latency=args.latency, tps=args.tps, burst=args.burst
    )
    rows, seconds = [], {}
    for name, done in runs.items():
        good = [r for r in done if not r["error"] and r["rows"] == expected]
        seconds[name] = median(r["seconds"] for r in good)
        last = done[-1]["calls"]
        rows.append(
            [
                name,
                seconds[name],
                min((r["seconds"] for r in good), default=float("nan")),
                median(r["cpu"] for r in good),
                f"{len(good)}/{len(done)}",
                answered(last, LIST),
                answered(last, LIST_READ_SETS),
                throttled(last),
            ]
        )
    headers = ["contender", "median s", "min s", "client CPU s", "complete runs"]
    print(table([*headers, "List", "ListReadSets", "429s"], rows))
    shape = f"{args.regions} regions x {args.stores} stores x {args.read_sets} read sets"
    print(f"\n{shape}; {args.latency * 1000:g} ms, {args.tps:g} TPS, burst {args.burst:g}")
    print(f"critical path T* = {bound:.3f} s per region (all regions at once)")
    for name, done in runs.items():
        for r in done:
            if r["error"] or r["rows"] != expected:
                print(f"{name}: a run gave {r['rows']}/{expected} rows: {r['error'] or '?'}")
    ours, loop = seconds["(c) omics_magic"], seconds["(a) boto3 loop"]
    complete = all(not r["error"] and r["rows"] == expected for r in runs["(c) omics_magic"])
    verdicts = []
    ratio = ours / bound
    ok = ratio <= 1.25 and complete
    print(ratio_line("(c)/critical path", ratio, "<= 1.25", ok))
    verdicts.append(("(c)/critical path", ok))
    speedup = loop / ours
    ok = speedup >= 3 and complete
    print(ratio_line("(a)/(c)", speedup, ">= 3", ok))
    verdicts.append(("(a)/(c)", ok))
    ideal_loop = args.regions * bound  # a loop that never waits longer than the quota asks
    print(ratio_line("(a)/(a)'s own bound", loop / ideal_loop, "-", None, "regions in turn"))
    print(targets_line(verdicts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
