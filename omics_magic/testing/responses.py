"""The wire layer: HTTP request in, HTTP response out, in AWS's REST-JSON protocol.

Parse-only: it reads the SigV4 credential scope (region) and access key
(account), routes by method and path, decodes and validates the input against
botocore's omics model, calls the backend, and encodes the output shape.
Errors go out as AWS sends them: the real status, an ``x-amzn-errortype``
header and a JSON ``{"message": ...}`` body, so botocore raises
``client.exceptions.<Code>``.

Regions where botocore lists no omics endpoint get what a client would get
from AWS. In-process (``unknown_region="raise"``) the call fails like a DNS
miss, with ``botocore.exceptions.EndpointConnectionError``. Through the HTTP
server (``unknown_region="answer"``) the request did reach an endpoint, so it
is answered like an AWS endpoint answers a request signed for a foreign
region: 403 ``InvalidSignatureException``.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qs, urlsplit

from .exceptions import OmicsServiceError, UnknownEndpointError
from .log import RequestRecord
from .operations import OPERATIONS
from .shapes import decode, encode, operation_model, validate
from .urls import route

if TYPE_CHECKING:
    from .backend import OmicsBackend

__all__ = ["OmicsWire", "WireResponse", "credential_scope", "signing_scope"]

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/,\s]+)/([^/,\s]+)/aws4_request")


@dataclass(frozen=True)
class WireResponse:
    """An HTTP answer: status, headers and body bytes."""

    status: int
    headers: dict[str, str]
    body: bytes


def signing_scope(headers: Mapping[str, str | bytes]) -> tuple[str, str, str] | None:
    """``(access_key_id, region, service)`` from a SigV4 ``Authorization`` header, or None."""
    auth = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
    if isinstance(auth, bytes):
        auth = auth.decode("latin-1")
    if not auth:
        return None
    match = _CREDENTIAL.search(auth)
    return (match.group(1), match.group(2), match.group(3)) if match else None


def credential_scope(headers: Mapping[str, str | bytes]) -> tuple[str, str] | None:
    """``(access_key_id, region)`` from a SigV4 ``Authorization`` header, or None."""
    scope = signing_scope(headers)
    return scope[:2] if scope else None


def _error(err: OmicsServiceError, request_id: str) -> WireResponse:
    headers = {
        "Content-Type": "application/json",
        "x-amzn-RequestId": request_id,
        "x-amzn-ErrorType": err.code,
    }
    return WireResponse(err.status, headers, json.dumps({"message": err.message}).encode())


class OmicsWire:
    """Answer raw HTTP requests from one backend (shared by the mock and the server)."""

    def __init__(
        self,
        backend: OmicsBackend,
        unknown_region: Literal["raise", "answer"] = "raise",
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        self.backend = backend
        self.unknown_region = unknown_region
        self._sleep = sleep  # the server's wakes up early when it stops

    def handle(
        self, method: str, url: str, headers: Mapping[str, Any], body: bytes | str | None
    ) -> WireResponse:
        """Answer one request; see the module docstring for unknown regions."""
        request_id = str(uuid.uuid4())
        split = urlsplit(url)
        scope = credential_scope(headers)
        access_key, region = scope if scope else (None, "")
        account_id = self.backend.account_for(access_key)
        routed = route(method, split.path)
        operation = routed[0] if routed else None
        try:
            if scope is None:
                raise OmicsServiceError(
                    "MissingAuthenticationTokenException", "Missing Authentication Token", 403
                )
            from ..regions import omics_regions

            if region not in omics_regions():
                if self.unknown_region == "raise":
                    unreachable = "EndpointConnectionError"
                    self._log(operation, region, account_id, 0, unreachable, access_key)
                    raise UnknownEndpointError(region)
                raise OmicsServiceError(
                    "InvalidSignatureException",
                    f"Credential should be scoped to a valid region, not '{region}'. ",
                )
            if routed is None:
                raise OmicsServiceError(
                    "UnknownOperationException", f"No operation at {method} {split.path}"
                )
            delay = self.backend.faults.latency(region, routed[0], account_id)
            if delay:
                self._sleep(delay)
            self.backend.faults.check(account_id, region, routed[0], access_key)
            answer = self._call(routed[0], routed[1], split.query, body, account_id, region)
            self.backend.faults.check_after(account_id, region, routed[0])
        except OmicsServiceError as err:
            self._log(operation, region, account_id, err.status, err.code, access_key)
            return _error(err, request_id)
        except UnknownEndpointError:
            raise
        except Exception as bug:  # a bug in the fake: answer as AWS would, and say what broke
            internal = OmicsServiceError("InternalServerException", f"fake omics bug: {bug!r}")
            self._log(operation, region, account_id, internal.status, internal.code, access_key)
            return _error(internal, request_id)
        self._log(operation, region, account_id, answer.status, None, access_key)
        answer.headers["x-amzn-RequestId"] = request_id
        return answer

    def _log(
        self,
        operation: str | None,
        region: str,
        account: str,
        status: int,
        code: str | None,
        access_key: str | None,
    ) -> None:
        record = RequestRecord(operation, region, account, status, code, time.time(), access_key)
        self.backend.requests.append(record)

    def _call(
        self,
        operation: str,
        labels: dict[str, str],
        query: str,
        body: bytes | str | None,
        account_id: str,
        region: str,
    ) -> WireResponse:
        model = operation_model(operation)
        params = self._params(model, labels, query, body)
        if model.input_shape is not None:
            validate(model.input_shape, params, "")
        result = OPERATIONS[operation](self.backend, account_id, region, params)
        status = int(model.http.get("responseCode", 200))
        headers = {"Content-Type": "application/json"}
        if status == 204:
            return WireResponse(status, headers, b"")
        payload = encode(model.output_shape, result) if model.output_shape else {}
        return WireResponse(status, headers, json.dumps(payload).encode())

    @staticmethod
    def _params(
        model: Any, labels: dict[str, str], query: str, body: bytes | str | None
    ) -> dict[str, Any]:
        shape = model.input_shape
        raw_query = parse_qs(query, keep_blank_values=True)
        if isinstance(body, str):
            body = body.encode()
        try:
            document = json.loads(body) if body else {}
        except ValueError:
            raise OmicsServiceError("SerializationException", "Malformed JSON body", 400) from None
        if not isinstance(document, dict):
            raise OmicsServiceError("SerializationException", "Body must be a JSON object", 400)
        params: dict[str, Any] = {}
        for name, member in shape.members.items():
            where = member.serialization.get("location")
            wire_name = member.serialization.get("name", name)
            if where == "uri":
                value: Any = labels.get(wire_name)
            elif where == "querystring":
                values = raw_query.get(wire_name)
                if values is None:
                    continue
                value = values if member.type_name == "list" else values[0]
            else:
                value = document.get(name)
            if value is not None:
                params[name] = decode(member, value, name)
        return params
