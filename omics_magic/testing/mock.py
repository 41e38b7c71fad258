"""``mock_omics``: answer omics calls in-process, on botocore's ``before-send`` event.

While a mock is active, every botocore client for omics that gets created has
a handler registered on its ``before-send.omics`` event (the hook moto uses for
every service). The handler answers from the innermost active mock's backend
through the same wire layer as :class:`~omics_magic.testing.OmicsServer`, so
requests still go through botocore's real serialization, signing, retries and
parsing. Other services are untouched, so this composes with ``moto.mock_aws``
in either nesting order: our handler is registered on the more specific event
name, so botocore asks it first, and moto keeps S3, STS, KMS...

STS clients get a handler on ``before-send.sts`` too, which answers only the
backend's STS faults (a denied AssumeRole, expired credentials) and lets
every other STS request through to ``moto.mock_aws`` (see
:mod:`~omics_magic.testing.sts`). Roles assumed there act in their own
account in the fake.

Clients created before the mock started are not intercepted; pass them to
:func:`patch_client`.
"""

from __future__ import annotations

import functools
import io
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import botocore.client
from botocore.awsrequest import AWSPreparedRequest, AWSResponse, HeadersDict
from botocore.exceptions import EndpointConnectionError

from .backend import OmicsBackend
from .exceptions import UnknownEndpointError
from .responses import OmicsWire
from .sts import StsFront

__all__ = ["MockOmics", "mock_omics", "patch_client"]

F = TypeVar("F", bound=Callable[..., Any])
_HANDLER_ID = "omics_magic.testing.mock_omics"
_STS_HANDLER_ID = "omics_magic.testing.mock_omics.sts"
_lock = threading.RLock()
_active: list[MockOmics] = []
_original_create_client: Callable[..., Any] | None = None


class _RawBody(io.BytesIO):
    """The ``raw`` of an AWSResponse: a stream botocore can read or iterate."""

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        chunk = self.read()
        while chunk:
            yield chunk
            chunk = self.read()


def _before_send(request: AWSPreparedRequest, **kwargs: Any) -> AWSResponse | None:
    with _lock:
        mock = _active[-1] if _active else None
    if mock is None:
        return None  # no mock active any more: let the request through, as moto does
    body: Any = request.body
    if hasattr(body, "read"):
        body = body.read()
    request_headers: Any = request.headers
    try:
        answer = mock.wire.handle(request.method, request.url, request_headers, body)
    except UnknownEndpointError:
        raise EndpointConnectionError(endpoint_url=request.url) from None
    headers: Any = HeadersDict(answer.headers)  # case-insensitive, as botocore's parser needs
    return AWSResponse(request.url, answer.status, headers, _RawBody(answer.body))


def _before_send_sts(request: AWSPreparedRequest, **kwargs: Any) -> AWSResponse | None:
    with _lock:
        mock = _active[-1] if _active else None
    if mock is None:
        return None
    request_headers: Any = request.headers
    answer = mock.sts.fault(request_headers, request.body)
    if answer is None:
        return None  # no fault: moto's mock_aws (or whoever is next) answers
    headers: Any = HeadersDict(answer.headers)
    return AWSResponse(request.url, answer.status, headers, _RawBody(answer.body))


def patch_client(client: Any) -> None:
    """Route an already-created omics (or STS) client through the active ``mock_omics``.

    Examples
    --------
    >>> import boto3
    >>> client = boto3.client("omics", region_name="us-east-1")
    >>> with mock_omics():
    ...     patch_client(client)
    ...     client.list_sequence_stores()["sequenceStores"]
    []
    """
    if client.meta.service_model.service_name == "sts":
        client.meta.events.register("before-send.sts", _before_send_sts, unique_id=_STS_HANDLER_ID)
    else:
        client.meta.events.register("before-send.omics", _before_send, unique_id=_HANDLER_ID)


def _create_client(self: Any, *args: Any, **kwargs: Any) -> Any:
    assert _original_create_client is not None
    client = _original_create_client(self, *args, **kwargs)
    if client.meta.service_model.service_name in ("omics", "sts"):
        patch_client(client)
    return client


def _forget_cached_clients() -> None:
    """Drop omics_magic's cached clients, so its next call is made under (or after) the mock.

    omics_magic reuses one client per region and session; one made before the
    mock started would otherwise go to the network, and one made under it
    would keep answering from the fake after it stopped.
    """
    aws = sys.modules.get("omics_magic.aws")
    if aws is not None:
        aws.clear_cache()


class MockOmics:
    """The object :func:`mock_omics` returns: a context manager and a decorator."""

    def __init__(self, backend: OmicsBackend | None = None) -> None:
        self.backend = backend if backend is not None else OmicsBackend()
        self.wire = OmicsWire(self.backend, unknown_region="raise")
        self.sts = StsFront(self.backend)

    def start(self) -> OmicsBackend:
        """Begin intercepting omics clients created from now on; returns the backend."""
        global _original_create_client
        with _lock:
            if not _active:
                _original_create_client = botocore.client.ClientCreator.create_client
                botocore.client.ClientCreator.create_client = _create_client
            _active.append(self)
        _forget_cached_clients()
        return self.backend

    def stop(self) -> None:
        """Stop intercepting (clients created meanwhile fall back to the network)."""
        global _original_create_client
        with _lock:
            if self in _active:
                _active.remove(self)
            if not _active and _original_create_client is not None:
                botocore.client.ClientCreator.create_client = _original_create_client
                _original_create_client = None
        _forget_cached_clients()

    def __enter__(self) -> OmicsBackend:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __call__(self, func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            # A fresh mock per call, sharing this one's backend, so calls don't nest state.
            with MockOmics(self.backend):
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


def mock_omics(backend: OmicsBackend | None = None) -> MockOmics:
    """Answer AWS HealthOmics calls in-process from ``backend`` (a new one if None).

    Use it as a context manager (it yields the backend) or as a decorator.

    Examples
    --------
    >>> import boto3
    >>> with mock_omics() as backend:
    ...     _ = backend.create_sequence_store("us-east-1", "wgs-cohort-001")
    ...     client = boto3.client("omics", region_name="us-east-1")
    ...     [s["name"] for s in client.list_sequence_stores()["sequenceStores"]]
    ['wgs-cohort-001']
    """
    return MockOmics(backend)
