"""#15's small noise: a dry run's preview once, an empty answer is a cancel, -o says so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell

from omics_magic import delete_sequence_store
from tests.delete.test_protocol import backend, tty, unpaced  # noqa: F401  (fixtures)


def test_a_dry_run_in_ipython_shows_the_table_once(
    backend: Any,  # noqa: F811
    ip: InteractiveShell,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    store = backend.create_sequence_store("us-east-1", "scratch-dry")["id"]
    preview = delete_sequence_store(store, "us-east-1", dry_run=True)  # a script: one table
    assert "scratch-dry" in capsys.readouterr().err
    monkeypatch.setattr("IPython.get_ipython", lambda: ip)
    again = delete_sequence_store(store, "us-east-1", dry_run=True)
    shown = capsys.readouterr().err
    # The title here; the table is the returned frame, which IPython shows as the value.
    assert "Would delete store" in shown and shown.count("scratch-dry") == 1  # in the title only
    assert again.equals(preview) and list(again["name"]) == ["scratch-dry"]


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("", "cancelled at the prompt (no answer)"),
        ("   ", "cancelled at the prompt (no answer)"),
        ("yes", "the confirmation did not match"),
    ],
)
def test_an_empty_answer_is_a_cancel_not_a_mismatch(
    backend: Any,  # noqa: F811
    tty: Any,  # noqa: F811
    answer: str,
    message: str,
) -> None:
    store = backend.create_sequence_store("us-east-1", "scratch")["id"]
    tty([answer])
    report = delete_sequence_store(store, "us-east-1")
    assert report.loc[0, "outcome"] == "cancelled"
    assert report.loc[0, "message"].startswith(message)
    assert [s["id"] for s in backend.stores("us-east-1")] == [store]


def test_dash_o_says_what_it_wrote(
    ip: InteractiveShell,
    omics_backend: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("OMICS_MAGIC_TPS", "0")
    omics_backend.seed(["us-east-1"], stores_per_region=3)
    path = tmp_path / "stores.parquet"
    ip.run_cell_magic("omics", f"-r us-east-1 -o {path}", "SELECT * FROM aws.omics.sequence_stores")
    assert path.exists()
    assert f"omics: wrote 3 rows to {path}" in capsys.readouterr().out
