"""Read sets through real boto3 clients, both ways in: ListReadSets with every filter,
GetReadSetMetadata, their validation and errors, tags on read set ARNs, and the
delete conflict they cause."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from omics_magic.testing import DEFAULT_ACCOUNT_ID, OmicsBackend
from tests.testing.support import REGION, error_of, omics_client

DAY = datetime(2024, 3, 1, tzinfo=timezone.utc)
REF = f"arn:aws:omics:{REGION}:{DEFAULT_ACCOUNT_ID}:referenceStore/1111111111/reference/2222222222"


def _store(backend: OmicsBackend, name: str = "wgs") -> str:
    return backend.create_sequence_store(REGION, name)["id"]


def _three(backend: OmicsBackend, store: str) -> list[dict[str, Any]]:
    """Three read sets that differ in every filterable member."""
    return [
        backend.add_read_set(
            REGION,
            store,
            name="NA12878_wgs_L001",
            sample_id="NA12878",
            subject_id="SUBJ-1",
            file_type="CRAM",
            status="ACTIVE",
            reference_arn=REF,
            creation_type="IMPORT",
            creation_time=DAY,
            sequence_information={
                "totalReadCount": 600_000_000,
                "totalBaseCount": 90_000_000_000,
                "generatedFrom": "CRAM",
                "alignment": "ALIGNED",
            },
            tags={"team": "genomics"},
        ),
        backend.add_read_set(
            REGION,
            store,
            name="HG00096_rna_L002",
            sample_id="HG00096",
            subject_id="SUBJ-2",
            file_type="FASTQ",
            status="ARCHIVED",
            creation_type="UPLOAD",
            creation_time=DAY + timedelta(days=10),
            sequence_information={"totalReadCount": 5, "generatedFrom": "FASTQ"},
        ),
        backend.add_read_set(
            REGION,
            store,
            name="HG00097_lr_L003",
            sample_id="HG00097",
            subject_id="SUBJ-2",
            file_type="UBAM",
            status="PROCESSING_UPLOAD",
            creation_type="UPLOAD",
            creation_time=DAY + timedelta(days=20),
        ),
    ]


def test_list_answers_every_member_of_the_list_shape(omics_fake: OmicsBackend) -> None:
    store = _store(omics_fake)
    made = _three(omics_fake, store)
    listed = omics_client().list_read_sets(sequenceStoreId=store)["readSets"]
    assert [r["id"] for r in listed] == [r["id"] for r in made]  # oldest first
    first = listed[0]
    arn = (
        f"arn:aws:omics:{REGION}:{DEFAULT_ACCOUNT_ID}:sequenceStore/{store}/readSet/{made[0]['id']}"
    )
    assert first["arn"] == arn and first["sequenceStoreId"] == store
    assert (first["sampleId"], first["subjectId"], first["status"]) == (
        "NA12878",
        "SUBJ-1",
        "ACTIVE",
    )
    assert (first["fileType"], first["referenceArn"], first["creationType"]) == (
        "CRAM",
        REF,
        "IMPORT",
    )
    assert first["creationTime"] == DAY
    assert first["sequenceInformation"]["totalBaseCount"] == 90_000_000_000
    assert first["etag"]["algorithm"] == "CRAM_MD5up" and len(first["etag"]["source1"]) == 32
    # Only GetReadSetMetadata answers these; the list shape has no such members.
    assert "files" not in first and "creationJobId" not in first
    assert "referenceArn" not in listed[1] and "sequenceInformation" not in listed[2]


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        ({"name": "HG00096_rna_L002"}, [1]),
        ({"status": "ARCHIVED"}, [1]),
        ({"status": "DELETING"}, []),
        ({"sampleId": "HG00097"}, [2]),
        ({"subjectId": "SUBJ-2"}, [1, 2]),
        ({"referenceArn": REF}, [0]),
        ({"referenceArn": ""}, [1, 2]),  # aligned to no reference
        ({"generatedFrom": "FASTQ"}, [1]),
        ({"creationType": "UPLOAD"}, [1, 2]),
        ({"createdAfter": DAY + timedelta(days=10)}, [1, 2]),  # bounds are inclusive
        ({"createdBefore": DAY + timedelta(days=10)}, [0, 1]),
        ({"createdAfter": DAY + timedelta(days=1), "createdBefore": DAY + timedelta(days=19)}, [1]),
        ({"subjectId": "SUBJ-2", "creationType": "UPLOAD", "status": "ARCHIVED"}, [1]),
        ({"sampleId": "nobody"}, []),
    ],
)
def test_every_filter_member(
    omics_fake: OmicsBackend, filter: dict[str, Any], expected: list[int]
) -> None:
    store = _store(omics_fake)
    made = _three(omics_fake, store)
    listed = omics_client().list_read_sets(sequenceStoreId=store, filter=filter)["readSets"]
    assert [r["id"] for r in listed] == [made[i]["id"] for i in expected]


def test_get_read_set_metadata_answers_files_job_and_etag(omics_fake: OmicsBackend) -> None:
    store = _store(omics_fake)
    made = _three(omics_fake, store)[0]
    got = omics_client().get_read_set_metadata(sequenceStoreId=store, id=made["id"])
    got.pop("ResponseMetadata")
    assert got == {k: v for k, v in made.items() if k != "tags"}
    files = got["files"]
    assert sorted(files) == ["index", "source1"]  # a CRAM and its CRAI
    source = files["source1"]
    assert source["contentLength"] == int(90_000_000_000 * 0.15)
    assert source["partSize"] == 100 * 1024 * 1024
    assert source["totalParts"] == -(-source["contentLength"] // source["partSize"])
    uri = source["s3Access"]["s3Uri"]
    assert uri.startswith(f"s3://{store}-") and uri.endswith(f"/readSet/{made['id']}/source1.cram")
    assert got["creationJobId"].isdigit()


def test_unknown_store_or_read_set_is_not_found(omics_fake: OmicsBackend) -> None:
    store = _store(omics_fake)
    other_region = omics_fake.create_sequence_store("eu-west-1", "abroad")["id"]
    made = omics_fake.add_read_set("eu-west-1", other_region)
    omics = omics_client()
    for call, kwargs in [
        (omics.list_read_sets, {"sequenceStoreId": "9999999999"}),
        (omics.list_read_sets, {"sequenceStoreId": other_region}),  # lives in eu-west-1
        (omics.get_read_set_metadata, {"sequenceStoreId": store, "id": "9999999999"}),
        (omics.get_read_set_metadata, {"sequenceStoreId": store, "id": made["id"]}),
        (omics.get_read_set_metadata, {"sequenceStoreId": "9999999999", "id": made["id"]}),
    ]:
        with pytest.raises(omics.exceptions.ResourceNotFoundException) as caught:
            call(**kwargs)
        assert error_of(caught.value)[:2] == ("ResourceNotFoundException", 404)


@pytest.mark.parametrize(
    ("operation", "kwargs", "fragment"),
    [
        ("list_read_sets", {"maxResults": 0}, "greater than or equal to 1"),
        ("list_read_sets", {"maxResults": 101}, "less than or equal to 100"),
        ("list_read_sets", {"sequenceStoreId": "123"}, "length greater than or equal to 10"),
        ("list_read_sets", {"sequenceStoreId": "12345abcde"}, "regular expression pattern"),
        ("list_read_sets", {"filter": {"status": "GONE"}}, "enum value set"),
        ("list_read_sets", {"filter": {"creationType": "COPY"}}, "enum value set"),
        ("list_read_sets", {"filter": {"name": ""}}, "at 'filter.name'"),
        ("list_read_sets", {"filter": {"sampleId": "s" * 128}}, "at 'filter.sampleId'"),
        ("list_read_sets", {"filter": {"referenceArn": "not-an-arn"}}, "filter.referenceArn"),
        ("list_read_sets", {"nextToken": "garbage"}, "nextToken"),
        ("get_read_set_metadata", {"id": "12"}, "length greater than or equal to 10"),
        ("get_read_set_metadata", {"id": "x" * 10}, "regular expression pattern"),
    ],
)
def test_the_model_constraints_answer_validation_exception(
    omics_fake: OmicsBackend, operation: str, kwargs: dict[str, Any], fragment: str
) -> None:
    store = _store(omics_fake)
    omics = omics_client(validate=False)  # client-side validation off: the fake answers
    defaults = {"sequenceStoreId": store}
    if operation == "get_read_set_metadata":
        defaults["id"] = "1234567890"
    with pytest.raises(omics.exceptions.ValidationException) as caught:
        getattr(omics, operation)(**{**defaults, **kwargs})
    code, status, message = error_of(caught.value)
    assert (code, status) == ("ValidationException", 400) and fragment in message


def test_the_requests_use_the_models_uri_and_host_prefix(omics_backend: OmicsBackend) -> None:
    store = _store(omics_backend)
    made = omics_backend.add_read_set(REGION, store)
    omics = omics_client()
    seen: list[tuple[str, str]] = []
    omics.meta.events.register(
        "before-send.omics", lambda request, **_: seen.append((request.method, request.url))
    )
    omics.list_read_sets(sequenceStoreId=store, maxResults=7)
    omics.get_read_set_metadata(sequenceStoreId=store, id=made["id"])
    host = f"https://control-storage-omics.{REGION}.amazonaws.com"
    assert seen == [
        ("POST", f"{host}/sequencestore/{store}/readsets?maxResults=7"),
        ("GET", f"{host}/sequencestore/{store}/readset/{made['id']}/metadata"),
    ]


def test_tags_on_read_set_arns(omics_fake: OmicsBackend) -> None:
    store = _store(omics_fake)
    made = omics_fake.add_read_set(REGION, store, tags={"team": "a"})
    omics = omics_client()
    arn = made["arn"]
    assert omics.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "a"}
    assert (
        omics.tag_resource(resourceArn=arn, tags={"env": "prod"})["ResponseMetadata"][
            "HTTPStatusCode"
        ]
        == 204
    )
    omics.untag_resource(resourceArn=arn, tagKeys=["team", "absent"])
    assert omics.list_tags_for_resource(resourceArn=arn)["tags"] == {"env": "prod"}
    assert omics_fake.read_sets(REGION, store)[0]["tags"] == {"env": "prod"}
    store_arn = arn.split("/readSet/")[0]
    assert omics.list_tags_for_resource(resourceArn=store_arn)["tags"] == {}  # the store's own
    with pytest.raises(omics.exceptions.ServiceQuotaExceededException):
        omics.tag_resource(resourceArn=arn, tags={f"k{i}": "v" for i in range(50)})


def test_tags_of_unknown_or_foreign_read_sets_are_not_found(omics_fake: OmicsBackend) -> None:
    store = _store(omics_fake)
    made = omics_fake.add_read_set(REGION, store)
    omics = omics_client()
    base = f"arn:aws:omics:{REGION}:{DEFAULT_ACCOUNT_ID}:sequenceStore"
    for arn in (
        f"{base}/{store}/readSet/9999999999",  # no such read set
        f"{base}/9999999999/readSet/{made['id']}",  # in another store
        made["arn"].replace(REGION, "eu-west-1"),  # another region
        made["arn"].replace(DEFAULT_ACCOUNT_ID, "210987654321"),  # another account
        f"{made['arn']}/extra",
    ):
        for operation, kwargs in (
            ("list_tags_for_resource", {}),
            ("tag_resource", {"tags": {"a": "b"}}),
            ("untag_resource", {"tagKeys": ["a"]}),
        ):
            with pytest.raises(omics.exceptions.ResourceNotFoundException):
                getattr(omics, operation)(resourceArn=arn, **kwargs)


def test_delete_store_conflicts_until_its_read_sets_are_gone(omics_fake: OmicsBackend) -> None:
    store = _store(omics_fake)
    held = [omics_fake.add_read_set(REGION, store, status="ARCHIVED")["id"] for _ in range(2)]
    omics = omics_client()
    with pytest.raises(omics.exceptions.ConflictException) as caught:
        omics.delete_sequence_store(id=store)
    code, status, message = error_of(caught.value)
    assert (code, status) == ("ConflictException", 409) and "2 read sets" in message
    omics_fake.delete_read_set(REGION, store, held[0])
    with pytest.raises(omics.exceptions.ConflictException):
        omics.delete_sequence_store(id=store)
    omics_fake.delete_read_set(REGION, store, held[1])
    omics.delete_sequence_store(id=store)
    assert omics_fake.stores(REGION) == []


def test_add_read_set_refuses_what_aws_would_never_hold() -> None:
    backend = OmicsBackend()
    store = _store(backend)
    with pytest.raises(KeyError, match="no store"):
        backend.add_read_set(REGION, "9999999999")
    for bad in (
        {"file_type": "VCF"},
        {"status": "GONE"},
        {"creation_type": "COPY"},
        {"read_set_id": "12"},
    ):
        with pytest.raises(ValueError):
            backend.add_read_set(REGION, store, **bad)
    taken = backend.add_read_set(REGION, store)["id"]
    with pytest.raises(ValueError, match="taken"):
        backend.add_read_set(REGION, store, read_set_id=taken)
    with pytest.raises(ValueError, match="taken"):
        backend.add_read_set(REGION, store, read_set_id=store)  # IDs are unique across kinds
    assert [r["id"] for r in backend.read_sets(REGION, store)] == [taken]


def test_propagated_set_level_tags_accept_at_most_five_keys(omics_fake: OmicsBackend) -> None:
    omics = omics_client(validate=False)
    six = [f"key{i}" for i in range(6)]
    with pytest.raises(omics.exceptions.ValidationException) as caught:
        omics.create_sequence_store(name="six", propagatedSetLevelTags=six)
    assert "propagatedSetLevelTags" in error_of(caught.value)[2]
    made = omics.create_sequence_store(name="five", propagatedSetLevelTags=six[:5])
    assert omics.get_sequence_store(id=made["id"])["propagatedSetLevelTags"] == six[:5]
    with pytest.raises(omics.exceptions.ValidationException):
        omics.update_sequence_store(id=made["id"], propagatedSetLevelTags=six)
    assert [s["name"] for s in omics_fake.stores(REGION)] == ["five"]


def test_chosen_ids_are_checked_and_never_reused_by_stores_or_read_sets() -> None:
    backend = OmicsBackend()
    store = backend.create_sequence_store(REGION, "wgs", store_id="1111111111")["id"]
    made = backend.add_read_set(REGION, store, read_set_id="2222222222")
    assert made["id"] == "2222222222"
    with pytest.raises(ValueError, match="read_set_id must be 10 to 36 digits, not '22'"):
        backend.add_read_set(REGION, store, read_set_id="22")
    with pytest.raises(ValueError, match="read set ID 1111111111 is taken"):
        backend.add_read_set(REGION, store, read_set_id="1111111111")  # the store's ID
    with pytest.raises(ValueError, match="store ID 2222222222 is taken"):
        backend.create_sequence_store("eu-west-1", "rna", store_id="2222222222")
    with pytest.raises(ValueError, match="store_id must be 10 to 36 digits"):
        backend.create_sequence_store(REGION, "rna", store_id="x")
    # Another region's store ID only when asked for, and never twice in one region.
    twin = backend.create_sequence_store("eu-west-1", "a", store_id=store, allow_duplicate_id=True)
    assert twin["id"] == store
    with pytest.raises(ValueError, match=f"store ID {store} is taken"):
        backend.create_sequence_store(REGION, "b", store_id=store, allow_duplicate_id=True)
    fresh = backend.add_read_set(REGION, store)["id"]
    assert fresh not in {store, "2222222222"} and len(fresh) == 10
