"""Tab completion inside ``%%omics`` cells and ``%omics`` lines, from the kernel.

A matcher on IPython's completer (``IPCompleter.custom_matchers``, matcher API
v2 with the :class:`~IPython.core.completer.CompletionContext`: the cell's full
text and the cursor), so JupyterLab, VS Code and the terminal all get it. It
completes:

- resource names (and the notebook's DataFrames) after FROM and JOIN;
- the columns of the resources the statement names (extra fields too);
- SQL keywords;
- the magic's own ``--options`` on the magic's line.

Outside ``%%omics``/``%omics`` it offers nothing, so Python completion is untouched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, cast

from IPython.core.completer import (
    CompletionContext,
    SimpleCompletion,
    SimpleMatcherResult,
    context_matcher,
)

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell

__all__ = ["KEYWORDS", "omics_completions", "register_completer", "unregister_completer"]

KEYWORDS = tuple(
    """SELECT FROM WHERE AND OR NOT IN IS NULL LIKE ILIKE BETWEEN GROUP BY ORDER HAVING LIMIT
    OFFSET JOIN LEFT RIGHT INNER OUTER FULL CROSS ON USING AS DISTINCT CASE WHEN THEN ELSE END
    ASC DESC UNION ALL EXCEPT INTERSECT WITH EXCLUDE REPLACE DELETE DESCRIBE SHOW RESOURCES
    count sum min max avg list string_agg unnest map_keys map_values cardinality coalesce
    lower upper regexp_matches strftime date_trunc""".split()
)
_TABLE_CONTEXT = re.compile(r"\b(?:FROM|JOIN|DESCRIBE|DESC)\s+(?:[\w.]+\s*,\s*)*$", re.IGNORECASE)
_RESOURCE_NAME = re.compile(r"\baws\.omics\.\w+", re.IGNORECASE)
_LINE_MAGIC = re.compile(r"(?:^|\s)%omics(?=\s|$)")


def _frame_names(namespace: Mapping[str, Any]) -> list[str]:
    from .sql.frames import is_local_frame

    return [
        name
        for name, value in namespace.items()
        if not name.startswith("_") and name.isidentifier() and is_local_frame(value)
    ]


def _columns_of(sql: str) -> list[str]:
    from .sql.describe import resource_columns
    from .sql.plan import RESOURCES

    named = [r.lower() for r in _RESOURCE_NAME.findall(sql) if r.lower() in RESOURCES]
    columns: dict[str, None] = {}
    for resource in dict.fromkeys(named or RESOURCES):
        columns.update(dict.fromkeys(c.name for c in resource_columns(resource)))
    return list(columns)


def _options(shell: InteractiveShell) -> list[str]:
    magic = shell.find_cell_magic("omics") or shell.find_line_magic("omics")
    parser = getattr(magic, "parser", None)
    if parser is None:
        return []
    from .internals import parser_options

    return parser_options(parser)


def _split(context: CompletionContext) -> tuple[str, str, bool] | None:
    """(SQL before the cursor, the whole SQL, cursor on the magic's line), or None if not ours."""
    lines = context.full_text.split("\n")
    before = context.text_until_cursor
    if lines and lines[0].lstrip().startswith("%%omics"):
        head = lines[0].lstrip()[len("%%omics") :]
        if context.cursor_line == 0:
            return before.lstrip()[len("%%omics") :], head + "\n" + "\n".join(lines[1:]), True
        sql_before = "\n".join([head, *lines[1 : context.cursor_line], before])
        return sql_before, head + "\n" + "\n".join(lines[1:]), False
    line = context.line_with_cursor
    magic = _LINE_MAGIC.search(before)
    if magic is None:
        return None
    return before[magic.end() :], line[magic.end() :], True


def _matching(fragment: str, candidates: Iterable[str], kind: str) -> list[SimpleCompletion]:
    folded = fragment.lower()
    found = []
    for candidate in dict.fromkeys(candidates):
        if candidate.lower().startswith(folded) and candidate != fragment:
            text = candidate
            if kind == "keyword" and fragment and fragment == fragment.lower():
                text = candidate.lower()  # follow the case being typed
            found.append(SimpleCompletion(text, type=kind))
    return found


def _result(completions: list[SimpleCompletion], fragment: str | None) -> SimpleMatcherResult:
    if fragment is None:  # not in an omics cell: leave the other matchers alone
        return cast("SimpleMatcherResult", {"completions": completions})
    # Ours, in an omics cell: Python names would only be noise there.
    result = {"completions": completions, "matched_fragment": fragment, "suppress": True}
    return cast("SimpleMatcherResult", result)


def omics_completions(
    context: CompletionContext, shell: InteractiveShell
) -> SimpleMatcherResult | None:
    """The completions at the cursor of a ``%%omics`` cell or ``%omics`` line (None elsewhere)."""
    split = _split(context)
    if split is None:
        return None
    before, sql, on_magic_line = split
    option = re.search(r"(?:^|\s)(-{1,2}[\w-]*)$", before)
    if on_magic_line and option and not re.search(r"\b(?:SELECT|FROM|WHERE)\b", before, re.I):
        fragment = option.group(1)
        completions = _matching(fragment, _options(shell), "option")
        return _result(completions, fragment)
    table = re.search(r"[\w.]*$", before)
    fragment = table.group() if table else ""
    if _TABLE_CONTEXT.search(before[: len(before) - len(fragment)]):
        from .sql.plan import RESOURCES

        completions = _matching(fragment, RESOURCES, "resource")
        completions += _matching(fragment, _frame_names(shell.user_ns), "frame")
        return _result(completions, fragment)
    word = re.search(r"\w*$", before)
    fragment = word.group() if word else ""
    if not fragment and not before.endswith((" ", "\t", "\n", ".", "(", ",")):
        return None
    completions = _matching(fragment, _columns_of(sql), "column")
    if not before[: len(before) - len(fragment)].endswith("."):
        completions += _matching(fragment, KEYWORDS, "keyword")
    return _result(completions, fragment)


def register_completer(shell: InteractiveShell) -> None:
    """Add the ``%%omics`` matcher to ``shell``'s completer (``%load_ext``)."""

    @context_matcher()
    def omics_matcher(context: CompletionContext) -> SimpleMatcherResult:
        result = omics_completions(context, shell)
        return result if result is not None else _result([], None)

    omics_matcher.omics_magic = True  # type: ignore[attr-defined,unused-ignore]
    completer = getattr(shell, "Completer", None)
    if completer is not None:
        unregister_completer(shell)
        completer.custom_matchers.append(omics_matcher)


def unregister_completer(shell: InteractiveShell) -> None:
    """Remove what :func:`register_completer` added (``%unload_ext``)."""
    completer = getattr(shell, "Completer", None)
    if completer is not None:
        completer.custom_matchers[:] = [
            m for m in completer.custom_matchers if not getattr(m, "omics_magic", False)
        ]
