"""Loading, help, and the hooks the delete and export helpers plug into."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

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
def backend(configured_fake: Callable[..., OmicsBackend]) -> OmicsBackend:
    return configured_fake(["us-east-1", "eu-west-1"], stores_per_region=2)


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


# --- DELETE: handed to omics_magic.sql.delete -----------------------------------------


# --- -o/--output: handed to omics_magic.export.files.write_frame ------------------------------


def test_output_writes_the_result_and_still_assigns_it(
    ip: InteractiveShell, backend: OmicsBackend, tmp_path: Path
) -> None:
    from omics_magic import read_parquet

    target = tmp_path / "out.parquet"
    assert ip.run_cell_magic("omics", f"stores << -o {target}", f"SELECT * FROM {STORES}") is None
    stores = ip.user_ns["stores"]
    assert len(stores) == 4
    pd.testing.assert_frame_equal(read_parquet(target), stores.reset_index(drop=True))


def test_existing_output_fails_before_any_call_unless_overwrite(
    ip: InteractiveShell, backend: OmicsBackend, tmp_path: Path
) -> None:
    target = tmp_path / "out.parquet"
    target.write_bytes(b"keep me")
    with pytest.raises(UsageError, match="already exists.*--overwrite"):
        ip.run_cell_magic("omics", f"-o {target}", f"SELECT name FROM {STORES}")
    assert backend.requests.count() == 0
    assert target.read_bytes() == b"keep me"

    df = ip.run_cell_magic("omics", f"-o {target} --overwrite", f"SELECT name FROM {STORES}")
    assert target.read_bytes()[:4] == b"PAR1" and len(df) == 4


@pytest.mark.parametrize("path", ["out.txt", "no/such/dir/out.parquet"])
def test_bad_output_path_fails_before_any_call(
    ip: InteractiveShell, backend: OmicsBackend, path: str
) -> None:
    with pytest.raises(UsageError, match="format|does not exist"):
        ip.run_cell_magic("omics", f"-o {path}", f"SELECT name FROM {STORES}")
    assert backend.requests.count() == 0
