"""ListTagsForResource, TagResource and UntagResource, on stores and read sets alike."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .arns import parse_resource_arn
from .exceptions import OmicsServiceError, not_found
from .models import SequenceStore
from .read_sets import ReadSet

if TYPE_CHECKING:
    from .backend import OmicsBackend

__all__ = ["MAX_TAGS", "list_tags_for_resource", "tag_resource", "untag_resource"]

MAX_TAGS = 50
Params = dict[str, Any]


def _tagged(
    backend: OmicsBackend, account_id: str, region: str, arn: str
) -> SequenceStore | ReadSet:
    """The store or read set an ARN names, in the caller's own account and region."""
    named = parse_resource_arn(arn)
    if named is None or named.region != region or named.account_id != account_id:
        raise not_found(f"Resource {arn} not found")
    try:
        if named.read_set_id is None:
            return backend._store(region, account_id, named.store_id)
        return backend._read_set(region, account_id, named.store_id, named.read_set_id)
    except OmicsServiceError:
        raise not_found(f"Resource {arn} not found") from None


def list_tags_for_resource(
    backend: OmicsBackend, account_id: str, region: str, p: Params
) -> Params:
    with backend._lock:
        return {"tags": dict(_tagged(backend, account_id, region, p["resourceArn"]).tags)}


def tag_resource(backend: OmicsBackend, account_id: str, region: str, p: Params) -> Params:
    with backend._lock:
        resource = _tagged(backend, account_id, region, p["resourceArn"])
        merged = {**resource.tags, **p["tags"]}
        if len(merged) > MAX_TAGS:
            raise OmicsServiceError(
                "ServiceQuotaExceededException",
                f"A resource can have at most {MAX_TAGS} tags",
            )
        resource.tags = merged
        return {}


def untag_resource(backend: OmicsBackend, account_id: str, region: str, p: Params) -> Params:
    with backend._lock:
        resource = _tagged(backend, account_id, region, p["resourceArn"])
        for key in p.get("tagKeys", []):
            resource.tags.pop(key, None)
        return {}
