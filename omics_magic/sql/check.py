"""Statement checks: one statement, SELECT or DELETE only, no files, no network.

These are the friendly first line of defence: each refusal is one line with
a hint, before any AWS call. The hard guarantee is DuckDB's own sandbox (see
:mod:`omics_magic.sql.run`), which refuses file, network and extension access
even for SQL that got past these checks.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Container, Mapping
from typing import TYPE_CHECKING

from ..errors import SQLError

if TYPE_CHECKING:
    from sqlglot import exp
    from sqlglot.tokens import Token

__all__ = ["check_tree", "parse_one_statement", "position", "tokenize"]

# Statements refused by their first word, unparsed (sqlglot can't parse all of
# them, and a typo elsewhere in one should not read as a syntax error).
_REFUSED_STATEMENTS = set(
    "INSERT UPDATE UPSERT MERGE REPLACE CREATE DROP ALTER TRUNCATE COPY ATTACH DETACH INSTALL "
    "FORCE LOAD UNLOAD PRAGMA SET RESET EXPORT IMPORT CALL CHECKPOINT VACUUM ANALYZE USE BEGIN "
    "START COMMIT ROLLBACK ABORT END DESCRIBE DESC SHOW SUMMARIZE EXPLAIN PREPARE EXECUTE "
    "DEALLOCATE COMMENT GRANT REVOKE PIVOT UNPIVOT VALUES TABLE".split()
)
# Table functions that only compute values.
_SAFE_TABLE_FUNCTIONS = {"range", "generate_series", "unnest"}
# Functions that read files, reach the network, run SQL strings or inspect the engine
# (its settings name local paths: current_setting('home_directory'), 'secret_directory').
_FORBIDDEN_FUNCTION = re.compile(
    r"^(read_\w+|parquet_\w+|sniff_csv|glob|query|query_table|\w+_scan|iceberg_\w+|"
    r"delta_\w+|sqlite_\w+|postgres_\w+|mysql_\w+|getenv|duckdb_\w+|pragma_\w+|"
    r"which_secret|load_aws_credentials|http_\w+|write_\w+|copy_\w+|"
    r"current_setting|getvariable)$"
)
_FORBIDDEN_NODES = (
    "Alter Analyze Attach Cache Command Comment Commit Copy Create Describe Detach Drop Export "
    "Grant Insert Install LoadData Merge Pragma Refresh Revoke Rollback Set Show Summarize "
    "Transaction TruncateTable Uncache Update Use"
).split()
_HINT = "%%omics runs one SELECT over aws.omics.* (or a DELETE of one store)"


class _QuietWhileParsing(logging.Filter):
    """Drops sqlglot's warnings in threads that are inside :func:`parse_one_statement`.

    A filter with a thread-local switch, not a level change: setting the
    logger's level and back from several threads at once can leave it raised
    for good, for everyone.
    """

    def __init__(self) -> None:
        super().__init__()
        self.parsing = threading.local()

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.ERROR or not getattr(self.parsing, "on", False)


_QUIET = _QuietWhileParsing()


def position(sql: str, node: exp.Expr | int) -> tuple[int, int]:
    """1-based (line, column) of a node (or a character offset) in ``sql``."""
    offset = node if isinstance(node, int) else node.meta.get("start", 0)
    before = sql[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def tokenize(sql: str) -> list[Token]:
    """sqlglot's DuckDB tokens of ``sql``.

    Raises
    ------
    SQLError
        If the SQL can't be tokenized (an unclosed quote or comment), in one line.
    """
    import sqlglot
    from sqlglot.errors import TokenError

    try:
        return sqlglot.Dialect.get_or_raise("duckdb").tokenize(sql)
    except TokenError as err:
        detail = str(err).replace("\n", "\\n")
        raise SQLError(f"can't read the SQL ({detail}); check for an unclosed quote") from None


def parse_one_statement(sql: str) -> exp.Expr:
    """Parse exactly one SELECT or DELETE statement with sqlglot's DuckDB dialect.

    Raises
    ------
    SQLError
        Empty SQL, unparseable SQL (with line and column), more than one
        statement, or a statement that is not SELECT/DELETE.
    """
    import sqlglot
    from sqlglot.errors import ParseError, SqlglotError
    from sqlglot.tokens import TokenType

    if not sql.strip():
        raise SQLError("the query is empty; write e.g. SELECT * FROM aws.omics.sequence_stores")
    tokens = tokenize(sql)
    statements: list[list[sqlglot.tokens.Token]] = [[]]
    for token in tokens:
        if token.token_type == TokenType.SEMICOLON:
            statements.append([])
        else:
            statements[-1].append(token)
    statements = [s for s in statements if s]
    if not statements:
        raise SQLError("the query is empty; write e.g. SELECT * FROM aws.omics.sequence_stores")
    if len(statements) > 1:
        line, col = position(sql, statements[1][0].start)
        raise SQLError(
            f"found {len(statements)} statements (the second at line {line}, column {col}); "
            "run one statement per cell"
        )
    first = statements[0][0].text.upper()
    if first in _REFUSED_STATEMENTS:
        raise SQLError(f"{first} statements are not allowed; {_HINT}")
    # DuckDB runs a SELECT: its parser's word on a syntax error is the one to show.
    # A DELETE never reaches DuckDB (sql/delete.py reads it and says which forms
    # it runs), so DuckDB's grammar (no DELETE ... LIMIT, say) doesn't judge it.
    if first != "DELETE":
        from .syntax import duckdb_syntax_error

        syntax_error = duckdb_syntax_error(sql)
        if syntax_error is not None:
            raise syntax_error
    logging.getLogger("sqlglot").addFilter(_QUIET)  # once: addFilter skips a repeat
    _QUIET.parsing.on = True  # no "falling back to Command" warnings on screen
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except ParseError as err:
        detail = err.errors[0] if err.errors else {}
        where = ""
        if detail.get("line"):
            where = f" at line {detail['line']}, column {detail.get('col')}"
        near = f" near {detail['highlight']!r}" if detail.get("highlight") else ""
        description = detail.get("description") or str(err).splitlines()[0]
        raise SQLError(f"SQL syntax error{where}{near}: {description}") from None
    except SqlglotError as err:
        raise SQLError(f"can't parse the SQL: {str(err).splitlines()[0]}") from None
    finally:
        _QUIET.parsing.on = False
    return tree


def _kind(node: exp.Expr) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", " ", type(node).__name__).upper()


def _function_name(func: exp.Func) -> str:
    from sqlglot import exp

    if isinstance(func, exp.Anonymous):
        return str(func.name).lower()
    return func.sql_name().lower()


def _frames_hint(local: Container[str]) -> str:
    names = local.names() if hasattr(local, "names") else sorted(str(n) for n in local)  # type: ignore[attr-defined]
    if names:
        return ", ".join(names)
    return "none (name a pandas or polars DataFrame or a pyarrow Table of the notebook)"


def check_tree(
    tree: exp.Expr, resources: Mapping[str, str], local: Container[str] = ()
) -> list[exp.Table]:
    """Refuse what we don't run; return the resource references in text order.

    A one-part table name in ``local`` (the notebook's frames) is allowed too.

    Raises
    ------
    SQLError
        A non-SELECT/DELETE statement (also nested), a file/network function,
        a table function other than range/generate_series/unnest, or a table
        that is neither a resource, a CTE nor a local frame.
    """
    from sqlglot import exp

    if not isinstance(tree, (exp.Select, exp.SetOperation, exp.Subquery, exp.Delete)):
        raise SQLError(f"{_kind(tree)} statements are not allowed; {_HINT}")
    forbidden = tuple(getattr(exp, name) for name in _FORBIDDEN_NODES if hasattr(exp, name))
    for node in tree.walk():
        if isinstance(node, forbidden) or (isinstance(node, exp.Delete) and node is not tree):
            raise SQLError(f"{_kind(node)} is not allowed inside a query; {_HINT}")
        if isinstance(node, exp.Func) and _FORBIDDEN_FUNCTION.match(_function_name(node)):
            raise SQLError(
                f"{_function_name(node)}() is not allowed: queries can't read files, reach "
                "the network, read settings or run SQL strings; save results with "
                "-o/--output instead"
            )

    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    known = ", ".join(resources)
    found: list[exp.Table] = []
    for table in tree.find_all(exp.Table):
        if isinstance(table.this, exp.Func):
            name = _function_name(table.this)
            if name in _SAFE_TABLE_FUNCTIONS:
                continue
            raise SQLError(f"table function {name}() is not allowed; query one of: {known}")
        parts = [p.name for p in table.parts]
        path = ".".join(parts).lower()
        if path in resources:
            found.append(table)
            continue
        if len(parts) == 1 and (path in ctes or parts[0] in local):
            continue
        if re.search(r"[/\\:]|\.\w+$", parts[-1]) or "://" in path:
            raise SQLError(
                f"reading files or URLs ({'.'.join(parts)!r}) is not allowed; query one of: {known}"
            )
        suggestion = [r for r in resources if r.rsplit(".", 1)[-1] == parts[-1].lower()]
        hint = f"; did you mean {suggestion[0]}?" if suggestion else ""
        raise SQLError(
            f"unknown resource {'.'.join(parts)!r}; known resources: {known}{hint}; "
            f"local frames: {_frames_hint(local)}"
        )
    found.sort(key=lambda t: t.parts[0].meta.get("start", 0))
    return found
