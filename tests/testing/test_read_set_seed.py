"""Seeded read sets: realistic, valid by the model, and deterministic."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from omics_magic.testing import OmicsBackend, seed_stores
from omics_magic.testing.shapes import encode, operation_model, validate
from tests.testing.support import REGION, omics_client

REGIONS = ["us-east-1", "eu-west-1"]


def _read_sets(backend: OmicsBackend, region: str = REGION) -> list[dict[str, Any]]:
    return [r for s in backend.stores(region) for r in backend.read_sets(region, s["id"])]


@pytest.fixture(scope="module")
def seeded() -> OmicsBackend:
    backend = OmicsBackend()
    backend.seed(REGIONS, 8, read_sets_per_store=25)
    return backend


def test_every_store_gets_its_read_sets(seeded: OmicsBackend) -> None:
    for region in REGIONS:
        assert [len(seeded.read_sets(region, s["id"])) for s in seeded.stores(region)] == [25] * 8


def test_the_values_look_like_a_real_estate(seeded: OmicsBackend) -> None:
    every = _read_sets(seeded) + _read_sets(seeded, "eu-west-1")
    types = Counter(r["fileType"] for r in every)
    assert set(types) == {"FASTQ", "BAM", "CRAM", "UBAM"}
    statuses = Counter(r["status"] for r in every)
    assert set(statuses) == {"ACTIVE", "ARCHIVED", "ACTIVATING", "PROCESSING_UPLOAD"}
    assert statuses["ACTIVE"] > len(every) / 2 > statuses["ARCHIVED"]
    for r in every:
        aligned = r["fileType"] in ("BAM", "CRAM")
        assert ("referenceArn" in r) == aligned, r
        if aligned:
            assert r["referenceArn"].startswith(f"arn:aws:omics:{r['arn'].split(':')[3]}:")
            assert "index" in r["files"]
        assert r["sampleId"] and r["subjectId"].startswith("SUBJ-")
        assert r["creationType"] in ("IMPORT", "UPLOAD") and r["creationJobId"].isdigit()
        if r["status"] == "PROCESSING_UPLOAD":
            assert r["creationType"] == "UPLOAD" and "sequenceInformation" not in r
        else:
            info = r["sequenceInformation"]
            assert info["totalBaseCount"] > info["totalReadCount"] > 0
            assert info["alignment"] == ("ALIGNED" if aligned else "UNALIGNED")
        assert r["etag"]["algorithm"].split("_")[0] in ("FASTQ", "BAM", "CRAM")
        assert ("source2" in r["files"]) == ("source2" in r["etag"])
        assert all(f["contentLength"] > 0 for f in r["files"].values())
    paired = sum("source2" in r["files"] for r in every if r["fileType"] == "FASTQ")
    assert 0 < paired < types["FASTQ"]


def test_samples_recur_across_stores_and_keep_their_subject(seeded: OmicsBackend) -> None:
    stores_of: dict[str, set[str]] = {}
    subject_of: dict[str, set[str]] = {}
    for r in _read_sets(seeded):
        stores_of.setdefault(r["sampleId"], set()).add(r["sequenceStoreId"])
        subject_of.setdefault(r["sampleId"], set()).add(r["subjectId"])
    assert any(len(stores) > 1 for stores in stores_of.values())
    assert all(len(subjects) == 1 for subjects in subject_of.values())


def test_what_get_read_set_metadata_answers_satisfies_the_model(seeded: OmicsBackend) -> None:
    shape = operation_model("GetReadSetMetadata").output_shape
    list_shape = operation_model("ListReadSets").output_shape
    every = _read_sets(seeded)
    for r in every:
        answer = {k: v for k, v in r.items() if k != "tags"}
        validate(shape, answer, "")  # lengths, patterns, enums, part sizes and counts
    validate(list_shape, encode(list_shape, {"readSets": every}), "")


def test_the_same_seed_gives_the_same_read_sets() -> None:
    first, second = OmicsBackend(), OmicsBackend()
    first.seed(REGION, 3, read_sets_per_store=4, random_seed=7)
    second.seed(REGION, 3, read_sets_per_store=4, random_seed=7)
    assert _read_sets(first) == _read_sets(second)
    other = OmicsBackend()
    other.seed(REGION, 3, read_sets_per_store=4, random_seed=8)
    assert _read_sets(other) != _read_sets(first)


def test_read_sets_do_not_change_the_seeded_stores() -> None:
    plain, with_sets = OmicsBackend(), OmicsBackend()
    plain.seed(REGION, 5)
    with_sets.seed(REGION, 5, read_sets_per_store=3)
    assert plain.stores(REGION) == with_sets.stores(REGION)
    assert _read_sets(plain) == []


def test_seeding_twice_draws_fresh_ids() -> None:
    backend = OmicsBackend()
    seed_stores(backend, REGION, 2, read_sets_per_store=3)
    seed_stores(backend, REGION, 2, read_sets_per_store=3)
    ids = [r["id"] for r in _read_sets(backend)]
    assert len(ids) == len(set(ids)) == 12
    with pytest.raises(ValueError, match="read_sets_per_store"):
        seed_stores(backend, REGION, 1, read_sets_per_store=-1)


def test_seeded_read_sets_list_and_page_over_the_wire(omics_fake: OmicsBackend) -> None:
    seeded = omics_fake.seed(REGION, 2, read_sets_per_store=12)
    omics = omics_client()
    for store in seeded[REGION]:
        pages = omics.get_paginator("list_read_sets").paginate(
            sequenceStoreId=store["id"], PaginationConfig={"PageSize": 5}
        )
        listed = [r["id"] for p in pages for r in p["readSets"]]
        assert listed == [r["id"] for r in omics_fake.read_sets(REGION, store["id"])]
