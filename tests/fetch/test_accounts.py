"""Fetches across accounts, both ways into the fake: profiles, roles through moto's STS,
mixed per-account failures, renewed role credentials during a fetch."""

from __future__ import annotations

from pathlib import Path

import pytest

import omics_magic
from omics_magic.aws.accounts import AccountChoice
from omics_magic.failures import failures_in
from omics_magic.fetch.engine import fetch_frame
from omics_magic.fetch.options import FetchOptions
from omics_magic.testing import OmicsBackend
from tests.accounts_support import (
    COLUMNS,
    DEV,
    LAB,
    PROD,
    REGIONS,
    ROLE_LAB,
    ROLE_PROD,
    expected,
)
from tests.fetch_helpers import most_throttles_per_bucket, records


def test_profiles_give_each_account_its_own_rows(estate: OmicsBackend) -> None:
    df = omics_magic.sequence_stores(REGIONS, profiles=["dev", "prod"], columns=COLUMNS)
    assert records(df) == expected(estate, [DEV, PROD], REGIONS)
    assert df.attrs["omics_errors"] == []
    assert df.attrs["omics_accounts"] == [
        {"account_id": DEV, "via": "dev"},
        {"account_id": PROD, "via": "prod"},
    ]


def test_account_id_is_an_extra_column(estate: OmicsBackend) -> None:
    df = omics_magic.sequence_stores(REGIONS, profiles=["dev"])
    assert "account_id" not in df.columns and len(df.columns) == 9


def test_with_roles_alone_only_the_roles_accounts_are_queried(estate: OmicsBackend) -> None:
    df = omics_magic.sequence_stores(REGIONS, role_arns=[ROLE_PROD, ROLE_LAB], columns=COLUMNS)
    assert records(df) == expected(estate, [PROD, LAB], REGIONS)
    asked = {r.account_id for r in estate.requests.records if r.operation}
    assert asked == {PROD, LAB}


def test_an_account_reached_twice_is_fetched_once_with_a_note(estate: OmicsBackend) -> None:
    df = omics_magic.sequence_stores(
        REGIONS, profiles=["prod"], role_arns=[ROLE_PROD, ROLE_LAB], columns=COLUMNS
    )
    assert records(df) == expected(estate, [PROD, LAB], REGIONS)
    assert df.attrs["omics_notes"] == [
        f"account {PROD} is reached by both prod and {ROLE_PROD}: fetched once, through prod"
    ]
    listed = [r for r in estate.requests.records if r.operation == "ListSequenceStores"]
    assert sorted(r.account_id for r in listed) == sorted([PROD, PROD, LAB, LAB])


def sso_profile(config: Path, name: str, account: str) -> None:
    with config.open("a") as out:
        out.write(
            f"\n[profile {name}]\nsso_start_url = https://example.awsapps.com/start\n"
            f"sso_region = us-east-1\nsso_account_id = {account}\n"
            "sso_role_name = Reader\nregion = us-east-1\n"
        )


def test_one_account_failing_loses_no_other_accounts_rows(
    estate: OmicsBackend, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import os

    config = Path(os.environ["AWS_CONFIG_FILE"])
    sso_profile(config, "sso-dev", DEV)  # no token cached: as good as an expired SSO login
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.aws/sso/cache of the machine's
    denied = f"arn:aws:iam::{LAB}:role/not-trusted"
    estate.deny_assume_role(denied)
    estate.disable_region("eu-west-1", account_id=PROD)
    with pytest.warns(omics_magic.RegionFailureWarning):
        df = omics_magic.sequence_stores(
            REGIONS,
            profiles=["dev", "sso-dev", "prod"],
            role_arns=[denied],
            columns=COLUMNS,
        )
    assert records(df) == expected(estate, [DEV], REGIONS) + expected(estate, [PROD], ["us-east-1"])
    failures = {(f.via, f.region): f for f in failures_in(df)}
    assert sorted(failures, key=str) == sorted(
        [("sso-dev", "*"), ("prod", "eu-west-1"), (denied, "*")], key=str
    )
    sso = failures[("sso-dev", "*")]
    assert sso.kind == "denied" and "aws sso login --profile sso-dev" in sso.message
    assert failures[("prod", "eu-west-1")].account_id == PROD
    assert failures[("prod", "eu-west-1")].kind == "not_enabled"
    role = failures[(denied, "*")]
    assert (role.account_id, role.kind, role.code) == (LAB, "denied", "AccessDenied")


def test_expired_credentials_are_one_failure_for_the_account(estate: OmicsBackend) -> None:
    estate.expire_credentials(account_id=PROD)
    with pytest.warns(omics_magic.RegionFailureWarning, match=r"every region \[prod\]"):
        df = omics_magic.sequence_stores(REGIONS, profiles=["dev", "prod"], columns=COLUMNS)
    assert records(df) == expected(estate, [DEV], REGIONS)
    [failure] = failures_in(df)
    assert (failure.region, failure.via, failure.kind) == ("*", "prod", "denied")
    assert failure.code.startswith("ExpiredToken")


def test_bad_input_is_refused_before_any_call(estate: OmicsBackend) -> None:
    with pytest.raises(omics_magic.InputError, match="unknown AWS profile 'stagin'"):
        omics_magic.sequence_stores(REGIONS, profiles=["dev", "stagin"])
    with pytest.raises(omics_magic.InputError, match="is malformed"):
        omics_magic.sequence_stores(REGIONS, role_arns=["arn:aws:iam::12:role/x"])
    assert estate.requests.count() == 0


def test_role_credentials_are_renewed_during_a_long_fetch(estate: OmicsBackend) -> None:
    # 900 s credentials are always inside botocore's 15-minute refresh window:
    # botocore assumes the role again as the fetch goes, on its own.
    estate.set_latency(0.01)
    df = fetch_frame(
        REGIONS,
        columns=COLUMNS,
        options=FetchOptions(rate=None),
        accounts=AccountChoice(role_arns=[ROLE_PROD], duration_seconds=900),
    )
    assert records(df) == expected(estate, [PROD], REGIONS)
    keys = {r.access_key_id for r in estate.requests.records if r.account_id == PROD}
    assert len(keys) > 1


def test_the_single_profile_setting_keeps_working(estate: OmicsBackend) -> None:
    from omics_magic.aws.clients import resolve_session

    df = omics_magic.sequence_stores(REGIONS, session=resolve_session(profile="dev"))
    assert sorted(df["sequence_store_id"]) == sorted(
        r["sequence_store_id"] for r in expected(estate, [DEV], REGIONS)
    )
    assert "omics_accounts" not in df.attrs


def test_pacing_is_per_account_even_as_role_credentials_rotate(estate: OmicsBackend) -> None:
    # Renewed on every use (900 s), the role's access key differs from fetch to fetch;
    # two fetches at once still share the account's pacers, so together they send at
    # most the account's 20 TPS, inside the fake's 28 (burst 2). Paced per access key,
    # they would send 40 TPS between them and be throttled again and again.
    from concurrent.futures import ThreadPoolExecutor

    region = REGIONS[0]
    estate.seed([region], 17, account_id=PROD, random_seed=7)  # 20 stores: 20 tag calls
    estate.set_quotas({"ListSequenceStores": 28, "ListTagsForResource": 28}, burst=2)
    choice = AccountChoice(role_arns=[ROLE_PROD], duration_seconds=900)

    def one() -> object:
        options = FetchOptions(rate=20, cache_ttl=0)  # both really fetch
        return fetch_frame([region], columns=COLUMNS, options=options, accounts=choice)

    with ThreadPoolExecutor(2) as pool:
        frames = list(pool.map(lambda _: one(), range(2)))
    for df in frames:
        assert records(df) == expected(estate, [PROD], [region])
    answered = [r for r in estate.requests.records if r.account_id == PROD and r.operation]
    assert len({r.access_key_id for r in answered}) > 1
    # One throttle learns the burst. Paced per access key, the two fetches were throttled
    # 9 to 11 times in a bucket; shared per account, once, and on a loaded machine
    # (requests held up, then reaching the fake together) once or twice more.
    assert most_throttles_per_bucket(estate) <= 3


def test_an_invalid_profile_fails_alone(estate: OmicsBackend) -> None:
    import os

    config = Path(os.environ["AWS_CONFIG_FILE"])
    with config.open("a") as out:  # a role profile whose source profile doesn't exist
        out.write(
            "\n[profile broken]\nrole_arn = arn:aws:iam::777788889999:role/r\n"
            "source_profile = nowhere\nregion = us-east-1\n"
        )
    with pytest.warns(omics_magic.RegionFailureWarning, match=r"\[broken\]"):
        df = omics_magic.sequence_stores(REGIONS, profiles=["broken", "dev"], columns=COLUMNS)
    assert records(df) == expected(estate, [DEV], REGIONS)
    [failure] = failures_in(df)
    assert (failure.region, failure.via) == ("*", "broken")
    assert "nowhere" in failure.message


def test_an_account_pushdown_on_the_default_credentials_asks_sts_once(
    estate: OmicsBackend,
) -> None:
    import boto3

    dev = boto3.Session(profile_name="dev")
    sql = f"SELECT count(*) AS n FROM aws.omics.sequence_stores WHERE account_id = '{PROD}'"
    assert omics_magic.run_query(sql, regions=REGIONS, session=dev)["n"].tolist() == [0]
    assert estate.requests.count() == 0  # dev is not prod: no omics call at all
    sql = sql.replace(PROD, DEV)
    n = sum(len(estate.stores(r, account_id=DEV)) for r in REGIONS)
    assert omics_magic.run_query(sql, regions=REGIONS, session=dev)["n"].tolist() == [n]
