"""Accounts benchmark: omics_magic over several accounts at once, on the fake.

The fake (``OmicsServer`` in its own process, see ``_fake_process.py``) holds
``--accounts`` accounts, each with ``--stores`` stores in each of
``--regions`` regions, and meters every (account, region, operation) with its
own token bucket (``--tps``, ``--burst``), as AWS does; every request takes
``--latency``. The client reaches each account through its own profile (an
AWS config file written here: one profile per account, the fake's keys).

Two scenarios:

- quota-bound (``--accounts`` x ``--regions`` x ``--stores``, default
  5 x 4 x 20, tags included): every account-region is limited by its own
  quota, so the whole fetch should take about as long as one account-region's
  critical path (``_bounds.critical_path``), however many accounts there are.
  Target: within 1.25x of it.
- client ceiling (``--ceiling-accounts`` x ``--ceiling-regions`` x
  ``--ceiling-stores``, default 100 x 10 x 10, tags included: 10,000
  ListTagsForResource calls): the quotas allow far more than one process
  can send, so this measures the client. Reported: calls per second, client
  CPU per call, and that CPU against botocore's own floor (one warm client,
  one call at a time: ``calibrate``). No target: the figures say what bounds it.

``python benchmarks/accounts.py --help`` lists the flags; ``--quick`` is a tiny
smoke run. Run it by hand, on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from typing import Any

import _harness
from _bounds import critical_path
from _fake_process import TAGS, FakeProcess
from _harness import median, ratio_line, table, targets_line

FIRST_ACCOUNT = 100000000000  # account IDs: 100000000000, 100000000001, ...


def account_ids(n: int) -> list[str]:
    return [str(FIRST_ACCOUNT + i) for i in range(n)]


def write_profiles(accounts: list[str], path: str) -> list[str]:
    """One profile per account with the keys the fake derives for it (the same in its process)."""
    from omics_magic.testing import OmicsBackend

    backend = OmicsBackend()
    names = []
    for account in accounts:
        names.append(backend.add_account(account, profile=f"acct-{account}").profile)
    backend.write_aws_config(path)
    return names


def fetch(regions: list[str], profiles: list[str]) -> tuple[int, int, float, float]:
    """One omics_magic fetch: (rows, failures, wall seconds, client CPU seconds)."""
    import omics_magic

    cpu0, start = time.process_time(), time.perf_counter()
    df = omics_magic.sequence_stores(
        regions, profiles=profiles, columns=["account_id", "region", "name", "tags"]
    )
    return (
        len(df),
        len(df.attrs.get("omics_errors") or []),
        time.perf_counter() - start,
        time.process_time() - cpu0,
    )


def calibrate(env_profile: str, region: str, calls: int = 60) -> float:
    """CPU seconds one ListTagsForResource costs on a warm client, one call at a time."""
    import boto3

    client = boto3.Session(profile_name=env_profile).client("omics", region_name=region)
    arn = client.list_sequence_stores(maxResults=1)["sequenceStores"][0]["arn"]
    client.list_tags_for_resource(resourceArn=arn)
    start = time.process_time()
    for _ in range(calls):
        client.list_tags_for_resource(resourceArn=arn)
    return (time.process_time() - start) / calls


def scenario(
    args: argparse.Namespace, name: str, n_accounts: int, n_regions: int, stores: int
) -> dict[str, Any]:
    from omics_magic.aws.clients import clear_cache
    from omics_magic.regions import omics_regions

    accounts = account_ids(n_accounts)
    regions = list(omics_regions())[:n_regions]
    config = {
        "regions": regions,
        "stores": stores,
        "latency": args.latency,
        "tps": args.tps,
        "burst": args.burst,
        "accounts": accounts,
    }
    fake = FakeProcess(config)
    with tempfile.TemporaryDirectory() as home:
        path = os.path.join(home, "config")
        profiles = write_profiles(accounts, path)
        saved = dict(os.environ)
        os.environ.update(fake.env)
        os.environ["AWS_CONFIG_FILE"] = path
        for name_ in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            os.environ[name_] = fake.env.get(name_, os.environ[name_])
        try:
            clear_cache()
            runs = []
            for _ in range(args.repetitions):
                fake.reset()
                rows, failed, seconds, cpu = fetch(regions, profiles)
                calls, fake_cpu = fake.stats()
                runs.append((rows, failed, seconds, cpu, calls))
            fake.unmetered()
            floor = calibrate(profiles[0], regions[0])
        finally:
            os.environ.clear()
            os.environ.update(saved)
            fake.close()
            clear_cache()
    answered = [sum(n for (op, status, _), n in c.items() if status == 200) for *_, c in runs]
    throttled = [sum(n for (_, status, _), n in c.items() if status == 429) for *_, c in runs]
    tags = [sum(n for (op, _, _), n in c.items() if op == TAGS) for *_, c in runs]
    return {
        "name": name,
        "shape": f"{n_accounts} x {n_regions} x {stores}",
        "rows": runs[-1][0],
        "expected_rows": n_accounts * n_regions * stores,
        "failed": max(r[1] for r in runs),
        "seconds": median(r[2] for r in runs),
        "cpu": median(r[3] for r in runs),
        "calls": median(answered),
        "throttled": median(throttled),
        "tag_calls": median(tags),
        "floor": floor,
        "bound": critical_path(
            stores, latency=args.latency, tps=args.tps, burst=args.burst, tags=True
        ),
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="omics_magic across accounts on the fake (see the module docstring)"
    )
    add = parser.add_argument
    add("--accounts", type=int, default=5, help="quota-bound: accounts")
    add("--regions", type=int, default=4, help="quota-bound: regions per account")
    add("--stores", type=int, default=20, help="quota-bound: stores per account-region")
    add("--ceiling-accounts", type=int, default=100)
    add("--ceiling-regions", type=int, default=10)
    add("--ceiling-stores", type=int, default=10)
    add("--latency", type=float, default=0.020, help="seconds added to every request")
    add("--tps", type=float, default=5.0, help="requests/s per account, region and operation")
    add("--burst", type=float, default=2.0, help="token bucket size")
    add("--repetitions", type=int, default=3)
    add("--scenario", choices=["quota", "ceiling", "both"], default="both")
    add("--quick", action="store_true", help="tiny smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        args.accounts, args.regions, args.stores = 2, 2, 3
        args.ceiling_accounts, args.ceiling_regions, args.ceiling_stores = 3, 2, 2
        args.latency, args.tps, args.repetitions = 0.002, 50.0, 1
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    _harness.offline_environment()
    print("omics_magic accounts benchmark; fake OmicsServer on 127.0.0.1 in its own process")
    print(f"machine: {_harness.machine()}")
    results = []
    if args.scenario in ("quota", "both"):
        results.append(scenario(args, "quota-bound", args.accounts, args.regions, args.stores))
    if args.scenario in ("ceiling", "both"):
        results.append(
            scenario(
                args,
                "client ceiling",
                args.ceiling_accounts,
                args.ceiling_regions,
                args.ceiling_stores,
            )
        )
    rows = [
        [
            r["name"],
            r["shape"],
            f"{r['rows']}/{r['expected_rows']}",
            r["failed"],
            r["seconds"],
            r["bound"],
            r["calls"],
            r["throttled"],
            r["calls"] / r["seconds"],
            1000 * r["cpu"] / max(r["calls"], 1),
            1000 * r["floor"],
        ]
        for r in results
    ]
    headers = [
        "scenario",
        "accounts x regions x stores",
        "rows",
        "failures",
        "wall s",
        "critical path s",
        "calls",
        "429s",
        "calls/s",
        "client CPU ms/call",
        "botocore floor ms/call",
    ]
    print(table(headers, rows))
    verdicts = []
    for r in results:
        complete = r["rows"] == r["expected_rows"] and r["failed"] == 0
        if r["name"] == "quota-bound":
            ratio = r["seconds"] / r["bound"]
            ok = ratio <= 1.25 and complete
            print(ratio_line("quota-bound/critical path", ratio, "<= 1.25", ok))
            verdicts.append(("quota-bound/critical path", ok))
        else:
            print(ratio_line("ceiling calls/s", r["calls"] / r["seconds"], "-", None))
            cpu_ratio = r["cpu"] / max(r["calls"], 1) / r["floor"]
            print(ratio_line("ceiling CPU per call/botocore floor", cpu_ratio, "-", None))
            print(ratio_line("ceiling wall/critical path", r["seconds"] / r["bound"], "-", None))
            print(
                ratio_line(
                    "ceiling client CPU/wall", r["cpu"] / r["seconds"], "-", None, "~1: CPU-bound"
                )
            )
            if not complete:
                verdicts.append(("ceiling complete", False))
    print(targets_line(verdicts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
