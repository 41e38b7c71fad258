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

if TYPE_CHECKING:
    from ..failures import Failure

__all__ = [
    "EXIT_FAILED",
    "EXIT_NOT_CONFIRMED",
    "EXIT_OK",
    "EXIT_USAGE",
    "delete_command",
    "demo_command",
    "notes",
    "query_command",
]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_NOT_CONFIRMED = 0, 1, 2, 3


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
    from ..sql.run import run_query
    from .render import render

    output = Path(args.output).expanduser() if args.output else None
    if output is not None:
        _check_output(output, overwrite=args.overwrite)  # before any AWS call
    result = run_query(
        args.sql,
        regions=_regions(args.region),
        strict=args.strict,
        confirm=args.confirm,
        refresh=args.refresh,
        **_accounts(args),
    )
    from ..failures import failures_in

    notes(failures_in(result))
    if output is not None:
        from ..export.files import write_frame

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
    from ..errors import ExportError
    from ..export.files import check_output

    if path.is_dir():
        raise ExportError(f"{path} is a directory; -o writes one file")
    check_output(path, overwrite=overwrite)


def delete_command(args: argparse.Namespace) -> int:
    from ..delete.protocol import delete_sequence_store
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


def demo_command(args: argparse.Namespace) -> int:
    from .tour import run_tour

    return run_tour(Path(args.output_dir).expanduser(), notebook=args.notebook)


def notes(errors: Sequence[Failure]) -> None:
    """One line on stderr per failed region."""
    from .render import region_note

    for error in errors:
        print(f"omics-magic: note: {region_note(error)}", file=sys.stderr)
