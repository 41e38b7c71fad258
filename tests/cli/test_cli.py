"""The ``omics-magic`` command line: exit codes, outputs, notes, files, delete, demo, help.

Most tests run the CLI as a real process (``python -m omics_magic.cli``) against
an :class:`OmicsServer` through the standard AWS variables. The bad-input
matrix calls ``main()`` in-process (same code, no process start) and checks
that no request reached the fake.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from omics_magic import __version__, read_parquet
from omics_magic.cli.main import main
from omics_magic.testing import OmicsBackend, OmicsServer
from tests import warm

ROOT = Path(__file__).resolve().parents[2]
STORES = "aws.omics.sequence_stores"
CREATED = datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=timezone.utc)


def run_cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m omics_magic.cli ARGS`` with the test's environment and no terminal.

    A real process, forked from a parent that has imported the third-party
    libraries already (:mod:`tests.warm`): it saves each run ~1 s of CPU.
    """
    full_env = {**os.environ, **(env or {}), "PYTHONPATH": str(ROOT)}
    return warm.run(
        [sys.executable, "-m", "omics_magic.cli", *args],
        env=full_env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        text=True,
        timeout=180,
    )


@pytest.fixture
def server(omics_server: OmicsServer, monkeypatch: pytest.MonkeyPatch) -> OmicsServer:
    """The fake over HTTP with three known stores in two regions; env points at it."""
    monkeypatch.setenv("OMICS_MAGIC_REGIONS", "us-east-1,eu-west-1")
    monkeypatch.setenv("OMICS_MAGIC_TPS", "0")
    backend = omics_server.backend
    backend.create_sequence_store(
        "us-east-1", "alpha", tags={"team": "genomics", "env": "prod"}, creation_time=CREATED
    )
    backend.create_sequence_store("us-east-1", "beta", tags={}, creation_time=CREATED)
    backend.create_sequence_store(
        "eu-west-1",
        "gamma",
        description='quote " and, comma',
        sse_config={"type": "KMS", "keyArn": "arn:aws:kms:eu-west-1:123456789012:key/k"},
        creation_time=CREATED,
    )
    backend.requests.clear()
    return omics_server


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("omics-magic: error: ")
    assert "Traceback" not in stderr
    return lines[0]


# -- query: outputs ----------------------------------------------------------------------


def test_query_prints_a_readable_table(server: OmicsServer) -> None:
    done = run_cli("query", f"SELECT region, name, tags FROM {STORES} ORDER BY name")

    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["region", "name", "tags"]
    assert lines[1].split()[:2] == ["us-east-1", "alpha"]
    assert "team=genomics, env=prod" in lines[1]  # a dict, readable
    assert lines[2].split() == ["us-east-1", "beta", "{}"]
    assert lines[-1] == "(3 rows)"


def test_query_csv_for_pipes(server: OmicsServer) -> None:
    done = run_cli(
        "query",
        f"SELECT name, description, creation_time, sse_config, tags FROM {STORES} ORDER BY name",
        "--format",
        "csv",
    )

    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [r["name"] for r in rows] == ["alpha", "beta", "gamma"]
    assert json.loads(rows[0]["tags"]) == {"team": "genomics", "env": "prod"}
    assert json.loads(rows[1]["tags"]) == {}
    assert json.loads(rows[2]["sse_config"]) == {
        "type": "KMS",
        "key_arn": "arn:aws:kms:eu-west-1:123456789012:key/k",
    }
    assert rows[2]["description"] == 'quote " and, comma'
    assert rows[0]["description"] == ""  # None: an empty cell
    assert "T" in rows[0]["creation_time"]  # ISO 8601
    assert datetime.fromisoformat(rows[0]["creation_time"]) == CREATED


def test_query_json_for_pipes(server: OmicsServer) -> None:
    done = run_cli(
        "query",
        f"SELECT region, name, creation_time, tags FROM {STORES} WHERE region = 'us-east-1' "
        "ORDER BY name",
        "--format",
        "json",
    )

    assert done.returncode == 0, done.stderr
    records = json.loads(done.stdout)
    assert [(r["region"], r["name"], r["tags"]) for r in records] == [
        ("us-east-1", "alpha", {"team": "genomics", "env": "prod"}),
        ("us-east-1", "beta", {}),
    ]
    assert datetime.fromisoformat(records[0]["creation_time"]) == CREATED
    # region = pushed down: eu-west-1 was never asked.
    assert server.backend.requests.count(region="eu-west-1") == 0


def test_output_parquet(server: OmicsServer, tmp_path: Path) -> None:
    done = run_cli("query", f"SELECT * FROM {STORES}", "-o", "out.parquet", cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    assert done.stdout == ""  # -o replaces the printed table
    assert "wrote 3 rows to out.parquet" in done.stderr
    back = read_parquet(tmp_path / "out.parquet")
    assert sorted(back["name"]) == ["alpha", "beta", "gamma"]
    assert str(back["creation_time"].dtype) == "datetime64[us, UTC]"
    assert back.loc[back["name"] == "alpha", "tags"].item() == {"team": "genomics", "env": "prod"}


def test_output_refuses_an_existing_file_unless_overwrite(
    server: OmicsServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out.parquet"
    target.write_bytes(b"keep me")

    assert main(["query", f"SELECT name FROM {STORES}", "-o", str(target)]) == 2
    assert "--overwrite" in one_error_line(capsys.readouterr().err)
    assert target.read_bytes() == b"keep me"
    assert server.backend.requests.count() == 0  # checked before any AWS call

    assert main(["query", f"SELECT name FROM {STORES}", "-o", str(target), "--overwrite"]) == 0
    assert sorted(read_parquet(target)["name"]) == ["alpha", "beta", "gamma"]


# -- query: failed regions ---------------------------------------------------------------


def test_failed_region_is_a_note_then_exit_1_with_strict(server: OmicsServer) -> None:
    server.backend.disable_region("eu-west-1")
    sql = f"SELECT name FROM {STORES} ORDER BY name"

    lenient = run_cli("query", sql)
    assert lenient.returncode == 0
    assert lenient.stdout.split() == ["name", "alpha", "beta", "(2", "rows)"]
    [note] = lenient.stderr.strip().splitlines()
    assert note.startswith("omics-magic: note: eu-west-1: not enabled for this account")
    assert "UnrecognizedClientException" in note

    strict = run_cli("query", sql, "--strict")
    assert strict.returncode == 1
    assert strict.stdout == ""
    assert "eu-west-1" in strict.stderr and "Traceback" not in strict.stderr
    assert strict.stderr.strip().splitlines()[-1].startswith("omics-magic: error: ")


# -- query: bad input --------------------------------------------------------------------


def test_bad_sql_in_a_real_process_is_one_line_and_exit_2(server: OmicsServer) -> None:
    done = run_cli("query", "SELEC name FROM aws.omics.sequence_stores")

    assert done.returncode == 2
    assert done.stdout == ""
    one_error_line(done.stderr)
    assert server.backend.requests.count() == 0


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["query", "SELECT name FROM aws.omics.nope"], "sequence_stores"),
        (["query", f"SELECT nope FROM {STORES}"], "nope"),
        (["query", f"SELECT name FROM {STORES}", "-r", "mars-north-1"], "us-east-1"),
        (["query", f"SELECT name FROM {STORES} WHERE region = 'mars-north-1'"], "mars-north-1"),
        (["query", "DROP TABLE x"], "DROP"),
        (["query", f"SELECT name FROM {STORES}", "-o", "out.txt"], ".parquet"),
        (["query", f"SELECT name FROM {STORES}", "-o", "no/such/dir/x.parquet"], "does not"),
        (["query", f"SELECT name, name FROM {STORES}", "--format", "json"], "AS"),
        (["query", f"SELECT name FROM {STORES}", "--confirm", "1234567890"], "DELETE"),
        (["query", f"SELECT name FROM {STORES}", "--profile", "nobody"], "nobody"),
        (["delete", "12ab"], "12ab"),
        (["delete", "1234567890", "-r", "mars-north-1"], "mars-north-1"),
    ],
)
def test_bad_input_exits_2_before_any_call(
    server: OmicsServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    expected: str,
) -> None:
    monkeypatch.chdir(tmp_path)

    assert main(args) == 2
    captured = capsys.readouterr()
    assert expected in one_error_line(captured.err)
    assert captured.out == ""
    if "--format" not in args:  # JSON's duplicate names are only known from the result
        assert server.backend.requests.count() == 0


def test_a_missing_aws_profile_is_one_line(
    server: OmicsServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")

    assert main(["query", f"SELECT name FROM {STORES}"]) == 2
    assert "no-such-profile" in one_error_line(capsys.readouterr().err)
    assert server.backend.requests.count() == 0


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["query", "SELECT 1", "--format", "xml"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'xml'" in capsys.readouterr().err


# -- delete ------------------------------------------------------------------------------


def test_delete_refuses_without_a_terminal_then_deletes_with_confirm(server: OmicsServer) -> None:
    backend = server.backend
    store = backend.create_sequence_store("eu-west-1", "scratch")["id"]
    backend.requests.clear()

    refused = run_cli("delete", store)
    assert refused.returncode == 3
    assert f"--confirm {store}" in refused.stderr
    assert "scratch" in refused.stderr  # the preview came first
    assert "Traceback" not in refused.stderr
    assert backend.requests.count(operation="DeleteSequenceStore") == 0
    assert store in [s["id"] for s in backend.stores("eu-west-1")]

    deleted = run_cli("delete", store, "--confirm", store)
    assert deleted.returncode == 0, deleted.stderr
    assert "deleted" in deleted.stdout and store in deleted.stdout
    assert backend.requests.count(operation="DeleteSequenceStore") == 1
    assert store not in [s["id"] for s in backend.stores("eu-west-1")]


def delete_at_a_terminal(store: str, answer: str) -> tuple[int, str]:
    """``omics-magic delete STORE`` on a pseudo-terminal, typing ``answer`` at the prompt."""
    import pty
    import time

    main_fd, child_fd = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "omics_magic.cli", "delete", store],
        stdin=child_fd,
        stdout=child_fd,
        stderr=child_fd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    os.close(child_fd)
    seen, answered, deadline = b"", False, time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        try:
            seen += os.read(main_fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not answered and b"anything else cancels" in seen:
            os.write(main_fd, answer.encode() + b"\n")
            answered = True
    code = process.wait(timeout=60)
    os.close(main_fd)
    return code, seen.decode(errors="replace")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_delete_asks_at_a_terminal(server: OmicsServer) -> None:
    backend = server.backend
    store = backend.create_sequence_store("us-east-1", "tty")["id"]

    code, seen = delete_at_a_terminal(store, "yes")
    assert code == 3, seen
    assert f"type '{store}'" in seen and "cancelled" in seen
    assert backend.requests.count(operation="DeleteSequenceStore") == 0

    code, seen = delete_at_a_terminal(store, store)
    assert code == 0, seen
    assert "deleted" in seen
    assert store not in [s["id"] for s in backend.stores("us-east-1")]


def test_delete_dry_run_wrong_confirm_and_conflict(
    server: OmicsServer, capsys: pytest.CaptureFixture[str]
) -> None:
    backend = server.backend
    store = backend.create_sequence_store("us-east-1", "busy")["id"]
    for _ in range(3):
        backend.add_read_set("us-east-1", store)

    assert main(["delete", store, "-r", "us-east-1", "--dry-run"]) == 0
    assert "busy" in capsys.readouterr().out
    assert main(["delete", store, "--confirm", "9999999999"]) == 3
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("omics-magic: error: ") and f"--confirm {store}" in last
    assert backend.requests.count(operation="DeleteSequenceStore") == 0

    assert main(["delete", store, "-r", "us-east-1", "--confirm", store]) == 1
    captured = capsys.readouterr()
    assert "conflict" in captured.out and "conflict" in captured.err
    assert store in [s["id"] for s in backend.stores("us-east-1")]

    assert main(["delete", "1111111111", "--confirm", "1111111111"]) == 1
    assert "1111111111" in one_error_line(capsys.readouterr().err)


def test_a_sql_delete_through_query(
    server: OmicsServer, capsys: pytest.CaptureFixture[str]
) -> None:
    backend = server.backend
    store = backend.create_sequence_store("eu-west-1", "scratch")["id"]
    busy = backend.create_sequence_store("eu-west-1", "busy")["id"]
    backend.add_read_set("eu-west-1", busy)
    sql = (
        "DELETE FROM aws.omics.sequence_store "
        "WHERE data__Identifier = '{}' AND region = 'eu-west-1'"
    )

    assert main(["query", sql.format(store), "--confirm", "9999999999"]) == 3
    assert main(["query", sql.format(store), "--confirm", store]) == 0
    assert "deleted" in capsys.readouterr().out
    assert main(["query", sql.format(busy), "--confirm", busy]) == 1
    assert "conflict" in capsys.readouterr().out
    left = [s["id"] for s in backend.stores("eu-west-1")]
    assert store not in left and busy in left


# -- demo --------------------------------------------------------------------------------


def expected_demo_counts() -> dict[str, int]:
    from omics_magic.demo_mode.mode import DEMO_REGIONS, seed_demo

    backend = OmicsBackend(random_seed=0)
    seed_demo(backend)
    return {region: len(backend.stores(region)) for region in DEMO_REGIONS}


def expected_genomics_read_sets() -> dict[str, int]:
    """Store name -> read sets, for the demo's stores tagged team=genomics."""
    from omics_magic.demo_mode.mode import DEMO_REGIONS, seed_demo

    backend = OmicsBackend(random_seed=0)
    seed_demo(backend)
    found: dict[str, int] = {}
    for region in DEMO_REGIONS:
        for store in backend.stores(region):
            if store["tags"].get("team") == "genomics":
                found[store["name"]] = len(backend.read_sets(region, store["id"]))
    return found


def expected_account_counts() -> dict[tuple[str, str], int]:
    """(account, region) -> stores, over the demo's two accounts, in its answering regions."""
    from omics_magic.demo_mode.inventory import DEMO_PROFILES
    from omics_magic.demo_mode.mode import DEMO_REGIONS, seed_demo

    backend = OmicsBackend(random_seed=0)
    seed_demo(backend)
    found = {
        (account, region): len(backend.stores(region, account_id=account))
        for account in DEMO_PROFILES.values()
        for region in DEMO_REGIONS
    }
    return {key: n for key, n in found.items() if n}


def test_demo_end_to_end(tmp_path: Path) -> None:
    (tmp_path / "sequence_stores.parquet").write_bytes(b"an older run")  # the demo's own file
    # A broken profile in the user's environment must not matter: demo mode replaces it.
    done = run_cli("demo", env={"AWS_PROFILE": "no-such-profile"}, cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "FAKE" in out and "the data is FAKE" in out
    assert out.rstrip().splitlines()[-2].startswith("Everything above was FAKE data")
    assert "sequence_store_id  4839201756" in out  # the seed's SELECT, by the demo's ID
    assert "wgs-cohort-042" in out
    assert "ap-southeast-1: not enabled for this account" in out
    assert "eu-central-1: throttled" in out
    counts = expected_demo_counts()
    for region, count in counts.items():
        assert re.search(rf"^{region}\s+{count}$", out, re.M)  # the GROUP BY table
    per_store = expected_genomics_read_sets()  # the read sets step: the join's table
    assert per_store and "wgs-cohort-042" in per_store
    for name, count in per_store.items():
        assert re.search(rf"^\s*{re.escape(name)}\s+{count}\s+\d+$", out, re.M), name
    per_account = expected_account_counts()  # the last step: two accounts at once
    assert len({account for account, _ in per_account}) == 2
    for (account, region), count in per_account.items():
        assert re.search(rf"^{account}\s+{region}\s+{count}$", out, re.M), (account, region)
    assert "ap-southeast-1 [demo-lab]: not enabled" in out
    back = read_parquet(tmp_path / "sequence_stores.parquet")
    assert len(back) == sum(counts.values())
    assert set(back["region"]) == set(counts)
    assert "identical" in out


def test_demo_notebook_writes_the_executed_copy(tmp_path: Path) -> None:
    pytest.importorskip("nbclient")
    import nbformat

    done = run_cli("demo", "--notebook", "--output-dir", str(tmp_path))

    assert done.returncode == 0, done.stderr
    executed = nbformat.read(tmp_path / "quickstart.executed.ipynb", as_version=4)
    code = [c for c in executed.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert errors == []
    assert (tmp_path / "sequence_stores.parquet").exists()
    assert (tmp_path / "demo_stores.parquet").exists()


def test_demo_rejects_a_missing_output_dir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--output-dir", str(tmp_path / "nope")]) == 2
    assert "nope" in one_error_line(capsys.readouterr().err)


# -- help and version --------------------------------------------------------------------


def test_version_and_help_in_a_real_process() -> None:
    version = run_cli("--version")
    assert version.returncode == 0
    assert version.stdout.strip() == f"omics-magic {__version__}"

    shown = run_cli("--help")
    assert shown.returncode == 0
    for word in ("query", "delete", "demo", "exit codes", "3  delete not confirmed"):
        assert word in shown.stdout


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (
            "query",
            [
                "SQL",
                "-r REGION",
                "--profile P",
                "--strict",
                "-o PATH",
                "--overwrite",
                "--format {table,csv,json}",
                "--confirm ID",
                "exit codes",
            ],
        ),
        ("delete", ["ID", "-r REGION", "--confirm ID", "--dry-run", "--profile P", "exit 3"]),
        ("demo", ["--notebook", "--output-dir DIR", "FAKE", "sequence_stores.parquet"]),
    ],
)
def test_subcommand_help(
    command: str, expected: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    shown = " ".join(capsys.readouterr().out.split())
    for text in expected:
        assert text in shown


def test_python_dash_m_omics_magic_is_the_cli(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "omics_magic", "--version"],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and done.stdout.startswith("omics-magic ")
