"""Helpers for the fetch engine's tests: what the fake holds, as the frame should show it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from omics_magic.testing import OmicsBackend


def expected_row(region: str, store: dict[str, Any]) -> dict[str, Any]:
    """Every column of one store, from the fake's API-shaped snapshot (written out by hand
    from the API model, independently of omics_magic.columns)."""
    sse = store.get("sseConfig")
    s3 = store.get("s3Access") or {}
    update_time = store.get("updateTime")
    return {
        "region": region,
        "arn": store["arn"],
        "creation_time": pd.Timestamp(store["creationTime"]),
        "description": store.get("description"),
        "name": store.get("name"),
        "fallback_location": store.get("fallbackLocation"),
        "sequence_store_id": store["id"],
        "sse_config": None if sse is None else {"type": sse["type"], "key_arn": sse.get("keyArn")},
        "tags": dict(store["tags"]),
        "status": store.get("status"),
        "status_message": store.get("statusMessage"),
        "update_time": None if update_time is None else pd.Timestamp(update_time),
        "e_tag_algorithm_family": store.get("eTagAlgorithmFamily"),
        "propagated_set_level_tags": store.get("propagatedSetLevelTags"),
        "s3_uri": s3.get("s3Uri"),
        "s3_access_point_arn": s3.get("s3AccessPointArn"),
        "access_log_location": s3.get("accessLogLocation"),
        "account_id": store["arn"].split(":")[4],
    }


def expected_records(
    backend: OmicsBackend, regions: Iterable[str], names: Sequence[str]
) -> list[dict[str, Any]]:
    """The rows a fetch of ``regions`` should give: regions in order, then creation time, ID."""
    rows = []
    for region in regions:
        stores = sorted(backend.stores(region), key=lambda s: (s["creationTime"], s["id"]))
        rows.extend({n: expected_row(region, s)[n] for n in names} for s in stores)
    return rows


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """The frame's rows as dicts, with NaT as None so that rows compare with ==."""
    return [
        {k: (None if v is pd.NaT else v) for k, v in row.items()}
        for row in df.to_dict(orient="records")
    ]


def most_throttles_per_bucket(backend: OmicsBackend) -> int:
    """The most throttled answers any one (account, region, operation) got.

    Learning a bucket's burst costs at most one throttle per bucket
    (:mod:`omics_magic.aws.pacing`); more means the pacer over-spent.
    """
    counts = Counter(
        (r.account_id, r.region, r.operation) for r in backend.requests.records if r.status == 429
    )
    return max(counts.values(), default=0)


def expected_read_set(region: str, read_set: dict[str, Any]) -> dict[str, Any]:
    """Every column of one read set, from the fake's API-shaped snapshot (written out by
    hand from the API model, independently of omics_magic.resources)."""
    info = read_set.get("sequenceInformation")
    etag = read_set.get("etag")

    def one_file(member: str) -> dict[str, Any] | None:
        found = (read_set.get("files") or {}).get(member)
        if found is None:
            return None
        return {
            "total_parts": found.get("totalParts"),
            "part_size": found.get("partSize"),
            "content_length": found.get("contentLength"),
            "s3_uri": (found.get("s3Access") or {}).get("s3Uri"),
        }

    return {
        "region": region,
        "arn": read_set["arn"],
        "read_set_id": read_set["id"],
        "sequence_store_id": read_set["sequenceStoreId"],
        "name": read_set.get("name"),
        "description": read_set.get("description"),
        "sample_id": read_set.get("sampleId"),
        "subject_id": read_set.get("subjectId"),
        "status": read_set.get("status"),
        "file_type": read_set.get("fileType"),
        "reference_arn": read_set.get("referenceArn"),
        "creation_type": read_set.get("creationType"),
        "creation_time": pd.Timestamp(read_set["creationTime"]),
        "sequence_information": None
        if info is None
        else {
            "total_read_count": info.get("totalReadCount"),
            "total_base_count": info.get("totalBaseCount"),
            "generated_from": info.get("generatedFrom"),
            "alignment": info.get("alignment"),
        },
        "status_message": read_set.get("statusMessage"),
        "etag": None
        if etag is None
        else {k: etag.get(k) for k in ("algorithm", "source1", "source2")},
        "files": None
        if read_set.get("files") is None
        else {m: one_file(m) for m in ("source1", "source2", "index")},
        "creation_job_id": read_set.get("creationJobId"),
        "tags": dict(read_set.get("tags") or {}),
        "account_id": read_set["arn"].split(":")[4],
    }


def expected_read_sets(
    backend: OmicsBackend,
    regions: Iterable[str],
    names: Sequence[str],
    stores: Iterable[str] | None = None,
) -> list[dict[str, Any]]:
    """The rows a read-set fetch should give: regions in order, then stores (oldest first,
    or as named), then each store's read sets by creation time and ID."""
    rows = []
    named = None if stores is None else list(stores)
    for region in regions:
        listed = sorted(backend.stores(region), key=lambda s: (s["creationTime"], s["id"]))
        here = {s["id"] for s in listed}
        ids = [s["id"] for s in listed] if named is None else [i for i in named if i in here]
        for store in ids:
            found = backend.read_sets(region, store)
            found = sorted(found, key=lambda r: (r["creationTime"], r["id"]))
            rows.extend({n: expected_read_set(region, r)[n] for n in names} for r in found)
    return rows
