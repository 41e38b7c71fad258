"""The ``%%omics`` / ``%omics`` IPython magic: StackQL-style SQL over sequence stores.

Load it with ``%load_ext omics_magic``. The magic only parses its line, calls
:func:`omics_magic.sql.run.run_query` and shows the result; errors from the
library become one short :class:`~IPython.core.error.UsageError` line (set
``%config OmicsMagic.short_errors = False`` for full tracebacks).

Importing this module must stay cheap: boto3, duckdb and sqlglot load on the
first query, not on ``%load_ext``.
"""

from __future__ import annotations

import inspect
import re
import sys
import warnings
from collections import ChainMap
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError
from IPython.core.magic import (
    Magics,
    line_cell_magic,
    magics_class,
    needs_local_scope,
    no_var_expand,
)
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from traitlets import Bool, Enum, Float, Int, List, TraitError, Unicode, validate
from traitlets.config.configurable import Configurable

from .errors import DeleteInterrupted, OmicsMagicError, RegionFailureWarning

if TYPE_CHECKING:
    import pandas as pd
    from IPython.core.interactiveshell import InteractiveShell

    from .notes import Note

__all__ = ["OmicsMagic", "split_line"]

# Options whose value is the next word, so that the SQL can start after them.
_VALUE_OPTIONS = {
    "-r",
    "--region",
    "--profile",
    "--role-arn",
    "--role-external-id",
    "--role-session-name",
    "--confirm",
    "-o",
    "--output",
}
_WORD = re.compile(r"""(?:"[^"]*"|'[^']*'|\S)+""")
_OPTION = re.compile(r"-{1,2}[A-Za-z]")
_ASSIGN = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*<<")


def split_line(line: str) -> tuple[str, str | None, str]:
    """Split a magic line into (options, assigned name, SQL).

    Options come first (before and/or after ``name <<``); the SQL is the rest
    of the line, kept verbatim so that its quotes survive.

    Examples
    --------
    >>> split_line("-r us-east-1 stores << SELECT 1")
    ('-r us-east-1', 'stores', 'SELECT 1')
    """
    options: list[str] = []

    def take_options(pos: int) -> int:
        while True:
            word = _WORD.search(line, pos)
            if word is None or not _OPTION.match(word.group()):
                return pos
            options.append(word.group())
            pos = word.end()
            if word.group() in _VALUE_OPTIONS:
                value = _WORD.search(line, pos)
                if value is not None:
                    options.append(value.group())
                    pos = value.end()

    pos = take_options(0)
    target = None
    assign = _ASSIGN.match(line, pos)
    if assign:
        target = assign.group(1)
        pos = take_options(assign.end())
    return " ".join(options), target, line[pos:].strip()


@magics_class
class OmicsMagic(Magics, Configurable):
    """Run StackQL-style SQL over AWS HealthOmics sequence stores.

    Every trait is settable with ``%config OmicsMagic.<name> = ...`` (the base
    ``Magics`` registers the instance in ``shell.configurables``).
    """

    regions = List(
        Unicode(),
        default_value=[],
        help="Regions to query when the SQL doesn't pick them (empty: $OMICS_MAGIC_REGIONS "
        "or every omics region).",
    ).tag(config=True)
    profile = Unicode(None, allow_none=True, help="AWS profile to use (None: default).").tag(
        config=True
    )
    profiles = List(
        Unicode(),
        default_value=[],
        help="AWS profiles whose accounts to query, all at once (empty: `profile` alone).",
    ).tag(config=True)
    role_arns = List(
        Unicode(),
        default_value=[],
        help="IAM roles to assume (from `profile`, or the default chain) and query.",
    ).tag(config=True)
    role_external_id = Unicode(
        None, allow_none=True, help="The ExternalId the roles' trust policy asks for."
    ).tag(config=True)
    role_session_name = Unicode(
        None, allow_none=True, help="The RoleSessionName CloudTrail shows (None: omics-magic)."
    ).tag(config=True)
    short_errors = Bool(
        True, help="Show errors as one line; False re-raises them with the traceback."
    ).tag(config=True)
    progress = Enum(
        ["auto", True, False],
        default_value="auto",
        help="Progress, then a summary line: 'auto' (in a notebook), True or False.",
    ).tag(config=True)
    strict = Bool(False, help="Fail when any region fails, instead of a note.").tag(config=True)
    max_concurrency = Int(None, allow_none=True, help="Bound on requests in flight.").tag(
        config=True
    )
    timeout = Float(None, allow_none=True, help="Seconds before a query gives up.").tag(config=True)
    cache_ttl = Float(
        None,
        allow_none=True,
        help="Seconds fetched data is reused by later queries (None: $OMICS_MAGIC_CACHE_TTL "
        "or 300; 0: no cache).",
    ).tag(config=True)

    def __init__(self, shell: InteractiveShell | None = None, **kwargs: Any) -> None:
        super().__init__(shell=shell, **kwargs)
        # Notes about failed regions wait for the end of the cell, so that they
        # show under the result (the cell's value is displayed after the magic
        # returns). Outside a cell (run_cell_magic called directly) they show at once.
        self._pending_notes: list[Note] | None = None
        if shell is not None:
            shell.events.register("pre_run_cell", self._cell_starts)
            shell.events.register("post_run_cell", self._cell_ends)

    def _cell_starts(self, info: object = None) -> None:
        self._pending_notes = []

    def _cell_ends(self, result: object = None) -> None:
        notes, self._pending_notes = self._pending_notes or [], None
        for note in notes:
            self._display_note(note)

    def _show_note(self, note: Note) -> None:
        if self._pending_notes is None:
            self._display_note(note)
        else:
            self._pending_notes.append(note)

    def _display_note(self, note: Note) -> None:
        """As HTML (where the front end can) or text, on the cell's output: not on stderr."""
        if self.shell is not None:
            self.shell.display_pub.publish(data=note.mimebundle(), metadata={})

    @validate("regions")
    def _check_regions(self, proposal: Any) -> list[str]:
        from .regions import resolve_regions

        if not proposal["value"]:
            return []
        try:
            return list(resolve_regions(proposal["value"]))
        except OmicsMagicError as err:
            raise TraitError(str(err)) from None

    @no_var_expand
    @needs_local_scope
    @magic_arguments()
    @argument(
        "-r",
        "--region",
        action="append",
        default=None,
        metavar="REGION",
        help="Region to query when the SQL doesn't pick one; repeat for several.",
    )
    @argument(
        "--profile",
        action="append",
        default=None,
        metavar="PROFILE",
        help="AWS profile for this query; repeat to query several accounts at once.",
    )
    @argument(
        "--role-arn",
        action="append",
        default=None,
        metavar="ARN",
        help="IAM role to assume and query; repeat for several accounts.",
    )
    @argument("--strict", action="store_true", help="Fail if any region fails.")
    @argument("--no-progress", action="store_true", help="Don't show progress or the summary.")
    @argument(
        "--refresh",
        action="store_true",
        help="Fetch from AWS even if the session's result cache holds the data.",
    )
    @argument(
        "--confirm",
        default=None,
        metavar="ID",
        help="Confirm a DELETE: the ID of the store it deletes.",
    )
    @argument(
        "-o",
        "--output",
        default=None,
        metavar="PATH",
        help="Also write the result to PATH (.parquet, .csv or .json).",
    )
    @argument("--overwrite", action="store_true", help="Let -o replace an existing file.")
    @argument(
        "--demo",
        action="store_true",
        help="Enter demo mode: from now on, query an embedded FAKE of AWS HealthOmics, "
        "seeded, offline, with fake credentials (omics_magic.demo()).",
    )
    @argument(
        "--end-demo",
        action="store_true",
        help="Leave demo mode: stop the fake and restore your AWS settings.",
    )
    @argument("-h", "--help", action="store_true", help="Show this help (as %%omics? does).")
    @argument(
        "query",
        nargs="*",
        help="[name <<] SQL: assign the result to `name` instead of showing it; the SQL is "
        "the rest of the line and the cell, e.g. SELECT * FROM aws.omics.sequence_stores",
    )
    @line_cell_magic
    def omics(
        self, line: str, cell: str | None = None, local_ns: dict[str, Any] | None = None
    ) -> pd.DataFrame | None:
        """Query AWS HealthOmics sequence stores with SQL; the result is a DataFrame.

        Resources: ``aws.omics.sequence_stores`` (every store in the regions
        queried) and ``aws.omics.sequence_store`` (one store, by
        ``WHERE data__Identifier = '<id>'``). ``region =``/``IN`` picks the
        regions to call; the rest of the SQL runs in DuckDB. ``{{name}}`` inserts
        a Python variable as a SQL literal. ``DELETE FROM aws.omics.sequence_store
        WHERE data__Identifier = '<id>'`` deletes one store, with ``--confirm <id>``.
        ``DESCRIBE aws.omics.sequence_stores`` lists a resource's columns (type, in
        ``SELECT *``, the API call, what it holds) and ``SHOW RESOURCES`` the
        resources, without any AWS call. Tab completes resources, columns, SQL
        keywords and these options.

        Examples::

            %%omics stores <<
            SELECT region, name, tags['team'] AS team
            FROM aws.omics.sequence_stores
            WHERE region IN ('us-east-1', 'eu-west-1')

            %omics SELECT region, count(*) FROM aws.omics.sequence_stores GROUP BY region
        """
        options, target, sql = split_line(line)
        args = parse_argstring(self.omics, options)
        if args.help:
            print(inspect.getdoc(self.omics))
            return None
        if cell is not None:
            sql = f"{sql}\n{cell}" if sql else cell
        if args.demo or args.end_demo:
            _switch_demo(start=args.demo, end=args.end_demo)
            if not sql.strip():
                return None
        if not sql.strip():
            raise UsageError("no query; write e.g. %omics SELECT * FROM aws.omics.sequence_stores")
        try:
            return self._run(args, target, sql, local_ns)
        except DeleteInterrupted as err:
            # Still an interrupt (the run stops), but first what became of every store.
            from IPython.display import display

            display(err.report)
            raise
        except OmicsMagicError as err:
            if self.short_errors:
                raise UsageError(str(err)) from err
            raise

    def _run(
        self, args: Any, target: str | None, sql: str, local_ns: dict[str, Any] | None
    ) -> pd.DataFrame | None:
        from .sql.run import run_query

        assert self.shell is not None
        namespace = ChainMap(local_ns or {}, self.shell.user_ns)
        # A bad or existing -o path fails now, before any AWS call.
        write = _output_writer(args.output, overwrite=args.overwrite) if args.output else None
        # In demo mode a configured profile is set aside (an explicit --profile is refused).
        # So are configured profiles and roles: the demo's own are `--profile demo-lab`.
        demo_on = _demo_on()
        configured = None if demo_on else self.profile
        profiles = args.profile or ([] if demo_on else list(self.profiles))
        roles = args.role_arn or ([] if demo_on else list(self.role_arns))
        from .aws.accounts import single_profile

        one = single_profile(profiles, roles)
        profile = one or configured  # one profile alone: the single setting, as before
        session = None
        if profile:
            from .aws.clients import resolve_session

            session = resolve_session(profile=profile)
        progress: bool | None = None if self.progress == "auto" else bool(self.progress)
        if args.no_progress:
            progress = False
        with warnings.catch_warnings():
            # The note below replaces the engine's per-fetch warnings.
            warnings.simplefilter("ignore", RegionFailureWarning)
            result = run_query(
                sql,
                regions=args.region or list(self.regions) or None,
                session=session,
                strict=args.strict or self.strict,
                progress=progress,
                namespace=namespace,
                max_concurrency=self.max_concurrency,
                timeout=self.timeout,
                confirm=args.confirm,
                cache_ttl=self.cache_ttl,
                refresh=args.refresh,
                profiles=None if one else profiles,
                role_arns=roles,
                role_external_id=self.role_external_id,
                role_session_name=self.role_session_name,
            )
        if write is not None:
            write(result)
        from .failures import failures_in
        from .notes import Note, failure_notes

        note = failure_notes(failures_in(result))
        if note is not None:
            self._show_note(note)
        cached = _cache_note(result)
        if cached is not None:
            self._show_note(Note((cached,)))
        for line in result.attrs.get("omics_notes") or []:
            self._show_note(Note((f"omics: {line}",)))
        if target is not None:
            self.shell.user_ns[target] = result
            return None
        return result


def _switch_demo(*, start: bool, end: bool) -> None:
    if start and end:
        raise UsageError("--demo and --end-demo contradict each other; pass one")
    from .demo_mode.mode import demo, end_demo

    if start:
        demo()
    elif not end_demo():
        print("omics_magic: demo mode was not on; nothing to end")


def _demo_on() -> bool:
    module = sys.modules.get("omics_magic.demo_mode.mode")
    return module is not None and module.active_demo() is not None


def _cache_note(result: pd.DataFrame) -> str | None:
    """'from cache, fetched 42 s ago; ...' when the result used the session's cache."""
    if not result.attrs.get("omics_cached"):
        return None
    import pandas as pd

    age = (pd.Timestamp.now(tz="UTC") - result.attrs["omics_fetched_at"]).total_seconds()
    return f"omics: from cache, fetched {max(age, 0):.0f} s ago; --refresh to fetch again"


def _output_writer(path: str, *, overwrite: bool) -> Callable[[pd.DataFrame], None]:
    # -o/--output: the export module owns the file format, safe writes and the
    # overwrite policy; the destination is checked here, before the query runs.
    from .export.files import check_output, write_frame

    check_output(path, overwrite=overwrite)

    def write(df: pd.DataFrame) -> None:
        write_frame(df, path, overwrite=overwrite)
        print(f"omics: wrote {len(df)} row{'' if len(df) == 1 else 's'} to {path}")

    return write


def unregister(shell: InteractiveShell) -> None:
    """Remove ``%omics``/``%%omics`` and the OmicsMagic configurable from ``shell``."""
    from .internals import remove_magics

    for magics in [c for c in shell.configurables if isinstance(c, OmicsMagic)]:
        for event, callback in (
            ("pre_run_cell", magics._cell_starts),
            ("post_run_cell", magics._cell_ends),
        ):
            if callback in shell.events.callbacks[event]:
                shell.events.unregister(event, callback)
    remove_magics(shell, "omics", "OmicsMagic")
    shell.configurables[:] = [
        c for c in shell.configurables if c.__class__.__name__ != "OmicsMagic"
    ]
