"""What the three benchmarks share: the repo on sys.path, fake credentials, tables, verdicts.

Not a benchmark itself. Each script imports it first (``benchmarks/`` is on
``sys.path`` when a script runs), so that ``omics_magic`` is importable from a
fresh clone and no request can reach real AWS.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

#: Credentials and settings for every benchmark process (and the awscli children).
#: The dead proxy catches any request that is not for the loopback fake: a
#: benchmark must never reach AWS, even if a client ignored the endpoint setting.
OFFLINE_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIAOMICSMAGICBENCH0",
    "AWS_SECRET_ACCESS_KEY": "omics-magic-benchmark-fake-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "NO_PROXY": "127.0.0.1,localhost",
}
#: Settings that would make a run differ from the defaults being measured.
UNSET = (
    "AWS_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_RETRY_MODE",
    "AWS_MAX_ATTEMPTS",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_OMICS",
    "OMICS_MAGIC_TPS",
    "OMICS_MAGIC_REGIONS",
)


def offline_environment() -> None:
    """Point this process (and its children) at fake credentials only; no real AWS."""
    for name in UNSET:
        os.environ.pop(name, None)
    os.environ.update(OFFLINE_ENV)


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a child Python process: offline, with the repo importable."""
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    env.update(OFFLINE_ENV)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


def machine() -> str:
    """One line describing where the figures come from."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            names = [ln.split(":", 1)[1].strip() for ln in info if ln.startswith("model name")]
        if names:
            cpu = names[0]
    except OSError:
        pass
    versions = []
    for name in ("pandas", "pyarrow", "botocore", "duckdb", "sqlglot"):
        try:
            from importlib.metadata import version

            versions.append(f"{name} {version(name)}")
        except Exception:  # noqa: BLE001 - a missing package is just not listed
            pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}; " + ", ".join(versions) + f"; load average {load}"
    )


def median(values: Iterable[float]) -> float:
    found = list(values)
    return statistics.median(found) if found else float("nan")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def ratio_line(name: str, value: float, target: str, ok: bool | None, note: str = "") -> str:
    """``ratio <name> = <value>  (target <target>)  PASS|MISS|info``: the lines tests look for."""
    mark = "info" if ok is None else verdict(ok)
    tail = f"  {note}" if note else ""
    return f"ratio {name:<34} = {value:8.2f}  (target {target:<10}) {mark}{tail}"


def targets_line(verdicts: Iterable[tuple[str, bool]]) -> str:
    """``targets: N PASS, M MISS (the missed)``: the summary line every benchmark ends with."""
    found = list(verdicts)
    missed = [name for name, ok in found if not ok]
    return f"\ntargets: {len(found) - len(missed)} PASS, {len(missed)} MISS" + (
        f" ({'; '.join(missed)})" if missed else ""
    )


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain fixed-width table; numbers right-aligned."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    numeric = [all(_is_number(row[i]) for row in rows) and rows for i in range(len(headers))]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v.rjust(w) if numeric[i] else v.ljust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        ).rstrip()

    out = [line(headers), line(["-" * w for w in widths])]
    out.extend(line(r) for r in cells)
    return "\n".join(out)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _cell(value: object) -> str:
    if isinstance(value, float):
        if value != value:
            return "-"
        return f"{value:.3f}" if abs(value) < 100 else f"{value:.1f}"
    return str(value)
