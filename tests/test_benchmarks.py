"""The benchmark scripts still run: each at its tiny ``--quick`` size, in a fresh process.

Only that they exit 0 and print their ratio lines, with a number and a verdict
each; never their timings (speed belongs in the benchmarks' own output).
"""

from __future__ import annotations

import math
import os
import re
import sys
from pathlib import Path

import pytest

from tests import warm

REPO = Path(__file__).resolve().parents[1]
RATIO = re.compile(
    r"^ratio (?P<name>.+?)\s+=\s+(?P<value>\S+)\s+\(target .*\)\s+(?P<mark>PASS|MISS|info)"
)

SCRIPTS = {
    "accounts.py": (
        ["--quick"],
        [
            "quota-bound/critical path",
            "ceiling calls/s",
            "ceiling CPU per call/botocore floor",
        ],
    ),
    "fetch.py": (
        ["--quick", "--no-awscli"],
        [
            "(a)/(c)",
            "(c)/critical path",
            "(d) ListTagsForResource calls",
            "(c) failed regions",
            "(c) throttled retries, % of calls",
        ],
    ),
    "export.py": (
        ["--quick"],
        ["round trip ours/baseline", "write ours/baseline", "read ours/baseline"],
    ),
    "session.py": (["--quick", "--part", "repeat"], ["repeat AWS calls", "fetch / repeat"]),
    "read_sets.py": (["--quick"], ["(c)/critical path", "(a)/(c)"]),
    "load.py": (
        ["--quick"],
        [
            "%load_ext beyond pandas, s",
            "heavy modules loaded by %load_ext",
            "first query overhead, s",
        ],
    ),
}


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_benchmark_runs_and_prints_its_ratios(script: str) -> None:
    flags, expected = SCRIPTS[script]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = warm.run(  # a real process, forked warm (tests/warm.py)
        [sys.executable, str(REPO / "benchmarks" / script), *flags],
        text=True,
        env=env,
        cwd=REPO,
        timeout=180,
    )
    assert done.returncode == 0, f"{script} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    ratios = {}
    for line in done.stdout.splitlines():
        match = RATIO.match(line)
        if match:
            ratios[match["name"].strip()] = float(match["value"])
    missing = [name for name in expected if name not in ratios]
    assert not missing, f"{script} printed no ratio line for {missing}:\n{done.stdout}"
    assert all(math.isfinite(ratios[name]) for name in expected), ratios
    assert re.search(r"^targets: \d+ PASS, \d+ MISS", done.stdout, re.MULTILINE), done.stdout


def test_critical_path_follows_the_fakes_token_bucket() -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from _bounds import concurrency_bound, critical_path
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    # One page, then 10 tag calls: 2 at once (the burst), then one every 0.2 s.
    assert critical_path(10, latency=0.02, tps=5, burst=2, tags=True) == pytest.approx(1.64)
    assert critical_path(10, latency=0.02, tps=5, burst=2, tags=False) == pytest.approx(0.02)
    # No quota: the page, then every tag call at once.
    assert critical_path(50, latency=0.02, tps=None, burst=1, tags=True) == pytest.approx(0.04)
    # 250 stores = 3 pages at 5 TPS with no burst: pages 0.2 s apart, and the
    # 250 tag calls, pipelined behind them, one every 0.2 s from 0.04 s.
    assert critical_path(250, latency=0.02, tps=5, burst=1, tags=True) == pytest.approx(
        0.04 + 249 * 0.2
    )
    assert concurrency_bound(10, 50, latency=0.02, concurrency=128) == pytest.approx(0.1)


def test_the_read_sets_critical_path_follows_the_fakes_token_bucket() -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from _bounds import children_critical_path
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    # Issue 16's region: the store page, then 50 ListReadSets pages at 5 TPS, 2 at once.
    assert children_critical_path(5, 1000, latency=0.02, tps=5, burst=2) == pytest.approx(
        0.02 + 0.02 + 48 / 5
    )
    # No quota: each store's 3 pages in sequence, the stores side by side.
    assert children_critical_path(4, 250, latency=0.02, tps=None, burst=1) == pytest.approx(
        0.02 + 3 * 0.02
    )
    # One store: its 10 pages can't overlap, however generous the quota.
    assert children_critical_path(1, 1000, latency=0.1, tps=1000, burst=100) == pytest.approx(
        0.1 + 10 * 0.1
    )
