"""Every ``notebooks/*.ipynb`` runs top to bottom in a real kernel, offline.

nbclient executes each notebook in a fresh ipykernel (no stdin, as papermill
and CI run them), with the kernel's working directory in a temporary folder,
the repository on ``PYTHONPATH`` and fake credentials only. A cell may fail
only if it is tagged ``raises-exception``, and then it must fail. The
committed notebooks carry no outputs.
"""

from __future__ import annotations

import os
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
    if path.name == "quickstart.ipynb":
        check_quickstart(cells, tmp_path)
    if path.name == "read_sets_howto.ipynb":
        check_read_sets_howto(cells)


def test_there_is_the_read_sets_how_to() -> None:
    assert ROOT / "notebooks" / "read_sets_howto.ipynb" in NOTEBOOKS


def output_of(cells: list[Any], start: str) -> str:
    """The text output of the one code cell whose source starts with ``start``."""
    matches = [text_of(c.outputs) for c in cells if c.source.startswith(start)]
    assert len(matches) == 1, start
    return matches[0]


def check_read_sets_howto(cells: list[Any]) -> None:
    """The how-to's three answers (#16), from the demo's inventory."""
    assert "the data is FAKE" in output_of(cells, "%omics --demo")
    per_team = output_of(cells, "%%omics\nSELECT coalesce(s.tags['team']")
    for team in ("genomics", "oncology", "(untagged)"):
        assert team in per_team
    assert "terabases" in per_team and "eu-central-1" in per_team  # the demo's failing regions
    genomics = output_of(cells, "%%omics\nSELECT s.name AS store")
    assert "wgs-cohort-042" in genomics  # the featured store is the genomics team's
    [team_row] = [line.split() for line in per_team.splitlines() if " genomics " in line]
    store_rows = [line for line in genomics.splitlines() if line.split()[:1] != ["store"]]
    assert len([r for r in store_rows if r.split() and r.split()[0].isdigit()]) == int(team_row[2])
    archived = output_of(cells, 'print(len(archived), "read sets archived')
    count = int(archived.split()[0])
    assert count > 0 and "us-east-1" in archived
    twice = output_of(cells, "%%omics\nSELECT sample_id")
    assert "sample_id" in twice and "regions" in twice
    in_python = output_of(cells, "import warnings")
    assert int(in_python.split()[0]) > 0 and "samples are in two stores or more" in in_python
    assert "ACTIVE" in output_of(cells, "with warnings.catch_warnings():")
    assert "demo mode is off" in output_of(cells, "%omics --end-demo")


def check_quickstart(cells: list[Any], cwd: Path) -> None:
    by_source = {cell.source: text_of(cell.outputs) for cell in cells}

    def output(start: str) -> str:
        matches = [out for source, out in by_source.items() if source.startswith(start)]
        assert len(matches) == 1, start
        return matches[0]

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
    assert "not_enabled" in output("import pandas as pd") and "throttled" in output(
        "import pandas as pd"
    )
    strict = output("try:")
    assert "FetchError:" in strict and "eu-central-1" in strict
    refused = output("%%omics\nDELETE")
    assert "ConfirmationRequired" in refused or "needs a confirmation" in refused
    assert f"--confirm {SCRATCH_STORE_ID}" in refused
    deleted = output(f"%%omics --confirm {SCRATCH_STORE_ID}")
    assert "deleted" in deleted
    assert "demo mode is off" in output("%omics --end-demo")
