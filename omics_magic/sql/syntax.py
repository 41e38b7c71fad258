"""Syntax errors in DuckDB's own words: its parser's message and the position.

The SQL runs in DuckDB, so DuckDB's parser has the last word on what is valid
and says it best (``syntax error at or near "SELEC"``). It parses without
running anything: one parse-only connection, shared under a lock, that never
holds data.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from ..errors import SQLError

__all__ = ["duckdb_syntax_error"]

_LOCK = threading.Lock()
_PARSER: list[Any] = []  # the one parse-only connection, made on first use
_CARET = re.compile(r"^LINE (\d+): (.*)\n( *)\^", re.MULTILINE)


def _parser() -> Any:
    import duckdb

    if not _PARSER:
        _PARSER.append(
            duckdb.connect(
                ":memory:",
                config={
                    "enable_external_access": False,
                    "autoload_known_extensions": False,
                    "autoinstall_known_extensions": False,
                },
            )
        )
    return _PARSER[0]


def duckdb_syntax_error(sql: str) -> SQLError | None:
    """DuckDB's parser error for ``sql`` as one line with its position; None if it parses.

    Examples
    --------
    >>> print(duckdb_syntax_error("SELEC * FROM t"))
    SQL syntax error at line 1, column 1: syntax error at or near "SELEC"
    >>> duckdb_syntax_error("SELECT 1") is None
    True
    """
    import duckdb

    with _LOCK:
        try:
            _parser().extract_statements(sql)
        except duckdb.ParserException as err:
            message = str(err)
        else:
            return None
    first = message.splitlines()[0].removeprefix("Parser Error: ").strip()
    return SQLError(f"SQL syntax error{_where(sql, message)}: {first}")


def _where(sql: str, message: str) -> str:
    """`` at line L, column C`` from DuckDB's ``LINE L: ...`` and caret lines ('' if unsure)."""
    caret = _CARET.search(message)
    if caret is None:
        return ""
    line = int(caret.group(1))
    shown = caret.group(2)
    offset = len(caret.group(3)) - len(f"LINE {line}: ")
    lines = sql.split("\n")
    if not 1 <= line <= len(lines) or offset < 0:
        return f" at line {line}"
    # DuckDB shows a window of a long line, between '...': find it in the real line.
    lead = 3 if shown.startswith("...") else 0
    body = shown[lead:].removesuffix("...")
    start = lines[line - 1].find(body)
    if start < 0:
        return f" at line {line}"
    return f" at line {line}, column {start + offset - lead + 1}"
