"""Deleting from real kernels: one run by nbclient (no stdin), one with a stdin frontend.

nbclient is how papermill and CI run notebooks, so a delete there must refuse
without a confirmation (no prompt is possible) and go ahead with one. A
frontend that allows stdin (Jupyter, VS Code) gets the prompt instead. The
kernels reach the fake over loopback HTTP (``OmicsServer``) through the
standard AWS environment variables.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import nbclient
import nbformat
from jupyter_client.manager import start_new_kernel
from nbclient.exceptions import CellExecutionError

REPO_ROOT = Path(__file__).resolve().parents[2]


def kernel_env(server: Any) -> dict[str, str]:
    """The kernel's environment: the fake's endpoint and credentials, the repo importable."""
    return {
        **os.environ,  # the fake credentials of tests/conftest.py
        **server.env(),
        "OMICS_MAGIC_REGIONS": "us-east-1,eu-west-1",
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p
        ),
    }


class Cell:
    """One executed cell: its outputs, and the error that stopped the run there, if any."""

    def __init__(self, outputs: list[dict[str, Any]], error: Any) -> None:
        self.outputs = outputs
        self.ename = None if error is None else error.ename
        self.evalue = "" if error is None else error.evalue
        self.text = "".join(o.get("text", "") for o in outputs if o["output_type"] == "stream")


def run_notebook(cells: list[str], server: Any, tmp_path: Path) -> list[Cell]:
    """Execute ``cells`` in one fresh kernel against ``server``, each as a run of its own.

    A cell that fails raises CellExecutionError, as it would stop a papermill or
    nbclient run (a UsageError included, though IPython only prints it); that
    error is recorded and the next cell still runs.
    """
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    env = kernel_env(server)
    client = nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    executed = []
    with client.setup_kernel(env=env):
        for index, cell in enumerate(nb.cells):
            try:
                client.execute_cell(cell, index)
                error = None
            except CellExecutionError as err:
                error = err
            executed.append(Cell(cell["outputs"], error))
    return executed


def html(outputs: list[dict[str, Any]]) -> str:
    return "".join(
        o.get("data", {}).get("text/html", "")
        for o in outputs
        if o["output_type"] in ("display_data", "execute_result")
    )


def test_notebook_without_stdin_refuses_without_confirm_and_deletes_with_it(
    omics_server: Any, tmp_path: Path
) -> None:
    backend = omics_server.backend
    by_sql = backend.create_sequence_store("us-east-1", "scratch")["id"]
    by_call = backend.create_sequence_store("eu-west-1", "<b>scratch</b>")["id"]
    kept = backend.create_sequence_store("us-east-1", "keep")["id"]
    delete = f"DELETE FROM aws.omics.sequence_store WHERE data__Identifier = '{by_sql}'"

    cells = run_notebook(
        [
            "%load_ext omics_magic",
            f"%%omics\n{delete}",
            f"%%omics --confirm {kept}\n{delete}",
            f"%%omics report << --confirm {by_sql}\n{delete}\n",
            "print(report.loc[0, 'outcome'])",
            "import omics_magic",
            f"omics_magic.delete_sequence_store({by_call!r})",
            f"omics_magic.delete_sequence_store({by_call!r}, confirm={by_call!r})",
        ],
        omics_server,
        tmp_path,
    )

    assert cells[0].ename is None
    # No stdin in this kernel: no prompt; the run stops with one line naming --confirm.
    assert cells[1].ename == "UsageError"
    assert f"--confirm {by_sql}" in cells[1].evalue and "\n" not in cells[1].evalue.strip()
    assert "<table" in html(cells[1].outputs)  # the preview came first, as HTML
    assert cells[2].ename == "UsageError" and f"pass confirm='{by_sql}'" in cells[2].evalue
    assert cells[3].ename is None and cells[4].ename is None
    assert cells[4].text.strip() == "deleted"
    # The library call: the typed exception, and the store's name escaped in the HTML.
    assert cells[6].ename == "ConfirmationRequired" and f"confirm='{by_call}'" in cells[6].evalue
    assert "&lt;b&gt;scratch&lt;/b&gt;" in html(cells[6].outputs)
    assert "<b>scratch" not in html(cells[6].outputs)
    assert cells[7].ename is None

    assert backend.requests.count(operation="DeleteSequenceStore") == 2
    assert [s["id"] for s in backend.stores("us-east-1")] == [kept]
    assert backend.stores("eu-west-1") == []


def test_a_frontend_with_stdin_gets_the_prompt(omics_server: Any) -> None:
    """A kernel asked with allow_stdin=True (Jupyter, VS Code) prompts; the answer decides."""
    backend = omics_server.backend
    kept = backend.create_sequence_store("us-east-1", "keep")["id"]
    doomed = backend.create_sequence_store("us-east-1", "scratch")["id"]
    manager, client = start_new_kernel(kernel_name="python3", env=kernel_env(omics_server))
    try:
        prompts, outputs = [], []
        for store, answer in ((kept, "yes"), (doomed, doomed)):
            msg_id = client.execute(
                "import omics_magic\n"
                f"print(omics_magic.delete_sequence_store({store!r}).loc[0, 'outcome'])",
                allow_stdin=True,
            )
            request = client.get_stdin_msg(timeout=60)
            prompts.append(request["content"]["prompt"])
            client.input(answer)
            reply = _shell_reply(client, msg_id)
            assert reply["content"]["status"] == "ok"
            outputs.append(_stdout(client, msg_id))
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)

    assert f"type '{kept}'" in prompts[0] and f"type '{doomed}'" in prompts[1]
    assert outputs == ["cancelled", "deleted"]
    assert [s["id"] for s in backend.stores("us-east-1")] == [kept]
    assert backend.requests.count(operation="DeleteSequenceStore") == 1


def _shell_reply(client: Any, msg_id: str) -> dict[str, Any]:
    """The shell reply to ``msg_id``; a late kernel_info_reply from start-up is skipped.

    ``start_new_kernel`` waits for the kernel by repeating kernel_info requests, so on a
    slow machine their extra replies can still be queued when the test's own reply comes.
    """
    while True:
        reply: dict[str, Any] = client.get_shell_msg(timeout=60)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply
        assert reply["msg_type"] == "kernel_info_reply", reply["msg_type"]


def _stdout(client: Any, msg_id: str) -> str:
    """What the request printed, read from iopub until the kernel goes idle."""
    text = ""
    while True:
        msg = client.get_iopub_msg(timeout=60)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream" and msg["content"]["name"] == "stdout":
            text += msg["content"]["text"]
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return text.strip()
