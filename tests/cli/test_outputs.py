"""What the CLI prints and writes for hostile values: odd types, formulas, escape sequences.

Real processes against an :class:`OmicsServer` whose stores carry a formula
as a name and terminal escape sequences in a tag.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from omics_magic import read_parquet
from omics_magic.testing import OmicsServer
from tests.cli.test_cli import one_error_line, run_cli

STORES = "aws.omics.sequence_stores"
FORMULA = '=HYPERLINK("http://evil.example","open")'
ESCAPE = "\x1b[2J\x1b[31mred\x1b[0m\x07"


@pytest.fixture
def server(omics_server: OmicsServer, monkeypatch: pytest.MonkeyPatch) -> OmicsServer:
    monkeypatch.setenv("OMICS_MAGIC_REGIONS", "us-east-1")
    monkeypatch.setenv("OMICS_MAGIC_TPS", "0")
    omics_server.backend.create_sequence_store(
        "us-east-1", FORMULA, description="-2+3", tags={"team": ESCAPE, "cost": "@SUM(A1)"}
    )
    return omics_server


def test_csv_neutralises_formula_cells(server: OmicsServer, tmp_path: Path) -> None:
    sql = f"SELECT name, description, tags['cost'] AS cost, -1 AS n FROM {STORES}"
    printed = run_cli("query", sql, "--format", "csv")
    assert printed.returncode == 0, printed.stderr
    out = tmp_path / "stores.csv"
    written = run_cli("query", sql, "-o", str(out))
    assert written.returncode == 0, written.stderr
    for text in (printed.stdout, out.read_text()):
        [row] = list(csv.DictReader(io.StringIO(text)))
        assert row == {
            "name": "'" + FORMULA,
            "description": "'-2+3",
            "cost": "'@SUM(A1)",
            "n": "-1",
        }


def test_the_table_escapes_control_characters(server: OmicsServer) -> None:
    done = run_cli("query", f"SELECT name, tags, tags['team'] AS team FROM {STORES}")
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout and "\x07" not in done.stdout
    assert "\\x1b[2J\\x1b[31mred\\x1b[0m\\x07" in done.stdout
    # JSON keeps the value exactly (escaped the JSON way).
    data = run_cli("query", f"SELECT tags['team'] AS team FROM {STORES}", "--format", "json")
    assert json.loads(data.stdout) == [{"team": ESCAPE}]


def test_errors_on_stderr_escape_control_characters(server: OmicsServer) -> None:
    done = run_cli("query", f'SELECT "nope\x1b[2J" FROM {STORES}')
    assert done.returncode == 2
    assert "\x1b" not in done.stderr and "\\x1b[2J" in one_error_line(done.stderr)


@pytest.mark.parametrize(
    ("expression", "json_value", "csv_value"),
    [
        ("'\\xFF\\x00ab'::BLOB", "\\xFF\\x00ab", "\\xFF\\x00ab"),
        ("'0101'::BIT", "0101", "0101"),
        (f"{2**100}::BIGNUM", 2**100, str(2**100)),
        ("INTERVAL 90 MINUTES", "P0DT1H30M0S", "0 days 01:30:00"),
        ("'12:00:00+01'::TIMETZ", "12:00:00+01:00", "12:00:00+01:00"),
        ("[('\\x01'::BLOB)]", ["\\x01"], '["\\\\x01"]'),
    ],
)
def test_json_and_csv_encode_types_pandas_cant_hold(
    server: OmicsServer, expression: str, json_value: object, csv_value: str
) -> None:
    sql = f"SELECT {expression} AS v"
    as_json = run_cli("query", sql, "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout) == [{"v": json_value}]
    as_csv = run_cli("query", sql, "--format", "csv")
    assert as_csv.returncode == 0, as_csv.stderr
    assert list(csv.DictReader(io.StringIO(as_csv.stdout))) == [{"v": csv_value}]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("INTERVAL 1 DAY", "1 days"),
        ("'0101'::BIT", "0101"),
        ("'\\xFF'::BLOB", b"\xff"),
        ("42::BIGNUM", 42),
    ],
)
def test_parquet_writes_them_faithfully(
    server: OmicsServer, tmp_path: Path, expression: str, expected: object
) -> None:
    out = tmp_path / "v.parquet"
    done = run_cli("query", f"SELECT {expression} AS v", "-o", str(out))
    assert done.returncode == 0, done.stderr
    back = read_parquet(out)["v"][0]
    assert str(back).startswith(expected) if isinstance(expected, str) else back == expected


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("'12:00:00+01'::TIMETZ", "holds times with a UTC offset"),
        (f"{2**100}::BIGNUM", "don't fit one Arrow type"),
        ("INTERVAL 1 MONTH", "intervals of months"),
    ],
)
def test_parquet_refuses_what_it_cant_hold_in_one_line(
    server: OmicsServer, tmp_path: Path, expression: str, message: str
) -> None:
    out = tmp_path / "v.parquet"
    done = run_cli("query", f"SELECT {expression} AS v", "-o", str(out))
    assert done.returncode == 2, done.stderr
    assert message in one_error_line(done.stderr) and "'v'" in done.stderr
    assert not out.exists()


def test_the_delete_preview_escapes_control_characters(server: OmicsServer) -> None:
    store = server.backend.create_sequence_store("us-east-1", f"evil{ESCAPE}")
    done = run_cli("delete", store["id"], "-r", "us-east-1", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stderr + done.stdout
    assert "evil\\x1b[2J" in done.stderr
