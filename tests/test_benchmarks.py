"""The benchmark scripts still run: each at its tiny ``--quick`` size, in a fresh process.

Only that they exit 0 and print their ratio lines, with a number and a verdict
each; never their timings (speed belongs in the benchmarks' own output).
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
RATIO = re.compile(
    r"^ratio (?P<name>.+?)\s+=\s+(?P<value>\S+)\s+\(target .*\)\s+(?P<mark>PASS|MISS|info)"
)

SCRIPTS = {
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
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / script), *flags],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=180,
        check=False,
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
