"""Deleting from a notebook run by nbclient: a real kernel whose frontend has no stdin.

That is how papermill and CI run notebooks, so a delete there must refuse
without a confirmation (no prompt is possible) and go ahead with one. The
kernel reaches the fake over loopback HTTP (``OmicsServer``) through the
standard AWS environment variables.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

REPO_ROOT = Path(__file__).resolve().parents[1]


def run_notebook(cells: list[str], server: Any, tmp_path: Path) -> list[dict[str, Any]]:
    """Execute ``cells`` in a fresh kernel against ``server``; return each cell's outputs."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    env = {
        **os.environ,  # the fake credentials of tests/conftest.py
        **server.env(),
        "OMICS_MAGIC_REGIONS": "us-east-1,eu-west-1",
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p
        ),
    }
    client = nbclient.NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        allow_errors=True,  # so every cell runs and its error can be inspected
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute(env=env)
    return [cell["outputs"] for cell in nb.cells]


def errors(outputs: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(o["ename"], o["evalue"]) for o in outputs if o["output_type"] == "error"]


def html(outputs: list[dict[str, Any]]) -> str:
    return "".join(
        o.get("data", {}).get("text/html", "")
        for o in outputs
        if o["output_type"] in ("display_data", "execute_result")
    )


def test_library_delete_in_a_notebook_refuses_then_deletes(
    omics_server: Any, tmp_path: Path
) -> None:
    backend = omics_server.backend
    store = backend.create_sequence_store("eu-west-1", "<b>scratch</b>")["id"]
    kept = backend.create_sequence_store("us-east-1", "keep")["id"]

    outputs = run_notebook(
        [
            "import omics_magic",
            f"omics_magic.delete_sequence_store({store!r})",
            f"omics_magic.delete_sequence_store({store!r}, confirm={kept!r})",
            f"report = omics_magic.delete_sequence_store({store!r}, confirm={store!r})\n"
            "print(report.loc[0, 'outcome'])",
        ],
        omics_server,
        tmp_path,
    )

    assert errors(outputs[0]) == []
    [(name, message)] = errors(outputs[1])
    assert name == "ConfirmationRequired" and f"confirm='{store}'" in message
    # The preview came first, as HTML, with the store's name escaped.
    assert "<table" in html(outputs[1]) and "&lt;b&gt;scratch&lt;/b&gt;" in html(outputs[1])
    assert "<b>scratch" not in html(outputs[1])
    assert errors(outputs[2])[0][0] == "ConfirmationMismatch"
    assert errors(outputs[3]) == []
    assert "deleted" in "".join(o.get("text", "") for o in outputs[3])
    assert backend.requests.count(operation="DeleteSequenceStore") == 1
    assert backend.stores("eu-west-1") == []
    assert [s["id"] for s in backend.stores("us-east-1")] == [kept]
