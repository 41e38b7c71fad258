"""Errors: model constraints answer 400 ValidationException, and every error code the
fake can answer maps to the right ``client.exceptions.<Name>`` / ClientError code."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, ParamValidationError

from omics_magic.testing import OmicsBackend
from tests.testing.support import REGION, error_of, omics_client

ARN = "arn:aws:omics:us-east-1:123456789012:sequenceStore/{}"


def _store(backend: OmicsBackend) -> str:
    return backend.create_sequence_store(REGION, "s")["id"]


# (operation, kwargs builder, fragment of the message) -- sent with client-side
# validation off, so the fake's own checks answer.
INVALID: list[tuple[str, Any, str]] = [
    ("get_sequence_store", lambda sid: {"id": "123"}, "length greater than or equal to 10"),
    ("get_sequence_store", lambda sid: {"id": "1" * 37}, "length less than or equal to 36"),
    ("get_sequence_store", lambda sid: {"id": "12345abcde"}, "regular expression pattern"),
    ("delete_sequence_store", lambda sid: {"id": "x" * 12}, "regular expression pattern"),
    ("update_sequence_store", lambda sid: {"id": sid, "name": "n" * 128}, "at 'name'"),
    ("update_sequence_store", lambda sid: {"id": sid, "description": ""}, "at 'description'"),
    ("create_sequence_store", lambda sid: {"name": ""}, "at 'name'"),
    ("create_sequence_store", lambda sid: {"name": "ok", "description": "d" * 256}, "255"),
    ("create_sequence_store", lambda sid: {"name": "ok", "eTagAlgorithmFamily": "CRC"}, "enum"),
    ("create_sequence_store", lambda sid: {"name": "ok", "sseConfig": {"type": "AES"}}, "enum"),
    ("create_sequence_store", lambda sid: {"name": "ok", "fallbackLocation": "ftp://x"}, "pattern"),
    ("create_sequence_store", lambda sid: {"description": "no name"}, "must not be null"),
    ("list_sequence_stores", lambda sid: {"maxResults": 0}, "greater than or equal to 1"),
    ("list_sequence_stores", lambda sid: {"maxResults": 101}, "less than or equal to 100"),
    ("list_sequence_stores", lambda sid: {"filter": {"status": "GONE"}}, "enum"),
    ("list_sequence_stores", lambda sid: {"filter": {"name": "x" * 128}}, "filter.name"),
    ("list_sequence_stores", lambda sid: {"nextToken": "not-a-token"}, "nextToken"),
    ("list_tags_for_resource", lambda sid: {"resourceArn": "not-an-arn"}, "pattern"),
    ("list_tags_for_resource", lambda sid: {"resourceArn": "arn:aws:omics"}, "ARN"),
    ("tag_resource", lambda sid: {"resourceArn": ARN.format(sid), "tags": {"": "v"}}, "tags.key"),
    ("untag_resource", lambda sid: {"resourceArn": "bad", "tagKeys": ["a"]}, "pattern"),
]


@pytest.mark.parametrize(("operation", "build", "fragment"), INVALID)
def test_broken_constraints_answer_validation_exception(
    omics_fake: OmicsBackend, operation: str, build: Any, fragment: str
) -> None:
    before = omics_fake.stores(REGION)
    sid = _store(omics_fake)
    omics = omics_client(validate=False)
    with pytest.raises(omics.exceptions.ValidationException) as caught:
        getattr(omics, operation)(**build(sid))
    code, status, message = error_of(caught.value)
    assert (code, status) == ("ValidationException", 400)
    assert fragment in message
    assert len(omics_fake.stores(REGION)) == len(before) + 1  # nothing created or changed


def test_botocore_still_validates_client_side_where_it_can(omics_fake: OmicsBackend) -> None:
    with pytest.raises(ParamValidationError):
        omics_client().get_sequence_store(id="123")
    assert len(omics_fake.requests) == 0  # never sent


# Codes the model defines (a client.exceptions class exists) and those it doesn't.
MODELED = [
    ("AccessDeniedException", 403),
    ("InternalServerException", 500),
    ("ThrottlingException", 429),
    ("ServiceQuotaExceededException", 402),
    ("RequestTimeoutException", 408),
    ("ValidationException", 400),
    ("ConflictException", 409),
    ("ResourceNotFoundException", 404),
]
UNMODELED = [("UnrecognizedClientException", 403), ("ServiceUnavailableException", 503)]


@pytest.mark.parametrize(("code", "status"), MODELED)
def test_injected_modeled_errors_raise_their_client_exception(
    omics_fake: OmicsBackend, code: str, status: int
) -> None:
    omics_fake.inject_error(code, message=f"injected {code}")
    omics = omics_client()
    with pytest.raises(getattr(omics.exceptions, code)) as caught:
        omics.list_sequence_stores()
    assert error_of(caught.value) == (code, status, f"injected {code}")
    assert omics_fake.requests.count(error_code=code, status=status) == 1


@pytest.mark.parametrize(("code", "status"), UNMODELED)
def test_injected_unmodeled_errors_raise_client_error_with_the_code(
    omics_fake: OmicsBackend, code: str, status: int
) -> None:
    omics_fake.inject_error(code)
    omics = omics_client()
    with pytest.raises(ClientError) as caught:
        omics.get_sequence_store(id="1234567890")
    assert error_of(caught.value)[:2] == (code, status)
    assert not hasattr(omics.exceptions, code)


def test_unknown_error_codes_need_a_status() -> None:
    backend = OmicsBackend()
    with pytest.raises(ValueError, match="pass status="):
        backend.inject_error("TeapotException")
    backend.inject_error("TeapotException", status=418)  # accepted with a status


def test_a_bug_in_an_operation_answers_500_and_says_so(
    omics_fake: OmicsBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    from omics_magic.testing import operations

    def broken(*args: object) -> dict[str, object]:
        raise KeyError("oops")

    monkeypatch.setitem(operations.OPERATIONS, "GetSequenceStore", broken)
    omics = omics_client()
    with pytest.raises(omics.exceptions.InternalServerException) as caught:
        omics.get_sequence_store(id="1234567890")
    assert "fake omics bug" in error_of(caught.value)[2]
    assert omics_fake.requests.count(status=500) == 1
