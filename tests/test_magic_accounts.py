"""%%omics across accounts: %config OmicsMagic.profiles / role_arns, repeated --profile
and --role-arn, the account_id pushdown, and the CLI's repeated --profile."""

from __future__ import annotations

from typing import Any

import pytest

from omics_magic.cli import main
from omics_magic.testing import OmicsBackend
from tests.accounts_support import DEV, LAB, PROD, REGIONS, ROLE_LAB, ROLE_PROD
from tests.magic_support import displayed

STORES = "aws.omics.sequence_stores"
PER_ACCOUNT = f"SELECT account_id, count(*) AS n FROM {STORES} GROUP BY account_id ORDER BY 1"


def counts(backend: OmicsBackend, accounts: list[str]) -> dict[str, int]:
    return {a: sum(len(backend.stores(r, account_id=a)) for r in REGIONS) for a in accounts}


def as_counts(df: Any) -> dict[str, int]:
    return dict(zip(df["account_id"], df["n"].astype(int), strict=True))


def listed_accounts(backend: OmicsBackend) -> set[str]:
    return {r.account_id for r in backend.requests.records if r.operation == "ListSequenceStores"}


def test_configured_profiles_are_queried_at_once(ip: Any, estate: OmicsBackend) -> None:
    ip.run_line_magic("config", 'OmicsMagic.profiles = ["dev", "prod"]')
    df = ip.run_cell_magic("omics", f"-r {REGIONS[0]} -r {REGIONS[1]}", PER_ACCOUNT)
    assert as_counts(df) == counts(estate, [DEV, PROD])


def test_profile_repeated_in_the_magic(ip: Any, estate: OmicsBackend) -> None:
    line = f"--profile dev --profile prod -r {REGIONS[0]} -r {REGIONS[1]}"
    assert as_counts(ip.run_cell_magic("omics", line, PER_ACCOUNT)) == counts(estate, [DEV, PROD])


def test_configured_roles_and_the_account_pushdown(ip: Any, estate: OmicsBackend) -> None:
    ip.run_line_magic("config", f"OmicsMagic.role_arns = [{ROLE_PROD!r}, {ROLE_LAB!r}]")
    sql = f"SELECT account_id, count(*) AS n FROM {STORES} WHERE account_id = '{LAB}' GROUP BY 1"
    df = ip.run_cell_magic("omics", f"-r {REGIONS[0]} -r {REGIONS[1]}", sql)
    assert as_counts(df) == counts(estate, [LAB])
    assert listed_accounts(estate) == {LAB}  # the other account was never called


def test_account_in_list_pushdown_with_a_role_on_the_line(ip: Any, estate: OmicsBackend) -> None:
    sql = (
        f"SELECT account_id, count(*) AS n FROM {STORES} WHERE account_id IN ('{PROD}') GROUP BY 1"
    )
    line = f"--profile dev --role-arn {ROLE_PROD} -r {REGIONS[0]} -r {REGIONS[1]}"
    assert as_counts(ip.run_cell_magic("omics", line, sql)) == counts(estate, [PROD])
    assert listed_accounts(estate) == {PROD}


def test_an_account_reached_twice_is_noted(
    ip: Any, estate: OmicsBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    line = f"--profile prod --role-arn {ROLE_PROD} -r {REGIONS[0]}"
    with displayed(ip) as outputs:
        ip.run_cell_magic("omics", line, PER_ACCOUNT)
    # A note under the result, like the failure notes: not on stderr.
    notes = [o["data"]["text/plain"] for o in outputs]
    assert any(f"account {PROD} is reached by both prod and {ROLE_PROD}" in n for n in notes)
    assert "omics:" not in capsys.readouterr().err


def test_a_malformed_role_arn_is_one_line(ip: Any, estate: OmicsBackend) -> None:
    from IPython.core.error import UsageError

    with pytest.raises(UsageError, match="role ARN 'prod' is malformed"):
        ip.run_cell_magic("omics", "--role-arn prod", PER_ACCOUNT)
    assert estate.requests.count() == 0


def test_cli_profile_repeated(estate: OmicsBackend, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["query", PER_ACCOUNT, "--profile", "dev", "--profile", "prod", "--format", "csv"]
    assert main([*argv, "-r", ",".join(REGIONS)]) == 0
    lines = capsys.readouterr().out.split()
    expected = counts(estate, [DEV, PROD])
    assert lines == ["account_id,n", f"{DEV},{expected[DEV]}", f"{PROD},{expected[PROD]}"]


def test_cli_role_arns(estate: OmicsBackend, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["query", PER_ACCOUNT, "--role-arn", ROLE_LAB, "--format", "csv", "-r", REGIONS[0]]
    assert main(argv) == 0
    n = len(estate.stores(REGIONS[0], account_id=LAB))
    assert capsys.readouterr().out.split() == ["account_id,n", f"{LAB},{n}"]


def test_cli_delete_searches_the_accounts_and_deletes_in_the_right_one(
    estate: OmicsBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    store = estate.create_sequence_store(REGIONS[1], "scratch", account_id=PROD)["id"]
    argv = ["delete", store, "--profile", "dev", "--profile", "prod", "--confirm", store]
    assert main(argv) == 0
    assert PROD in capsys.readouterr().out
    assert store not in {s["id"] for s in estate.stores(REGIONS[1], account_id=PROD)}
    deletes = [
        r.account_id for r in estate.requests.records if r.operation == "DeleteSequenceStore"
    ]
    assert deletes == [PROD]


def test_demo_mode_has_two_accounts_and_sets_configured_ones_aside(ip: Any) -> None:
    import omics_magic
    from omics_magic.demo_mode.inventory import DEMO_ACCOUNT_ID, LAB_ACCOUNT_ID, LAB_REGIONS

    ip.run_line_magic("config", 'OmicsMagic.profiles = ["dev", "prod"]')  # real ones: not used
    omics_magic.demo(quiet=True)
    try:
        regions = " ".join(f"-r {r}" for r in LAB_REGIONS)
        both = ip.run_cell_magic(
            "omics", f"--profile demo --profile demo-lab {regions}", PER_ACCOUNT
        )
        assert both["account_id"].tolist() == [DEMO_ACCOUNT_ID, LAB_ACCOUNT_ID]
        alone = ip.run_cell_magic("omics", regions, PER_ACCOUNT)
        assert alone["account_id"].tolist() == [DEMO_ACCOUNT_ID]
    finally:
        omics_magic.end_demo(quiet=True)


def test_a_sql_delete_searches_the_accounts(ip: Any, estate: OmicsBackend) -> None:
    store = estate.create_sequence_store(REGIONS[0], "scratch", account_id=PROD)["id"]
    sql = f"DELETE FROM aws.omics.sequence_store WHERE data__Identifier = '{store}'"
    line = f"--profile dev --profile prod --confirm {store} -r {REGIONS[0]}"
    report = ip.run_cell_magic("omics", line, sql)
    assert report[["account_id", "outcome"]].values.tolist() == [[PROD, "deleted"]]
    assert store not in {s["id"] for s in estate.stores(REGIONS[0], account_id=PROD)}
