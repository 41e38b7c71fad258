"""``{{name}}`` templates: user variables rendered into SQL as literals.

A value is never pasted as text: it becomes a SQL literal (a quoted, escaped
string; a number; NULL; TRUE/FALSE; or a parenthesised list of those), so a
quote inside a value can't break out of its string. Placeholders inside
quoted strings, quoted identifiers and comments are left alone, so a
``'{{x}}'`` in a string literal stays literal text.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..errors import SQLError

__all__ = ["render_template", "sql_literal"]

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_BAD_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


def sql_literal(value: Any, *, name: str = "value") -> str:
    """Render a Python value as a DuckDB SQL literal.

    Parameters
    ----------
    value
        A str, int, float, bool, None, or a non-empty list/tuple of those.
    name
        The variable's name, for the error message.

    Raises
    ------
    SQLError
        For any other type, an empty list, a non-finite float, or a string
        holding a NUL character.

    Examples
    --------
    >>> sql_literal("it's")
    "'it''s'"
    >>> sql_literal(["us-east-1", "eu-west-1"])
    "('us-east-1', 'eu-west-1')"
    >>> sql_literal(None)
    'NULL'
    """
    if isinstance(value, (list, tuple)):
        if not value:
            raise SQLError(
                f"{{{{{name}}}}} is an empty {type(value).__name__}; SQL has no empty list "
                "(IN () is invalid), so give at least one value"
            )
        return "(" + ", ".join(_scalar(v, name) for v in value) + ")"
    return _scalar(value, name)


def _scalar(value: Any, name: str) -> str:
    if value is None:
        return "NULL"
    # bool before numbers: True is an Integral too.
    if isinstance(value, (bool, np.bool_)):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        if "\x00" in value:
            raise SQLError(f"{{{{{name}}}}} holds a NUL character, which SQL strings can't hold")
        # DuckDB strings: only the quote needs escaping (backslash is literal).
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        number = float(value)
        if not math.isfinite(number):
            raise SQLError(f"{{{{{name}}}}} is {number!r}; only finite numbers can go into SQL")
        return repr(number)
    raise SQLError(
        f"{{{{{name}}}}} is a {type(value).__name__}; only str, int, float, bool, None, "
        "or a list/tuple of those can go into SQL"
    )


def render_template(sql: str, namespace: Mapping[str, Any] | None) -> str:
    """Replace each ``{{name}}`` outside strings and comments by its value as a literal.

    Parameters
    ----------
    sql
        The SQL text.
    namespace
        Where names are looked up (the IPython user namespace); None means empty.

    Raises
    ------
    SQLError
        If a name is undefined, malformed, or holds a value that can't be a literal.

    Examples
    --------
    >>> render_template("SELECT * FROM t WHERE region IN {{r}}", {"r": ["us-east-1"]})
    "SELECT * FROM t WHERE region IN ('us-east-1')"
    """
    if "{{" not in sql:
        return sql
    namespace = namespace or {}
    out: list[str] = []
    for text, is_code in _split_code(sql):
        if is_code:
            text = _PLACEHOLDER.sub(lambda m: _lookup(m.group(1), namespace), text)
            bad = _BAD_PLACEHOLDER.search(text)
            if bad:
                raise SQLError(
                    f"{bad.group(0)!r} is not a valid placeholder; write {{{{name}}}} with "
                    "a Python variable name"
                )
        out.append(text)
    return "".join(out)


def _lookup(name: str, namespace: Mapping[str, Any]) -> str:
    if name not in namespace:
        raise SQLError(
            f"{{{{{name}}}}} is not defined; assign it in Python first (e.g. {name} = 'value')"
        )
    return sql_literal(namespace[name], name=name)


def _split_code(sql: str) -> list[tuple[str, bool]]:
    """Split SQL into (text, is_code) pieces; quoted text and comments are not code."""
    pieces: list[tuple[str, bool]] = []
    start = i = 0
    n = len(sql)
    while i < n:
        ch = sql[i]
        end = -1
        if ch in ("'", '"'):
            end = i + 1
            while end < n:
                if sql[end] == ch:
                    if end + 1 < n and sql[end + 1] == ch:  # doubled quote: escaped
                        end += 2
                        continue
                    break
                end += 1
            end = min(end + 1, n)
        elif sql.startswith("--", i):
            newline = sql.find("\n", i)
            end = n if newline < 0 else newline
        elif sql.startswith("/*", i):
            close = sql.find("*/", i + 2)
            end = n if close < 0 else close + 2
        if end < 0:
            i += 1
            continue
        if start < i:
            pieces.append((sql[start:i], True))
        pieces.append((sql[i:end], False))
        start = i = end
    if start < n:
        pieces.append((sql[start:], True))
    return pieces
