"""Tab completion in %%omics cells, through IPython's own completer, cursor inside the cell."""

from __future__ import annotations

import pandas as pd
import pytest
from IPython.core.completer import provisionalcompleter
from IPython.core.interactiveshell import InteractiveShell

from omics_magic.columns import ALL_COLUMNS, EXTRA_COLUMNS
from omics_magic.resources import READ_SETS
from tests.magic_support import run_cell

CURSOR = "|"


def complete(ip: InteractiveShell, cell: str) -> dict[str, str]:
    """Completions at the ``|`` in ``cell``: {text: type}, as the front end would get them."""
    offset = cell.index(CURSOR)
    text = cell.replace(CURSOR, "")
    with provisionalcompleter():
        found = list(ip.Completer.completions(text, offset))
    # Each completion replaces what was typed before the cursor, never text after it.
    assert all(c.end == offset for c in found)
    return {text[: c.start] + c.text: c.type for c in found}


def test_resources_and_frames_after_from_and_join(ip: InteractiveShell) -> None:
    ip.user_ns["sample_sheet"] = pd.DataFrame({"sample": ["s1"]})
    ip.user_ns["not_a_frame"] = [1, 2]
    cell = "%%omics\nSELECT *\nFROM aws.omics.seq|\nWHERE region = 'us-east-1'"
    found = complete(ip, cell)
    prefix = "%%omics\nSELECT *\nFROM "
    assert set(found) == {prefix + "aws.omics.sequence_store", prefix + "aws.omics.sequence_stores"}
    assert set(found.values()) == {"resource"}
    found = complete(ip, "%%omics\nSELECT * FROM aws.omics.sequence_stores s JOIN |")
    names = {key.rsplit(" ", 1)[-1] for key in found}
    assert {"aws.omics.sequence_stores", "sample_sheet"} <= names and "not_a_frame" not in names


def test_columns_of_the_resources_in_the_statement_extras_too(ip: InteractiveShell) -> None:
    found = complete(ip, "%%omics\nSELECT s3_|, name\nFROM aws.omics.sequence_stores")
    assert {key.split("\n")[1] for key in found} == {
        f"SELECT {c}" for c in ALL_COLUMNS if c.startswith("s3_")
    }
    found = complete(ip, "%%omics\nSELECT s.|\nFROM aws.omics.sequence_stores s")
    columns = {key.split("\n")[1].removeprefix("SELECT s.") for key in found}
    assert set(ALL_COLUMNS) <= columns and set(EXTRA_COLUMNS) <= columns
    assert "SELECT" not in columns  # no keywords after a qualifier


def test_read_sets_too_from_their_definition(ip: InteractiveShell) -> None:
    found = complete(ip, "%%omics\nSELECT * FROM aws.omics.re|")
    prefix = "%%omics\nSELECT * FROM "
    assert set(found) == {prefix + "aws.omics.read_set", prefix + "aws.omics.read_sets"}
    found = complete(ip, "%%omics\nSELECT r.f|\nFROM aws.omics.read_sets r")
    assert {key.split("\n")[1] for key in found} == {
        f"SELECT r.{c}" for c in READ_SETS.all_columns if c.startswith("f")
    }
    assert "SELECT r.files" in {key.split("\n")[1] for key in found}  # an extra field
    # A join: the columns of both resources, and only theirs.
    cell = (
        "%%omics\nSELECT |\nFROM aws.omics.sequence_stores s "
        "JOIN aws.omics.read_sets r USING (sequence_store_id)"
    )
    columns = {
        key.split("\n")[1].removeprefix("SELECT ")
        for key, kind in complete(ip, cell).items()
        if kind == "column"
    }
    assert {"sample_id", "files", "sse_config", "s3_uri"} <= columns
    stores_only = complete(ip, "%%omics\nSELECT |\nFROM aws.omics.sequence_stores")
    assert "%%omics\nSELECT sample_id" not in stores_only


def test_sql_keywords_in_the_case_being_typed(ip: InteractiveShell) -> None:
    found = complete(ip, "%%omics\nSELECT name FROM aws.omics.sequence_stores WHE|")
    assert {key.rsplit(" ", 1)[-1] for key in found} >= {"WHERE"}
    found = complete(ip, "%%omics\nselect name fr|")
    assert "%%omics\nselect name from" in found


def test_the_magics_own_options(ip: InteractiveShell) -> None:
    assert set(complete(ip, "%%omics --no-|\nSELECT 1")) == {"%%omics --no-progress"}
    assert set(complete(ip, "%omics --st|")) == {"%omics --strict"}
    options = {key.split()[-1] for key in complete(ip, "%%omics --|")}
    assert {"--region", "--strict", "--confirm", "--output", "--help", "--demo"} <= options


def test_line_magic_and_python_completion_untouched(ip: InteractiveShell) -> None:
    found = complete(ip, "%omics SELECT region FROM aws.omics.sequence_stores WHERE regi|")
    assert "%omics SELECT region FROM aws.omics.sequence_stores WHERE region" in found
    run_cell(ip, "import os")
    assert "os.path" in complete(ip, "os.pa|")


def test_registered_on_load_removed_on_unload(ip: InteractiveShell) -> None:
    cell = "%%omics\nSELECT * FROM aws.omics.seq|"
    assert complete(ip, cell)
    run_cell(ip, "%unload_ext omics_magic")
    assert not [m for m in ip.Completer.custom_matchers if getattr(m, "omics_magic", False)]
    assert "%%omics\nSELECT * FROM aws.omics.sequence_stores" not in complete(ip, cell)
    run_cell(ip, "%load_ext omics_magic")
    run_cell(ip, "%reload_ext omics_magic")
    assert len([m for m in ip.Completer.custom_matchers if getattr(m, "omics_magic", False)]) == 1


@pytest.mark.parametrize("cell", ["%%omics\nSELECT 'a b |", "%%omics\n|", "%%omics\nSELECT (|"])
def test_odd_places_do_not_fail(
    ip: InteractiveShell, cell: str, capsys: pytest.CaptureFixture[str]
) -> None:
    complete(ip, cell)
    assert "Traceback" not in "".join(capsys.readouterr())  # IPython prints a matcher's error
