"""Bad configuration in the environment: one line, the right exit code, no secret echoed.

Each runs the CLI as a real process against an :class:`OmicsServer`, with one
setting broken the way a user's shell or ``~/.aws/config`` breaks it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from omics_magic.testing import OmicsServer
from tests.cli.test_cli import one_error_line, run_cli

STORES = "aws.omics.sequence_stores"
SECRET = "hunter2-do-not-show"


@pytest.fixture
def server(omics_server: OmicsServer, monkeypatch: pytest.MonkeyPatch) -> OmicsServer:
    monkeypatch.setenv("OMICS_MAGIC_REGIONS", "us-east-1,eu-west-1")
    monkeypatch.setenv("OMICS_MAGIC_TPS", "0")
    omics_server.backend.seed(["us-east-1", "eu-west-1"], stores_per_region=2)
    omics_server.backend.requests.clear()
    return omics_server


def config_file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "config"
    path.write_text(text)
    return str(path)


def no_keys(**env: str) -> dict[str, str]:
    """An environment whose only credentials come from the config file."""
    return {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", **env}


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"OMICS_MAGIC_REGIONS": ","}, "$OMICS_MAGIC_REGIONS is ',', which names no region"),
        ({"OMICS_MAGIC_REGIONS": " , ,"}, "names no region"),
        ({"OMICS_MAGIC_TPS": "1e-9"}, "$OMICS_MAGIC_TPS must be at least 0.1"),
        ({"AWS_MAX_ATTEMPTS": "abc"}, "AWS_MAX_ATTEMPTS (or max_attempts in the AWS config"),
        ({"AWS_ENDPOINT_URL_OMICS": "not-a-url"}, "Invalid endpoint: not-a-url; AWS_ENDPOINT"),
    ],
)
def test_a_bad_setting_is_one_line_and_exit_2_before_any_call(
    server: OmicsServer, env: dict[str, str], expected: str
) -> None:
    done = run_cli("query", f"SELECT name FROM {STORES}", env=env)
    assert done.returncode == 2, done.stderr
    assert expected in one_error_line(done.stderr)
    assert done.stdout == ""
    assert server.backend.requests.count() == 0


def test_a_broken_config_file_is_one_line(server: OmicsServer, tmp_path: Path) -> None:
    env = {"AWS_CONFIG_FILE": config_file(tmp_path, "[default\nregion = us-east-1\n")}
    done = run_cli("query", f"SELECT name FROM {STORES}", env=env)
    assert done.returncode == 2
    line = one_error_line(done.stderr)
    assert "Unable to parse config file" in line and "AWS_CONFIG_FILE" in line
    assert server.backend.requests.count() == 0


def test_a_credential_process_printing_bad_json_is_one_line(
    server: OmicsServer, tmp_path: Path
) -> None:
    helper = f"{sys.executable} -c \"print('{SECRET} is not json')\""
    env = no_keys(
        AWS_CONFIG_FILE=config_file(tmp_path, f"[default]\ncredential_process = {helper}\n")
    )
    done = run_cli("query", f"SELECT name FROM {STORES}", env=env)
    assert done.returncode == 2
    line = one_error_line(done.stderr)
    assert "credential_process must print its credentials as JSON" in line
    assert SECRET not in done.stderr
    assert server.backend.requests.count() == 0


def test_a_failing_credential_process_does_not_echo_its_output(
    server: OmicsServer, tmp_path: Path
) -> None:
    script = f"import sys; print('token={SECRET}', file=sys.stderr); sys.exit(3)"
    helper = f'{sys.executable} -c "{script}"'
    env = no_keys(
        AWS_CONFIG_FILE=config_file(tmp_path, f"[default]\ncredential_process = {helper}\n")
    )
    done = run_cli("query", f"SELECT name FROM {STORES}", env=env)
    assert done.returncode == 2
    assert "credential_process command failed" in one_error_line(done.stderr)
    assert SECRET not in done.stderr + done.stdout


def test_a_password_in_the_endpoint_url_is_redacted_everywhere(server: OmicsServer) -> None:
    # A port nothing listens on: every region fails with a connection error that quotes the URL.
    endpoint = f"http://lab:{SECRET}@127.0.0.1:9/"
    done = run_cli(
        "query", f"SELECT name FROM {STORES}", "-r", "us-east-1", env={
            "AWS_ENDPOINT_URL_OMICS": endpoint, "AWS_MAX_ATTEMPTS": "1",
        },
    )  # fmt: skip
    assert done.returncode == 1  # every region failed
    assert SECRET not in done.stderr + done.stdout
    assert "http://<redacted>@127.0.0.1:9/" in done.stderr


def test_the_redacted_endpoint_in_attrs_and_fetch_errors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from omics_magic import FetchError, run_query
    from omics_magic.aws.clients import clear_cache

    monkeypatch.setenv("AWS_ENDPOINT_URL_OMICS", f"https://lab:{SECRET}@127.0.0.1:9/")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    monkeypatch.setenv("OMICS_MAGIC_TPS", "0")
    clear_cache()
    with pytest.warns(UserWarning) as warned:
        df = run_query(f"SELECT name FROM {STORES}", regions=["us-east-1"])
    assert SECRET not in json.dumps(df.attrs, default=str)
    assert "<redacted>@127.0.0.1" in df.attrs["omics_errors"][0]["message"]
    assert all(SECRET not in str(w.message) for w in warned)
    with pytest.raises(FetchError) as caught:
        run_query(f"SELECT name FROM {STORES}", regions=["us-east-1"], strict=True)
    assert SECRET not in str(caught.value)
    clear_cache()
