"""Pagination torture: 1,000 stores listed at every page size from 1 to 100, changing under us.

Between any two pages, stores are deleted and created (older and newer than
the listing's position), as other users of the account would. Whatever the
page size, no store comes twice, every store that existed throughout the
listing is there with its values, and nothing else is.
"""

from __future__ import annotations

import dataclasses
import math
import random
from datetime import datetime, timedelta, timezone
from typing import Any

import pandas as pd
import pytest

from omics_magic.fetch.engine import fetch_frame
from omics_magic.fetch.options import FetchOptions
from omics_magic.internals import botocore_session
from omics_magic.resources import SEQUENCE_STORES
from omics_magic.testing import OmicsBackend, mock_omics
from tests.reliability.support import new_session

REGION = "us-east-2"
STORES = 1000
PAGE_SIZES = range(1, 101)
#: Chance, after each page, that one store is deleted and one created.
CHURN = 0.1


class Churn:
    """An ``after-call`` handler: after each ListSequenceStores page, change the region."""

    def __init__(self, backend: OmicsBackend, seed: int) -> None:
        self.backend = backend
        self.rng = random.Random(seed)
        self.alive = [s["id"] for s in backend.stores(REGION)]
        self.deleted: set[str] = set()
        self.created: set[str] = set()
        self.pages: list[int] = []

    def reset(self) -> None:
        self.deleted, self.created, self.pages = set(), set(), []

    def __call__(self, parsed: dict[str, Any], **kwargs: Any) -> None:
        self.pages.append(len(parsed.get("sequenceStores", [])))
        if self.rng.random() >= CHURN:
            return
        victim = self.alive.pop(self.rng.randrange(len(self.alive)))
        self.backend.delete_store(REGION, victim)
        self.deleted.add(victim)
        # Half the new stores sort before the listing's position (an old
        # creation time), half after it (now).
        when = None
        if self.rng.random() < 0.5:
            when = datetime(2023, 1, 1, tzinfo=timezone.utc) + timedelta(
                seconds=self.rng.randrange(10**7)
            )
        made = self.backend.create_sequence_store(REGION, "late-arrival", creation_time=when)
        self.created.add(made["id"])
        self.alive.append(made["id"])


@pytest.fixture(scope="module")
def backend() -> OmicsBackend:
    backend = OmicsBackend(random_seed=9)
    backend.seed(REGION, stores_per_region=STORES)
    return backend


#: The page sizes in four interleaved shares of about equal cost (the small sizes are
#: most of the pages), so that the workers share them: every size is still listed.
SHARES = 4


@pytest.mark.parametrize(
    "share", range(SHARES), ids=lambda k: f"sizes {k + 1},{k + 1 + SHARES},..."
)
def test_every_page_size_lists_each_lasting_store_once(
    backend: OmicsBackend, monkeypatch: pytest.MonkeyPatch, share: int
) -> None:
    session = new_session()
    monkeypatch.setenv("OMICS_MAGIC_CACHE_TTL", "0")  # every page size is a real listing
    # botocore parses the ISO timestamps with dateutil, ~0.3 ms each: with 100
    # listings of 1,000 stores that is most of the test. fromisoformat gives the
    # same aware datetimes, ten times faster.
    parsers = botocore_session(session).get_component("response_parser_factory")
    parsers.set_parser_defaults(timestamp_parser=datetime.fromisoformat)
    churn = Churn(backend, seed=1 + share)
    session.events.register("after-call.omics.ListSequenceStores", churn)

    with mock_omics(backend):
        for page_size in PAGE_SIZES[share::SHARES]:
            # The page size is the definition's: list with a copy that asks for fewer.
            listing = dataclasses.replace(SEQUENCE_STORES.list, page_size=page_size)
            resource = dataclasses.replace(SEQUENCE_STORES, list=listing)
            before = {s["id"]: s for s in backend.stores(REGION)}
            churn.reset()

            df = fetch_frame(
                [REGION],
                columns=["sequence_store_id", "name", "creation_time"],
                session=session,
                options=FetchOptions(rate=None, strict=True),
                resource=resource,
            )

            _check_listing(df, before, churn, page_size)


def _check_listing(
    df: pd.DataFrame, before: dict[str, dict[str, Any]], churn: Churn, page_size: int
) -> None:
    where = f"page size {page_size}"
    ids = df["sequence_store_id"].tolist()
    assert len(ids) == len(set(ids)), f"{where}: duplicate rows"
    lasting = set(before) - churn.deleted
    assert lasting <= set(ids), f"{where}: missing {sorted(lasting - set(ids))[:5]}"
    assert set(ids) <= set(before) | churn.created, f"{where}: stores that never existed"
    assert len(lasting) >= STORES * 0.8  # the churn is real but leaves most stores in place
    # the pages really were this size, and there were enough of them
    assert max(churn.pages) <= page_size and len(churn.pages) >= math.ceil(len(ids) / page_size)
    columns = ["sequence_store_id", "name", "creation_time"]
    columns = ["sequence_store_id", "name", "creation_time"]
    got = df.loc[df["sequence_store_id"].isin(lasting), columns].set_index("sequence_store_id")
    want = pd.DataFrame(
        {
            "sequence_store_id": list(lasting),
            "name": [before[i]["name"] for i in lasting],
            "creation_time": pd.to_datetime([before[i]["creationTime"] for i in lasting], utc=True),
        }
    ).set_index("sequence_store_id")
    # (values compared; pandas may infer str rather than object for the expected side)
    pd.testing.assert_frame_equal(
        got.sort_index(), want.sort_index(), check_dtype=False, check_index_type=False, obj=where
    )
