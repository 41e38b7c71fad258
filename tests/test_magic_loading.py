"""Loading, help, and the hooks the delete and export helpers plug into."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from omics_magic.magic import split_line
from omics_magic.testing import OmicsBackend
from tests.magic_support import run_cell, strict_shell

STORES = "aws.omics.sequence_stores"
ID = "1234567890"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def ip() -> Iterator[InteractiveShell]:
    with strict_shell() as shell:
        yield shell


@pytest.fixture
def backend(omics_backend: OmicsBackend, monkeypatch: pytest.MonkeyPatch) -> OmicsBackend:
    monkeypatch.setenv("OMICS_MAGIC_REGIONS", "us-east-1,eu-west-1")
    monkeypatch.setenv("OMICS_MAGIC_TPS", "0")
    omics_backend.seed(["us-east-1", "eu-west-1"], stores_per_region=2)
    omics_backend.requests.clear()
    return omics_backend


def test_help_documents_the_arguments(
    ip: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    run_cell(ip, "%%omics?")
    shown = capsys.readouterr().out
    for option in (
        "-r REGION, --region REGION",
        "--profile",
        "--strict",
        "--no-progress",
        "--confirm ID",
        "-o PATH, --output PATH",
        "[name <<] SQL",
    ):
        assert option in shown


def test_load_unload_and_reload(ip: InteractiveShell) -> None:
    def omics_configurables() -> int:
        return sum(type(c).__name__ == "OmicsMagic" for c in ip.configurables)

    assert ip.find_line_magic("omics") and ip.find_cell_magic("omics")
    assert omics_configurables() == 1
    run_cell(ip, "%unload_ext omics_magic")
    assert ip.find_line_magic("omics") is None and ip.find_cell_magic("omics") is None
    assert omics_configurables() == 0
    with pytest.raises(UsageError, match="not found"):
        ip.run_line_magic("omics", "SELECT 1")
    run_cell(ip, "%load_ext omics_magic")
    run_cell(ip, "%reload_ext omics_magic")
    assert ip.find_line_magic("omics") and ip.find_cell_magic("omics")
    assert omics_configurables() == 1
    run_cell(ip, "%config OmicsMagic.short_errors = False")


def test_config_from_the_shell_config_applies_at_load() -> None:
    with strict_shell(load=False) as shell:
        shell.config.OmicsMagic.regions = ["eu-west-1"]
        shell.config.OmicsMagic.strict = True
        run_cell(shell, "%load_ext omics_magic")
        magic = next(c for c in shell.configurables if type(c).__name__ == "OmicsMagic")
        assert (magic.regions, magic.strict) == (["eu-west-1"], True)


def test_loading_imports_no_heavy_dependency() -> None:
    code = (
        "import json, sys\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "ip = InteractiveShell.instance()\n"
        "ip.run_line_magic('load_ext', 'omics_magic')\n"
        "assert ip.find_cell_magic('omics') is not None\n"
        "print(json.dumps(sorted(m for m in ('boto3', 'botocore', 'duckdb', 'sqlglot')\n"
        "    if m in sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


@pytest.mark.parametrize(
    ("line", "parts"),
    [
        ("", ("", None, "")),
        ("SELECT 1", ("", None, "SELECT 1")),
        ("stores <<", ("", "stores", "")),
        ("stores<<SELECT 1", ("", "stores", "SELECT 1")),
        (
            "-r us-east-1 --region=eu-west-1 x << --strict SELECT 'a -r b'",
            ("-r us-east-1 --region=eu-west-1 --strict", "x", "SELECT 'a -r b'"),
        ),
        (
            '--profile "my lab" -o out.parquet SELECT -1',
            ('--profile "my lab" -o out.parquet', None, "SELECT -1"),
        ),
        ("-- comment", ("", None, "-- comment")),
    ],
)
def test_split_line_keeps_the_sql_verbatim(line: str, parts: tuple[str, str | None, str]) -> None:
    assert split_line(line) == parts


# --- DELETE: handed to omics_magic.delete_sql -----------------------------------------


def test_delete_goes_to_the_delete_helper_with_confirm_and_regions(
    ip: InteractiveShell, backend: OmicsBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[dict[str, Any]] = []

    def run_delete(statement: Any, **kwargs: Any) -> pd.DataFrame:
        seen.append({"statement": statement.sql("duckdb"), **kwargs})
        return pd.DataFrame({"sequence_store_id": [ID], "outcome": ["deleted"]})

    helper = types.ModuleType("omics_magic.delete_sql")
    helper.run_delete = run_delete  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "omics_magic.delete_sql", helper)
    sql = f"DELETE FROM aws.omics.sequence_store WHERE data__Identifier = '{ID}'"
    df = ip.run_cell_magic("omics", f"-r eu-west-1 --confirm {ID}", sql)
    assert df["outcome"].tolist() == ["deleted"]
    assert seen == [{"statement": sql, "confirm": ID, "regions": ["eu-west-1"], "session": None}]


def test_delete_without_the_helper_is_a_clear_error(
    ip: InteractiveShell, backend: OmicsBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "omics_magic.delete_sql", None)
    sql = f"DELETE FROM aws.omics.sequence_store WHERE data__Identifier = '{ID}'"
    with pytest.raises(UsageError, match="DELETE is not available yet"):
        ip.run_cell_magic("omics", f"--confirm {ID}", sql)
    assert backend.requests.count() == 0


# --- -o/--output: handed to omics_magic.export.write_frame ------------------------------


def test_output_goes_to_the_export_helper(
    ip: InteractiveShell, backend: OmicsBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[tuple[pd.DataFrame, str, bool]] = []
    helper = types.ModuleType("omics_magic.export")
    helper.write_frame = lambda df, path, overwrite=False: written.append(  # type: ignore[attr-defined]
        (df, path, overwrite)
    )
    monkeypatch.setitem(sys.modules, "omics_magic.export", helper)
    assert (
        ip.run_cell_magic("omics", "stores << -o out.parquet", f"SELECT name FROM {STORES}") is None
    )
    ((df, path, _),) = written
    assert path == "out.parquet" and df is ip.user_ns["stores"] and len(df) == 4


def test_output_without_the_export_helper_fails_before_any_call(
    ip: InteractiveShell, backend: OmicsBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "omics_magic.export", None)
    with pytest.raises(UsageError, match="-o/--output is not available"):
        ip.run_cell_magic("omics", "-o out.parquet", f"SELECT name FROM {STORES}")
    assert backend.requests.count() == 0
