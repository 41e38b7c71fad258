"""Every operation of the fake, through real boto3 clients, both ways in."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from omics_magic.testing import DEFAULT_ACCOUNT_ID, OmicsBackend
from tests.testing.support import REGION, error_of, omics_client


def test_list_get_and_tags_answer_what_the_backend_holds(omics_fake: OmicsBackend) -> None:
    made = omics_fake.create_sequence_store(
        REGION, "wgs-cohort-001", description="WGS", tags={"team": "genomics"}
    )
    other = omics_fake.create_sequence_store("eu-west-1", "elsewhere")
    omics = omics_client()

    listed = omics.list_sequence_stores()["sequenceStores"]
    assert [s["id"] for s in listed] == [made["id"]]
    arn = f"arn:aws:omics:{REGION}:{DEFAULT_ACCOUNT_ID}:sequenceStore/{made['id']}"
    assert listed[0]["arn"] == arn
    assert listed[0]["creationTime"] == made["creationTime"]

    got = omics.get_sequence_store(id=made["id"])
    assert (got["name"], got["description"], got["status"]) == ("wgs-cohort-001", "WGS", "ACTIVE")
    assert got["sseConfig"] == {"type": "KMS"}
    assert got["s3Access"]["s3Uri"].startswith(f"s3://{made['id']}-")
    assert omics.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "genomics"}

    elsewhere = omics_client("eu-west-1").list_sequence_stores()["sequenceStores"]
    assert [s["id"] for s in elsewhere] == [other["id"]]
    assert omics_fake.requests.count(operation="ListSequenceStores") == 2
    assert omics_fake.requests.count(region=REGION) == 3


def test_create_answers_the_store_and_the_backend_keeps_it(omics_fake: OmicsBackend) -> None:
    key = "arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
    created = omics_client().create_sequence_store(
        name="rna-seq-002",
        description="Bulk RNA-seq",
        sseConfig={"type": "KMS", "keyArn": key},
        tags={"env": "dev"},
        fallbackLocation="s3://my-bucket/fallback/",
        eTagAlgorithmFamily="SHA256up",
        propagatedSetLevelTags=["project"],
        s3AccessConfig={"accessLogLocation": "s3://my-logs/omics/"},
    )
    assert created["id"].isdigit() and len(created["id"]) == 10
    assert created["arn"].endswith(f":sequenceStore/{created['id']}")
    assert created["status"] == "ACTIVE"
    assert created["s3Access"]["accessLogLocation"] == "s3://my-logs/omics/"
    [kept] = omics_fake.stores(REGION)
    assert kept["sseConfig"] == {"type": "KMS", "keyArn": key}
    assert kept["tags"] == {"env": "dev"}
    assert kept["eTagAlgorithmFamily"] == "SHA256up"
    assert kept["propagatedSetLevelTags"] == ["project"]
    assert kept["fallbackLocation"] == "s3://my-bucket/fallback/"
    assert abs((kept["creationTime"] - datetime.now(timezone.utc)).total_seconds()) < 60


def test_create_with_the_same_client_token_is_idempotent(omics_fake: OmicsBackend) -> None:
    omics = omics_client()
    first = omics.create_sequence_store(name="a", clientToken="token-1")
    again = omics.create_sequence_store(name="a", clientToken="token-1")
    other = omics.create_sequence_store(name="a", clientToken="token-2")
    assert first["id"] == again["id"] != other["id"]
    assert len(omics_fake.stores(REGION)) == 2


def test_update_changes_the_store_and_its_update_time(omics_fake: OmicsBackend) -> None:
    past = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    made = omics_fake.create_sequence_store(REGION, "old", creation_time=past)
    updated = omics_client().update_sequence_store(
        id=made["id"], name="new", description="now described", fallbackLocation="s3://my-bucket/x/"
    )
    assert (updated["name"], updated["description"]) == ("new", "now described")
    assert updated["updateTime"] > past
    got = omics_client().get_sequence_store(id=made["id"])
    assert (got["name"], got["fallbackLocation"]) == ("new", "s3://my-bucket/x/")
    assert got["creationTime"] == past


def test_delete_removes_the_store(omics_fake: OmicsBackend) -> None:
    keep = omics_fake.create_sequence_store(REGION, "keep")
    drop = omics_fake.create_sequence_store(REGION, "drop")
    omics = omics_client()
    assert omics.delete_sequence_store(id=drop["id"])["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert [s["id"] for s in omics.list_sequence_stores()["sequenceStores"]] == [keep["id"]]
    with pytest.raises(omics.exceptions.ResourceNotFoundException):
        omics.get_sequence_store(id=drop["id"])
    with pytest.raises(omics.exceptions.ResourceNotFoundException) as caught:
        omics.delete_sequence_store(id=drop["id"])
    assert error_of(caught.value)[:2] == ("ResourceNotFoundException", 404)


def test_delete_goes_through_deleting_when_deletion_takes_time(omics_fake: OmicsBackend) -> None:
    now = [100.0]
    omics_fake._clock = lambda: now[0]  # noqa: SLF001 - drive deletion time from the test
    omics_fake.deletion_delay = 30.0
    made = omics_fake.create_sequence_store(REGION, "slow")
    omics = omics_client()
    omics.delete_sequence_store(id=made["id"])
    assert omics.get_sequence_store(id=made["id"])["status"] == "DELETING"
    deleting = omics.list_sequence_stores(filter={"status": "DELETING"})["sequenceStores"]
    assert [s["id"] for s in deleting] == [made["id"]]
    with pytest.raises(omics.exceptions.ConflictException):
        omics.update_sequence_store(id=made["id"], name="late")
    now[0] += 30.0
    with pytest.raises(omics.exceptions.ResourceNotFoundException):
        omics.get_sequence_store(id=made["id"])
    assert omics_fake.stores(REGION) == []


def test_delete_conflicts_while_the_store_holds_read_sets(omics_fake: OmicsBackend) -> None:
    made = omics_fake.create_sequence_store(REGION, "busy")
    held = [omics_fake.add_read_set(REGION, made["id"])["id"] for _ in range(3)]
    omics = omics_client()
    with pytest.raises(omics.exceptions.ConflictException) as caught:
        omics.delete_sequence_store(id=made["id"])
    code, status, message = error_of(caught.value)
    assert (code, status) == ("ConflictException", 409) and "read sets" in message
    assert omics.get_sequence_store(id=made["id"])["status"] == "ACTIVE"
    for read_set_id in held:
        omics_fake.delete_read_set(REGION, made["id"], read_set_id)
    omics.delete_sequence_store(id=made["id"])
    assert omics_fake.stores(REGION) == []


def test_tag_and_untag_resource(omics_fake: OmicsBackend) -> None:
    made = omics_fake.create_sequence_store(REGION, "tagged", tags={"team": "a", "env": "dev"})
    omics = omics_client()
    answer = omics.tag_resource(resourceArn=made["arn"], tags={"env": "prod", "project": "x"})
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 204
    tags = omics.list_tags_for_resource(resourceArn=made["arn"])["tags"]
    assert tags == {"team": "a", "env": "prod", "project": "x"}
    answer = omics.untag_resource(resourceArn=made["arn"], tagKeys=["team", "project", "absent"])
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert omics.list_tags_for_resource(resourceArn=made["arn"])["tags"] == {"env": "prod"}
    assert omics_fake.stores(REGION)[0]["tags"] == {"env": "prod"}


def test_tags_of_an_unknown_or_foreign_resource_are_not_found(omics_fake: OmicsBackend) -> None:
    made = omics_fake.create_sequence_store("eu-west-1", "abroad")
    omics = omics_client()
    missing = f"arn:aws:omics:{REGION}:{DEFAULT_ACCOUNT_ID}:sequenceStore/9999999999"
    for arn in (missing, made["arn"], "arn:aws:omics:us-east-1:123456789012:referenceStore/1"):
        with pytest.raises(omics.exceptions.ResourceNotFoundException):
            omics.list_tags_for_resource(resourceArn=arn)
    with pytest.raises(omics.exceptions.ResourceNotFoundException):
        omics.tag_resource(resourceArn=missing, tags={"a": "b"})
    with pytest.raises(omics.exceptions.ResourceNotFoundException):
        omics.untag_resource(resourceArn=missing, tagKeys=["a"])


def test_more_than_fifty_tags_exceed_the_quota(omics_fake: OmicsBackend) -> None:
    made = omics_fake.create_sequence_store(REGION, "full", tags={f"k{i}": "v" for i in range(45)})
    omics = omics_client()
    with pytest.raises(omics.exceptions.ServiceQuotaExceededException) as caught:
        omics.tag_resource(resourceArn=made["arn"], tags={f"n{i}": "v" for i in range(6)})
    assert error_of(caught.value)[:2] == ("ServiceQuotaExceededException", 402)
    assert len(omics_fake.stores(REGION)[0]["tags"]) == 45


def test_store_count_quota_answers_service_quota_exceeded(omics_fake: OmicsBackend) -> None:
    omics_fake.max_stores_per_region = 1
    omics = omics_client()
    omics.create_sequence_store(name="one")
    with pytest.raises(omics.exceptions.ServiceQuotaExceededException):
        omics.create_sequence_store(name="two")
    assert [s["name"] for s in omics_fake.stores(REGION)] == ["one"]


def test_accounts_are_kept_apart_by_access_key(omics_fake: OmicsBackend) -> None:
    omics_fake.map_access_key("AKIAOTHERACCOUNT0001", "210987654321")
    mine = omics_fake.create_sequence_store(REGION, "mine")
    theirs = omics_fake.create_sequence_store(REGION, "theirs", account_id="210987654321")
    other = omics_client(
        aws_access_key_id="AKIAOTHERACCOUNT0001", aws_secret_access_key="x", aws_session_token="y"
    )
    assert [s["id"] for s in other.list_sequence_stores()["sequenceStores"]] == [theirs["id"]]
    assert [s["id"] for s in omics_client().list_sequence_stores()["sequenceStores"]] == [
        mine["id"]
    ]
    with pytest.raises(other.exceptions.ResourceNotFoundException):
        other.get_sequence_store(id=mine["id"])
    assert omics_fake.requests.count(account_id="210987654321") == 2
