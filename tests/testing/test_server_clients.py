"""The server as other clients see it: ``env()`` alone is enough for boto3 and the CLI,
other SDKs are told how to skip the host prefix, and a client hanging up mid-request
is logged quietly instead of printed."""

from __future__ import annotations

import json
import logging
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

import omics_magic.testing
from omics_magic.testing import OmicsServer

REPO = Path(__file__).resolve().parents[2]
BOTO3 = """
import boto3, json
client = boto3.client("omics", region_name="eu-west-1")
print(json.dumps([s["name"] for s in client.list_sequence_stores()["sequenceStores"]]))
"""


def _bare_shell(home: Path, server: OmicsServer) -> dict[str, str]:
    """A shell with no AWS settings at all (no keys, no config), plus ``server.env()``."""
    import os

    return {"PATH": os.environ.get("PATH", ""), "HOME": str(home), **server.env()}


def test_env_alone_is_enough_for_boto3_and_the_cli(tmp_path: Path) -> None:
    with OmicsServer() as server:
        server.backend.seed("eu-west-1", 3)
        names = [s["name"] for s in server.backend.stores("eu-west-1")]
        env = _bare_shell(tmp_path, server)
        done = subprocess.run(
            [sys.executable, "-c", BOTO3], env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout) == names
        sql = "SELECT name FROM aws.omics.sequence_stores WHERE region = 'eu-west-1'"
        cli = subprocess.run(
            [sys.executable, "-m", "omics_magic", "query", sql, "--format", "json"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert cli.returncode == 0, cli.stderr
        assert sorted(row["name"] for row in json.loads(cli.stdout)) == sorted(names)
        key = server.backend.credentials().access_key_id
        assert env["AWS_ACCESS_KEY_ID"] == key
        assert server.backend.requests.count(access_key_id=key) >= 2


def test_env_can_sign_as_another_account_or_leave_credentials_alone() -> None:
    with OmicsServer() as server:
        dev = server.backend.add_account("111122223333")
        assert server.env(account_id="111122223333")["AWS_ACCESS_KEY_ID"] == dev.access_key_id
        assert "AWS_ACCESS_KEY_ID" not in server.env(credentials=False)
        with pytest.raises(KeyError, match="add_account"):
            server.env(account_id="999999999999")


def test_non_python_clients_are_told_to_disable_the_host_prefix() -> None:
    for text in (omics_magic.testing.__doc__ or "", (REPO / "README.md").read_text()):
        assert "disableHostPrefix: true" in text


def _send(server: OmicsServer, raw: bytes, *, reset: bool) -> None:
    host, port = server.endpoint_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(raw)
        if reset:  # hang up hard (RST), as a client killed mid-request does
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def test_a_client_hanging_up_mid_request_is_logged_at_debug(
    capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="omics_magic.testing.server")
    head = (
        "POST /sequencestores HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n"
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIAX/20240101/us-east-1/omics/"
        "aws4_request, SignedHeaders=host, Signature=0\r\n\r\n"
    )
    with OmicsServer() as server:
        server.backend.set_latency(0.2)  # the answer comes after the client is gone
        _send(server, head.format(100).encode() + b"{}", reset=False)  # body cut short
        for _ in range(3):
            _send(server, head.format(2).encode() + b"{}", reset=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and server.backend.requests.count() < 3:
            time.sleep(0.05)
        time.sleep(0.5)  # the answers meet the closed connections
        assert server.backend.requests.count() == 3  # the cut-short request was not answered
    out, err = capfd.readouterr()
    assert "Traceback" not in err and "Exception" not in err
    quiet = [r for r in caplog.records if r.name == "omics_magic.testing.server"]
    assert quiet and all(r.levelno == logging.DEBUG for r in quiet)
    assert any("hung up" in r.getMessage() for r in quiet)
