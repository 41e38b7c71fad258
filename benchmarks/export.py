"""Export benchmark: ``df.omics.to_parquet`` + ``omics_magic.read_parquet`` vs plain pandas.

The frame: ``--rows`` (100,000) sequence stores with the nine documented
columns, as ``omics_magic.sequence_stores()`` returns them (dict columns
``tags`` and ``sse_config``, a UTC timestamp, strings as objects).

- ours: ``df.omics.to_parquet(path)`` then ``omics_magic.read_parquet(path)``,
  an exact round trip (dicts, ``{}`` vs None, dtypes).
- baseline, the plainest thing a user does: ``tags`` and ``sse_config`` as
  JSON strings (``json.dumps``, then ``json.loads`` after reading; their cost
  is part of the baseline, as the user pays it), pandas' ``to_parquet`` and
  ``read_parquet`` with their defaults.

Time: in this process, contenders alternated over ``--repetitions``, medians.
Peak memory: each (contender, stage) once in a fresh process that loads the
frame, resets the kernel's peak-RSS mark (``/proc/self/clear_refs``), runs the
stage and reads ``VmHWM``: the stage's peak above what the process held before
it (Arrow's buffers included, which ``tracemalloc`` would not see). Reading
counts the frame it builds.
"""

from __future__ import annotations

import argparse
import gc
import json
import pickle
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import _harness
from _harness import median, ratio_line, table, targets_line

MB = 1024 * 1024


def make_frame(rows: int, seed: int = 0) -> Any:
    """A realistic frame of ``rows`` stores (deterministic), typed as omics_magic types it."""
    from omics_magic.columns import DEFAULT_COLUMNS, frame
    from omics_magic.regions import omics_regions

    rng = random.Random(seed)
    regions = omics_regions()
    anchor = datetime(2025, 6, 1, tzinfo=timezone.utc)
    kinds = ["wgs-cohort", "wes-cohort", "rna-seq", "tumor-normal", "long-read", "single-cell"]
    teams = ["genomics", "oncology", "rare-disease", "pharmacogenomics", "platform"]
    records = []
    for _ in range(rows):
        region = rng.choice(regions)
        store_id = str(rng.randrange(10**9, 10**10))
        kind = rng.choice(kinds)
        name = f"{kind}-{rng.randrange(1000):03d}"
        tags: dict[str, str] = {}
        if rng.random() < 0.75:
            tags = {"team": rng.choice(teams), "env": rng.choice(["prod", "dev", "staging"])}
            if rng.random() < 0.5:
                tags["cost-center"] = f"cc-{rng.randrange(10000):04d}"
        kms = rng.random() < 0.25
        key = f"arn:aws:kms:{region}:123456789012:key/{rng.getrandbits(128):032x}"
        records.append(
            {
                "region": region,
                "arn": f"arn:aws:omics:{region}:123456789012:sequenceStore/{store_id}",
                "creation_time": anchor - timedelta(seconds=rng.randrange(3 * 365 * 86400)),
                "description": f"{kind} reads, batch {rng.randrange(1000)}"
                if rng.random() < 0.85
                else None,
                "name": name,
                "fallback_location": f"s3://123456789012-omics-fallback-{region}/{name}/"
                if rng.random() < 0.5
                else None,
                "sequence_store_id": store_id,
                "sse_config": {"type": "KMS", "key_arn": key if kms else None},
                "tags": tags,
            }
        )
    return frame(records, DEFAULT_COLUMNS)


# -- the contenders' stages -------------------------------------------------------------------


def ours_write(df: Any, path: Path) -> None:
    df.omics.to_parquet(path, overwrite=True)


def ours_read(path: Path) -> Any:
    import omics_magic

    return omics_magic.read_parquet(path)


def baseline_write(df: Any, path: Path) -> None:
    plain = df.assign(tags=df["tags"].map(json.dumps), sse_config=df["sse_config"].map(json.dumps))
    plain.to_parquet(path)


def baseline_read(path: Path) -> Any:
    import pandas as pd

    df = pd.read_parquet(path)
    df["tags"] = df["tags"].map(json.loads)
    df["sse_config"] = df["sse_config"].map(json.loads)
    return df


WRITERS: dict[str, Callable[[Any, Path], None]] = {"ours": ours_write, "baseline": baseline_write}
READERS: dict[str, Callable[[Path], Any]] = {"ours": ours_read, "baseline": baseline_read}


# -- peak memory, in a fresh process ----------------------------------------------------------


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def measure_child(config: dict[str, Any]) -> None:
    """Child process: one stage of one contender; prints its peak RSS above the start, bytes."""
    import pandas  # noqa: F401 - everything either contender imports, before the baseline
    import pyarrow.parquet  # noqa: F401

    import omics_magic
    import omics_magic.export.files  # noqa: F401

    del omics_magic
    path = Path(config["path"])
    df = None
    if config["stage"] == "write":
        with open(config["frame"], "rb") as f:
            df = pickle.load(f)
    gc.collect()
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # reset the peak-RSS mark (VmHWM) to the current RSS
    before = _status_kb("VmRSS")
    if config["stage"] == "write":
        WRITERS[config["contender"]](df, path)
    else:
        result = READERS[config["contender"]](path)
        del result
    peak = _status_kb("VmHWM")
    print(json.dumps({"peak_bytes": (peak - before) * 1024}))


def peak_memory(contender: str, stage: str, frame_file: Path, path: Path) -> float:
    config = {"contender": contender, "stage": stage, "frame": str(frame_file), "path": str(path)}
    done = subprocess.run(
        [sys.executable, __file__, "--measure", json.dumps(config)],
        capture_output=True,
        text=True,
        env=_harness.child_env(),
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"memory child failed: {done.stderr.strip()[-500:]}")
    return float(json.loads(done.stdout.strip().splitlines()[-1])["peak_bytes"])


def can_measure_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
        _status_kb("VmHWM")
    except (OSError, RuntimeError):
        return False
    return True


def _exactness(back: Any, df: Any) -> str:
    """ "yes" if ``back`` equals ``df`` in columns, dtypes and values, else the first difference."""
    import pandas as pd

    if list(back.columns) != list(df.columns):
        return "no: columns differ"
    for name in df.columns:
        if back[name].dtype != df[name].dtype:
            return f"no: {name} is {back[name].dtype}, was {df[name].dtype}"
        try:
            pd.testing.assert_series_equal(back[name], df[name])
        except AssertionError:
            return f"no: {name} values differ"
    return "yes"


# -- main -------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> None:

    import omics_magic  # noqa: F401 - registers df.omics

    print("omics_magic export benchmark")
    print(f"machine: {_harness.machine()}")
    started = time.perf_counter()
    df = make_frame(args.rows)
    frame_bytes = int(df.memory_usage(deep=True).sum())
    print(
        f"frame: {len(df):,} rows x {df.shape[1]} columns, "
        f"{frame_bytes / MB:.1f} MB by df.memory_usage(deep=True) "
        f"(built in {time.perf_counter() - started:.1f} s)"
    )

    with tempfile.TemporaryDirectory(prefix="omics-bench-") as tmp:
        work = Path(tmp)
        paths = {name: work / f"{name}.parquet" for name in ("ours", "baseline")}
        times: dict[str, dict[str, list[float]]] = {
            name: {"write": [], "read": []} for name in paths
        }
        results: dict[str, Any] = {}
        for rep in range(args.repetitions):
            order = ["ours", "baseline"] if rep % 2 == 0 else ["baseline", "ours"]
            for name in order:
                gc.collect()
                start = time.perf_counter()
                WRITERS[name](df, paths[name])
                times[name]["write"].append(time.perf_counter() - start)
                gc.collect()
                start = time.perf_counter()
                results[name] = READERS[name](paths[name])
                times[name]["read"].append(time.perf_counter() - start)
                results[name] = results[name] if rep == args.repetitions - 1 else None

        exact = {name: _exactness(back, df) for name, back in results.items()}
        sizes = {name: path.stat().st_size for name, path in paths.items()}

        peaks: dict[str, dict[str, float]] = {}
        if args.memory and can_measure_peak():
            frame_file = work / "frame.pickle"
            with open(frame_file, "wb") as f:
                pickle.dump(df, f, protocol=pickle.HIGHEST_PROTOCOL)
            for name in paths:
                peaks[name] = {
                    stage: peak_memory(name, stage, frame_file, paths[name])
                    for stage in ("write", "read")
                }
        elif args.memory:
            print("peak memory: not measured (no /proc/self/clear_refs on this system)")

    rows = []
    for name in ("ours", "baseline"):
        write, read = median(times[name]["write"]), median(times[name]["read"])
        peak = peaks.get(name, {})
        rows.append(
            [
                "df.omics.to_parquet + read_parquet" if name == "ours" else "pandas + JSON strings",
                write,
                read,
                write + read,
                sizes[name] / MB,
                peak.get("write", float("nan")) / MB,
                peak.get("read", float("nan")) / MB,
                exact[name],
            ]
        )
    print(
        table(
            [
                "contender",
                "write s",
                "read s",
                "round trip s",
                "file MB",
                "peak write MB",
                "peak read MB",
                "exact round trip",
            ],
            rows,
        )
    )
    print(
        "   ours: zstd (its default); baseline: pandas' default (snappy). Peak = the stage's "
        "peak RSS above the process's RSS before it, in a fresh process."
    )
    ours_rt = median(times["ours"]["write"]) + median(times["ours"]["read"])
    base_rt = median(times["baseline"]["write"]) + median(times["baseline"]["read"])
    print("ratios:")
    print(ratio_line("round trip ours/baseline", ours_rt / base_rt, "<= 1.0", ours_rt <= base_rt))
    print(
        ratio_line(
            "write ours/baseline",
            median(times["ours"]["write"]) / median(times["baseline"]["write"]),
            "-",
            None,
        )
    )
    print(
        ratio_line(
            "read ours/baseline",
            median(times["ours"]["read"]) / median(times["baseline"]["read"]),
            "-",
            None,
        )
    )
    print(ratio_line("file size ours/baseline", sizes["ours"] / sizes["baseline"], "-", None))
    if peaks:
        ours_peak = max(peaks["ours"].values())
        base_peak = max(peaks["baseline"].values())
        print(
            ratio_line(
                "peak memory ours/frame size",
                ours_peak / frame_bytes,
                "<= 2",
                ours_peak <= 2 * frame_bytes,
                "(max of write and read)",
            )
        )
        print(ratio_line("peak memory baseline/frame size", base_peak / frame_bytes, "-", None))
    verdicts = [("round trip time", ours_rt <= base_rt)]
    if peaks:
        verdicts.append(("peak memory", max(peaks["ours"].values()) <= 2 * frame_bytes))
    print(targets_line(verdicts))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="omics_magic export benchmark")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--no-memory", dest="memory", action="store_false", help="skip peak memory")
    parser.add_argument("--quick", action="store_true", help="tiny smoke run: 2,000 rows, 1 rep")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    _harness.offline_environment()
    if args.measure:
        measure_child(json.loads(args.measure))
        return 0
    if args.quick:
        args.rows, args.repetitions = 2_000, 1
    run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
