"""``omics-magic``: the command line, for scripts, cron jobs and a first offline try.

- ``omics-magic query "SQL"`` runs the same SQL as ``%%omics``
  (:func:`omics_magic.sql.run.run_query`) and prints a table, CSV or JSON, or
  writes a file with ``-o``.
- ``omics-magic delete ID`` deletes one store, after a preview and a
  confirmation (:func:`omics_magic.delete_sequence_store`).
- ``omics-magic demo`` runs a tour on the embedded fake (:mod:`omics_magic.cli.tour`).

Errors the library raises on purpose become one line on stderr, never a
traceback; the exit code says what happened (see ``EXIT_CODES``).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import textwrap
import warnings
from collections.abc import Sequence

from .._version import __version__
from ..errors import (
    AmbiguousStoreError,
    ConfirmationError,
    CredentialsError,
    DeleteInterrupted,
    FetchError,
    InputError,
    OmicsMagicError,
    RegionFailureWarning,
)
from .commands import (
    EXIT_BROKEN_PIPE,
    EXIT_FAILED,
    EXIT_NOT_CONFIRMED,
    EXIT_USAGE,
    delete_command,
    demo_command,
    notes,
    query_command,
    silence_stdout,
)
from .render import terminal_safe

__all__ = ["EXIT_CODES", "EXIT_INTERRUPTED", "build_parser", "main"]

#: Interrupted (Ctrl-C, SIGINT): 128 + SIGINT, as shells report it.
EXIT_INTERRUPTED = 130

EXIT_CODES = """\
exit codes:
  0  success (regions that failed without --strict are noted on stderr)
  1  failed: every region failed (nothing was read, nothing is written), a region failed
     with --strict, a store to delete was not found, a delete did not succeed, or the
     result could not be written (a full disk)
  2  bad input or configuration, found before any AWS call (SQL, region, ID, path,
     credentials, AWS settings)
  3  delete not confirmed: no --confirm and no terminal to ask, a wrong --confirm, or
     cancelled; nothing was deleted
130  interrupted (Ctrl-C); a delete prints what became of each store first
141  the reader of the output went away (e.g. `| head`); nothing more is printed
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
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly, as Unix tools do. Before
        # `except Exception`, which would catch it first.
        silence_stdout()
        return EXIT_BROKEN_PIPE
    except ConfirmationError as err:
        return _fail(err, EXIT_NOT_CONFIRMED)
    except (InputError, CredentialsError, AmbiguousStoreError) as err:
        return _fail(err, EXIT_USAGE)
    except FetchError as err:
        notes(err.failures)
        return _fail(err, EXIT_FAILED)
    except OmicsMagicError as err:  # incl. OutputFailed, WriteError: after the AWS calls
        return _fail(err, EXIT_FAILED)
    except Exception as err:
        # botocore's own configuration errors (e.g. an $AWS_PROFILE that doesn't exist,
        # met while reading region data) are bad configuration too: one line, not a traceback.
        from ..aws.clients import credentials_error

        mapped = credentials_error(err)
        if mapped is None:
            raise
        return _fail(mapped, EXIT_USAGE)
    except DeleteInterrupted as err:
        from .render import render

        sys.stdout.write(render(err.report, getattr(args, "format", None) or "table"))
        return _fail(err, EXIT_INTERRUPTED)
    except KeyboardInterrupt:
        print("omics-magic: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``omics-magic`` and its subcommands.

    Examples
    --------
    >>> args = build_parser().parse_args(["query", "SELECT 1", "-r", "us-east-1"])
    >>> args.sql, args.region
    ('SELECT 1', ['us-east-1'])
    """
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
        'stores FROM aws.omics.sequence_stores GROUP BY region"; - reads it from stdin',
    )
    _region_option(
        query,
        "regions to query when the SQL doesn't pick them (default: "
        "$OMICS_MAGIC_REGIONS, else every omics region)",
    )
    _profile_option(query, repeat=True)
    _role_options(query)
    query.add_argument("--strict", action="store_true", help="exit 1 if any region fails")
    query.add_argument(
        "--refresh",
        action="store_true",
        help="go to AWS, not the result cache (each CLI call is its own process, so its "
        "cache starts empty: this is for scripts shared with the magic)",
    )
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
    query.set_defaults(command=query_command)

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
    _profile_option(delete, repeat=True)
    _role_options(delete)
    delete.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help="how to print the report (default: table)",
    )
    delete.set_defaults(command=delete_command)

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
    demo.set_defaults(command=demo_command)
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


def _profile_option(parser: argparse.ArgumentParser, *, repeat: bool = False) -> None:
    several = "; repeat to query several accounts at once" if repeat else ""
    parser.add_argument(
        "--profile",
        metavar="P",
        action="append" if repeat else "store",
        help="AWS profile (default: the standard chain: $AWS_PROFILE, environment keys, ...)"
        + several,
    )


def _role_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--role-arn",
        metavar="ARN",
        action="append",
        help="an IAM role to assume (from the default credentials) and query; repeat for "
        "several accounts",
    )
    parser.add_argument(
        "--role-external-id", metavar="ID", help="the ExternalId the roles' trust policy asks for"
    )
    parser.add_argument(
        "--role-session-name",
        metavar="NAME",
        help="the RoleSessionName CloudTrail shows (default: omics-magic)",
    )


def _fail(err: BaseException, code: int) -> int:
    message = " ".join(str(err).split()) or type(err).__name__
    print(f"omics-magic: error: {terminal_safe(message)}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
