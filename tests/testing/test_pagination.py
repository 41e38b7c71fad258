"""ListSequenceStores pagination and filters: no store lost or repeated, ever."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from omics_magic.testing import OmicsBackend
from tests.testing.support import REGION, error_of, omics_client


def test_paginator_lists_260_stores_once_each(omics_fake: OmicsBackend) -> None:
    seeded = omics_fake.seed([REGION, "eu-west-1"], 260)
    pages = (
        omics_client()
        .get_paginator("list_sequence_stores")
        .paginate(PaginationConfig={"PageSize": 37})
    )
    seen = [s["id"] for page in pages for s in page["sequenceStores"]]
    assert len(seen) == 260 == len(set(seen))
    assert seen == [s["id"] for s in seeded[REGION]]  # (creationTime, id) order
    assert omics_fake.requests.count(operation="ListSequenceStores") == 8  # ceil(260 / 37)


def test_default_page_is_100_and_the_last_page_has_no_token(omics_fake: OmicsBackend) -> None:
    omics_fake.seed([REGION], 101)
    omics = omics_client()
    first = omics.list_sequence_stores()
    assert len(first["sequenceStores"]) == 100 and "nextToken" in first
    last = omics.list_sequence_stores(nextToken=first["nextToken"])
    assert len(last["sequenceStores"]) == 1 and "nextToken" not in last


def test_creates_and_deletes_between_pages_lose_and_repeat_nothing(
    omics_fake: OmicsBackend,
) -> None:
    omics_fake.seed([REGION], 255, random_seed=7)
    rng = random.Random(3)
    omics = omics_client()
    survivors = {s["id"] for s in omics_fake.stores(REGION)}
    seen: Counter[str] = Counter()
    created: set[str] = set()
    deleted_unseen: set[str] = set()
    token = None
    while True:
        kwargs = {"maxResults": 20} if token is None else {"maxResults": 20, "nextToken": token}
        page = omics.list_sequence_stores(**kwargs)
        seen.update(s["id"] for s in page["sequenceStores"])
        token = page.get("nextToken")
        if token is None:
            break
        # Between pages: delete two stores (one already seen, one maybe not) through the
        # API, and create two (one now, one back-dated into the pages already read).
        for victim in rng.sample(sorted(survivors), 2):
            omics.delete_sequence_store(id=victim)
            survivors.discard(victim)
            if victim not in seen:
                deleted_unseen.add(victim)
        created.add(omics.create_sequence_store(name="new-during-listing")["id"])
        backdated = omics_fake.create_sequence_store(
            REGION, "backdated", creation_time=datetime(2020, 1, 1, tzinfo=timezone.utc)
        )
        created.add(backdated["id"])
    assert max(seen.values()) == 1, "a store was listed twice"
    assert survivors <= set(seen), "a store that existed throughout was lost"
    assert deleted_unseen and not deleted_unseen & set(seen), "a deleted store was listed"
    assert len(seen) == 255 - len(deleted_unseen) + len(created & set(seen))
    assert any(c in seen for c in created)  # stores created after the cursor appear


def test_filters_by_name_status_and_time(omics_fake: OmicsBackend) -> None:
    base = datetime(2024, 3, 1, tzinfo=timezone.utc)
    ids = [
        omics_fake.create_sequence_store(REGION, name, creation_time=base + timedelta(days=i))["id"]
        for i, name in enumerate(["alpha", "beta", "alpha", "gamma"])
    ]
    omics_fake.create_sequence_store(REGION, "failed", creation_time=base, status="FAILED")
    omics = omics_client()

    def listed(**flt: object) -> list[str]:
        pages = omics.get_paginator("list_sequence_stores").paginate(filter=flt)
        return [s["id"] for p in pages for s in p["sequenceStores"]]

    assert listed(name="alpha") == [ids[0], ids[2]]
    assert listed(name="nope") == []
    assert len(listed(status="ACTIVE")) == 4
    assert listed(status="FAILED") != [] and listed(status="CREATING") == []
    assert listed(createdAfter=base + timedelta(days=1)) == ids[1:]
    assert listed(createdBefore=base + timedelta(days=1), status="ACTIVE") == ids[:2]
    between = listed(createdAfter=base + timedelta(days=1), createdBefore=base + timedelta(days=2))
    assert between == ids[1:3]  # bounds are inclusive
    omics.update_sequence_store(id=ids[3], description="touched")
    now = datetime.now(timezone.utc)
    assert listed(updatedAfter=now - timedelta(minutes=5)) == [ids[3]]
    assert ids[3] not in listed(updatedBefore=base + timedelta(days=10))


def test_a_token_from_a_listing_is_opaque_but_foreign_tokens_are_rejected(
    omics_fake: OmicsBackend,
) -> None:
    omics_fake.seed([REGION], 3)
    omics = omics_client()
    token = omics.list_sequence_stores(maxResults=1)["nextToken"]
    assert omics_fake.stores(REGION)[0]["id"] not in token  # not a plain ID
    for bad in ("garbage", token[:-4] + "AAAA", "eyJ2IjogMX0="):
        with pytest.raises(omics.exceptions.ValidationException) as caught:
            omics.list_sequence_stores(nextToken=bad)
        assert "nextToken" in error_of(caught.value)[2]


def test_a_forged_token_without_a_time_zone_is_rejected(omics_fake: OmicsBackend) -> None:
    import base64
    import json

    omics_fake.seed([REGION], 2)
    forged = base64.urlsafe_b64encode(
        json.dumps({"v": 1, "t": "2024-01-01T00:00:00", "i": "1"}).encode()
    ).decode()
    omics = omics_client()
    with pytest.raises(omics.exceptions.ValidationException):
        omics.list_sequence_stores(nextToken=forged)
