"""Exit codes and stdout as a hostile shell gives them: failed regions, pipes, full disks.

Each runs the CLI as a real process against an :class:`OmicsServer`, as a
cron job or a pipeline would.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from omics_magic.testing import OmicsBackend, OmicsServer
from tests import warm
from tests.cli.test_cli import ROOT, one_error_line, run_cli

STORES = "aws.omics.sequence_stores"
REGIONS = ("us-east-1", "eu-west-1")


@pytest.fixture
def server(omics_server: OmicsServer, monkeypatch: pytest.MonkeyPatch) -> OmicsServer:
    monkeypatch.setenv("OMICS_MAGIC_REGIONS", ",".join(REGIONS))
    monkeypatch.setenv("OMICS_MAGIC_TPS", "0")
    omics_server.backend.seed(REGIONS, stores_per_region=300)
    omics_server.backend.requests.clear()
    return omics_server


def cli_process(*args: str, stdout: int | None = subprocess.PIPE) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "omics_magic.cli", *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=subprocess.PIPE,
    )


def run_shell(command: str) -> subprocess.CompletedProcess[str]:
    """``command`` in sh, where CLI is the omics-magic command (for pipes and redirections)."""
    cli = f"{sys.executable} -m omics_magic.cli"
    return subprocess.run(
        command.replace("CLI", cli),
        shell=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_region_failing_exits_1_and_writes_no_file(
    server: OmicsServer, tmp_path: Path
) -> None:
    for region in REGIONS:
        server.backend.disable_region(region)
    out = tmp_path / "stores.parquet"

    done = run_cli("query", f"SELECT name FROM {STORES}", "-o", str(out))

    assert done.returncode == 1, done.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []
    *notes, error = done.stderr.strip().splitlines()
    assert len(notes) == 2 and all(n.startswith("omics-magic: note: ") for n in notes)
    assert error == (
        f"omics-magic: error: every region failed (2 of 2); nothing was read, so {out} was "
        "not written"
    )
    # Without -o: no table of nothing either.
    printed = run_cli("query", f"SELECT count(*) AS n FROM {STORES}")
    assert printed.returncode == 1 and printed.stdout == ""


def test_one_region_failing_still_exits_0(server: OmicsServer) -> None:
    server.backend.disable_region("eu-west-1")
    done = run_cli("query", f"SELECT count(*) AS n FROM {STORES}", "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["n", "300"]


def test_a_reader_that_goes_away_ends_it_quietly(server: OmicsServer) -> None:
    # `omics-magic query ... --format csv | head -1`: the pipe closes before the write.
    process = cli_process("query", f"SELECT * FROM {STORES}", "--format", "csv")
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141
    assert stderr == ""


def test_head_reads_the_first_line_and_nothing_is_reported(server: OmicsServer) -> None:
    shell = run_shell(f"CLI query 'SELECT * FROM {STORES}' --format csv | head -1")
    assert shell.returncode == 0
    assert shell.stdout.startswith("region,arn,") and shell.stdout.count("\n") == 1
    assert shell.stderr == ""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_stdout_on_a_full_device_is_one_line_and_exit_1(server: OmicsServer) -> None:
    with open("/dev/full", "wb") as full:
        process = cli_process("query", f"SELECT name FROM {STORES}", stdout=full.fileno())
        assert process.stderr is not None
        stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 1, stderr  # (once, in CI: -6, SIGABRT; see the note)
    assert one_error_line(stderr) == (
        "omics-magic: error: can't write to standard output: No space left on device"
    )


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_the_demo_on_a_full_device_is_one_line_and_exit_1(tmp_path: Path) -> None:
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [sys.executable, "-m", "omics_magic.cli", "demo"],
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert done.returncode == 1, done.stderr
    assert one_error_line(done.stderr) == (
        "omics-magic: error: can't write to standard output: No space left on device"
    )


def test_closed_stdout_is_one_line_and_exit_2_before_any_call(server: OmicsServer) -> None:
    shell = run_shell(f"CLI query 'SELECT name FROM {STORES}' >&-")
    assert shell.returncode == 2
    assert "standard output is closed" in one_error_line(shell.stderr)
    assert server.backend.requests.count() == 0


def test_a_write_that_fails_after_the_query_is_exit_1_not_2(
    server: OmicsServer, tmp_path: Path
) -> None:
    # The -o path passes its checks; the write itself fails (here: past the file size
    # limit, EFBIG, as a full disk would). That is not bad input, so not exit 2.
    out = tmp_path / "stores.csv"
    out.write_text("old\n")
    shell = run_shell(f"ulimit -f 4 && CLI query 'SELECT * FROM {STORES}' -o {out} --overwrite")
    assert shell.returncode == 1, shell.stderr
    assert f"could not write {out}" in one_error_line(shell.stderr)
    assert out.read_text() == "old\n" and list(tmp_path.iterdir()) == [out]


def test_sql_from_stdin_with_dash(server: OmicsServer) -> None:
    done = warm.run(  # a real process, forked warm (tests/warm.py)
        [sys.executable, "-m", "omics_magic.cli", "query", "-", "--format", "csv"],
        input=f"SELECT count(*) AS n FROM {STORES}\n",
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["n", "600"]
    empty = run_cli("query", "-")  # run_cli's stdin is /dev/null: empty SQL
    assert empty.returncode == 2
    assert "the query is empty" in one_error_line(empty.stderr)


def test_an_empty_output_path_is_refused(server: OmicsServer) -> None:
    done = run_cli("query", f"SELECT name FROM {STORES}", "-o", "")
    assert done.returncode == 2
    assert "-o/--output is empty" in one_error_line(done.stderr)
    assert server.backend.requests.count() == 0


def test_replacing_a_private_file_keeps_it_private(server: OmicsServer, tmp_path: Path) -> None:
    out = tmp_path / "stores.csv"
    out.write_text("old\n")
    out.chmod(0o600)
    done = run_cli("query", f"SELECT name FROM {STORES}", "-o", str(out), "--overwrite")
    assert done.returncode == 0, done.stderr
    assert out.read_text().startswith("name\n")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_a_new_file_gets_the_users_umask(server: OmicsServer, tmp_path: Path) -> None:
    out = tmp_path / "stores.parquet"
    shell = run_shell(f"umask 077 && CLI query 'SELECT name FROM {STORES}' -o {out}")
    assert shell.returncode == 0, shell.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


@pytest.fixture
def two_accounts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[OmicsBackend]:
    from tests.accounts_support import estate_of

    monkeypatch.setenv("OMICS_MAGIC_TPS", "0")
    yield from estate_of("OmicsServer", tmp_path, monkeypatch)


def test_with_two_accounts_one_failing_everywhere_is_not_all_failed(
    two_accounts: OmicsBackend,
) -> None:
    from tests.accounts_support import DEV, PROD
    from tests.accounts_support import REGIONS as BOTH

    sql = f"SELECT count(*) AS n FROM {STORES}"
    args = ("query", sql, "--profile", "dev", "--profile", "prod", "-r", ",".join(BOTH))
    for region in BOTH:
        two_accounts.disable_region(region, account_id=DEV)
    partly = run_cli(*args, "--format", "csv")
    assert partly.returncode == 0, partly.stderr
    for region in BOTH:
        two_accounts.disable_region(region, account_id=PROD)
    nothing = run_cli(*args)
    assert nothing.returncode == 1, nothing.stderr
    assert "every region failed (4 of 4)" in nothing.stderr.strip().splitlines()[-1]
