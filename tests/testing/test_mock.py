"""mock_omics: in-process interception, its life cycle, and composition with moto."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

from omics_magic.testing import OmicsBackend, OmicsServer, mock_omics, patch_client
from tests.testing.support import REGION, error_of, fresh_session, omics_client

moto = pytest.importorskip("moto")


def test_context_manager_yields_the_backend_it_answers_from() -> None:
    backend = OmicsBackend()
    backend.seed([REGION], 3)
    with mock_omics(backend) as active:
        assert active is backend
        assert len(omics_client().list_sequence_stores()["sequenceStores"]) == 3
    assert backend.requests.count(operation="ListSequenceStores", region=REGION) == 1


def test_decorator_answers_inside_the_function_only() -> None:
    backend = OmicsBackend()
    backend.create_sequence_store(REGION, "decorated")

    @mock_omics(backend)
    def names() -> list[str]:
        return [s["name"] for s in omics_client().list_sequence_stores()["sequenceStores"]]

    assert names() == ["decorated"]
    assert names() == ["decorated"]
    assert backend.requests.count() == 2


def test_nested_mocks_answer_from_the_innermost() -> None:
    outer, inner = OmicsBackend(), OmicsBackend()
    outer.create_sequence_store(REGION, "outer")
    inner.create_sequence_store(REGION, "inner")
    with mock_omics(outer):
        with mock_omics(inner):
            names = [s["name"] for s in omics_client().list_sequence_stores()["sequenceStores"]]
            assert names == ["inner"]
        names = [s["name"] for s in omics_client().list_sequence_stores()["sequenceStores"]]
        assert names == ["outer"]


def test_after_stop_requests_are_no_longer_answered() -> None:
    backend = OmicsBackend()
    with mock_omics(backend):
        omics = omics_client()
        omics.list_sequence_stores()
    # The conftest guard refuses the real endpoint, so the call fails instead of reaching AWS.
    with pytest.raises((BotoCoreError, RuntimeError)):
        omics.list_sequence_stores()
    assert backend.requests.count() == 1


def test_patch_client_routes_a_client_made_before_the_mock() -> None:
    omics = omics_client()
    with mock_omics() as backend:
        patch_client(omics)
        assert omics.list_sequence_stores()["sequenceStores"] == []
    assert backend.requests.count() == 1


def test_regions_without_omics_behave_like_a_missing_endpoint() -> None:
    with mock_omics() as backend:
        with pytest.raises(EndpointConnectionError):
            omics_client("us-west-1").list_sequence_stores()
        assert backend.requests.count(region="us-west-1", error_code="EndpointConnectionError")


def test_regions_without_omics_get_a_signature_error_from_the_server() -> None:
    with OmicsServer() as server:
        omics = fresh_session().client(
            "omics",
            region_name="us-west-1",
            endpoint_url=server.endpoint_url,
            config=Config(inject_host_prefix=False),
        )
        with pytest.raises(ClientError) as caught:
            omics.list_sequence_stores()
    assert error_of(caught.value)[:2] == ("InvalidSignatureException", 403)


def test_unsigned_requests_are_refused(omics_fake: OmicsBackend) -> None:
    from botocore import UNSIGNED

    omics = fresh_session().client(
        "omics", region_name=REGION, config=Config(signature_version=UNSIGNED)
    )
    with pytest.raises(ClientError) as caught:
        omics.list_sequence_stores()
    assert error_of(caught.value)[:2] == ("MissingAuthenticationTokenException", 403)


@pytest.mark.parametrize("moto_outside", [True, False])
def test_composes_with_moto_mock_aws_in_either_order(moto_outside: bool) -> None:
    from contextlib import ExitStack

    backend = OmicsBackend()
    backend.seed([REGION], 2)
    with ExitStack() as stack:
        if moto_outside:
            stack.enter_context(moto.mock_aws())
            stack.enter_context(mock_omics(backend))
        else:
            stack.enter_context(mock_omics(backend))
            stack.enter_context(moto.mock_aws())
        session = fresh_session()
        s3 = session.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="omics-exports")
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["omics-exports"]
        assert session.client("sts", region_name=REGION).get_caller_identity()["Account"] == (
            "123456789012"
        )
        key = session.client("kms", region_name=REGION).create_key()["KeyMetadata"]["Arn"]
        omics = session.client("omics", region_name=REGION)
        assert len(omics.list_sequence_stores()["sequenceStores"]) == 2
        omics.create_sequence_store(name="moto-kms", sseConfig={"type": "KMS", "keyArn": key})
    assert backend.requests.count() == 2  # only omics calls reached the fake
    assert backend.stores(REGION)[-1]["sseConfig"]["keyArn"] == key


def test_moto_assumed_role_credentials_act_in_the_role_account() -> None:
    backend = OmicsBackend()
    backend.create_sequence_store(REGION, "theirs", account_id="111122223333")
    with moto.mock_aws(), mock_omics(backend):
        creds = (
            fresh_session()
            .client("sts", region_name=REGION)
            .assume_role(
                RoleArn="arn:aws:iam::111122223333:role/reader", RoleSessionName="notebook"
            )["Credentials"]
        )
        assumed = boto3.session.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )
        stores = assumed.client("omics", region_name=REGION).list_sequence_stores()
    assert [s["name"] for s in stores["sequenceStores"]] == ["theirs"]
    assert backend.requests.records[-1].account_id == "111122223333"


def test_omics_magic_clients_made_before_the_mock_are_not_reused(
    omics_server: OmicsServer,
) -> None:
    """A client omics_magic cached before the mock started must not bypass it."""
    import omics_magic

    omics_server.backend.seed(["us-east-1"], stores_per_region=2)
    assert len(omics_magic.sequence_stores(["us-east-1"])) == 2  # cached, pointing at the server
    with mock_omics() as backend:
        backend.seed(["us-east-1"], stores_per_region=3)
        assert len(omics_magic.sequence_stores(["us-east-1"])) == 3
        assert backend.requests.count("ListSequenceStores") == 1
    assert omics_server.backend.requests.count("ListSequenceStores") == 1
