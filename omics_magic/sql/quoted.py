"""``'{{name}}'``: a placeholder written inside quotes, as jupysql users type out of habit.

:func:`~omics_magic.sql.templates.render_template` leaves quoted text alone,
so ``WHERE name = '{{n}}'`` would compare with the text ``{{n}}`` and
silently answer nothing. Here, before the template is rendered, a string
literal that is exactly one placeholder (``'{{n}}'``) becomes the literal it
was meant to be (the value, quoted and escaped once); a placeholder inside a
longer string or a quoted identifier is refused with a one-line fix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..errors import SQLError
from .templates import sql_literal

__all__ = ["fill_quoted_placeholders"]

_ONE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def fill_quoted_placeholders(sql: str, namespace: Mapping[str, Any] | None) -> str:
    """``'{{name}}'`` -> the value as a literal; a placeholder elsewhere in quotes is refused.

    Raises
    ------
    SQLError
        For ``'prefix {{name}}'``, ``"{{name}}"``, an undefined name, or a
        value that can't be a literal.

    Examples
    --------
    >>> fill_quoted_placeholders("SELECT * FROM t WHERE name = '{{n}}'", {"n": "it's"})
    "SELECT * FROM t WHERE name = 'it''s'"
    """
    if "{{" not in sql:
        return sql
    import sqlglot
    from sqlglot.errors import TokenError

    try:
        tokens = sqlglot.Dialect.get_or_raise("duckdb").tokenize(sql)
    except TokenError:
        return sql  # the parser says what is wrong, with the position
    namespace = namespace or {}
    out, done = [], 0
    for token in tokens:
        kind = token.token_type.name
        if kind not in ("STRING", "IDENTIFIER") or "{{" not in token.text:
            continue
        found = _ONE.search(token.text)
        if found is None:
            continue
        name = found.group(1)
        if kind == "IDENTIFIER":
            raise SQLError(
                f'"{{{{{name}}}}}" is a quoted identifier: a placeholder is a value, not a '
                "column or table name; write the name itself"
            )
        if _ONE.fullmatch(token.text) is None:
            raise SQLError(
                f"{{{{{name}}}}} sits inside the string {sql[token.start : token.end + 1]!r}, "
                f"where it would stay text; build the whole value in Python (e.g. "
                f"pattern = f'...{{{name}}}...') and write {{{{pattern}}}} without quotes"
            )
        if name not in namespace:
            raise SQLError(
                f"{{{{{name}}}}} is not defined; assign it in Python first (e.g. {name} = 'value')"
            )
        value = namespace[name]
        if isinstance(value, (list, tuple)):
            raise SQLError(
                f"'{{{{{name}}}}}' holds a {type(value).__name__}: write it without quotes "
                f"(IN {{{{{name}}}}}), it becomes a list of literals"
            )
        out += [sql[done : token.start], sql_literal(value, name=name)]
        done = token.end + 1
    return "".join(out) + sql[done:] if out else sql
