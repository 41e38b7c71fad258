"""ListReadSets' pages: the default and maximum sizes, and tokens that never lose or repeat
a read set, even when read sets are added or deleted between pages."""

from __future__ import annotations

import base64
import json
import random
from datetime import datetime, timedelta, timezone

import pytest

from omics_magic.testing import OmicsBackend
from tests.testing.support import REGION, error_of, omics_client

START = datetime(2024, 1, 1, tzinfo=timezone.utc)


def _filled(backend: OmicsBackend, count: int, same_time: bool = False) -> tuple[str, list[str]]:
    store = backend.create_sequence_store(REGION, "full")["id"]
    ids = [
        backend.add_read_set(REGION, store, creation_time=START + timedelta(0 if same_time else n))[
            "id"
        ]
        for n in range(count)
    ]
    return store, ids


def test_default_page_is_100_and_the_last_page_has_no_token(omics_fake: OmicsBackend) -> None:
    store, ids = _filled(omics_fake, 101)
    omics = omics_client()
    first = omics.list_read_sets(sequenceStoreId=store)
    assert len(first["readSets"]) == 100 and "nextToken" in first
    last = omics.list_read_sets(sequenceStoreId=store, nextToken=first["nextToken"])
    assert [r["id"] for r in last["readSets"]] == ids[100:] and "nextToken" not in last
    exact = omics.list_read_sets(sequenceStoreId=store, maxResults=100)
    assert "nextToken" in exact


def test_botocores_paginator_sees_every_read_set_once(omics_fake: OmicsBackend) -> None:
    store, ids = _filled(omics_fake, 23, same_time=True)  # ties broken by ID
    pages = (
        omics_client()
        .get_paginator("list_read_sets")
        .paginate(sequenceStoreId=store, PaginationConfig={"PageSize": 5})
    )
    seen = [r["id"] for page in pages for r in page["readSets"]]
    assert seen == sorted(ids) and omics_fake.requests.count(operation="ListReadSets") == 5


@pytest.mark.parametrize("seed", range(4))
def test_changes_between_pages_never_lose_or_repeat_a_read_set(
    omics_fake: OmicsBackend, seed: int
) -> None:
    rng = random.Random(seed)
    store, ids = _filled(omics_fake, 40, same_time=seed % 2 == 0)
    omics = omics_client()
    deleted: set[str] = set()
    added: set[str] = set()
    seen: list[str] = []
    token = None
    while True:
        kwargs = {"sequenceStoreId": store, "maxResults": rng.randint(1, 7)}
        if token is not None:
            kwargs["nextToken"] = token
        page = omics.list_read_sets(**kwargs)
        seen.extend(r["id"] for r in page["readSets"])
        token = page.get("nextToken")
        if token is None:
            break
        for _ in range(rng.randint(0, 3)):  # churn: deletes (seen or not) and adds (any time)
            alive = [i for i in ids if i not in deleted]
            if alive and rng.random() < 0.6:
                victim = rng.choice(alive)
                omics_fake.delete_read_set(REGION, store, victim)
                deleted.add(victim)
            else:
                when = START + timedelta(days=rng.choice([-1, 0, 20, 400]))
                added.add(omics_fake.add_read_set(REGION, store, creation_time=when)["id"])
    assert len(seen) == len(set(seen)), "a read set was listed twice"
    survivors = set(ids) - deleted
    assert survivors <= set(seen), "a read set that existed throughout was lost"
    assert set(seen) <= set(ids) | added


def test_a_filtered_listing_pages_within_its_filter(omics_fake: OmicsBackend) -> None:
    store = omics_fake.create_sequence_store(REGION, "mixed")["id"]
    archived = [
        omics_fake.add_read_set(
            REGION,
            store,
            status="ARCHIVED" if n % 3 == 0 else "ACTIVE",
            creation_time=START + timedelta(hours=n),
        )
        for n in range(30)
    ]
    wanted = [r["id"] for r in archived if r["status"] == "ARCHIVED"]
    pages = (
        omics_client()
        .get_paginator("list_read_sets")
        .paginate(
            sequenceStoreId=store, filter={"status": "ARCHIVED"}, PaginationConfig={"PageSize": 3}
        )
    )
    assert [r["id"] for p in pages for r in p["readSets"]] == wanted


def test_tokens_are_opaque_and_belong_to_their_store(omics_fake: OmicsBackend) -> None:
    store, ids = _filled(omics_fake, 3)
    other, _ = _filled(omics_fake, 3)
    omics = omics_client()
    token = omics.list_read_sets(sequenceStoreId=store, maxResults=1)["nextToken"]
    assert ids[0] not in token
    stores_token = omics.list_sequence_stores(maxResults=1)["nextToken"]
    forged = base64.urlsafe_b64encode(
        json.dumps(
            {"v": 1, "t": "2024-01-01T00:00:00", "i": "1", "l": f"readSets/{store}"}
        ).encode()
    ).decode()
    for bad, where in [
        (token, other),  # another store's token
        (stores_token, store),  # ListSequenceStores' token
        ("garbage", store),
        (forged, store),  # no time zone
    ]:
        with pytest.raises(omics.exceptions.ValidationException) as caught:
            omics.list_read_sets(sequenceStoreId=where, nextToken=bad)
        assert "nextToken" in error_of(caught.value)[2]
    with pytest.raises(omics.exceptions.ValidationException):
        omics.list_sequence_stores(nextToken=token)  # and the other way round
