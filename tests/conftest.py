"""Shared test set-up: fake credentials, and no request may leave this machine.

Every test runs with known fake credentials and no AWS config files, and any
socket connection to an address outside the loopback range fails loudly.
"""

from __future__ import annotations

import io
import ipaddress
import os
import socket
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from hypothesis import settings

# CI runs each property test on the same examples every time: a red CI then
# means a change broke something, not that the search got lucky. Locally the
# search stays random, so it keeps exploring.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

FAKE_ACCESS_KEY = "AKIAFAKEOMICSMAGIC01"
FAKE_SECRET_KEY = "fakeSecretKeyOmicsMagicDoNotUse0123456789"
FAKE_SESSION_TOKEN = "FakeSessionTokenOmicsMagicDoNotUse"

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_create_connection = socket.create_connection


class NetworkEscape(RuntimeError):
    """A test tried to reach an address off this machine."""


def _check_address(address: object) -> None:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, (bytes, str)) and not isinstance(host, bytes):
        if host in ("localhost", ""):
            return
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            raise NetworkEscape(f"test tried to connect to {host!r}, off this machine") from None
        if ip.is_loopback:
            return
        raise NetworkEscape(f"test tried to connect to {host!r}, off this machine")
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return
    raise NetworkEscape(f"test tried to connect to {address!r}")


def _guarded_connect(self: socket.socket, address: object) -> None:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _check_address(address)
    return _real_connect(self, address)  # type: ignore[arg-type]


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _check_address(address)
    return _real_connect_ex(self, address)  # type: ignore[arg-type]


def _guarded_getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
    if isinstance(host, bytes):
        host = host.decode()
    if host not in (None, "localhost") and not _is_loopback_literal(host):
        raise NetworkEscape(f"test tried to resolve {host!r}, off this machine")
    return _real_getaddrinfo(host, *args, **kwargs)


def _is_loopback_literal(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_real_getaddrinfo = socket.getaddrinfo


def pytest_configure(config: pytest.Config) -> None:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _guarded_getaddrinfo


def pytest_unconfigure(config: pytest.Config) -> None:
    socket.socket.connect = _real_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _real_connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _real_getaddrinfo


@pytest.fixture(autouse=True)
def fake_aws_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """Known fake credentials; no profile, config file, or instance metadata."""
    for name in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_OMICS",
        "AWS_DISABLE_HOST_PREFIX_INJECTION",
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "OMICS_MAGIC_REGIONS",
        "OMICS_MAGIC_BURST",
        "OMICS_MAGIC_CACHE_TTL",
    ):
        monkeypatch.delenv(name, raising=False)
    nowhere = tmp_path_factory.getbasetemp() / "no-aws-config"
    monkeypatch.setenv("AWS_CONFIG_FILE", str(nowhere))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(nowhere))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", FAKE_ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", FAKE_SECRET_KEY)
    monkeypatch.setenv("AWS_SESSION_TOKEN", FAKE_SESSION_TOKEN)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    from omics_magic.aws.pacing import forget_pacers

    forget_pacers()  # each test's fake starts with full buckets: so does every pacer
    from omics_magic.fetch.cache import clear_cache

    clear_cache()  # and holds its own stores: nothing cached from another test's fake
    from omics_magic.fetch.skipped import forget

    forget()  # regions found not enabled in one test are asked again in the next
    yield


@pytest.fixture
def omics_backend() -> Iterator[object]:
    """The fake omics service in-process (``mock_omics``); yields its OmicsBackend.

    Every omics client created inside the test is answered by this backend.
    """
    from omics_magic.testing import mock_omics

    with mock_omics() as backend:
        yield backend


@pytest.fixture
def configured_fake(omics_backend: Any, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """The in-process fake set up the way most tests want it: call it to get the backend.

    ``configured_fake(regions, stores_per_region=0, paced=False)`` makes
    ``regions`` the configured ones ($OMICS_MAGIC_REGIONS), turns pacing off
    ($OMICS_MAGIC_TPS=0) unless ``paced``, leaves stdin unable to prompt (a
    delete then needs its confirmation), seeds ``stores_per_region`` stores in
    each region, and empties the request log.
    """

    def configure(
        regions: Sequence[str], *, stores_per_region: int = 0, paced: bool = False
    ) -> Any:
        monkeypatch.setenv("OMICS_MAGIC_REGIONS", ",".join(regions))
        if not paced:
            monkeypatch.setenv("OMICS_MAGIC_TPS", "0")
        monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # not a terminal: no prompt
        if stores_per_region:
            omics_backend.seed(list(regions), stores_per_region=stores_per_region)
        omics_backend.requests.clear()
        return omics_backend

    return configure


@pytest.fixture
def omics_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """The fake omics service over loopback HTTP; yields the started OmicsServer.

    AWS_ENDPOINT_URL_OMICS, AWS_ENDPOINT_URL_STS and AWS_DISABLE_HOST_PREFIX_INJECTION
    are set for the test, so any boto3 client created in the test (or a subprocess given
    ``os.environ``) reaches it. ``omics_server.backend`` holds the state.
    """
    from omics_magic.testing import OmicsServer

    with OmicsServer() as server:
        # The test's own fake keys stay in use, so that tests searching output for
        # them search for the keys that were actually sent.
        for name, value in server.env(credentials=False).items():
            monkeypatch.setenv(name, value)
        yield server


@pytest.fixture(params=["mock_omics", "OmicsServer"])
def omics_fake(request: pytest.FixtureRequest) -> Iterator[object]:
    """The fake omics service both ways in (the test runs twice); yields the backend.

    Use it for behaviour that must not depend on how requests reach the fake.
    """
    if request.param == "mock_omics":
        yield request.getfixturevalue("omics_backend")
    else:
        yield request.getfixturevalue("omics_server").backend


@pytest.fixture(params=["mock_omics", "OmicsServer"])
def estate(
    request: pytest.FixtureRequest, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[object]:
    """Three accounts in the fake, profiles dev and prod in an AWS config file, STS
    through moto, both ways in (see tests/accounts_support.py); yields the backend."""
    from tests.accounts_support import estate_of

    yield from estate_of(request.param, tmp_path, monkeypatch)


@pytest.fixture
def ip() -> Iterator[Any]:
    """A strict IPython shell with omics_magic loaded: history off, errors raised."""
    from tests.magic_support import strict_shell

    with strict_shell() as shell:
        yield shell
