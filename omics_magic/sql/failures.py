"""What DuckDB's errors mean for the user: one line naming the problem and the fix."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from ..errors import OmicsMagicError, QueryLimitError, SQLError, UnknownColumnError
from .plan import SelectPlan, valid_columns_hint

__all__ = ["translate_duckdb_error"]


_CANDIDATE = re.compile(r'"([^"]+)"')
_MISSING_COLUMN = re.compile(
    r'Referenced column "([^"]+)" not found|does not have a column named "([^"]+)"'
)


def _did_you_mean(name: str, message: str, others: Sequence[str]) -> str:
    """``did you mean 'x'? `` for the closest column (DuckDB's candidates, ours), or ''."""
    bindings = message.partition("Candidate bindings:")[2]
    candidates = [c.rsplit(".", 1)[-1] for c in _CANDIDATE.findall(bindings)]
    candidates += [*others, "data__Identifier"]
    candidates = [c for c in dict.fromkeys(candidates) if c.lower() != name.lower()]
    folded = {c.lower(): c for c in candidates}
    close = difflib.get_close_matches(name.lower(), list(folded), n=1, cutoff=0.6)
    return f"did you mean {folded[close[0]]!r}? " if close else ""


def translate_duckdb_error(
    err: Exception, plan: SelectPlan, columns: Sequence[str] = ()
) -> OmicsMagicError:
    """DuckDB's error as one line; ``columns`` are the local frames' (for did-you-mean)."""
    import duckdb

    first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    missing = _MISSING_COLUMN.search(first)
    if missing:
        name = missing.group(1) or missing.group(2)
        line_col = plan.positions.get(name.lower())
        where = f" (line {line_col[0]}, column {line_col[1]})" if line_col else ""
        kinds = [ref.kind for ref in plan.refs] or ["sequence_stores"]
        if any(name.lower() in ref.definition.extra_columns for ref in plan.refs):
            return UnknownColumnError(
                f"column {name!r}{where} is an extra field: name it in the SELECT that reads "
                "aws.omics.* (SELECT * gives only the nine documented columns)"
            )
        ours = [c for ref in plan.refs for c in ref.definition.all_columns]
        return UnknownColumnError(
            f"unknown column {name!r}{where}; "
            f"{_did_you_mean(name, str(err), [*columns, *ours])}{valid_columns_hint(kinds)}"
        )
    if isinstance(err, duckdb.OutOfMemoryException):
        from .sandbox import MEMORY_ENV

        return QueryLimitError(
            f"the query's SQL ran out of memory ({first}); narrow it (WHERE, LIMIT), or "
            f"raise the limit with ${MEMORY_ENV}"
        )
    if isinstance(err, duckdb.PermissionException):
        return SQLError(
            f"not allowed: {first}; queries can't read or write files, reach the network "
            "or load extensions"
        )
    return SQLError(f"DuckDB can't run the query: {first}")
