"""Several accounts in the fake, as tests across accounts use them (both ways into it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from omics_magic.testing import OmicsBackend, OmicsServer, mock_omics
from tests.fetch_helpers import expected_row

__all__ = [
    "COLUMNS",
    "DEV",
    "LAB",
    "PROD",
    "REGIONS",
    "ROLE_LAB",
    "ROLE_PROD",
    "estate_of",
    "expected",
]

DEV, PROD, LAB = "111122223333", "444455556666", "777788889999"
REGIONS = ["us-east-1", "eu-west-1"]
ROLE_PROD = f"arn:aws:iam::{PROD}:role/omics-reader"
ROLE_LAB = f"arn:aws:iam::{LAB}:role/omics-reader"
COLUMNS = ["account_id", "region", "sequence_store_id", "name", "tags"]


def expected(backend: OmicsBackend, accounts: list[str], regions: list[str]) -> list[dict]:
    """Every store of ``accounts`` x ``regions``, in the fetch's order."""
    rows = []
    for account in accounts:
        for region in regions:
            stores = sorted(
                backend.stores(region, account_id=account),
                key=lambda s: (s["creationTime"], s["id"]),
            )
            rows.extend({n: expected_row(region, s)[n] for n in COLUMNS} for s in stores)
    return rows


def estate_of(way: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[OmicsBackend]:
    """Three accounts with stores in two regions, profiles dev and prod in a config file,
    STS through moto; the test runs both ways into the fake."""
    moto = pytest.importorskip("moto")
    backend = OmicsBackend()
    backend.add_account(DEV, profile="dev")
    backend.add_account(PROD, profile="prod")
    for n, account in enumerate([DEV, PROD, LAB]):
        backend.seed(REGIONS, 2 + n, account_id=account, random_seed=n)
    backend.seed(REGIONS, 1)  # the default account's: never asked for below
    config = tmp_path / "config"
    backend.write_aws_config(config)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    if way == "mock_omics":
        with moto.mock_aws(), mock_omics(backend):
            yield backend
    else:
        with OmicsServer(backend) as server:
            for name, value in server.env(credentials=False).items():
                monkeypatch.setenv(name, value)
            yield backend
