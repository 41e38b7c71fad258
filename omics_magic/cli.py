"""``omics-magic``: the command line, for scripts, cron jobs and a first offline try.

- ``omics-magic query "SQL"`` runs the same SQL as ``%%omics``
  (:func:`omics_magic.query.run_query`) and prints a table, CSV or JSON, or
  writes a file with ``-o``.
- ``omics-magic delete ID`` deletes one store, after a preview and a
  confirmation (:func:`omics_magic.delete_sequence_store`).
- ``omics-magic demo`` runs a tour on the embedded fake (:mod:`omics_magic.demo_tour`).

Errors the library raises on purpose become one line on stderr, never a
traceback; the exit code says what happened (see ``EXIT_CODES``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import textwrap
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .errors import (
    AmbiguousStoreError,
    ConfirmationError,
    CredentialsError,
    FetchError,
    InputError,
    OmicsMagicError,
    RegionFailureWarning,
)

__all__ = ["EXIT_CODES", "build_parser", "main"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_NOT_CONFIRMED = 0, 1, 2, 3
EXIT_CODES = """\
exit codes:
  0  success (regions that failed without --strict are noted on stderr)
  1  failed at AWS: a region failed with --strict, a store to delete was not found,
     or a delete did not succeed
  2  bad input or configuration, found before any AWS call (SQL, region, ID, path, credentials)
  3  delete not confirmed: no --confirm and no terminal to ask, a wrong --confirm, or cancelled;
     nothing was deleted
"""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``omics-magic`` command line; returns the exit code.

    Examples
    --------
    >>> main(["--version"])  # doctest: +SKIP
    omics-magic 0.1.0
    """
    args = build_parser().parse_args(argv)
    try:
        with warnings.catch_warnings():
            # Failed regions are reported as notes below, not as Python warnings.
            warnings.simplefilter("ignore", RegionFailureWarning)
            code: int = args.command(args)
        return code
    except ConfirmationError as err:
        return _fail(err, EXIT_NOT_CONFIRMED)
    except (InputError, CredentialsError, AmbiguousStoreError) as err:
        return _fail(err, EXIT_USAGE)
    except FetchError as err:
        _notes(err.errors)
        return _fail(err, EXIT_FAILED)
    except OmicsMagicError as err:
        return _fail(err, EXIT_FAILED)
    except Exception as err:
        # botocore's own configuration errors (e.g. an $AWS_PROFILE that doesn't exist,
        # met while reading region data) are bad configuration too: one line, not a traceback.
        from .aws import credentials_error

        mapped = credentials_error(err)
        if mapped is None:
            raise
        return _fail(mapped, EXIT_USAGE)
    except KeyboardInterrupt:
        print("omics-magic: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILED


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``omics-magic`` and its subcommands."""
    parser = argparse.ArgumentParser(
        prog="omics-magic",
        description="Query AWS HealthOmics sequence stores across regions with SQL.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    query = commands.add_parser(
        "query",
        help="run a SQL query over the sequence stores",
        description=_wrap(
            "Run one StackQL-style SELECT (the same SQL as %%omics) over "
            "aws.omics.sequence_stores / aws.omics.sequence_store and print the result. "
            "Regions that fail are noted on stderr; their rows are missing."
        ),
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    query.add_argument(
        "sql",
        metavar="SQL",
        help='one SELECT (or a single-store DELETE), e.g. "SELECT region, count(*) AS '
        'stores FROM aws.omics.sequence_stores GROUP BY region"',
    )
    _region_option(
        query,
        "regions to query when the SQL doesn't pick them (default: "
        "$OMICS_MAGIC_REGIONS, else every omics region)",
    )
    _profile_option(query)
    query.add_argument("--strict", action="store_true", help="exit 1 if any region fails")
    query.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        help="write the result to PATH (.parquet, .csv or .json); it is not printed "
        "unless --format is given",
    )
    query.add_argument("--overwrite", action="store_true", help="replace an existing -o file")
    query.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        help="print as a table (the default without -o), CSV or JSON (dicts as JSON, "
        "timestamps ISO 8601)",
    )
    query.add_argument(
        "--confirm", metavar="ID", help="confirm a DELETE statement: the ID of its store"
    )
    query.set_defaults(command=_query)

    delete = commands.add_parser(
        "delete",
        help="delete a sequence store, after a preview and a confirmation",
        description=_wrap(
            "Delete one sequence store. It is looked up and shown first (on stderr); "
            "then it is deleted only if you type its ID at the prompt, or pass --confirm ID. "
            "Without a terminal and without --confirm, nothing is deleted (exit 3)."
        ),
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    delete.add_argument("identifier", metavar="ID", help="the store's ID (10 to 36 digits)")
    _region_option(delete, "the store's region (default: search every configured region)")
    delete.add_argument(
        "--confirm", metavar="ID", help="the store's ID again: delete without asking"
    )
    delete.add_argument("--dry-run", action="store_true", help="show the store; delete nothing")
    _profile_option(delete)
    delete.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help="how to print the report (default: table)",
    )
    delete.set_defaults(command=_delete)

    demo = commands.add_parser(
        "demo",
        help="an offline tour on an embedded FAKE of AWS HealthOmics",
        description="Start an embedded fake of AWS HealthOmics on 127.0.0.1, seed it with a "
        "fake inventory, run a few queries through the real code path, print the results and "
        "the per-region notes, write sequence_stores.parquet, and stop. Nothing reaches AWS "
        "and your credentials are not used. The data is FAKE.",
    )
    demo.add_argument(
        "--notebook",
        action="store_true",
        help="also execute notebooks/quickstart.ipynb in a Jupyter kernel and write "
        "quickstart.executed.ipynb (needs nbclient and ipykernel: pip install '.[test]')",
    )
    demo.add_argument(
        "--output-dir",
        metavar="DIR",
        default=".",
        help="where to write the files (default: the current directory)",
    )
    demo.set_defaults(command=_demo)
    return parser


def _wrap(text: str) -> str:
    # The raw formatter keeps the exit-code table as written; wrap the prose here.
    return textwrap.fill(text, width=min(shutil.get_terminal_size().columns, 100) - 2)


def _region_option(parser: argparse.ArgumentParser, help: str) -> None:
    parser.add_argument(
        "-r",
        "--region",
        action="append",
        metavar="REGION",
        help=f"{help}; repeat or comma-separate for several",
    )


def _profile_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--profile",
        metavar="P",
        help="AWS profile (default: the standard chain: $AWS_PROFILE, environment keys, ...)",
    )


def _regions(values: list[str] | None) -> list[str] | None:
    names = [name.strip() for value in values or [] for name in value.split(",") if name.strip()]
    return names or None


def _session(profile: str | None) -> Any:
    if not profile:
        return None
    from .aws import resolve_session

    return resolve_session(profile=profile)


def _query(args: argparse.Namespace) -> int:
    from .query import run_query
    from .render import render

    output = Path(args.output).expanduser() if args.output else None
    if output is not None:
        _check_output(output, overwrite=args.overwrite)  # before any AWS call
    result = run_query(
        args.sql,
        regions=_regions(args.region),
        session=_session(args.profile),
        strict=args.strict,
        confirm=args.confirm,
    )
    _notes(result.attrs.get("omics_errors") or [])
    if output is not None:
        from .export import write_frame

        written = write_frame(result, output, overwrite=args.overwrite)
        print(f"omics-magic: wrote {len(result)} rows to {written}", file=sys.stderr)
    if output is None or args.format:
        sys.stdout.write(render(result, args.format or "table"))
    if _is_delete(args.sql) and "outcome" in result.columns:
        return _delete_outcome(result)
    return EXIT_OK


def _is_delete(sql: str) -> bool:
    words = sql.split(None, 1)
    return bool(words) and words[0].upper() == "DELETE"


def _check_output(path: Path, *, overwrite: bool) -> None:
    from .atomic import check_destination
    from .errors import ExportError
    from .export import FORMATS

    if path.suffix.lower() not in FORMATS:
        raise ExportError(
            f"can't tell the format of {path.name!r}: use a path ending in {', '.join(FORMATS)}"
        )
    if path.is_dir():
        raise ExportError(f"{path} is a directory; -o writes one file")
    if path.exists() and not overwrite:
        raise ExportError(f"{path} already exists; pass --overwrite to replace it")
    check_destination(path, overwrite=overwrite)


def _delete(args: argparse.Namespace) -> int:
    from .delete import delete_sequence_store
    from .render import render

    report = delete_sequence_store(
        args.identifier,
        _regions(args.region),
        confirm=args.confirm,
        dry_run=args.dry_run,
        session=_session(args.profile),
    )
    sys.stdout.write(render(report, args.format))
    if args.dry_run:
        print("omics-magic: dry run; nothing was deleted", file=sys.stderr)
        return EXIT_OK
    return _delete_outcome(report)


def _delete_outcome(report: Any) -> int:
    """The exit code of a delete's report: 0 if every store was deleted."""
    outcomes = set(report["outcome"])
    if outcomes <= {"deleted"}:
        return EXIT_OK
    if "cancelled" in outcomes:
        print("omics-magic: cancelled; nothing was deleted", file=sys.stderr)
        return EXIT_NOT_CONFIRMED
    for row in report.itertuples():
        if row.outcome != "deleted":
            print(
                f"omics-magic: {row.sequence_store_id} in {row.region}: {row.outcome}: "
                f"{row.message}",
                file=sys.stderr,
            )
    return EXIT_FAILED


def _demo(args: argparse.Namespace) -> int:
    from .demo_tour import run_tour

    return run_tour(Path(args.output_dir).expanduser(), notebook=args.notebook)


def _notes(errors: Sequence[dict[str, Any]]) -> None:
    """One line on stderr per failed region."""
    from .render import region_note

    for error in errors:
        print(f"omics-magic: note: {region_note(error)}", file=sys.stderr)


def _fail(err: BaseException, code: int) -> int:
    message = " ".join(str(err).split()) or type(err).__name__
    print(f"omics-magic: error: {message}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
