"""Plumbing shared by the reliability suite: transport-level faults and quick sessions.

Nothing here stands in for omics_magic's code: faults are made at the
transport (a botocore event handler that sends one region's requests to a
closed loopback port) or by the fake's own fault plan.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import botocore.session

from tests.testing.support import _LOADER

#: The SigV4 credential scope names the region a request was signed for.
_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/omics/aws4_request")


def closed_port() -> int:
    """A loopback TCP port that nothing listens on (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def new_session() -> boto3.Session:
    """A fresh boto3 session (sharing the loaded service models, which never change)."""
    core = botocore.session.Session()
    core.register_component("data_loader", _LOADER)
    return boto3.Session(botocore_session=core)


def make_unreachable(session: boto3.Session, region: str) -> int:
    """Send every omics request ``session`` signs for ``region`` to a closed port.

    A ``before-send`` handler rewrites the request URL, as a dead endpoint
    would look to the client: the connection is refused. Returns the port.
    """
    port = closed_port()

    def redirect(request: Any, **kwargs: Any) -> None:
        authorization = request.headers.get("Authorization", b"")
        if isinstance(authorization, bytes):
            authorization = authorization.decode("latin-1")
        scope = _SCOPE.search(authorization)
        if scope and scope.group(1) == region:
            path = re.sub(r"^[a-z]+://[^/]+", "", request.url)
            request.url = f"http://127.0.0.1:{port}{path}"

    session.events.register("before-send.omics", redirect)
    return port


@contextmanager
def env_vars(monkeypatch: Any, **values: str) -> Iterator[None]:
    """Set environment variables for a block (monkeypatch undoes them at test end too)."""
    with monkeypatch.context() as patch:
        for name, value in values.items():
            patch.setenv(name, value)
        yield
