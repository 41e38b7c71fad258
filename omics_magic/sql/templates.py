"""``{{name}}`` templates: user variables rendered into SQL as literals.

A value is never pasted as text: it becomes a SQL literal (a quoted, escaped
string; a number, parenthesised when negative; NULL; TRUE/FALSE; or a
parenthesised list of those), so a quote inside a value can't break out of
its string and a minus sign can't start a comment (``5-{{n}}``).

Placeholders are found with sqlglot's DuckDB tokenizer, the one that parses
the statement afterwards, so strings of every kind (``'...'``, ``E'...'``,
``$$...$$``), quoted identifiers and comments are respected: a placeholder
there is left as text, and :func:`placeholders` says where each one sits.
A placeholder glued to a word or a quote (``E{{x}}``, ``x{{y}}``,
``{{a}}{{b}}``) is refused: the literal would merge with its neighbour.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import SQLError
from .check import tokenize

if TYPE_CHECKING:
    from sqlglot.tokens import Token

__all__ = ["Placeholder", "placeholders", "render_template", "sql_literal"]

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
# A literal next to one of these would merge with it: a string prefix (E'..',
# X'..'), an identifier, another literal, or a dollar quote.
_GLUE = re.compile(r"[\w$'\"`{}.]")


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
        return _signed(str(int(value)))
    if isinstance(value, numbers.Real):
        number = float(value)
        if not math.isfinite(number):
            raise SQLError(f"{{{{{name}}}}} is {number!r}; only finite numbers can go into SQL")
        return _signed(repr(number))
    raise SQLError(
        f"{{{{{name}}}}} is a {type(value).__name__}; only str, int, float, bool, None, "
        "or a list/tuple of those can go into SQL"
    )


def _signed(number: str) -> str:
    # ``5-{{n}}`` with n = -1 must not become ``5--1``, a comment.
    return f"({number})" if number.startswith("-") else number


@dataclass(frozen=True)
class Placeholder:
    """One ``{{name}}`` in a statement, and where it sits.

    Attributes
    ----------
    name
        The variable's name.
    start, end
        Its span in the SQL text: ``sql[start:end]`` is the placeholder.
    quoted
        The token it sits in when that is a string or a quoted identifier
        (``sql[quoted[0]:quoted[1]]`` is the whole token, quotes included),
        else None: a placeholder in code, which :func:`render_template` fills.
    """

    name: str
    start: int
    end: int
    quoted: tuple[int, int] | None = None


_QUOTED = (
    "STRING",
    "NATIONAL_STRING",
    "HEREDOC_STRING",
    "RAW_STRING",
    "BIT_STRING",
    "HEX_STRING",
    "BYTE_STRING",
    "UNICODE_STRING",
    "IDENTIFIER",
)


def placeholders(sql: str) -> list[Placeholder]:
    """Every ``{{name}}`` in code, strings and quoted identifiers, in text order.

    Placeholders in comments are not listed: a comment is not part of the
    statement.

    Raises
    ------
    SQLError
        If the SQL can't be tokenized (an unclosed quote), or a ``{{`` in
        code is not a valid placeholder.

    Examples
    --------
    >>> [(p.name, p.quoted) for p in placeholders("SELECT {{a}}, '{{b}}' -- {{c}}")]
    [('a', None), ('b', (14, 21))]
    """
    tokens = tokenize(sql)
    found: list[Placeholder] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        kind = token.token_type.name
        if kind in _QUOTED:
            span = (token.start, token.end + 1)
            for inner in _PLACEHOLDER.finditer(sql, *span):
                found.append(Placeholder(inner.group(1), inner.start(), inner.end(), span))
        elif kind == "L_BRACE" and i + 1 < len(tokens) and _adjacent(tokens[i], tokens[i + 1]):
            match = _PLACEHOLDER.match(sql, token.start)
            if not match or tokens[i + 1].token_type.name != "L_BRACE":
                close = sql.find("}}", token.start)
                bad = sql[token.start : len(sql) if close < 0 else close + 2]
                raise SQLError(
                    f"{bad!r} is not a valid placeholder; write {{{{name}}}} with "
                    "a Python variable name"
                )
            found.append(Placeholder(match.group(1), match.start(), match.end()))
            while i + 1 < len(tokens) and tokens[i + 1].start < match.end():
                i += 1
        i += 1
    return found


def _adjacent(first: Token, second: Token) -> bool:
    return first.end + 1 == second.start


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
    done = 0
    for placeholder in placeholders(sql):
        if placeholder.quoted is not None:
            continue
        _refuse_glue(sql, placeholder)
        out += [sql[done : placeholder.start], _lookup(placeholder.name, namespace)]
        done = placeholder.end
    return "".join(out) + sql[done:]


def _refuse_glue(sql: str, placeholder: Placeholder) -> None:
    before = sql[placeholder.start - 1] if placeholder.start else ""
    after = sql[placeholder.end] if placeholder.end < len(sql) else ""
    for neighbour in (before, after):
        if _GLUE.fullmatch(neighbour):
            text = sql[placeholder.start : placeholder.end]
            raise SQLError(
                f"{text} touches {neighbour!r}; put a space or an operator between them "
                "(a placeholder is a whole value, not part of a word or string)"
            )


def _lookup(name: str, namespace: Mapping[str, Any]) -> str:
    if name not in namespace:
        raise SQLError(
            f"{{{{{name}}}}} is not defined; assign it in Python first (e.g. {name} = 'value')"
        )
    return sql_literal(namespace[name], name=name)
