"""Demo mode: the seeded fake for the rest of the process, and no real credential in use."""

from __future__ import annotations

import os
from collections.abc import Iterator

import boto3
import pytest
from IPython.core.error import UsageError

import omics_magic
from omics_magic.aws.clients import resolve_session
from omics_magic.demo_mode.mode import (
    DEMO_REGIONS,
    DEMO_STORE_ID,
    NOT_ENABLED_REGION,
    REGIONS,
    SCRATCH_STORE_ID,
    THROTTLED_REGION,
    Demo,
    active_demo,
    offline_environment,
    seed_demo,
)
from omics_magic.errors import CredentialsError, RegionFailureWarning
from omics_magic.testing import OmicsBackend
from tests.magic_support import run_cell, strict_shell

SEED_SQL = (
    "SELECT region, arn, creation_time, description, name, fallback_location, "
    "sequence_store_id, sse_config, tags FROM aws.omics.sequence_store "
    f"WHERE data__Identifier = '{DEMO_STORE_ID}';"
)


@pytest.fixture
def user_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """What a user's environment might hold: a profile, keys, an endpoint, regions."""
    values = {
        "AWS_PROFILE": "prod-admin",
        "AWS_ACCESS_KEY_ID": "AKIAREALLOOKINGKEY01",
        "AWS_SECRET_ACCESS_KEY": "real-looking-secret",
        "AWS_SESSION_TOKEN": "real-looking-token",
        "AWS_ENDPOINT_URL_OMICS": "https://omics.example.invalid",
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true",
        "OMICS_MAGIC_REGIONS": "us-east-2",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


@pytest.fixture
def running() -> Iterator[Demo]:
    handle = omics_magic.demo(quiet=True)
    try:
        yield handle
    finally:
        omics_magic.end_demo(quiet=True)


def aws_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.startswith(("AWS_", "OMICS_MAGIC_"))}


def test_demo_replaces_then_restores_the_environment(
    user_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    before = aws_env()

    handle = omics_magic.demo()
    try:
        banner = capsys.readouterr().out
        assert "FAKE" in banner and handle.endpoint_url in banner and DEMO_STORE_ID in banner
        assert os.environ["AWS_ENDPOINT_URL_OMICS"] == handle.endpoint_url
        assert os.environ["AWS_DISABLE_HOST_PREFIX_INJECTION"] == "true"
        assert os.environ["OMICS_MAGIC_REGIONS"] == ",".join(REGIONS)
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"):
            assert name not in os.environ
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            assert os.environ[name] != user_env[name]
        assert omics_magic.demo(quiet=True) is handle  # already on: the same demo
    finally:
        assert omics_magic.end_demo() is True
    assert "demo mode is off" in capsys.readouterr().out
    assert aws_env() == before
    assert active_demo() is None and not handle.running
    assert omics_magic.end_demo() is False


def test_queries_reach_the_demo_server_with_fake_keys(user_env: dict[str, str]) -> None:
    with omics_magic.demo(quiet=True) as handle:
        with pytest.warns(RegionFailureWarning, match="2 region"):
            df = omics_magic.run_query(SEED_SQL)
        assert df["sequence_store_id"].tolist() == [DEMO_STORE_ID]
        assert df.loc[0, "tags"]["team"] == "genomics"
        failed = {e["region"]: e["kind"] for e in df.attrs["omics_errors"]}
        assert failed == {NOT_ENABLED_REGION: "not_enabled", THROTTLED_REGION: "throttled"}
        records = handle.backend.requests.records
        assert {r.region for r in records} == set(REGIONS)
    assert active_demo() is None


def test_cached_clients_do_not_outlive_demo_mode(
    omics_server: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = omics_server.backend  # type: ignore[attr-defined]
    backend.create_sequence_store("us-east-1", "outside-the-demo")
    monkeypatch.setenv("OMICS_MAGIC_TPS", "0")
    assert omics_magic.sequence_stores(["us-east-1"])["name"].tolist() == ["outside-the-demo"]

    with omics_magic.demo(quiet=True) as handle:
        session = boto3.Session()  # made in demo mode: the demo's keys, allowed
        inside = omics_magic.sequence_stores(["us-east-1"], session=session)
        assert DEMO_STORE_ID in inside["sequence_store_id"].tolist()
        assert "outside-the-demo" not in inside["name"].tolist()
        assert handle.backend.requests.count(region="us-east-1") > 0

    # After demo mode, the same session gets a new client for today's endpoint, not the
    # cached one that points at the stopped demo server.
    after = omics_magic.sequence_stores(["us-east-1"], session=session)
    assert after.attrs["omics_errors"] == []
    assert after["name"].tolist() == ["outside-the-demo"]
    assert omics_magic.sequence_stores(["us-east-1"])["name"].tolist() == ["outside-the-demo"]


def test_real_credentials_are_refused_in_demo_mode(running: Demo) -> None:
    own_keys = boto3.Session(
        aws_access_key_id="AKIAREALLOOKINGKEY01", aws_secret_access_key="secret"
    )
    with pytest.raises(CredentialsError, match="demo mode is on"):
        omics_magic.sequence_stores(["us-east-1"], session=own_keys)
    with pytest.raises(CredentialsError, match="profile 'prod-admin'"):
        resolve_session(profile="prod-admin")
    with pytest.raises(CredentialsError, match="demo mode is on"):
        omics_magic.delete_sequence_store(
            SCRATCH_STORE_ID, "eu-west-1", confirm=SCRATCH_STORE_ID, session=own_keys
        )
    assert running.backend.requests.count() == 0

    # A session made now finds only the demo's fake keys: allowed.
    df = omics_magic.sequence_stores(["eu-west-1"], session=boto3.Session())
    assert SCRATCH_STORE_ID in df["sequence_store_id"].tolist()


def test_the_magic_enters_and_leaves_demo_mode(
    user_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    before = aws_env()
    with strict_shell() as ip:
        try:
            # A configured profile is set aside in demo mode...
            run_cell(ip, "%config OmicsMagic.profile = 'prod-admin'")
            assert ip.run_line_magic("omics", "--demo") is None
            assert "FAKE" in capsys.readouterr().out
            df = ip.run_cell_magic("omics", "", SEED_SQL)
            assert df["name"].tolist() == ["wgs-cohort-042"]
            # ... an explicit --profile is refused in one line.
            with pytest.raises(UsageError, match="demo mode is on"):
                ip.run_cell_magic("omics", "--profile prod-admin", SEED_SQL)
            with pytest.raises(UsageError, match="contradict"):
                ip.run_line_magic("omics", "--demo --end-demo")
        finally:
            ip.run_line_magic("omics", "--end-demo")
    assert "demo mode is off" in capsys.readouterr().out
    assert aws_env() == before


def test_demo_flag_with_a_query_runs_it_in_demo_mode(running: Demo) -> None:
    with strict_shell() as ip:
        df = ip.run_line_magic(
            "omics",
            "--demo SELECT count(*) AS n FROM aws.omics.sequence_stores WHERE region = 'eu-west-1'",
        )
    assert df["n"].tolist() == [len(running.backend.stores("eu-west-1"))]


def test_the_seed_is_deterministic_and_realistic() -> None:
    first, second = OmicsBackend(random_seed=0), OmicsBackend(random_seed=0)
    seeded = seed_demo(first)
    seed_demo(second)
    assert seeded == {region: second.stores(region) for region in DEMO_REGIONS}

    stores = [s for region in DEMO_REGIONS for s in seeded[region]]
    assert 40 <= len(stores) <= 80  # dozens
    featured = next(s for s in seeded["us-east-1"] if s["id"] == DEMO_STORE_ID)
    assert featured["name"] == "wgs-cohort-042" and featured["tags"]["team"] == "genomics"
    assert any(s["tags"] for s in stores) and any(not s["tags"] for s in stores)
    assert any("keyArn" in s["sseConfig"] for s in stores)
    assert any(s.get("fallbackLocation") for s in stores)
    assert SCRATCH_STORE_ID in [s["id"] for s in seeded["eu-west-1"]]


def test_offline_environment_keeps_no_aws_setting(user_env: dict[str, str]) -> None:
    env = offline_environment()
    assert "AWS_PROFILE" not in env and "AWS_SESSION_TOKEN" not in env
    assert "AWS_ENDPOINT_URL_OMICS" not in env
    assert env["AWS_ACCESS_KEY_ID"] != user_env["AWS_ACCESS_KEY_ID"]
    assert env["AWS_EC2_METADATA_DISABLED"] == "true"
    assert env["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    assert env["OMICS_MAGIC_REGIONS"] == "us-east-2"  # not an AWS setting: kept
