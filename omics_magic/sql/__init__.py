"""SQL: check a statement, plan its AWS calls (pushdown), fill ``{{name}}``
placeholders, and run it in a sandboxed DuckDB over the fetched rows.

Modules: :mod:`.check` (parse and refuse), :mod:`.pushdown` (what the WHERE
pushes to AWS), :mod:`.plan` (a SELECT's plan), :mod:`.templates`
(``{{name}}``), :mod:`.run` (:func:`run_query`), :mod:`.delete` (the DELETE
statement).
"""

from __future__ import annotations

from .plan import RESOURCES, DeleteStatement, ResourceRef, SelectPlan, plan_statement
from .run import run_query

__all__ = [
    "RESOURCES",
    "DeleteStatement",
    "ResourceRef",
    "SelectPlan",
    "plan_statement",
    "run_query",
]
