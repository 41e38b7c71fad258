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
