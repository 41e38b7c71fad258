"""Pagination that never loses or repeats an item, whatever changes between pages.

A list is kept in (creationTime, id) order (:class:`Listed`: a mapping of
items by ID that also keeps their keys sorted). A ``nextToken`` is an opaque
cursor naming the last item of its page by that key, and the next page
resumes strictly after it, found by bisection: a page costs what it holds
(and the items a filter skips), not the whole list. So an item that exists for the whole listing is
seen exactly once, whatever is created or deleted between pages. A token
also names the listing it came from, so that one from another listing (or
another store's read sets) is refused, as AWS refuses foreign tokens.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
from collections.abc import Callable, ItemsView, Iterator, MutableMapping, ValuesView
from datetime import datetime
from itertools import islice
from typing import Generic, TypeVar

from .exceptions import validation

__all__ = ["Key", "Listed", "page"]

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


class Listed(MutableMapping[str, T], Generic[T]):
    """Items by ID, their keys also kept sorted, so that a listing resumes by bisection.

    ``key(item)`` is the item's (creationTime, id) and must not change while
    the item is held; its ID is the item's key in the mapping.

    Examples
    --------
    >>> from datetime import timezone
    >>> day = datetime(2025, 1, 1, tzinfo=timezone.utc)
    >>> listed = Listed(lambda i: (day, i))
    >>> for i in ["3", "1", "2"]:
    ...     listed[i] = i
    >>> del listed["2"]
    >>> list(listed.after(None)), list(listed.after((day, "1"))), len(listed)
    (['1', '3'], ['3'], 2)
    """

    def __init__(self, key: Callable[[T], Key]) -> None:
        self._key = key
        self._items: dict[str, T] = {}
        self._order: list[Key] = []

    def __getitem__(self, item_id: str) -> T:
        return self._items[item_id]

    def __setitem__(self, item_id: str, item: T) -> None:
        key = self._key(item)
        if key[1] != item_id:
            raise ValueError(f"item {key[1]!r} held as {item_id!r}")
        if item_id in self._items:
            self._unorder(self._items[item_id])
        self._items[item_id] = item
        bisect.insort(self._order, key)

    def __delitem__(self, item_id: str) -> None:
        self._unorder(self._items.pop(item_id))

    def _unorder(self, item: T) -> None:
        key = self._key(item)
        del self._order[bisect.bisect_left(self._order, key)]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._items

    def values(self) -> ValuesView[T]:
        return self._items.values()

    def items(self) -> ItemsView[str, T]:
        return self._items.items()

    def after(self, key: Key | None) -> Iterator[T]:
        """The items in key order, from the first after ``key`` (all if None)."""
        start = 0 if key is None else bisect.bisect_right(self._order, key)
        order, items = self._order, self._items
        return (items[order[i][1]] for i in range(start, len(order)))


def page(
    items: Listed[T],
    keep: Callable[[T], bool],
    max_results: int,
    next_token: str | None,
    listing: str | None = None,
) -> tuple[list[T], str | None]:
    """One page of the ``items`` that ``keep`` keeps, in key order, and the next token or None.

    Examples
    --------
    >>> from datetime import timezone
    >>> day = datetime(2025, 1, 1, tzinfo=timezone.utc)
    >>> ids = Listed(lambda i: (day, i))
    >>> ids.update({"3": "3", "1": "1", "2": "2", "4": "4"})
    >>> odd = lambda i: int(i) % 2 == 1
    >>> first, token = page(ids, odd, 1, None)
    >>> first, page(ids, odd, 1, token)
    (['1'], (['3'], None))
    """
    after = None if next_token is None else decode_token(listing, next_token)
    # The page and one more (is there a next page?).
    ahead = list(islice((item for item in items.after(after) if keep(item)), max_results + 1))
    found = ahead[:max_results]
    token = encode_token(listing, items._key(found[-1])) if len(ahead) > max_results else None
    return found, token
