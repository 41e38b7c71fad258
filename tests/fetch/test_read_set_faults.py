"""Read sets when a store fails: every other store keeps its rows, the failure names the
store; strict, the deadline, and pagination that loses and repeats nothing."""

from __future__ import annotations

import warnings
from typing import Any

import boto3
import pytest

from omics_magic.errors import FetchError, RegionFailureWarning
from omics_magic.fetch.engine import fetch_frame
from omics_magic.fetch.options import FetchOptions
from omics_magic.resources import READ_SETS
from omics_magic.testing import OmicsBackend
from tests.fetch_helpers import expected_read_sets, records

REGIONS = ["us-east-1", "eu-west-2"]
DEFAULT = READ_SETS.default_columns
# One call at a time, in order: the first store's listing meets the injected fault.
IN_ORDER = FetchOptions(max_concurrency=1, rate=None, warn=False)


@pytest.fixture(autouse=True)
def two_attempts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")


def _fetch(options: FetchOptions = IN_ORDER, **kwargs: Any) -> Any:
    return fetch_frame(REGIONS, columns=None, options=options, resource=READ_SETS, **kwargs)


@pytest.mark.parametrize(
    ("code", "times", "kind"),
    [
        ("AccessDeniedException", 1, "denied"),  # a resource policy on one store
        ("InternalServerException", 2, "unavailable"),  # a 5xx past botocore's retries
        ("ThrottlingException", 2, "throttled"),  # throttled past the retries
    ],
)
def test_a_failing_store_costs_only_its_own_rows(
    omics_fake: OmicsBackend, code: str, times: int, kind: str
) -> None:
    omics_fake.seed(REGIONS, 3, read_sets_per_store=2)
    failing = sorted(omics_fake.stores("eu-west-2"), key=lambda s: (s["creationTime"], s["id"]))
    omics_fake.inject_error(code, region="eu-west-2", operation="ListReadSets", times=times)

    df = _fetch()

    healthy = [s["id"] for s in failing[1:]]
    assert records(df) == expected_read_sets(omics_fake, ["us-east-1"], DEFAULT) + (
        expected_read_sets(omics_fake, ["eu-west-2"], DEFAULT, stores=healthy)
    )
    (error,) = df.attrs["omics_errors"]
    assert (error["region"], error["kind"], error["code"]) == ("eu-west-2", kind, code)
    assert error["sequence_store_id"] == failing[0]["id"]
    assert error["resource"] == "read_sets"
    assert failing[0]["id"] in error["message"]


def test_a_store_deleted_while_listed_has_no_rows_and_is_no_error(
    omics_fake: OmicsBackend,
) -> None:
    omics_fake.seed(REGIONS, 2, read_sets_per_store=2)
    stores = sorted(omics_fake.stores("us-east-1"), key=lambda s: (s["creationTime"], s["id"]))
    omics_fake.inject_error(
        "ResourceNotFoundException", region="us-east-1", operation="ListReadSets", times=1
    )
    df = _fetch()
    assert records(df) == expected_read_sets(
        omics_fake, ["us-east-1"], DEFAULT, stores=[stores[1]["id"]]
    ) + expected_read_sets(omics_fake, ["eu-west-2"], DEFAULT)
    assert df.attrs["omics_errors"] == []


def test_each_store_is_reported_once_and_strict_raises_naming_them(
    omics_backend: OmicsBackend,
) -> None:
    omics_backend.seed(REGIONS, 2, read_sets_per_store=1)
    omics_backend.inject_error(
        "AccessDeniedException", region="eu-west-2", operation="ListReadSets"
    )
    omics_backend.disable_region("us-east-1")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = _fetch(FetchOptions(rate=None))
    assert len([w for w in caught if w.category is RegionFailureWarning]) == 1
    found = [(e["region"], e.get("sequence_store_id"), e["kind"]) for e in df.attrs["omics_errors"]]
    stores = sorted(s["id"] for s in omics_backend.stores("eu-west-2"))
    assert sorted(found, key=str) == sorted(
        [("us-east-1", None, "not_enabled")] + [("eu-west-2", s, "denied") for s in stores],
        key=str,
    )
    assert df.empty

    with pytest.raises(FetchError) as raised:
        _fetch(FetchOptions(rate=None, strict=True))
    assert all(s in str(raised.value) for s in stores)


def test_the_deadline_holds_for_read_sets(omics_backend: OmicsBackend) -> None:
    omics_backend.seed(REGIONS, 2, read_sets_per_store=1)
    omics_backend.set_latency(10, region="eu-west-2", operation="ListReadSets")
    df = _fetch(FetchOptions(rate=None, timeout=2, warn=False))
    assert set(df["region"]) == {"us-east-1"}
    (error,) = df.attrs["omics_errors"]
    assert (error["region"], error["code"]) == ("eu-west-2", "DeadlineExceeded")


def _fetch_with(session: boto3.Session) -> Any:
    return fetch_frame(
        ["us-east-1"],
        columns=["read_set_id"],
        session=session,
        options=IN_ORDER,
        resource=READ_SETS,
    )


def test_pages_lose_and_repeat_nothing_when_read_sets_change_between_pages(
    omics_fake: OmicsBackend,
) -> None:
    omics_fake.seed(["us-east-1"], 2, read_sets_per_store=0)
    stores = [s["id"] for s in omics_fake.stores("us-east-1")]
    for store in stores:
        for _ in range(250):
            omics_fake.add_read_set("us-east-1", store)
    before = {r["id"] for s in stores for r in omics_fake.read_sets("us-east-1", s)}
    seen_so_far: set[str] = set()
    deleted: set[str] = set()

    def between_pages(parsed: dict[str, Any], **_: Any) -> None:
        # After each page: delete a read set not listed yet, and add a new one.
        page = parsed.get("readSets") or []
        seen_so_far.update(r["id"] for r in page)
        if not page or not parsed.get("nextToken"):
            return
        store = page[0]["sequenceStoreId"]
        ahead = [
            r["id"] for r in omics_fake.read_sets("us-east-1", store) if r["id"] not in seen_so_far
        ]
        omics_fake.delete_read_set("us-east-1", store, ahead[len(ahead) // 2])
        deleted.add(ahead[len(ahead) // 2])
        omics_fake.add_read_set("us-east-1", store)

    session = boto3.Session()
    session.events.register("after-call.omics.ListReadSets", between_pages)
    seen = list(_fetch_with(session)["read_set_id"])

    assert len(seen) == len(set(seen))  # nothing twice
    assert before - deleted <= set(seen)  # nothing that existed throughout is lost
    assert not deleted & set(seen)  # nothing deleted before it was reached
    assert deleted and omics_fake.requests.count("ListReadSets") >= 6


def test_a_page_repeating_rows_adds_no_row_and_a_repeated_token_ends_the_listing(
    omics_backend: OmicsBackend,
) -> None:
    omics_backend.seed(["us-east-1"], 1, read_sets_per_store=0)
    (store,) = [s["id"] for s in omics_backend.stores("us-east-1")]
    for _ in range(150):
        omics_backend.add_read_set("us-east-1", store)
    pages: list[dict[str, Any]] = []

    def offset_paging(parsed: dict[str, Any], **_: Any) -> None:
        # An offset-paged API shifts rows when one is deleted: page 2 repeats page 1's
        # tail; and a broken one hands back a token it gave already.
        if pages:
            parsed["readSets"] = pages[0]["readSets"][-3:] + parsed["readSets"]
            parsed["nextToken"] = pages[0]["nextToken"]
        pages.append({"readSets": list(parsed["readSets"]), "nextToken": parsed.get("nextToken")})

    session = boto3.Session()
    session.events.register("after-call.omics.ListReadSets", offset_paging)
    ids = list(_fetch_with(session)["read_set_id"])
    assert len(ids) == len(set(ids)) == 150
    assert omics_backend.requests.count("ListReadSets") == 2
