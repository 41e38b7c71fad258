"""Assumed roles through moto's STS act in the role's account, both ways in; a denied
AssumeRole answers AccessDenied and expired credentials ExpiredToken."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from omics_magic.testing import OmicsBackend, OmicsServer, mock_omics
from tests.testing.support import NO_RETRY, REGION, error_of, fresh_session

moto = pytest.importorskip("moto")

PROD = "444455556666"
READER = f"arn:aws:iam::{PROD}:role/reader"
ADMIN = f"arn:aws:iam::{PROD}:role/admin"


def _assumed(sts: Any, role_arn: str = READER) -> boto3.Session:
    creds = sts.assume_role(RoleArn=role_arn, RoleSessionName="notebook")["Credentials"]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=REGION,
    )


def _prod(backend: OmicsBackend) -> str:
    store = backend.create_sequence_store(REGION, "prod-store", account_id=PROD)["id"]
    backend.add_read_set(REGION, store, account_id=PROD, sample_id="prod-sample")
    backend.create_sequence_store(REGION, "default-store")
    return store


def _names(session: boto3.Session) -> list[str]:
    client = session.client("omics", region_name=REGION, config=NO_RETRY)
    return [s["name"] for s in client.list_sequence_stores()["sequenceStores"]]


@pytest.fixture
def in_process() -> Any:
    backend = OmicsBackend()
    with moto.mock_aws(), mock_omics(backend):
        yield backend, fresh_session().client("sts", region_name=REGION, config=NO_RETRY)


@pytest.fixture
def over_http(omics_server: OmicsServer) -> Any:
    # The fixture points AWS_ENDPOINT_URL_STS at the server, which answers through moto.
    yield omics_server.backend, fresh_session().client("sts", region_name=REGION, config=NO_RETRY)


@pytest.fixture(params=["in_process", "over_http"])
def fake_sts(request: pytest.FixtureRequest) -> Any:
    return request.getfixturevalue(request.param)


def test_an_assumed_role_acts_in_the_roles_account(fake_sts: Any) -> None:
    backend, sts = fake_sts
    store = _prod(backend)
    session = _assumed(sts)
    assert _names(session) == ["prod-store"]
    listed = session.client("omics", config=NO_RETRY).list_read_sets(sequenceStoreId=store)
    assert [r["sampleId"] for r in listed["readSets"]] == ["prod-sample"]
    key = session.get_credentials().access_key
    assert key.startswith("ASIA") and backend.account_for(key) == PROD
    assert backend.requests.count(account_id=PROD, access_key_id=key) == 2
    assert session.client("sts").get_caller_identity()["Account"] == PROD  # moto agrees
    assert _names(fresh_session()) == ["default-store"]  # the base credentials: unchanged


def test_a_denied_role_answers_access_denied(fake_sts: Any) -> None:
    backend, sts = fake_sts
    _prod(backend)
    backend.deny_assume_role(ADMIN)
    with pytest.raises(ClientError) as caught:
        _assumed(sts, ADMIN)
    code, status, message = error_of(caught.value)
    assert (code, status) == ("AccessDenied", 403)
    assert f"sts:AssumeRole on resource: {ADMIN}" in message
    assert _names(_assumed(sts, READER)) == ["prod-store"]  # other roles still work
    backend.deny_assume_role(READER, message="Not in the trust policy")
    with pytest.raises(ClientError, match="Not in the trust policy"):
        _assumed(sts, READER)
    backend.clear_faults()
    assert _names(_assumed(sts, ADMIN)) == ["prod-store"]
    with pytest.raises(ValueError, match="role ARN"):
        backend.deny_assume_role("admin")


def test_expired_credentials_are_refused_by_sts_and_omics(fake_sts: Any) -> None:
    backend, sts = fake_sts
    _prod(backend)
    session = _assumed(sts)
    key = session.get_credentials().access_key
    backend.expire_credentials(key)
    with pytest.raises(ClientError) as caught:
        _names(session)
    assert error_of(caught.value)[:2] == ("ExpiredTokenException", 403)
    again = _assumed(sts)  # new temporary keys from the same (unexpired) base credentials
    assert _names(again) == ["prod-store"]
    backend.expire_credentials(account_id=backend.account_for(None))  # the base account
    with pytest.raises(ClientError) as caught:
        _assumed(sts)
    assert error_of(caught.value)[:2] == ("ExpiredToken", 403)


def test_a_role_profile_in_the_config_file_assumes_the_role(
    in_process: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend, _ = in_process
    _prod(backend)
    path = tmp_path / "config"
    backend.write_aws_config(path, roles={"prod-reader": READER, "prod-admin": ADMIN})
    monkeypatch.setenv("AWS_CONFIG_FILE", str(path))
    assert _names(boto3.Session(profile_name="prod-reader")) == ["prod-store"]
    backend.deny_assume_role(ADMIN)
    with pytest.raises(ClientError) as caught:
        _names(boto3.Session(profile_name="prod-admin"))
    assert error_of(caught.value)[0] == "AccessDenied"


def test_short_lived_role_credentials_are_refreshed_by_botocore(
    fake_sts: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend, _ = fake_sts
    _prod(backend)
    path = tmp_path / "config"
    backend.write_aws_config(path, roles={"prod-reader": READER}, role_duration_seconds=900)
    assert "duration_seconds = 900" in path.read_text()
    monkeypatch.setenv("AWS_CONFIG_FILE", str(path))
    client = boto3.Session(profile_name="prod-reader").client("omics", config=NO_RETRY)
    for _ in range(3):
        client.list_sequence_stores()
    records = backend.requests.records
    assert [r.account_id for r in records] == [PROD] * 3
    assert len({r.access_key_id for r in records}) == 3  # assumed again before each call
    with pytest.raises(ValueError, match="900 to 43200"):
        backend.write_aws_config(path, roles={"r": READER}, role_duration_seconds=60)


SCRIPT = """
import boto3, json
session = boto3.Session(profile_name="prod-reader")
client = session.client("omics")
print(json.dumps([s["name"] for s in client.list_sequence_stores()["sequenceStores"]]))
"""


def test_a_fresh_process_assumes_a_role_through_the_server(tmp_path: Path) -> None:
    with OmicsServer() as server:
        _prod(server.backend)
        server.backend.write_aws_config(tmp_path / "config", roles={"prod-reader": READER})
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTEST"))}
        env.update(server.env(credentials=False), AWS_CONFIG_FILE=str(tmp_path / "config"))
        env["AWS_SHARED_CREDENTIALS_FILE"] = str(tmp_path / "none")
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout) == ["prod-store"]
        assert server.backend.requests.count(account_id=PROD) == 1


def test_without_moto_the_server_says_sts_needs_it(
    omics_server: OmicsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "moto.core.botocore_stubber", None)  # import fails
    sts = fresh_session().client("sts", region_name=REGION, config=NO_RETRY)
    with pytest.raises(ClientError) as caught:
        sts.get_caller_identity()
    code, status, message = error_of(caught.value)
    assert (code, status) == ("NotImplemented", 501) and "install moto" in message
