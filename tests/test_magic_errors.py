"""Bad input to %%omics: one UsageError line with a hint, and no request reaches the fake."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from omics_magic.errors import (
    CredentialsError,
    InvalidIdentifierError,
    SQLError,
    UnknownColumnError,
    UnknownRegionError,
)
from omics_magic.testing import OmicsBackend
from tests.magic_support import run_cell

STORES = "aws.omics.sequence_stores"
STORE = "aws.omics.sequence_store"
ID = "1234567890"


@pytest.fixture
def backend(configured_fake: Callable[..., OmicsBackend]) -> OmicsBackend:
    return configured_fake(["us-east-1", "eu-west-1"], stores_per_region=2)


BAD = {
    "unparseable, with position": ("", f"SELECT name FROM {STORES} WHERE", "line 1, column"),
    "two statements": ("", f"SELECT * FROM {STORES}; SELECT 1", "2 statements"),
    "INSERT": ("", "INSERT INTO t VALUES (1)", "INSERT statements are not allowed"),
    "UPDATE": ("", "UPDATE t SET a = 1", "UPDATE statements are not allowed"),
    "CREATE": ("", f"CREATE TABLE t AS SELECT * FROM {STORES}", "CREATE statements"),
    "DROP": ("", "DROP TABLE t", "DROP statements are not allowed"),
    "COPY": ("", f"COPY (SELECT * FROM {STORES}) TO 'x.csv'", "COPY statements"),
    "ATTACH": ("", "ATTACH 'x.db'", "ATTACH statements are not allowed"),
    "INSTALL": ("", "INSTALL httpfs", "INSTALL statements are not allowed"),
    "LOAD": ("", "LOAD httpfs", "LOAD statements are not allowed"),
    "PRAGMA": ("", "PRAGMA version", "PRAGMA statements are not allowed"),
    "SET": ("", "SET threads = 1", "SET statements are not allowed"),
    "EXPORT": ("", "EXPORT DATABASE 'out'", "EXPORT statements are not allowed"),
    "unknown resource": ("", "SELECT * FROM aws.omics.workflows", "known resources: "),
    "unknown column": ("", f"SELECT bogus FROM {STORES}", "unknown column 'bogus'"),
    "sequence_store without ID": ("", f"SELECT * FROM {STORE}", "needs WHERE data__Identifier"),
    "malformed ID": ("", f"SELECT * FROM {STORE} WHERE data__Identifier = 'abc'", "10 to 36"),
    "unknown region in SQL": ("", f"SELECT * FROM {STORES} WHERE region = 'mars-1'", "mars-1"),
    "unknown region option": ("-r mars-1", f"SELECT * FROM {STORES}", "mars-1"),
    "undefined variable": ("", f"SELECT * FROM {STORES} WHERE name = {{{{nope}}}}", "nope"),
    "file read": ("", "SELECT * FROM read_csv('x.csv')", "read_csv() is not allowed"),
    "URL read": ("", "SELECT * FROM 'https://example.com/x.csv'", "files or URLs"),
    "confirm on SELECT": (f"--confirm {ID}", f"SELECT * FROM {STORES}", "only applies to DELETE"),
    "unknown option": ("--bogus", f"SELECT * FROM {STORES}", "unrecognized arguments"),
    "no query": ("-r us-east-1", "   ", "no query"),
}


@pytest.mark.parametrize(("line", "cell", "message"), BAD.values(), ids=BAD.keys())
def test_bad_input_is_one_line_and_no_call(
    ip: InteractiveShell, backend: OmicsBackend, line: str, cell: str, message: str
) -> None:
    with pytest.raises(UsageError, match=re.escape(message)) as info:
        ip.run_cell_magic("omics", line, cell)
    assert "\n" not in str(info.value).strip()
    assert backend.requests.count() == 0


@pytest.mark.parametrize(
    ("cell", "error"),
    [
        (f"SELECT * FROM {STORES} WHERE", SQLError),
        (f"SELECT bogus FROM {STORES}", UnknownColumnError),
        (f"SELECT * FROM {STORE} WHERE data__Identifier = '12'", InvalidIdentifierError),
        (f"SELECT * FROM {STORES} WHERE region IN ('us-east-1', 'nowhere')", UnknownRegionError),
    ],
)
def test_full_errors_when_short_errors_is_off(
    ip: InteractiveShell, backend: OmicsBackend, cell: str, error: type[Exception]
) -> None:
    run_cell(ip, "%config OmicsMagic.short_errors = False")
    with pytest.raises(error):
        ip.run_cell_magic("omics", "", cell)
    assert backend.requests.count() == 0


def test_a_missing_profile_is_one_line(ip: InteractiveShell, backend: OmicsBackend) -> None:
    with pytest.raises(UsageError, match="no-such-profile") as info:
        ip.run_cell_magic("omics", "--profile no-such-profile", f"SELECT * FROM {STORES}")
    assert isinstance(info.value.__cause__, CredentialsError)
    assert backend.requests.count() == 0


def test_the_sandbox_holds_through_the_magic(
    ip: InteractiveShell, backend: OmicsBackend, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n1\n")
    attempts = [
        f"SELECT * FROM read_csv('{secret}')",
        f"SELECT * FROM '{secret}'",
        f"SELECT * FROM read_parquet('{tmp_path}/x.parquet')",
        f"COPY (SELECT 1) TO '{tmp_path}/out.csv'",
        f"ATTACH '{tmp_path}/new.db'",
        f"EXPORT DATABASE '{tmp_path}/dump'",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SET enable_external_access = true",
        "PRAGMA enable_profiling",
        "SELECT * FROM 'https://example.com/data.parquet'",
        f"SELECT 1; COPY (SELECT 1) TO '{tmp_path}/two.csv'",
        f"SELECT name FROM {STORES} WHERE name IN (SELECT * FROM read_csv('{secret}'))",
        f"SELECT name, read_text('{secret}') FROM {STORES}",
    ]
    for sql in attempts:
        with pytest.raises(UsageError):
            ip.run_cell_magic("omics", "", sql)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret.csv"]
    assert backend.requests.count() == 0
