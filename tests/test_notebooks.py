"""Every ``notebooks/*.ipynb`` runs top to bottom in a real kernel, offline.

nbclient executes each notebook in a fresh ipykernel (no stdin, as papermill
and CI run them), with the kernel's working directory in a temporary folder,
the repository on ``PYTHONPATH`` and fake credentials only. A cell may fail
only if it is tagged ``raises-exception``, and then it must fail. The
committed notebooks carry no outputs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

from omics_magic.cli.notebook import execute_notebook, kernel_environment  # noqa: E402
from omics_magic.demo_mode.mode import (  # noqa: E402
    DEMO_STORE_ID,
    SCRATCH_STORE_ID,
    offline_environment,
)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def text_of(outputs: list[dict[str, Any]]) -> str:
    parts = []
    for output in outputs:
        if output["output_type"] == "stream":
            parts.append(output["text"])
        elif output["output_type"] in ("execute_result", "display_data"):
            parts.append(output["data"].get("text/plain", ""))
        elif output["output_type"] == "error":
            parts.append(f"{output['ename']}: {output['evalue']}")
    return "".join(parts)


def raises(cell: Any) -> bool:
    return "raises-exception" in cell.get("metadata", {}).get("tags", [])


def run(path: Path, cwd: Path) -> list[Any]:
    nb = nbformat.read(path, as_version=4)
    # No AWS setting at all but fake keys and a dead local endpoint: outside demo mode,
    # a call from the kernel fails on this machine (the kernel is not under conftest's guard).
    env = kernel_environment(offline_environment())
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env["PYTHONPATH"]])
    execute_notebook(nb, cwd=cwd, env=env, timeout=120)
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def test_there_are_notebooks() -> None:
    assert ROOT / "notebooks" / "quickstart.ipynb" in NOTEBOOKS
    assert ROOT / "notebooks" / "audit.ipynb" in NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_without_error(path: Path, tmp_path: Path) -> None:
    cells = run(path, tmp_path)

    assert cells and all(cell.execution_count is not None for cell in cells)
    for cell in cells:
        errors = [o for o in cell.outputs if o["output_type"] == "error"]
        if raises(cell):
            # IPython shows a UsageError on stderr, not as an error output.
            assert errors or "Error" in text_of(cell.outputs), cell.source
        else:
            assert errors == [], (cell.source, text_of(cell.outputs))
    check_saved_outputs(cells)
    if path.name == "quickstart.ipynb":
        check_quickstart(cells, tmp_path)
    if path.name == "read_sets_howto.ipynb":
        check_read_sets_howto(cells)
    if path.name == "audit.ipynb":
        check_audit(cells, tmp_path)


def test_there_is_the_read_sets_how_to() -> None:
    assert ROOT / "notebooks" / "read_sets_howto.ipynb" in NOTEBOOKS


def check_read_sets_howto(cells: list[Any]) -> None:
    """The how-to's three answers (#16), from the demo's inventory."""
    output_of = outputs_of(cells)
    assert "the data is FAKE" in output_of("%omics --demo")
    per_team = output_of("%%omics\nSELECT coalesce(s.tags['team']")
    for team in ("genomics", "oncology", "(untagged)"):
        assert team in per_team
    assert "terabases" in per_team and "eu-central-1" in per_team  # the demo's failing regions
    genomics = output_of("%%omics\nSELECT s.name AS store")
    assert "wgs-cohort-042" in genomics  # the featured store is the genomics team's
    [team_row] = [line.split() for line in per_team.splitlines() if " genomics " in line]
    store_rows = [line for line in genomics.splitlines() if line.split()[:1] != ["store"]]
    assert len([r for r in store_rows if r.split() and r.split()[0].isdigit()]) == int(team_row[2])
    archived = output_of('print(len(archived), "read sets archived')
    count = re.search(r"(\d+) read sets archived for more than 90 days", archived)
    assert count and int(count[1]) > 0 and "us-east-1" in archived
    twice = output_of("%%omics\nSELECT sample_id")
    assert "sample_id" in twice and "regions" in twice
    in_python = re.search(r"(\d+) samples are in two stores or more", output_of("import warnings"))
    assert in_python and int(in_python[1]) > 0
    assert "ACTIVE" in output_of("with warnings.catch_warnings():")
    assert "demo mode is off" in output_of("%omics --end-demo")


# Rows are counted per resource: "50 stores, 292 read sets", or "33 read sets".
SUMMARY = re.compile(r"omics: \d+ regions?(, \d+ [a-z ]+?)+ in \d+\.\d s")


def fetches(cell: Any) -> bool:
    """A cell whose query reads AWS (a SELECT over aws.omics.*, not DESCRIBE or DELETE)."""
    source = cell.source
    return (
        ("%%omics" in source or "%omics " in source or "run_query(" in source)
        and re.search(r"\bSELECT\b", source, re.IGNORECASE) is not None
        and "aws.omics." in source
        and not raises(cell)
    )


def check_saved_outputs(cells: list[Any]) -> None:
    """What a saved notebook keeps: no widget, no frozen bar, no note on stderr; one summary."""
    for cell in cells:
        for output in cell.outputs:
            data = output.get("data", {})
            assert "application/vnd.jupyter.widget-view+json" not in data, cell.source
            assert "0%|" not in text_of([output]), cell.source
            if output["output_type"] == "stream" and output["name"] == "stderr":
                text = output["text"]
                note = re.search(r"(?m)^omics: ", text) or "RegionFailureWarning" in text
                assert not note, (cell.source, output["text"])
        if fetches(cell):
            summaries = [o for o in cell.outputs if SUMMARY.match(text_of([o]))]
            assert len(summaries) == 1, (cell.source, text_of(cell.outputs))
            assert "text/html" in summaries[0]["data"]


def outputs_of(cells: list[Any]) -> Callable[[str], str]:
    """``output(start)``: the text output of the one cell whose source starts with ``start``."""
    by_source = {cell.source: text_of(cell.outputs) for cell in cells}

    def output(start: str) -> str:
        matches = [out for source, out in by_source.items() if source.startswith(start)]
        assert len(matches) == 1, start
        return matches[0]

    return output


def largest_demo_store() -> tuple[str, str, int, int]:
    """The demo's store holding the most bases: region, name, read sets, archived ones."""
    from omics_magic.demo_mode.inventory import DEMO_REGIONS, seed_demo
    from omics_magic.testing import OmicsBackend

    backend = OmicsBackend(random_seed=0)
    seed_demo(backend)
    found = []
    for region in DEMO_REGIONS:
        for store in backend.stores(region):
            held = backend.read_sets(region, store["id"])
            infos = [r.get("sequenceInformation") or {} for r in held]
            bases = sum(info.get("totalBaseCount") or 0 for info in infos)
            archived = sum(r["status"] == "ARCHIVED" for r in held)
            found.append((bases, region, store["name"], len(held), archived))
    _, region, name, count, archived = max(found)
    return region, name, count, archived


def check_quickstart(cells: list[Any], cwd: Path) -> None:
    output = outputs_of(cells)

    assert "the data is FAKE" in output("%omics --demo")
    seed = output("%%omics\nSELECT region, arn")
    assert DEMO_STORE_ID in seed and "wgs-cohort-042" in seed
    assert "ap-southeast-1" in seed and "eu-central-1" in seed  # the note under the result
    assert " stores" in output('print(len(stores), "stores")')
    counts = output("%%omics\nSELECT region, count(*)")
    for region in ("us-east-1", "us-west-2", "eu-west-1", "eu-west-2"):
        assert region in counts
    assert "tag:team" in output("tagged = stores.omics.expand_tags()")
    assert "identical after the round trip: True" in output("import omics_magic")
    assert (cwd / "demo_stores.parquet").exists()
    errors = output('pd.DataFrame(stores.attrs["omics_errors"])')
    assert "not_enabled" in errors and "throttled" in errors
    strict = output("try:")
    assert "FetchError:" in strict and "eu-central-1" in strict
    assert "skipped (not enabled): ap-southeast-1" in output("%%omics stores <<")
    templated = output("%%omics\nSELECT region, name, tags['project']")
    assert "us-east-1" in templated and "eu-west-1" not in templated.split("omics:")[-1]
    described = output("%omics DESCRIBE")
    assert "ListTagsForResource" in described and "sse_config" in described
    per_store = output("%%omics\nSELECT s.region, s.name AS store, count(*) AS read_sets")
    region, name, read_sets, archived = largest_demo_store()  # the read sets cell (#16)
    assert re.search(rf"{region}\s+{name}\s+{read_sets}\s+{archived}\s", per_store), per_store
    joined = output("%%omics\nSELECT x.sample_id")
    assert "NA12878" in joined and "wgs-cohort-042" in joined
    assert "Would delete store" in output("omics_magic.delete_sequence_store(")
    deleted = output(f"%%omics --confirm {SCRATCH_STORE_ID}")
    assert "deleted" in deleted
    assert "wrote 12 rows to demo_stores.parquet" in output("%%omics -o demo_stores.parquet")
    assert "demo mode is off" in output("%omics --end-demo")


def check_audit(cells: list[Any], cwd: Path) -> None:
    output = outputs_of(cells)

    [describe] = [c for c in cells if c.source.startswith("%%omics\nDESCRIBE")]
    # The full description, in the HTML the display formatter renders (text/plain cuts it).
    assert any("key_arn IS NOT NULL" in o["data"].get("text/html", "") for o in describe.outputs)
    assert "stores have no cost-center tag" in output("print(len(untagged)")
    assert "identical: True" in output("import omics_magic")
    assert (cwd / "audit_stores.parquet").exists()
    assert "customer_key" in output("import duckdb")
    assert "Would delete" in output("to_delete = ")
    assert "deleted" in output("report = ")
    assert "demo mode is off" in output("%omics --end-demo")
