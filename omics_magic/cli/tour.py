"""``omics-magic demo``: an offline tour of omics_magic on the embedded fake.

It enters demo mode (:mod:`omics_magic.demo_mode.mode`: a seeded fake of AWS
HealthOmics on 127.0.0.1, fake credentials), runs five queries through the
same code as ``%%omics`` and ``omics-magic query`` (read sets per store, a
join; then stores per account, over the demo's two fake accounts), prints their results and
per-region notes, writes ``sequence_stores.parquet``, then leaves demo mode and
says plainly that the data was fake. With ``notebook=True`` it also executes
``notebooks/quickstart.ipynb`` in a Jupyter kernel and writes the executed copy.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from ..demo_mode.mode import DEMO_STORE_ID, banner, demo, end_demo
from ..errors import ExportError, InputError
from .stdout import write_stdout

__all__ = [
    "ACCOUNTS_SQL",
    "ACCOUNT_PROFILES",
    "GROUP_SQL",
    "LIST_SQL",
    "PARQUET_NAME",
    "READ_SETS_SQL",
    "SEED_SQL",
    "find_quickstart",
    "run_tour",
]

#: The seed's SELECT, verbatim, with the demo's featured store.
SEED_SQL = (
    "SELECT region, arn, creation_time, description, name, fallback_location, "
    "sequence_store_id, sse_config, tags FROM aws.omics.sequence_store "
    f"WHERE data__Identifier = '{DEMO_STORE_ID}';"
)
LIST_SQL = "SELECT * FROM aws.omics.sequence_stores"
GROUP_SQL = (
    "SELECT region, count(*) AS stores FROM aws.omics.sequence_stores "
    "GROUP BY region ORDER BY region"
)
#: Read sets per store of one team: the join lists read sets of that team's stores only.
READ_SETS_SQL = (
    "SELECT s.name AS store, count(*) AS read_sets, "
    "sum(r.sequence_information.total_base_count) AS bases "
    "FROM aws.omics.sequence_stores s "
    "JOIN aws.omics.read_sets r ON r.sequence_store_id = s.sequence_store_id "
    "WHERE s.tags['team'] = 'genomics' GROUP BY s.name ORDER BY bases DESC, store"
)
#: Stores per account and region, over the demo's two fake accounts (profiles).
ACCOUNTS_SQL = (
    "SELECT account_id, region, count(*) AS stores FROM aws.omics.sequence_stores "
    "GROUP BY ALL ORDER BY ALL"
)
ACCOUNT_PROFILES = ("demo", "demo-lab")
PARQUET_NAME = "sequence_stores.parquet"
EXECUTED_NAME = "quickstart.executed.ipynb"
_LIST_SHOWN = ["region", "sequence_store_id", "name", "creation_time", "tags"]


def run_tour(output_dir: Path, *, notebook: bool = False, out: TextIO | None = None) -> int:
    """Run the tour, printing to ``out`` (stdout); files go to ``output_dir``. Returns 0 or 1.

    Raises
    ------
    InputError
        ``output_dir`` is not a writable directory, or ``notebook`` is asked for
        and the notebook or nbclient can't be found; before the fake starts.

    Examples
    --------
    >>> run_tour(Path("."))  # doctest: +SKIP
    0
    """
    out = out or sys.stdout
    if not output_dir.is_dir():
        raise ExportError(f"--output-dir {output_dir} is not a directory; create it first")
    source = None
    if notebook:
        source = find_quickstart()
        if source is None:
            raise InputError(
                "can't find notebooks/quickstart.ipynb; run omics-magic demo --notebook from "
                "a clone of the omics_magic repository"
            )
        from .notebook import read_notebook

        read_notebook(source)  # fails now if nbformat is missing

    from ..export.files import read_parquet, write_frame
    from ..sql.run import run_query
    from .render import render, render_record

    def say(text: str = "", end: str = "\n") -> None:
        if out is sys.stdout:  # a full disk is one line (OutputFailed), not a traceback
            write_stdout(text + end)
        else:
            print(text, file=out, end=end, flush=True)

    running = demo(quiet=True)
    try:
        say("omics-magic demo: an offline tour on an embedded FAKE of AWS HealthOmics.")
        say(banner(running))
        say()
        say(
            "[1/5] One store by ID: the seed's SELECT. No region is named, so every "
            "configured region is searched at once."
        )
        say(f"  {SEED_SQL}")
        one = run_query(SEED_SQL)
        say(render_record(one) if len(one) == 1 else render(one), end="")
        _notes(one, say)

        say()
        say("[2/5] Every store, across regions: one DataFrame.")
        say(f"  {LIST_SQL}")
        stores = run_query(LIST_SQL)
        say(render(stores[_LIST_SHOWN], max_rows=16), end="")
        say(f"(showing {len(_LIST_SHOWN)} of its {stores.shape[1]} columns)")
        _notes(stores, say)
        path = write_frame(stores, output_dir / PARQUET_NAME, overwrite=True)
        same = read_parquet(path).equals(stores)
        say(
            f"Wrote {path} ({len(stores)} rows, {stores.shape[1]} columns); read back "
            f"with omics_magic.read_parquet: {'identical' if same else 'DIFFERENT'}."
        )

        say()
        say("[3/5] Stores per region: DuckDB runs the GROUP BY on the fetched rows.")
        say(f"  {GROUP_SQL}")
        counts = run_query(GROUP_SQL)
        say(render(counts), end="")
        _notes(counts, say)

        say()
        say(
            "[4/5] What is in the stores: read sets per store of the genomics team. The "
            "join lists read sets only for the stores that pass s.tags['team']."
        )
        say(f"  {READ_SETS_SQL}")
        per_store = run_query(READ_SETS_SQL)
        say(render(per_store), end="")
        _notes(per_store, say)

        say()
        say(
            f"[5/5] Two accounts at once (profiles {' and '.join(ACCOUNT_PROFILES)}): every "
            "(account, region) pair is queried at once, as regions are."
        )
        say(f"  {ACCOUNTS_SQL}")
        per_account = run_query(ACCOUNTS_SQL, profiles=list(ACCOUNT_PROFILES))
        say(render(per_account), end="")
        _notes(per_account, say)
    finally:
        end_demo(quiet=True)
    say()
    say("The fake AWS HealthOmics server is stopped.")
    code = 0
    if source is not None:
        code = _run_quickstart(source, output_dir, say)
    say()
    say(
        "Everything above was FAKE data from an embedded fake of AWS HealthOmics: nothing "
        "reached AWS and no credentials of yours were used."
    )
    say(
        'With your own AWS credentials: omics-magic query "SELECT * FROM '
        'aws.omics.sequence_stores", or %load_ext omics_magic in Jupyter.'
    )
    return code


def find_quickstart() -> Path | None:
    """``notebooks/quickstart.ipynb`` under the current directory or this source tree."""
    for base in (Path.cwd(), Path(__file__).resolve().parents[2]):
        candidate = base / "notebooks" / "quickstart.ipynb"
        if candidate.is_file():
            return candidate
    return None


def _run_quickstart(source: Path, output_dir: Path, say: Any) -> int:
    import nbformat

    from ..demo_mode.mode import offline_environment
    from .notebook import execute_notebook, kernel_environment, read_notebook

    say()
    say(f"Running {source} in a Jupyter kernel (it enters demo mode itself) ...")
    nb = read_notebook(source)
    target = output_dir / EXECUTED_NAME
    try:
        execute_notebook(nb, cwd=output_dir, env=kernel_environment(offline_environment()))
    except Exception as err:  # nbclient's CellExecutionError, a dead kernel...
        nbformat.write(nb, target)
        first = str(err).strip().splitlines()[-1:] or [type(err).__name__]
        print(f"omics-magic: error: the notebook failed: {first[0]}; see {target}", file=sys.stderr)
        return 1
    nbformat.write(nb, target)
    say(f"Wrote the executed notebook to {target} ({_count_code(nb.cells)} code cells ran).")
    return 0


def _count_code(cells: Sequence[Any]) -> int:
    return sum(1 for cell in cells if cell.get("cell_type") == "code")


def _notes(df: Any, say: Any) -> None:
    from ..failures import failures_in
    from .render import region_note

    for error in failures_in(df):
        say(f"note: {region_note(error)}")
