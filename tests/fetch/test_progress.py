"""Progress of a fetch: one output area, replaced in place by a summary line; none in scripts."""

from __future__ import annotations

from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell

import omics_magic
from omics_magic.fetch import progress as progress_module
from omics_magic.testing import OmicsBackend
from tests.magic_support import displayed

TWO = ["us-east-1", "eu-west-1"]


def test_no_progress_outside_notebooks_unless_asked(
    omics_backend: OmicsBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    omics_backend.seed(TWO, stores_per_region=3)
    omics_magic.sequence_stores(TWO, rate=None)
    omics_magic.run_query("SELECT count(*) FROM aws.omics.sequence_stores", regions=TWO)
    assert capsys.readouterr() == ("", "")
    omics_magic.sequence_stores(TWO, rate=None, progress=True)
    err = capsys.readouterr().err
    assert err.startswith("omics: 2 regions, 6 stores in ") and err.count("\n") == 1


@pytest.fixture
def notebook(monkeypatch: pytest.MonkeyPatch, ip: InteractiveShell) -> InteractiveShell:
    """As if in a kernel: the progress is published on ``ip``."""
    monkeypatch.setattr(progress_module, "in_notebook", lambda: True)
    monkeypatch.setattr("IPython.get_ipython", lambda: ip)
    return ip


def ids(outputs: list[dict[str, Any]]) -> set[str]:
    return {o["transient"]["display_id"] for o in outputs if o.get("transient")}


def test_in_a_notebook_one_output_ends_as_the_summary_line(
    notebook: InteractiveShell, omics_backend: OmicsBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMICS_MAGIC_TPS", "0")
    omics_backend.seed(TWO + ["ap-southeast-1"], stores_per_region=4)
    omics_backend.disable_region("ap-southeast-1")
    sql = (
        "SELECT a.name FROM aws.omics.sequence_stores a "
        "JOIN aws.omics.sequence_stores b ON a.arn = b.arn WHERE b.region = 'us-east-1'"
    )
    with displayed(notebook) as outputs, pytest.warns(omics_magic.RegionFailureWarning):
        omics_magic.run_query(sql, regions=TWO + ["ap-southeast-1"])
    # Two relations (8 and 4 stores), one progress: every message is about the same display.
    assert len(ids(outputs)) == 1
    assert not outputs[0].get("update") and all(o.get("update") for o in outputs[1:])
    last = outputs[-1]["data"]
    summary = last["text/plain"]
    assert summary.startswith("omics: 3 regions, 12 stores in ")
    assert summary.endswith("; 1 region failed (see below)")
    assert "omics-progress" in last["text/html"] and "widget" not in str(last)


def test_no_summary_for_a_query_that_fetches_nothing(notebook: InteractiveShell) -> None:
    with displayed(notebook) as outputs:
        omics_magic.run_query("SELECT 1 AS one")
    assert outputs == []


def test_strict_failure_still_ends_with_the_summary(
    notebook: InteractiveShell, omics_backend: OmicsBackend
) -> None:
    omics_backend.seed(TWO, stores_per_region=1)
    omics_backend.disable_region("eu-west-1")
    with displayed(notebook) as outputs, pytest.raises(omics_magic.FetchError):
        omics_magic.run_query(
            "SELECT name FROM aws.omics.sequence_stores", regions=TWO, strict=True
        )
    assert outputs[-1]["data"]["text/plain"].endswith("1 region failed (see below)")


def test_read_sets_are_counted_as_read_sets_and_a_failed_store_as_a_store(
    notebook: InteractiveShell, omics_backend: OmicsBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMICS_MAGIC_TPS", "0")
    for region in TWO:
        store = omics_backend.create_sequence_store(region, f"wgs-{region}")["id"]
        for i in range(2):
            omics_backend.add_read_set(region, store, name=f"rs-{i}")
    with displayed(notebook) as outputs:
        omics_magic.run_query(
            "SELECT s.name, r.name FROM aws.omics.sequence_stores s "
            "JOIN aws.omics.read_sets r ON r.sequence_store_id = s.sequence_store_id",
            regions=TWO,
        )
    summary = outputs[-1]["data"]["text/plain"]
    assert summary.startswith("omics: 2 regions, 2 stores, 4 read sets in "), summary
    omics_backend.inject_error(
        "AccessDeniedException", region="eu-west-1", operation="ListReadSets"
    )
    with displayed(notebook) as outputs, pytest.warns(omics_magic.RegionFailureWarning):
        # cache_ttl=0: from AWS, not from the session's cache of the join's read sets
        omics_magic.run_query("SELECT name FROM aws.omics.read_sets", regions=TWO, cache_ttl=0)
    summary = outputs[-1]["data"]["text/plain"]
    assert summary.startswith("omics: 2 regions, 2 read sets in "), summary
    assert summary.endswith("; 1 store failed (see below)"), summary
