"""What ``omics-magic query``, ``delete`` and ``demo`` do, once their arguments are parsed.

Each returns the exit code; the library's errors propagate to
:func:`omics_magic.cli.main.main`, which turns them into one line.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .stdout import OutputFailed, check_stdout, silence_stdout, write_stdout

if TYPE_CHECKING:
    from ..failures import Failure

__all__ = [
    "EXIT_BROKEN_PIPE",
    "EXIT_FAILED",
    "EXIT_NOT_CONFIRMED",
    "EXIT_OK",
    "EXIT_USAGE",
    "OutputFailed",
    "delete_command",
    "demo_command",
    "notes",
    "query_command",
    "silence_stdout",
    "write_stdout",
]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_NOT_CONFIRMED = 0, 1, 2, 3
#: 128 + SIGPIPE, what a shell reports for a tool ended by a closed pipe.
EXIT_BROKEN_PIPE = 141


def _regions(values: list[str] | None) -> list[str] | None:
    names = [name.strip() for value in values or [] for name in value.split(",") if name.strip()]
    return names or None


def _session(profile: str | None) -> Any:
    if not profile:
        return None
    from ..aws.clients import resolve_session

    return resolve_session(profile=profile)


def _accounts(args: argparse.Namespace) -> dict[str, Any]:
    """The query's accounts: one --profile as before, else profiles and roles."""
    from ..aws.accounts import single_profile

    profiles, roles = args.profile or [], args.role_arn or []
    one = single_profile(profiles, roles)
    return {
        "session": _session(one),
        "profiles": None if one else profiles,
        "role_arns": roles,
        "role_external_id": args.role_external_id,
        "role_session_name": args.role_session_name,
    }


def query_command(args: argparse.Namespace) -> int:
    from ..failures import failures_in
    from ..sql.run import run_query
    from .render import render

    sql = _read_sql(args.sql)
    output = _output_path(args.output)
    if output is not None:
        _check_output(output, overwrite=args.overwrite)  # before any AWS call
    if output is None or args.format:
        check_stdout()
    result = run_query(
        sql,
        regions=_regions(args.region),
        strict=args.strict,
        confirm=args.confirm,
        refresh=args.refresh,
        **_accounts(args),
    )
    failures = failures_in(result)
    notes(failures)
    asked = _nothing_read(result, failures)
    if asked:
        # A cron job must tell "no stores" from "no answers": no file, no table, exit 1.
        raise OutputFailed(
            f"every region failed ({asked} of {asked}); nothing was read"
            + (f", so {output} was not written" if output is not None else "")
        )
    if output is not None:
        from ..export.files import write_frame

        # A full disk is WriteError: exit 1, not 2 (which says nothing was asked of AWS).
        written = write_frame(result, output, overwrite=args.overwrite)
        print(f"omics-magic: wrote {len(result)} rows to {written}", file=sys.stderr)
    if output is None or args.format:
        write_stdout(render(result, args.format or "table"))
    if _is_delete(sql) and "outcome" in result.columns:
        return _delete_outcome(result)
    return EXIT_OK


def _nothing_read(result: Any, failures: Sequence[Failure]) -> int:
    """How many (account, region) were asked, if every one failed; else 0."""
    from ..aws.accounts import ALL_REGIONS
    from ..fetch.engine import ACCOUNTS_ATTR, REGIONS_ATTR

    regions = result.attrs.get(REGIONS_ATTR) or []
    accounts = result.attrs.get(ACCOUNTS_ATTR)
    keys = [(a.get("account_id"), a.get("via")) for a in accounts] if accounts else [None]
    if not regions or not failures:
        return 0
    failed = {(None if accounts is None else (f.account_id, f.via), f.region) for f in failures}
    units = [(key, region) for key in keys for region in regions]
    if all((key, region) in failed or (key, ALL_REGIONS) in failed for key, region in units):
        return len(units) or len(failures)
    return 0


def _read_sql(sql: str) -> str:
    """The SQL argument, or standard input's text for ``-``."""
    if sql != "-":
        return sql
    from ..errors import InputError

    if sys.stdin is None or sys.stdin.isatty():
        raise InputError(
            "the SQL is - but standard input is not a file or a pipe; pipe the SQL in "
            "(echo 'SELECT ...' | omics-magic query -) or give it as an argument"
        )
    return sys.stdin.read()


def _output_path(output: str | None) -> Path | None:
    if output is None:
        return None
    if not output.strip():
        from ..errors import ExportError

        raise ExportError("-o/--output is empty; give a file path such as stores.parquet")
    return Path(output).expanduser()


def _is_delete(sql: str) -> bool:
    words = sql.split(None, 1)
    return bool(words) and words[0].upper() == "DELETE"


def _check_output(path: Path, *, overwrite: bool) -> None:
    from ..errors import ExportError
    from ..export.files import check_output

    if path.is_dir():
        raise ExportError(f"{path} is a directory; -o writes one file")
    check_output(path, overwrite=overwrite)


def delete_command(args: argparse.Namespace) -> int:
    from ..delete.protocol import delete_sequence_store
    from .render import render

    check_stdout()
    report = delete_sequence_store(
        args.identifier,
        _regions(args.region),
        confirm=args.confirm,
        dry_run=args.dry_run,
        **_accounts(args),
    )
    write_stdout(render(report, args.format))
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
            from .render import terminal_safe

            line = f"{row.sequence_store_id} in {row.region}: {row.outcome}: {row.message}"
            print(f"omics-magic: {terminal_safe(line)}", file=sys.stderr)
    return EXIT_FAILED


def demo_command(args: argparse.Namespace) -> int:
    from .tour import run_tour

    return run_tour(Path(args.output_dir).expanduser(), notebook=args.notebook)


def notes(errors: Sequence[Failure]) -> None:
    """One line on stderr per failed region."""
    from .render import region_note

    for error in errors:
        print(f"omics-magic: note: {region_note(error)}", file=sys.stderr)
