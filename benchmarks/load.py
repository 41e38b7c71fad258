"""Load benchmark: ``%load_ext omics_magic`` beyond ``import pandas``, and the first query.

1. ``%load_ext``: fresh interpreters, alternating two kinds, ``--runs`` of
   each (medians). Both build an IPython shell first (a notebook has one).
   One times ``import pandas`` alone; the other ``import pandas`` plus
   ``%load_ext omics_magic``, with ``time.perf_counter`` inside the child
   around both and around the ``import pandas`` part. The cost beyond pandas
   (the target) is the median, over the second kind, of (both - pandas part)
   in the same child: robust on a busy machine, where ``import pandas`` alone
   varies by more than the whole cost being measured. The difference of the
   two kinds' medians is printed as a cross-check. The second kind
   also reports which packages ``%load_ext`` imported (``sys.modules`` before
   and after) and whether the heavy ones (boto3, botocore, duckdb, sqlglot)
   stayed unloaded.
2. The first query, in fresh interpreters, on the in-process fake with zero
   latency and pacing off (``OMICS_MAGIC_TPS=0``): ``run_query`` timed by
   stage (import of the query modules, parse+plan, the fetch, DuckDB, frame
   building), against the same fetch called directly as the first call of
   another fresh interpreter. The overhead is what the query adds to its
   fetch.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from typing import Any

import _harness
from _harness import median, ratio_line, table, targets_line

HEAVY = ("boto3", "botocore", "duckdb", "sqlglot")
SQL = "SELECT * FROM aws.omics.sequence_stores"
PACING_ENV = (
    "OMICS_MAGIC_TPS"  # omics_magic.aws.pacing.RATE_ENV (not imported: children time imports)
)


# -- children ---------------------------------------------------------------------------------


def child_pandas() -> dict[str, Any]:
    from IPython.core.interactiveshell import InteractiveShell

    InteractiveShell.instance()
    start = time.perf_counter()
    import pandas  # noqa: F401

    return {"pandas": time.perf_counter() - start}


def child_load() -> dict[str, Any]:
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    start = time.perf_counter()
    import pandas  # noqa: F401

    after_pandas = time.perf_counter()
    before = set(sys.modules)
    shell.run_line_magic("load_ext", "omics_magic")
    end = time.perf_counter()
    new = sorted({name.split(".")[0] for name in set(sys.modules) - before})
    return {
        "total": end - start,
        "pandas": after_pandas - start,
        "load_ext": end - after_pandas,
        "new_packages": new,
        "heavy_loaded": [name for name in HEAVY if name in sys.modules],
        "magic_registered": "omics" in shell.magics_manager.magics["cell"],
    }


def child_query(regions: list[str], stores: int) -> dict[str, Any]:
    """The first query, timed by stage (wrappers around the query module's own steps)."""
    os.environ[PACING_ENV] = "0"  # no quota on this fake; this measures overhead, not pacing
    import omics_magic
    from omics_magic.testing import mock_omics

    timings: dict[str, float] = {}

    def wrap(module: Any, name: str, stage: str) -> None:
        original = getattr(module, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start

        setattr(module, name, timed)

    with mock_omics() as backend:
        backend.seed(regions, stores)
        start = time.perf_counter()
        import omics_magic.sql.run as query  # sqlglot and the planner: the first query's import

        timings["import query modules"] = time.perf_counter() - start
        start = time.perf_counter()
        import omics_magic.fetch.engine as fetch  # what a direct fetch imports too

        timings["import fetch modules"] = time.perf_counter() - start
        wrap(query, "plan_statement", "parse + plan")
        wrap(query, "execute_plan", "execute")
        wrap(query, "to_pandas", "frame building")
        wrap(fetch, "fetch_frame", "fetch")
        start = time.perf_counter()
        df = omics_magic.run_query(SQL, regions=regions)
        timings["run_query"] = time.perf_counter() - start
        first = dict(timings)
        timings.clear()
        start = time.perf_counter()
        omics_magic.run_query(SQL, regions=regions)
        timings["run_query"] = time.perf_counter() - start
        return {"first": first, "second": dict(timings), "rows": len(df)}


def child_fetch(regions: list[str], stores: int) -> dict[str, Any]:
    os.environ[PACING_ENV] = "0"
    import omics_magic
    from omics_magic.testing import mock_omics

    with mock_omics() as backend:
        backend.seed(regions, stores)
        start = time.perf_counter()
        import omics_magic.fetch.engine  # noqa: F401

        df = omics_magic.sequence_stores(regions, progress=False)
        first = time.perf_counter() - start
        start = time.perf_counter()
        omics_magic.sequence_stores(regions, progress=False)
        return {"first": first, "second": time.perf_counter() - start, "rows": len(df)}


def run_child(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            kind,
            "--child-regions",
            ",".join(args.region_names),
            "--stores",
            str(args.stores),
        ],
        capture_output=True,
        text=True,
        env=_harness.child_env(),
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{kind} child failed: {done.stderr.strip()[-800:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# -- main -------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> None:
    print("omics_magic load benchmark (fresh interpreters)")
    print(f"machine: {_harness.machine()}")

    pandas_runs: list[dict[str, Any]] = []
    load_runs: list[dict[str, Any]] = []
    for rep in range(args.runs):
        kinds = ["pandas", "load"] if rep % 2 == 0 else ["load", "pandas"]
        for kind in kinds:
            (pandas_runs if kind == "pandas" else load_runs).append(run_child(kind, args))
    pandas_alone = median(r["pandas"] for r in pandas_runs)
    with_load = median(r["total"] for r in load_runs)
    in_process = median(r["load_ext"] for r in load_runs)
    beyond = in_process  # same-child difference: see the module docstring
    across = with_load - pandas_alone
    print(f"\n== %load_ext omics_magic: {args.runs} fresh interpreters of each kind")
    print(
        table(
            ["measure", "median s", "min s", "max s"],
            [
                [
                    "import pandas (alone)",
                    pandas_alone,
                    min(r["pandas"] for r in pandas_runs),
                    max(r["pandas"] for r in pandas_runs),
                ],
                [
                    "import pandas + %load_ext omics_magic",
                    with_load,
                    min(r["total"] for r in load_runs),
                    max(r["total"] for r in load_runs),
                ],
                [
                    "%load_ext beyond pandas (same child)",
                    in_process,
                    min(r["load_ext"] for r in load_runs),
                    max(r["load_ext"] for r in load_runs),
                ],
            ],
        )
    )
    last = load_runs[-1]
    heavy = sorted({name for r in load_runs for name in r["heavy_loaded"]})
    print(f"   packages %load_ext imported: {', '.join(last['new_packages']) or 'none'}")
    print(
        f"   heavy modules loaded by %load_ext: {', '.join(heavy) or 'none'} "
        f"(watched: {', '.join(HEAVY)})"
    )
    print(f"   magic registered: {all(r['magic_registered'] for r in load_runs)}")
    print(
        f"   cross-check, difference of the medians of the two kinds: {across:.3f} s "
        "(noisy: import pandas alone varies run to run)"
    )

    query_runs: list[dict[str, Any]] = []
    fetch_runs: list[dict[str, Any]] = []
    for rep in range(args.query_runs):
        kinds = ["query", "fetch"] if rep % 2 == 0 else ["fetch", "query"]
        for kind in kinds:
            (query_runs if kind == "query" else fetch_runs).append(run_child(kind, args))
    print(
        f"\n== first query: {SQL!r} over {args.regions} regions x {args.stores} stores, "
        f"in-process fake, zero latency, pacing off; {args.query_runs} fresh interpreters "
        "of each kind"
    )
    columns: dict[str, list[float]] = {"first": [], "second": []}
    for which in ("first", "second"):
        runs = [r[which] for r in query_runs]
        imports = [
            r.get("import query modules", 0.0) + r.get("import fetch modules", 0.0) for r in runs
        ]
        stages = {
            "import query modules (sqlglot, planner)": [
                r.get("import query modules", 0.0) for r in runs
            ],
            "import fetch modules": [r.get("import fetch modules", 0.0) for r in runs],
            "parse + plan": [r["parse + plan"] for r in runs],
            "fetch (boto3, clients, calls)": [r["fetch"] for r in runs],
            "DuckDB (import, sandbox, bind, run)": [
                r["execute"] - r["fetch"] - r["frame building"] for r in runs
            ],
            "frame building (Arrow to pandas)": [r["frame building"] for r in runs],
            "other (regions, session, warnings)": [
                r["run_query"] - r["parse + plan"] - r["execute"] for r in runs
            ],
            "run_query total, with its imports": [
                r["run_query"] + i for r, i in zip(runs, imports, strict=True)
            ],
            "the same fetch, direct, with its imports": [r[which] for r in fetch_runs],
        }
        columns[which].extend(median(values) for values in stages.values())
        total = median(stages["run_query total, with its imports"])
        columns[which].append(total - median(stages["the same fetch, direct, with its imports"]))
    names = [*stages, "overhead = run_query - direct fetch"]
    rows = [[name, columns["first"][i], columns["second"][i]] for i, name in enumerate(names)]
    print(table(["stage", "first query s", "second query s"], rows))
    print(
        "   direct fetch: omics_magic.sequence_stores() as the first (then second) call of "
        "another fresh interpreter"
    )
    overhead_first, overhead_second = columns["first"][-1], columns["second"][-1]
    print("ratios:")
    print(ratio_line("%load_ext beyond pandas, s", beyond, "< 0.3 s", beyond < 0.3))
    print(
        ratio_line(
            "heavy modules loaded by %load_ext", float(len(heavy)), "0", not heavy, ", ".join(heavy)
        )
    )
    print(
        ratio_line(
            "first query overhead, s",
            overhead_first,
            "-",
            None,
            "run_query (with its imports) minus the direct fetch",
        )
    )
    print(ratio_line("second query overhead, s", overhead_second, "-", None))
    print(targets_line([("load time", beyond < 0.3), ("lazy imports", not heavy)]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="omics_magic load benchmark")
    parser.add_argument("--runs", type=int, default=7, help="fresh interpreters of each kind")
    parser.add_argument("--query-runs", type=int, default=3, help="fresh interpreters, query")
    parser.add_argument("--regions", type=int, default=3, help="regions for the first query")
    parser.add_argument("--stores", type=int, default=20, help="stores per region")
    parser.add_argument("--quick", action="store_true", help="tiny smoke run")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-regions", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    _harness.offline_environment()
    if args.child:
        # Nothing else is imported here: the "pandas" and "load" children time imports.
        regions = args.child_regions.split(",")
        children = {
            "pandas": child_pandas,
            "load": child_load,
            "query": lambda: child_query(regions, args.stores),
            "fetch": lambda: child_fetch(regions, args.stores),
        }
        print(json.dumps(children[args.child]()))
        return 0
    if args.quick:
        args.runs, args.query_runs, args.regions, args.stores = 1, 1, 1, 3
    from omics_magic.regions import omics_regions

    args.region_names = list(omics_regions())[: args.regions]
    run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
