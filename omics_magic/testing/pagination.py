"""Pagination that never loses or repeats an item, whatever changes between pages.

A list is kept in (creationTime, id) order. A ``nextToken`` is an opaque
cursor naming the last item of its page by that key, and the next page
resumes strictly after it. So an item that exists for the whole listing is
seen exactly once, whatever is created or deleted between pages. A token
also names the listing it came from, so that one from another listing (or
another store's read sets) is refused, as AWS refuses foreign tokens.
"""

from __future__ import annotations

import base64
import binascii
import heapq
import json
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TypeVar

from .exceptions import validation

__all__ = ["Key", "page"]

T = TypeVar("T")
Key = tuple[datetime, str]  # (creationTime, id)


def encode_token(listing: str | None, key: Key) -> str:
    """An opaque nextToken: the last key of a page, and the listing it belongs to."""
    cursor: dict[str, object] = {"v": 1, "t": key[0].isoformat(), "i": key[1]}
    if listing is not None:
        cursor["l"] = listing
    return base64.urlsafe_b64encode(json.dumps(cursor).encode()).decode()


def decode_token(listing: str | None, token: str) -> Key:
    """The key a token resumes after; a ValidationException if it isn't one of ours."""
    try:
        cursor = json.loads(base64.urlsafe_b64decode(token.encode()))
        after = datetime.fromisoformat(cursor["t"])
        if after.tzinfo is None:
            raise ValueError("naive time")
        if cursor.get("l") != listing:
            raise ValueError("a token of another listing")
        return after, str(cursor["i"])
    except (binascii.Error, ValueError, KeyError, TypeError, AttributeError, UnicodeError):
        raise validation("Invalid nextToken") from None


def page(
    items: Iterable[T],
    key: Callable[[T], Key],
    max_results: int,
    next_token: str | None,
    listing: str | None = None,
) -> tuple[list[T], str | None]:
    """One page of ``items`` (already filtered) in key order, and the next token or None.

    Examples
    --------
    >>> from datetime import timezone
    >>> day = datetime(2025, 1, 1, tzinfo=timezone.utc)
    >>> ids = ["3", "1", "2"]
    >>> first, token = page(ids, lambda i: (day, i), 2, None)
    >>> first, page(ids, lambda i: (day, i), 2, token)
    (['1', '2'], (['3'], None))
    """
    if next_token is not None:
        after = decode_token(listing, next_token)
        items = (item for item in items if key(item) > after)
    # The page and one more (is there a next page?), without sorting the whole list:
    # listing 1,000 stores 5 at a time would otherwise sort them 200 times.
    ahead = heapq.nsmallest(max_results + 1, items, key=key)
    found = ahead[:max_results]
    token = encode_token(listing, key(found[-1])) if len(ahead) > max_results else None
    return found, token
