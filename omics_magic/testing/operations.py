"""The API operations, as the wire layer calls them (arguments already validated).

The sequence-store operations are here; tags are in ``tag_operations``, read
sets in ``read_set_operations``, and :data:`OPERATIONS` names them all.

Each takes the backend, the caller's account and region, and the decoded
request members (camelCase, as in the model); it returns the response members
(the wire layer keeps those of the output shape) or raises an
:class:`~omics_magic.testing.exceptions.OmicsServiceError`. They work on the
backend's state under its lock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from .exceptions import conflict, validation
from .models import to_millis
from .read_set_operations import get_read_set_metadata, list_read_sets
from .tag_operations import MAX_TAGS, list_tags_for_resource, tag_resource, untag_resource

if TYPE_CHECKING:
    from .backend import OmicsBackend

__all__ = ["MAX_PROPAGATED_TAGS", "MAX_TAGS", "OPERATIONS"]

MAX_PROPAGATED_TAGS = 5  # the user guide: "up to five" tag keys propagate to read sets
Params = dict[str, Any]


def _check_propagated(p: Params) -> None:
    keys = p.get("propagatedSetLevelTags")
    if keys is not None and len(keys) > MAX_PROPAGATED_TAGS:
        raise validation(
            f"1 validation error detected: Value {keys!r} at 'propagatedSetLevelTags' failed "
            f"to satisfy constraint: Member must have length less than or equal to "
            f"{MAX_PROPAGATED_TAGS}"
        )


def create_sequence_store(backend: OmicsBackend, account_id: str, region: str, p: Params) -> Params:
    if len(p.get("tags", {})) > MAX_TAGS:
        raise validation(f"A resource can have at most {MAX_TAGS} tags")
    _check_propagated(p)
    with backend._lock:
        state = backend._region(region, account_id)
        token = p.get("clientToken")
        # Idempotency: a retried create (same clientToken) answers the store it made.
        if token is not None and state.client_tokens.get(token) in state.stores:
            return state.stores[state.client_tokens[token]].to_api()
        created = _create(backend, account_id, region, p)
        if token is not None:
            state.client_tokens[token] = created["id"]
        return created


def _create(backend: OmicsBackend, account_id: str, region: str, p: Params) -> Params:
    return backend.create_sequence_store(
        region,
        p["name"],
        account_id=account_id,
        description=p.get("description"),
        sse_config=p.get("sseConfig"),
        fallback_location=p.get("fallbackLocation"),
        tags=p.get("tags"),
        e_tag_algorithm_family=p.get("eTagAlgorithmFamily", "MD5up"),
        propagated_set_level_tags=p.get("propagatedSetLevelTags"),
        access_log_location=p.get("s3AccessConfig", {}).get("accessLogLocation"),
    )


def list_sequence_stores(backend: OmicsBackend, account_id: str, region: str, p: Params) -> Params:
    with backend._lock:
        page, token = backend._region(region, account_id).page(
            p.get("maxResults", 100), p.get("nextToken"), p.get("filter", {})
        )
        answer: dict[str, Any] = {"sequenceStores": [s.to_api() for s in page]}
    if token is not None:
        answer["nextToken"] = token
    return answer


def get_sequence_store(backend: OmicsBackend, account_id: str, region: str, p: Params) -> Params:
    with backend._lock:
        return backend._store(region, account_id, p["id"]).to_api()


def update_sequence_store(backend: OmicsBackend, account_id: str, region: str, p: Params) -> Params:
    _check_propagated(p)
    with backend._lock:
        store = backend._store(region, account_id, p["id"])
        if store.status != "ACTIVE":
            raise conflict(f"Sequence store {store.id} is {store.status}; it can't be updated")
        for member, attr in (
            ("name", "name"),
            ("description", "description"),
            ("fallbackLocation", "fallback_location"),
            ("propagatedSetLevelTags", "propagated_set_level_tags"),
        ):
            if member in p:
                setattr(store, attr, p[member])
        if "s3AccessConfig" in p:
            store.access_log_location = p["s3AccessConfig"].get("accessLogLocation")
        store.update_time = max(to_millis(datetime.now(timezone.utc)), store.creation_time)
        return store.to_api()


def delete_sequence_store(backend: OmicsBackend, account_id: str, region: str, p: Params) -> Params:
    with backend._lock:
        store = backend._store(region, account_id, p["id"])
        if store.read_sets:
            raise conflict(
                f"Sequence store {store.id} still holds {len(store.read_sets)} read sets; "
                "delete them first"
            )
        if store.deleted_at is None:
            backend._region(region, account_id).mark_deleting(store, backend._clock())
        return {}


OPERATIONS: dict[str, Callable[[OmicsBackend, str, str, Params], Params]] = {
    "CreateSequenceStore": create_sequence_store,
    "ListSequenceStores": list_sequence_stores,
    "GetSequenceStore": get_sequence_store,
    "UpdateSequenceStore": update_sequence_store,
    "DeleteSequenceStore": delete_sequence_store,
    "ListTagsForResource": list_tags_for_resource,
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "ListReadSets": list_read_sets,
    "GetReadSetMetadata": get_read_set_metadata,
}
