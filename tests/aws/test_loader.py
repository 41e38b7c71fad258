"""The sessions omics_magic makes share one botocore data loader; a caller's keeps its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from omics_magic.aws.accounts import AccountChoice, account_sessions
from omics_magic.aws.clients import clear_cache, omics_client, resolve_session
from omics_magic.internals import botocore_session
from tests.aws.test_accounts import ROLE_A, ROLE_B, write_config

if TYPE_CHECKING:
    import boto3


def _loader(session: boto3.Session) -> Any:
    return botocore_session(session).get_component("data_loader")


@pytest.fixture
def profiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    config = write_config(
        tmp_path / "config",
        {"dev": ("AKIADEVDEVDEVDEV0001", "d"), "prod": ("AKIAPRODPRODPROD0001", "p")},
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    clear_cache()
    yield
    clear_cache()


def test_profile_and_role_sessions_share_one_loader(profiles: None) -> None:
    moto = pytest.importorskip("moto")
    dev, prod = resolve_session(profile="dev"), resolve_session(profile="prod")
    assert dev is not prod
    assert _loader(dev) is _loader(prod)
    with moto.mock_aws():
        roles = account_sessions(AccountChoice(role_arns=[ROLE_A, ROLE_B]), session=dev)
    assert {id(_loader(r.session)) for r in roles} == {id(_loader(dev))}


def test_botocore_files_are_decoded_once_for_many_sessions(
    profiles: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from botocore.loaders import JSONFileLoader

    # A data path of its own: a loader no earlier test of this process has filled.
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))

    decoded: list[str] = []
    load_file = JSONFileLoader.load_file

    def counting(self: JSONFileLoader, file_path: str, *args: object) -> object:
        decoded.append(file_path)
        return load_file(self, file_path, *args)

    monkeypatch.setattr(JSONFileLoader, "load_file", counting)
    omics_client(resolve_session(profile="dev"), "us-east-1")
    first = len(decoded)
    assert any("omics" in path for path in decoded)  # the model, the endpoint rules
    omics_client(resolve_session(profile="prod"), "eu-west-1")
    assert len(decoded) == first  # the second session's client decoded nothing


def test_a_callers_session_keeps_its_own_loader() -> None:
    import boto3

    mine = boto3.Session(region_name="us-east-1")
    own = _loader(mine)
    assert resolve_session(mine) is mine
    omics_client(mine, "us-east-1")
    assert _loader(mine) is own
    assert own is not _loader(resolve_session())


def test_another_data_path_gets_another_loader(
    profiles: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _loader(resolve_session(profile="dev"))
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))
    other = _loader(resolve_session(profile="dev"))
    assert other is not first
    assert str(tmp_path) in other.search_paths
