"""Bad input: one clear line naming the problem, with a hint, and no AWS call.

A table of bad inputs to the API, the accessor, the magic and the CLI. For
each: our error (UsageError at the magic, exit code 2 and one
``omics-magic: error:`` line from the CLI; AttributeError for ``df.omics``
on a frame it can't work on, as pandas accessors do), a message of a single
line that names the bad value and says what to do, and the fake untouched.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

import omics_magic
from omics_magic.cli.main import main as cli_main
from omics_magic.errors import OmicsMagicError
from omics_magic.export.files import write_frame
from omics_magic.sql.run import run_query
from omics_magic.testing import OmicsBackend
from tests.magic_support import run_cell, strict_shell

ID = "1234567890"
S = "SELECT * FROM aws.omics.sequence_stores"


@dataclass
class Ctx:
    """What a case may use: paths, a shell, frames."""

    tmp: Path
    ip: InteractiveShell

    @property
    def existing(self) -> Path:
        return self.tmp / "existing.parquet"

    @property
    def under_a_file(self) -> Path:
        return self.tmp / "a-file.txt" / "out.parquet"

    @property
    def stores(self) -> pd.DataFrame:
        return pd.DataFrame({"region": ["us-east-1"], "sequence_store_id": [ID]})


def api(call: Callable[[Ctx], Any], error: type[BaseException] = OmicsMagicError) -> Any:
    def run(ctx: Ctx) -> str:
        with pytest.raises(error) as raised:
            call(ctx)
        return str(raised.value)

    return run


def magic(line: str, cell: str = S, config: str | None = None) -> Any:
    def run(ctx: Ctx) -> str:
        if config:
            run_cell(ctx.ip, f"%config OmicsMagic.{config}")
        with pytest.raises(UsageError) as raised:
            ctx.ip.run_cell_magic("omics", line.format(ctx=ctx), cell)
        return str(raised.value)

    return run


def cli(*argv: str, code: int = 2) -> Any:
    def run(ctx: Ctx) -> str:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            returned = cli_main([a.format(ctx=ctx) for a in argv])
        assert returned == code, err.getvalue()
        assert out.getvalue() == ""
        text = err.getvalue()
        assert text.startswith("omics-magic: error: ") and text.endswith("\n")
        return text[len("omics-magic: error: ") : -1]

    return run


# id: (how to run it, what the message must name, a hint it must give)
CASES: dict[str, tuple[Callable[[Ctx], str], str, str]] = {
    # -- the fetch API --
    "unknown region": (
        api(lambda c: omics_magic.sequence_stores("mars-east-1")),
        "'mars-east-1'",
        "use one of",
    ),
    "region in capitals": (
        api(lambda c: omics_magic.sequence_stores(["us-east-1", "US-EAST-1"])),
        "'US-EAST-1'",
        "use one of",
    ),
    "region as a number": (
        api(lambda c: omics_magic.sequence_stores(5)),
        "5 is not a region",
        "use one of",
    ),
    "region as bytes": (
        api(lambda c: omics_magic.sequence_stores(b"us-east-1")),
        "b'us-east-1'",
        "use one of",
    ),
    "unknown column": (
        api(lambda c: omics_magic.sequence_stores(columns=["nmae"])),
        "'nmae'",
        "valid columns are",
    ),
    "columns not a list": (api(lambda c: omics_magic.sequence_stores(columns=5)), "got 5", "e.g."),
    "negative timeout": (api(lambda c: omics_magic.sequence_stores(timeout=-1)), "timeout", "> 0"),
    "timeout as text": (
        api(lambda c: omics_magic.sequence_stores(timeout="5")),
        "'5'",
        "number of seconds",
    ),
    "zero max_concurrency": (
        api(lambda c: omics_magic.sequence_stores(max_concurrency=0)),
        "max_concurrency",
        ">= 1",
    ),
    "rate as a word": (api(lambda c: omics_magic.sequence_stores(rate="fast")), "'fast'", "e.g. 5"),
    "empty name filter": (
        api(lambda c: omics_magic.sequence_stores(name="")),
        "name",
        "characters",
    ),
    "strict as text": (
        api(lambda c: omics_magic.sequence_stores(strict="no")),
        "'no'",
        "True or False",
    ),
    "progress as text": (
        api(lambda c: omics_magic.sequence_stores(progress="off")),
        "'off'",
        "True, False or None",
    ),
    "profile name as session": (
        api(lambda c: omics_magic.sequence_stores(session="default")),
        "'default'",
        "profile_name",
    ),
    "short ID": (api(lambda c: omics_magic.sequence_store("123")), "'123'", "e.g. '1234567890'"),
    "ID with letters": (
        api(lambda c: omics_magic.sequence_store("12345abcde")),
        "'12345abcde'",
        "10 to 36 digits",
    ),
    "ID as a number": (
        api(lambda c: omics_magic.sequence_store(1234567890)),
        "1234567890",
        "e.g. '1234567890'",
    ),
    # -- run_query --
    "empty SQL": (api(lambda c: run_query("   ")), "empty", "e.g. SELECT"),
    "SQL not a str": (api(lambda c: run_query(None)), "NoneType", "e.g. run_query("),
    "unknown column in SQL": (
        api(lambda c: run_query("SELECT nope FROM aws.omics.sequence_stores")),
        "'nope'",
        "valid columns are",
    ),
    "unknown resource": (
        api(lambda c: run_query("SELECT * FROM aws.omics.workflows")),
        "'aws.omics.workflows'",
        "known resources",
    ),
    "single store without ID": (
        api(lambda c: run_query("SELECT * FROM aws.omics.sequence_store")),
        "aws.omics.sequence_store",
        "data__Identifier",
    ),
    "two statements": (
        api(lambda c: run_query("SELECT 1; SELECT 2")),
        "2 statements",
        "one statement",
    ),
    "undefined template": (
        api(lambda c: run_query(f"{S} WHERE name = {{{{who}}}}")),
        "{{who}}",
        "assign it",
    ),
    "confirm on a SELECT": (api(lambda c: run_query(S, confirm=ID)), "DELETE", "drop --confirm"),
    # -- delete --
    "non-string confirm": (
        api(lambda c: omics_magic.delete_sequence_store(ID, "us-east-1", confirm=1234567890)),
        "not int",
        "e.g. confirm=",
    ),
    "delete a short ID": (
        api(lambda c: omics_magic.delete_sequence_store("12", "us-east-1")),
        "'12'",
        "10 to 36 digits",
    ),
    "dry_run as text": (
        api(lambda c: omics_magic.delete_sequence_store(ID, "us-east-1", dry_run="yes")),
        "'yes'",
        "True or False",
    ),
    "bulk confirm a number": (
        api(lambda c: c.stores.omics.delete(confirm=5)),
        "not int",
        "e.g. confirm=",
    ),
    "bulk confirm the frame": (
        api(lambda c: c.stores.omics.delete(confirm=c.stores)),
        "DataFrame",
        "list of str",
    ),
    "row without keys": (
        api(
            lambda c: pd.DataFrame({"region": [None], "sequence_store_id": [None]}).omics.delete(
                confirm=[ID]
            )
        ),
        "row 0",
        "fill them in",
    ),
    "row with a bad ID": (
        api(
            lambda c: pd.DataFrame(
                {"region": ["us-east-1"], "sequence_store_id": ["abc"]}
            ).omics.delete(confirm=["abc"])
        ),
        "'abc'",
        "10 to 36 digits",
    ),
    # -- the accessor and files --
    "frame without key columns": (
        api(lambda c: pd.DataFrame({"x": [1]}).omics, AttributeError),
        "key columns",
        "select region",
    ),
    "delete without IDs": (
        api(lambda c: pd.DataFrame({"region": ["us-east-1"]}).omics.delete(), AttributeError),
        "'sequence_store_id'",
        "select them",
    ),
    "expand_tags without tags": (
        api(lambda c: c.stores.omics.expand_tags(), AttributeError),
        "'tags'",
        "select them",
    ),
    "refresh with zero timeout": (
        api(lambda c: c.stores.omics.refresh(timeout=0)),
        "timeout",
        "> 0",
    ),
    "parquet to .csv": (
        api(lambda c: c.stores.omics.to_parquet(c.tmp / "x.csv")),
        "'x.csv'",
        ".parquet",
    ),
    "existing output path": (
        api(lambda c: c.stores.omics.to_parquet(c.existing)),
        "already exists",
        "overwrite",
    ),
    "unwritable output path": (
        api(lambda c: c.stores.omics.to_parquet(c.under_a_file)),
        "not a directory",
        "cannot write",
    ),
    "output under a missing folder": (
        api(lambda c: c.stores.omics.to_parquet(c.tmp / "no" / "x.parquet")),
        "does not exist",
        "create it",
    ),
    "output path a number": (
        api(lambda c: c.stores.omics.to_parquet(5)),
        "not 5",
        "e.g. 'stores.parquet'",
    ),
    "unknown compression": (
        api(lambda c: c.stores.omics.to_parquet(c.tmp / "y.parquet", compression="zip")),
        "'zip'",
        "use one of",
    ),
    "unknown file format": (
        api(lambda c: write_frame(c.stores, c.tmp / "x.xlsx")),
        "'x.xlsx'",
        "use a path ending in",
    ),
    # -- the magic --
    "magic: empty cell": (magic("", "  \n "), "no query", "e.g. %omics SELECT"),
    "magic: unknown region": (magic("-r mars"), "'mars'", "use one of"),
    "magic: unknown column": (
        magic("", "SELECT nope FROM aws.omics.sequence_stores"),
        "'nope'",
        "valid columns are",
    ),
    "magic: region in SQL": (
        magic("", f"{S} WHERE region = 'us-east-9'"),
        "'us-east-9'",
        "use one of",
    ),
    "magic: existing -o": (magic("-o {ctx.existing}"), "already exists", "--overwrite"),
    "magic: unwritable -o": (magic("-o {ctx.under_a_file}"), "not a directory", "cannot write"),
    "magic: -o format": (magic("-o {ctx.tmp}/out.txt"), "'out.txt'", "use a path ending in"),
    "magic: --confirm on SELECT": (magic(f"--confirm {ID}"), "DELETE", "drop --confirm"),
    "magic: DELETE bad ID": (
        magic("", "DELETE FROM aws.omics.sequence_store WHERE data__Identifier = 'abc'"),
        "'abc'",
        "10 to 36 digits",
    ),
    "magic: DELETE by name": (
        magic("", "DELETE FROM aws.omics.sequence_store WHERE name = 'x'"),
        "data__Identifier",
        "df.omics.delete()",
    ),
    "magic: bad timeout": (magic("", S, config="timeout = -1.0"), "timeout", "> 0"),
    "magic: bad max_concurrency": (
        magic("", S, config="max_concurrency = 0"),
        "max_concurrency",
        ">= 1",
    ),
    "magic: undefined template": (
        magic("", f"{S} WHERE name = {{{{who}}}}"),
        "{{who}}",
        "assign it",
    ),
    "magic: unknown profile": (
        magic("--profile no-such-profile"),
        "no-such-profile",
        "aws configure",
    ),
    "magic: file read": (
        magic("", "SELECT * FROM read_csv('/etc/passwd')"),
        "read_csv()",
        "-o/--output",
    ),
    # -- the CLI --
    "cli: empty SQL": (cli("query", ""), "empty", "e.g. SELECT"),
    "cli: unknown region": (cli("query", S, "-r", "mars"), "'mars'", "use one of"),
    "cli: existing -o": (cli("query", S, "-o", "{ctx.existing}"), "already exists", "--overwrite"),
    "cli: -o format": (cli("query", S, "-o", "{ctx.tmp}/x.txt"), "'x.txt'", "use a path ending in"),
    "cli: unwritable -o": (
        cli("query", S, "-o", "{ctx.under_a_file}"),
        "not a directory",
        "cannot write",
    ),
    "cli: short ID": (cli("delete", "123"), "'123'", "10 to 36 digits"),
    "cli: delete in unknown region": (cli("delete", ID, "-r", "mars"), "'mars'", "use one of"),
    "cli: two statements": (cli("query", "SELECT 1; SELECT 2"), "2 statements", "one statement"),
    "cli: file read": (cli("query", "SELECT * FROM 'x.csv'"), "'x.csv'", "query one of"),
}


@pytest.fixture
def backend(configured_fake: Callable[..., OmicsBackend]) -> OmicsBackend:
    backend = configured_fake(["us-east-1", "eu-west-2"], stores_per_region=2)
    backend.create_sequence_store("us-east-1", "known", store_id=ID)
    return backend


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[Ctx]:
    (tmp_path / "existing.parquet").write_bytes(b"not to be replaced")
    (tmp_path / "a-file.txt").write_text("a file, not a folder")
    with strict_shell() as shell:
        yield Ctx(tmp_path, shell)


def test_the_table_has_at_least_30_cases_across_the_api_the_magic_and_the_cli() -> None:
    assert len(CASES) >= 30
    assert sum(k.startswith("magic:") for k in CASES) >= 10
    assert sum(k.startswith("cli:") for k in CASES) >= 5


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_one_clear_line_before_any_call(
    case: str, backend: OmicsBackend, ctx: Ctx
) -> None:
    run, names, hint = CASES[case]
    listing = sorted(p.name for p in ctx.tmp.iterdir())

    message = run(ctx)

    assert message.strip() and "\n" not in message.strip(), f"not one line: {message!r}"
    assert names in message, f"doesn't name the problem ({names!r}): {message}"
    assert hint in message, f"no hint ({hint!r}): {message}"
    assert backend.requests.count() == 0, f"made {backend.requests.count()} AWS calls"
    assert sorted(p.name for p in ctx.tmp.iterdir()) == listing  # nothing written
    assert (ctx.tmp / "existing.parquet").read_bytes() == b"not to be replaced"
