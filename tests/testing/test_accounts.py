"""Several accounts in one backend: credentials map requests to accounts, each account has
its own stores, read sets, faults and quotas, and a config file has a profile for each."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from omics_magic.testing import (
    DEFAULT_ACCOUNT_ID,
    AccountCredentials,
    MockOmics,
    OmicsBackend,
    OmicsServer,
)
from tests.testing.support import NO_RETRY, REGION, error_of, fresh_session

DEV, PROD = "111122223333", "444455556666"


def _client(credentials: AccountCredentials, region: str = REGION) -> Any:
    return fresh_session().client(
        "omics",
        region_name=region,
        aws_access_key_id=credentials.access_key_id,
        aws_secret_access_key=credentials.secret_access_key,
        config=NO_RETRY,
    )


def _names(client: Any) -> list[str]:
    return [s["name"] for s in client.list_sequence_stores()["sequenceStores"]]


def _code(call: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call()
    return error_of(caught.value)[0]


def test_add_account_returns_stable_credentials() -> None:
    backend = OmicsBackend()
    dev = backend.add_account(DEV, profile="dev")
    assert (dev.account_id, dev.profile) == (DEV, "dev")
    assert dev.access_key_id.startswith("AKIA") and len(dev.access_key_id) == 20
    assert len(dev.secret_access_key) == 40 and dev.secret_access_key not in repr(dev)
    assert backend.add_account(DEV) == dev  # the same account again: the same keys
    assert OmicsBackend().add_account(DEV, profile="dev") == dev  # and in every run
    assert backend.account_for(dev.access_key_id) == DEV
    assert backend.credentials(DEV) == dev
    assert backend.credentials().profile == "default"
    assert [a.account_id for a in backend.accounts()] == [DEFAULT_ACCOUNT_ID, DEV]
    own = backend.add_account(PROD, access_key="AKIAPRODOWNKEY000001", secret_key="s")
    assert (own.access_key_id, own.profile) == ("AKIAPRODOWNKEY000001", f"account-{PROD}")
    second = backend.add_account(DEV, access_key="AKIADEVSECONDKEY0001")
    assert backend.account_for(second.access_key_id) == DEV and second.profile != "dev"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"account_id": "123"}, "12 digits"),
        ({"account_id": DEV, "profile": "has space"}, "plain name"),
        ({"account_id": PROD, "profile": "dev"}, "taken"),
        ({"account_id": PROD, "access_key": "AKIADEVKEY0000000001"}, "belongs to account"),
    ],
)
def test_add_account_refuses_bad_set_ups(kwargs: dict[str, Any], message: str) -> None:
    backend = OmicsBackend()
    backend.add_account(DEV, access_key="AKIADEVKEY0000000001", profile="dev")
    with pytest.raises(ValueError, match=message):
        backend.add_account(**kwargs)
    with pytest.raises(KeyError, match="add_account"):
        backend.credentials("999999999999")


def test_each_account_sees_only_its_own_stores_and_read_sets(omics_fake: OmicsBackend) -> None:
    dev, prod = omics_fake.add_account(DEV), omics_fake.add_account(PROD)
    mine = omics_fake.create_sequence_store(REGION, "default-store")
    dev_store = omics_fake.create_sequence_store(REGION, "dev-store", account_id=DEV)
    omics_fake.seed(REGION, 2, account_id=PROD, read_sets_per_store=3)
    omics_fake.add_read_set(REGION, dev_store["id"], account_id=DEV, sample_id="dev-sample")

    assert _names(_client(dev)) == ["dev-store"]
    assert len(_names(_client(prod))) == 2
    unknown = boto3.Session(
        aws_access_key_id="AKIAUNKNOWNKEY000001", aws_secret_access_key="x", region_name=REGION
    ).client("omics", config=NO_RETRY)
    assert _names(unknown) == ["default-store"]  # unknown keys: the default account
    listed = _client(dev).list_read_sets(sequenceStoreId=dev_store["id"])["readSets"]
    assert [r["sampleId"] for r in listed] == ["dev-sample"]
    assert listed[0]["arn"].startswith(f"arn:aws:omics:{REGION}:{DEV}:sequenceStore/")
    for other in (prod, omics_fake.credentials()):
        assert _code(
            lambda c=other: _client(c).list_read_sets(sequenceStoreId=dev_store["id"])
        ) == ("ResourceNotFoundException")
        assert (
            _code(lambda c=other: _client(c).list_tags_for_resource(resourceArn=dev_store["arn"]))
            == "ResourceNotFoundException"
        )
    assert _names(_client(omics_fake.credentials())) == [mine["name"]]

    log = omics_fake.requests
    assert log.count(account_id=DEV) == 2 and log.count("ListReadSets", account_id=DEV) == 1
    assert log.count(account_id=PROD) == 3  # the listing and the two refusals
    assert log.count(account_id=DEV, access_key_id=dev.access_key_id) == 2


def test_faults_can_be_scoped_to_one_account(omics_fake: OmicsBackend) -> None:
    dev, prod = omics_fake.add_account(DEV), omics_fake.add_account(PROD)
    omics_fake.inject_error("AccessDeniedException", account_id=DEV, operation="ListSequenceStores")
    omics_fake.disable_region("eu-west-1", account_id=PROD)
    assert _code(lambda: _names(_client(dev))) == "AccessDeniedException"
    assert _names(_client(prod)) == []
    store = omics_fake.create_sequence_store("eu-west-1", "dev-eu", account_id=DEV)["id"]
    assert _client(dev, "eu-west-1").list_read_sets(sequenceStoreId=store)["readSets"] == []
    assert _code(lambda: _names(_client(prod, "eu-west-1"))) == "UnrecognizedClientException"
    assert _names(_client(omics_fake.credentials(), "eu-west-1")) == []
    omics_fake.enable_region("eu-west-1", account_id=PROD)
    assert _names(_client(prod, "eu-west-1")) == []
    with pytest.raises(ValueError, match="12 digits"):
        omics_fake.inject_error("ThrottlingException", account_id="dev")


def test_quotas_can_differ_per_account() -> None:
    now = [0.0]
    backend = OmicsBackend(clock=lambda: now[0])
    dev, prod = backend.add_account(DEV), backend.add_account(PROD)
    backend.set_quotas("aws")
    backend.set_quotas({"ListSequenceStores": 1.0}, account_id=DEV)
    with MockOmics(backend):

        def admitted(credentials: AccountCredentials) -> int:
            client, ok = _client(credentials), 0
            for _ in range(8):
                try:
                    client.list_sequence_stores()
                    ok += 1
                except ClientError:
                    pass
            return ok

        assert (admitted(dev), admitted(prod), admitted(backend.credentials())) == (1, 5, 5)
        backend.set_quotas(None)  # without account_id: every account's plan is replaced
        assert admitted(dev) == 8


def test_latency_can_be_scoped_to_one_account() -> None:
    backend = OmicsBackend()
    dev, prod = backend.add_account(DEV), backend.add_account(PROD)
    backend.set_latency(0.1)
    backend.set_latency(0.75, account_id=DEV, operation="ListSequenceStores")
    mock = MockOmics(backend)
    slept: list[float] = []
    mock.wire._sleep = slept.append  # record instead of waiting: no timed test
    with mock:
        _names(_client(dev))
        _names(_client(prod))
    assert slept == [0.75, 0.1]
    assert backend.faults.latency(REGION, "GetSequenceStore", DEV) == 0.1


def test_expired_credentials_answer_expired_token(omics_fake: OmicsBackend) -> None:
    dev, prod = omics_fake.add_account(DEV), omics_fake.add_account(PROD)
    second = omics_fake.add_account(PROD, access_key="AKIAPRODSECONDKEY001")
    omics_fake.expire_credentials(dev.access_key_id)
    omics_fake.expire_credentials(account_id=PROD)
    for credentials in (dev, prod, second):
        with pytest.raises(ClientError) as caught:
            _names(_client(credentials))
        assert error_of(caught.value)[:2] == ("ExpiredTokenException", 403)
    assert _names(_client(omics_fake.credentials())) == []
    assert omics_fake.requests.count(error_code="ExpiredTokenException", account_id=PROD) == 2
    with pytest.raises(ValueError, match="exactly one"):
        omics_fake.expire_credentials()
    omics_fake.clear_faults()
    assert _names(_client(dev)) == []


def test_write_aws_config_gives_one_profile_per_account(tmp_path: Path) -> None:
    backend = OmicsBackend()
    backend.add_account(DEV, profile="dev")
    backend.add_account(PROD, profile="prod")
    path = tmp_path / "config"
    assert backend.write_aws_config(path, region="eu-west-2") == ["default", "dev", "prod"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert "[default]" in text and "[profile dev]" in text and "region = eu-west-2" in text
    assert backend.credentials(DEV).secret_access_key in text
    role = f"arn:aws:iam::{PROD}:role/reader"
    names = backend.write_aws_config(path, region=None, roles={"prod-reader": role})
    assert names[-1] == "prod-reader" and f"role_arn = {role}" in path.read_text()
    assert "region" not in path.read_text()
    with pytest.raises(ValueError, match="unique"):
        backend.write_aws_config(path, roles={"dev": role})


def test_profiles_from_the_config_file_act_in_their_accounts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = OmicsBackend()
    backend.add_account(DEV, profile="dev")
    backend.create_sequence_store(REGION, "dev-store", account_id=DEV)
    backend.create_sequence_store(REGION, "default-store")
    path = tmp_path / "config"
    backend.write_aws_config(path)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(path))
    with MockOmics(backend):
        for profile, expected in (("dev", ["dev-store"]), ("default", ["default-store"])):
            session = boto3.Session(profile_name=profile)  # the env's keys are not used
            assert session.region_name == REGION
            assert _names(session.client("omics", config=NO_RETRY)) == expected


SCRIPT = """
import boto3, json, sys
out = {}
for profile in sys.argv[1:]:
    client = boto3.Session(profile_name=profile).client("omics")
    out[profile] = [s["name"] for s in client.list_sequence_stores()["sequenceStores"]]
print(json.dumps(out))
"""


def test_a_fresh_process_uses_the_profiles_over_the_server(tmp_path: Path) -> None:
    with OmicsServer() as server:
        backend = server.backend
        backend.add_account(DEV, profile="dev")
        backend.add_account(PROD, profile="prod")
        for account, name in ((DEV, "dev-store"), (PROD, "prod-store")):
            backend.create_sequence_store(REGION, name, account_id=account)
        backend.write_aws_config(tmp_path / "config")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTEST"))}
        env.update(server.env(credentials=False), AWS_CONFIG_FILE=str(tmp_path / "config"))
        env["AWS_SHARED_CREDENTIALS_FILE"] = str(tmp_path / "none")
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT, "dev", "prod", "default"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout) == {
            "dev": ["dev-store"],
            "prod": ["prod-store"],
            "default": [],
        }
        assert backend.requests.count(account_id=DEV) == 1
        assert backend.requests.count(account_id=PROD) == 1
