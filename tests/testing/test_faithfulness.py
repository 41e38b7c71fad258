"""Faithfulness: every answer of the fake is what botocore's omics model says AWS sends.

The raw HTTP answers are captured on botocore's ``before-parse`` event and
checked against the model, independently of the fake's own model code: the
status code, the members (none outside the output shape, all required ones
present), the types, enums and lengths, and the iso8601 timestamps. The parsed
answers then go through botocore's own validator for the shape.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import botocore.session
import pytest
from botocore.model import Shape
from botocore.validate import ParamValidator

from omics_magic.testing import OmicsBackend
from tests.testing.support import REGION, omics_client

ISO_MILLIS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
MODEL = botocore.session.get_session().get_service_model("omics")


def check_shape(shape: Shape, value: Any, path: str = "") -> None:
    """Assert that a raw JSON value fits ``shape`` (members, required, types, enums, sizes)."""
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        assert isinstance(value, dict), path
        members = shape.members  # type: ignore[attr-defined]
        assert set(value) <= set(members), f"{path}: extra members {set(value) - set(members)}"
        for name in shape.required_members:  # type: ignore[attr-defined]
            assert name in value, f"{path}.{name} is required"
        for name, item in value.items():
            check_shape(members[name], item, f"{path}.{name}")
    elif kind == "list":
        assert isinstance(value, list), path
        assert meta.get("min", 0) <= len(value) <= meta.get("max", 10**9), path
        for item in value:
            check_shape(shape.member, item, f"{path}[]")  # type: ignore[attr-defined]
    elif kind == "map":
        assert isinstance(value, dict), path
        for key, item in value.items():
            check_shape(shape.key, key, f"{path}.key")  # type: ignore[attr-defined]
            check_shape(shape.value, item, f"{path}.{key}")  # type: ignore[attr-defined]
    elif kind == "timestamp":
        assert isinstance(value, str) and ISO_MILLIS.fullmatch(value), f"{path}: {value!r}"
    elif kind == "string":
        assert isinstance(value, str), path
        assert meta.get("min", 0) <= len(value) <= meta.get("max", 10**9), f"{path}: {value!r}"
        if "enum" in meta:
            assert value in meta["enum"], f"{path}: {value!r}"
    elif kind in ("integer", "long"):
        assert isinstance(value, int), path


@pytest.fixture
def raw_answers() -> Iterator[list[dict[str, Any]]]:
    yield []


def capturing_client(answers: list[dict[str, Any]], **kwargs: Any) -> Any:
    omics = omics_client(**kwargs)

    def keep(operation_model: Any, response_dict: dict[str, Any], **_: Any) -> None:
        answers.append({"operation": operation_model.name, **response_dict})

    omics.meta.events.register("before-parse.omics", keep)
    return omics


def exercise_every_operation(backend: OmicsBackend, omics: Any) -> dict[str, Any]:
    backend.seed([REGION], 12)
    parsed = {}
    created = omics.create_sequence_store(
        name="faithful",
        description="all members",
        sseConfig={"type": "KMS", "keyArn": "arn:aws:kms:us-east-1:123456789012:key/abc"},
        tags={"a": "b"},
        fallbackLocation="s3://my-bucket/fallback/",
        propagatedSetLevelTags=["a"],
        s3AccessConfig={"accessLogLocation": "s3://my-logs/x/"},
    )
    parsed["CreateSequenceStore"] = created
    page = omics.list_sequence_stores(maxResults=5)
    parsed["ListSequenceStores"] = page
    omics.list_sequence_stores(maxResults=5, nextToken=page["nextToken"])
    parsed["GetSequenceStore"] = omics.get_sequence_store(id=created["id"])
    parsed["UpdateSequenceStore"] = omics.update_sequence_store(id=created["id"], name="renamed")
    parsed["ListTagsForResource"] = omics.list_tags_for_resource(resourceArn=created["arn"])
    parsed["TagResource"] = omics.tag_resource(resourceArn=created["arn"], tags={"c": "d"})
    parsed["UntagResource"] = omics.untag_resource(resourceArn=created["arn"], tagKeys=["a"])
    parsed["DeleteSequenceStore"] = omics.delete_sequence_store(id=created["id"])
    return parsed


def test_every_answer_fits_the_model_output_shape(
    omics_fake: OmicsBackend, raw_answers: list[dict[str, Any]]
) -> None:
    parsed = exercise_every_operation(omics_fake, capturing_client(raw_answers))
    assert {a["operation"] for a in raw_answers} == set(parsed)
    for answer in raw_answers:
        model = MODEL.operation_model(answer["operation"])
        assert answer["status_code"] == model.http["responseCode"], answer["operation"]
        assert answer["headers"]["Content-Type"] == "application/json"
        if answer["status_code"] == 204:
            assert answer["body"] == b""
            continue
        check_shape(model.output_shape, json.loads(answer["body"]), answer["operation"])
    for operation, result in parsed.items():
        result = {k: v for k, v in result.items() if k != "ResponseMetadata"}
        report = ParamValidator().validate(result, MODEL.operation_model(operation).output_shape)
        assert not report.has_errors(), report.generate_report()


def test_get_answers_every_member_the_shape_defines(omics_fake: OmicsBackend) -> None:
    answers: list[dict[str, Any]] = []
    omics = capturing_client(answers)
    created = omics.create_sequence_store(
        name="full",
        description="d",
        fallbackLocation="s3://my-bucket/f/",
        propagatedSetLevelTags=["a"],
        s3AccessConfig={"accessLogLocation": "s3://my-logs/x/"},
    )
    omics.get_sequence_store(id=created["id"])
    body = json.loads(answers[-1]["body"])
    shape = MODEL.operation_model("GetSequenceStore").output_shape
    assert set(shape.members) - set(body) == {"statusMessage"}  # only set on failures
    assert set(body["s3Access"]) == set(shape.members["s3Access"].members)


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda o: o.get_sequence_store(id="1234567890"), "ResourceNotFoundException"),
        (lambda o: o.list_sequence_stores(nextToken="garbage"), "ValidationException"),
        (lambda o: o.list_tags_for_resource(resourceArn="arn:x"), "ValidationException"),
    ],
)
def test_errors_carry_the_error_type_header_and_message(
    omics_fake: OmicsBackend, raw_answers: list[dict[str, Any]], call: Any, code: str
) -> None:
    omics = capturing_client(raw_answers)
    with pytest.raises(getattr(omics.exceptions, code)):
        call(omics)
    [answer] = raw_answers
    assert answer["headers"]["x-amzn-ErrorType"] == code
    assert answer["status_code"] == MODEL.shape_for(code).metadata["error"]["httpStatusCode"]
    body = json.loads(answer["body"])
    assert set(body) == {"message"} and body["message"]
    check_shape(MODEL.shape_for(code), body, code)
