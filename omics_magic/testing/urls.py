"""Routes: HTTP method and path -> operation, built from the model's ``requestUri``s."""

from __future__ import annotations

import functools
import re
from urllib.parse import unquote

from .shapes import OPERATIONS, operation_model

__all__ = ["route"]


@functools.cache
def _routes() -> tuple[tuple[str, re.Pattern[str], str], ...]:
    routes = []
    for name in OPERATIONS:
        http = operation_model(name).http
        path = http["requestUri"].split("?", 1)[0]
        # Non-greedy labels ({id}, {resourceArn}) are one percent-encoded path segment.
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path))
        routes.append((http["method"], re.compile(regex), name))
    return tuple(routes)


def route(method: str, path: str) -> tuple[str, dict[str, str]] | None:
    """``(operation, uri labels)`` for a request, or None if nothing matches.

    Examples
    --------
    >>> route("GET", "/sequencestore/1234567890")
    ('GetSequenceStore', {'id': '1234567890'})
    """
    for http_method, regex, name in _routes():
        match = regex.fullmatch(path)
        if match and http_method == method.upper():
            return name, {k: unquote(v) for k, v in match.groupdict().items()}
    return None
