"""The omics resources, each one declaration (:mod:`.model`), and how to find one.

Adding a resource is one module here (its :class:`~.model.Resource`), its
entry in :data:`RESOURCES`, and the fake's support in ``omics_magic.testing``.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import InputError
from .model import Call, Column, Filter, Parent, RangeFilter, Resource
from .read_sets import READ_SETS
from .sequence_stores import SEQUENCE_STORES

__all__ = [
    "READ_SETS",
    "RESOURCES",
    "SEQUENCE_STORES",
    "Call",
    "Column",
    "Filter",
    "Parent",
    "RangeFilter",
    "Resource",
    "resource_named",
    "resource_of_columns",
]

#: Every resource, by :attr:`Resource.name`.
RESOURCES: dict[str, Resource] = {r.name: r for r in (SEQUENCE_STORES, READ_SETS)}


def resource_named(name: str | Resource) -> Resource:
    """The resource called ``name`` (``read_sets``; a Resource is returned as is)."""
    if isinstance(name, Resource):
        return name
    try:
        return RESOURCES[name]
    except KeyError:
        raise InputError(f"unknown resource {name!r}; use one of: {', '.join(RESOURCES)}") from None


def resource_of_columns(columns: Iterable[object]) -> Resource:
    """Which resource a frame's columns are rows of: the one whose identifier they hold.

    A frame with a ``read_set_id`` column holds read sets; anything else is
    taken for sequence stores (whose columns every older frame has).

    Examples
    --------
    >>> resource_of_columns(["region", "read_set_id"]).name
    'read_sets'
    >>> resource_of_columns(["region", "name"]).name
    'sequence_stores'
    """
    names = set(columns)
    for resource in RESOURCES.values():
        if resource.parent is not None and resource.identifier in names:
            return resource
    return SEQUENCE_STORES
