"""Profiles and roles as sessions: validation before any call, roles through moto's STS,
credentials botocore renews by itself, accounts identified once each."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from omics_magic.aws.accounts import (
    ALL_REGIONS,
    AccountChoice,
    account_of_arn,
    account_sessions,
)
from omics_magic.errors import InputError
from omics_magic.fetch.accounts import reach_accounts

ROLE_A = "arn:aws:iam::111122223333:role/omics-reader"
ROLE_B = "arn:aws:iam::444455556666:role/omics-reader"


@pytest.fixture
def sts() -> Iterator[None]:
    """moto's STS (and everything else moto fakes) in-process."""
    moto = pytest.importorskip("moto")
    with moto.mock_aws():
        yield


def write_config(path: Path, profiles: dict[str, tuple[str, str]]) -> Path:
    lines = []
    for name, (key, secret) in profiles.items():
        lines += [f"[profile {name}]", f"aws_access_key_id = {key}"]
        lines += [f"aws_secret_access_key = {secret}", "region = us-east-1", ""]
    path.write_text("\n".join(lines))
    return path


@pytest.fixture
def two_profiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = write_config(
        tmp_path / "config",
        {"dev": ("AKIADEVDEVDEVDEV0001", "devsecret"), "prod": ("AKIAPRODPRODPROD0001", "p")},
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))


@pytest.mark.parametrize(
    ("choice", "message"),
    [
        ({"role_arns": ["omics-reader"]}, "role ARN 'omics-reader' is malformed"),
        ({"role_arns": ["arn:aws:iam::1234:role/r"]}, "is malformed"),
        ({"role_arns": ["arn:aws:iam::111122223333:user/r"]}, "is malformed"),
        ({"role_arns": [""]}, "non-empty strings"),
        ({"profiles": [3]}, "profiles must be a list of non-empty strings"),
        ({"role_arns": [ROLE_A], "role_external_id": "x"}, "role_external_id must be"),
        ({"role_arns": [ROLE_A], "role_session_name": "a b"}, "role_session_name must be"),
        ({"role_arns": [ROLE_A], "duration_seconds": 60}, "duration_seconds must be"),
    ],
)
def test_bad_choices_are_one_line_before_any_call(choice: dict, message: str) -> None:
    with pytest.raises(InputError, match=message) as raised:
        AccountChoice(**choice)
    assert "\n" not in str(raised.value)


def test_an_unknown_profile_is_refused_naming_the_known_ones(two_profiles: None) -> None:
    with pytest.raises(InputError, match=r"unknown AWS profile 'stagin' \(known: dev, prod\)"):
        account_sessions(AccountChoice(profiles=["dev", "stagin"]))


def test_no_choice_is_the_one_base_session_as_before() -> None:
    [only] = account_sessions(AccountChoice())
    assert only.via is None and only.account_id is None
    assert reach_accounts([only]).sessions == [only]


def test_a_string_is_one_name_and_repeats_are_dropped() -> None:
    choice = AccountChoice(profiles="dev", role_arns=[ROLE_A, ROLE_A])
    assert choice.profiles == ("dev",) and choice.role_arns == (ROLE_A,)


def test_account_of_arn() -> None:
    assert account_of_arn("arn:aws:omics:eu-west-1:111122223333:sequenceStore/1") == (
        "111122223333"
    )
    assert account_of_arn("not an arn") is None and account_of_arn(None) is None


def test_roles_are_assumed_through_sts_with_the_session_name(sts: None) -> None:
    sessions = account_sessions(
        AccountChoice(role_arns=[ROLE_A, ROLE_B], role_session_name="inventory")
    )
    assert [(s.via, s.account_id) for s in sessions] == [
        (ROLE_A, "111122223333"),
        (ROLE_B, "444455556666"),
    ]
    reached = reach_accounts(sessions)
    assert [s.account_id for s in reached.sessions] == ["111122223333", "444455556666"]
    assert reached.failures == [] and reached.notes == []
    identity = sessions[0].session.client("sts").get_caller_identity()
    assert identity["Account"] == "111122223333"
    assert identity["Arn"].endswith(":assumed-role/omics-reader/inventory")


def test_the_external_id_is_sent_with_assume_role(sts: None) -> None:
    import boto3

    sent: list[dict] = []

    def record(params: dict, **_: object) -> None:
        sent.append(params)

    base = boto3.Session()
    base._session.register("provide-client-params.sts.AssumeRole", record)
    [role] = account_sessions(
        AccountChoice(role_arns=[ROLE_A], role_external_id="lab-42"), session=base
    )
    role.session.get_credentials().get_frozen_credentials()
    assert [p.get("ExternalId") for p in sent] == ["lab-42"]
    assert sent[0]["RoleSessionName"] == "omics-magic"


def test_short_lived_role_credentials_are_renewed_by_botocore(sts: None) -> None:
    # 900 s is inside botocore's 15-minute refresh window: every use renews them.
    [role] = account_sessions(AccountChoice(role_arns=[ROLE_A], duration_seconds=900))
    credentials = role.session.get_credentials()
    keys = {credentials.get_frozen_credentials().access_key for _ in range(3)}
    assert len(keys) == 3
    assert role.session.client("sts").get_caller_identity()["Account"] == "111122223333"


def test_role_sessions_are_made_once_and_reused(sts: None) -> None:
    choice = AccountChoice(role_arns=[ROLE_A])
    assert account_sessions(choice)[0].session is account_sessions(choice)[0].session


def test_two_profiles_for_one_account_are_fetched_once_with_a_note(
    sts: None, two_profiles: None
) -> None:
    # moto answers GetCallerIdentity for unknown keys with its one default account.
    reached = reach_accounts(account_sessions(AccountChoice(profiles=["dev", "prod"])))
    assert [(s.via, s.account_id) for s in reached.sessions] == [("dev", "123456789012")]
    assert reached.notes == [
        "account 123456789012 is reached by both dev and prod: fetched once, through dev"
    ]


def test_a_profile_without_credentials_fails_alone(
    sts: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_config(tmp_path / "config", {"dev": ("AKIADEVDEVDEVDEV0001", "s")})
    with config.open("a") as out:
        out.write("[profile empty]\nregion = us-east-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    reached = reach_accounts(account_sessions(AccountChoice(profiles=["empty", "dev"])))
    assert [s.via for s in reached.sessions] == ["dev"]
    [failure] = reached.failures
    assert (failure.region, failure.via, failure.kind) == (ALL_REGIONS, "empty", "denied")
    assert "no AWS credentials found" in failure.message


def test_a_session_per_profile_is_kept_for_many_accounts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from omics_magic.aws.clients import resolve_session

    names = {f"lab{i}": (f"AKIALAB{i:013d}", "s") for i in range(12)}
    monkeypatch.setenv("AWS_CONFIG_FILE", str(write_config(tmp_path / "config", names)))
    first = [resolve_session(profile=name) for name in names]
    # Reused, so are their clients and connection pools, fetch after fetch.
    again = [resolve_session(profile=name) for name in names]
    assert all(a is b for a, b in zip(first, again, strict=True))
