"""ListReadSets and GetReadSetMetadata (arguments already validated by the wire layer)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .read_sets import page_of_read_sets

if TYPE_CHECKING:
    from .backend import OmicsBackend

__all__ = ["get_read_set_metadata", "list_read_sets"]

Params = dict[str, Any]


def list_read_sets(backend: OmicsBackend, account_id: str, region: str, p: Params) -> Params:
    """One page of a store's read sets, in (creationTime, id) order; 404 if no such store."""
    with backend._lock:
        store = backend._store(region, account_id, p["sequenceStoreId"])
        found, token = page_of_read_sets(
            store.read_sets,
            store.id,
            p.get("maxResults", 100),
            p.get("nextToken"),
            p.get("filter", {}),
        )
        answer: dict[str, Any] = {"readSets": [r.to_api() for r in found]}
    if token is not None:
        answer["nextToken"] = token
    return answer


def get_read_set_metadata(backend: OmicsBackend, account_id: str, region: str, p: Params) -> Params:
    with backend._lock:
        return backend._read_set(region, account_id, p["sequenceStoreId"], p["id"]).to_api()
