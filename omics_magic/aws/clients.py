"""Sessions, per-region omics clients, and what an AWS error means for a region.

Everything AWS-specific that is not a fetch lives here: which session to use,
one reused client per (session, region), the retry configuration, and the
classification of errors into the kinds reported in ``df.attrs["omics_errors"]``.

Retries use botocore's ``standard`` mode, not ``adaptive``: the pacer
(:mod:`omics_magic.aws.pacing`) already keeps calls under the per-region quotas, so
throttling is the exception. Adaptive mode would add a second, reactive rate
limiter per client (not per account, region and operation, which is what AWS
meters), that sleeps inside botocore where a deadline can't interrupt it.
A user's own ``AWS_RETRY_MODE`` / ``AWS_MAX_ATTEMPTS`` (env or config file)
are honoured.

Endpoints are never set here: ``AWS_ENDPOINT_URL_OMICS``,
``AWS_DISABLE_HOST_PREFIX_INJECTION`` and ``AWS_PROFILE`` reach botocore through
its own configuration chain.
"""

from __future__ import annotations

import os
import threading
import weakref
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any

from ..errors import CredentialsError, InputError
from ..failures import KINDS, Failure
from ..internals import botocore_session
from .guard import check_demo_credentials, demo_mode_on
from .loader import share_data_loader
from .pacing import THROTTLE_CODES as _THROTTLED
from .pacing import install as install_pacing
from .redact import install_log_redaction, redact
from .timestamps import install_fast_timestamps

if TYPE_CHECKING:
    import boto3

__all__ = [
    "DEFAULT_MAX_ATTEMPTS",
    "KINDS",
    "check_credentials",
    "classify_error",
    "classify_failure",
    "clear_cache",
    "credentials_error",
    "omics_client",
    "resolve_session",
]

#: Total attempts per call (first try + retries) unless the user configured one.
#: More than botocore's 3: with pacing, a throttle means someone else shares the
#: quota, and a few more backed-off tries usually get through.
DEFAULT_MAX_ATTEMPTS = 5
#: Default sessions kept (one per profile and environment), with their clients.
MAX_SESSIONS = 256
#: Seconds. botocore's 60 s defaults would hold a stuck region for minutes.
CONNECT_TIMEOUT = 10
READ_TIMEOUT = 30


_HOW_TO_CONFIGURE = (
    "configure AWS credentials: set AWS_PROFILE to a profile from `aws configure` "
    "(or `aws sso login --profile NAME`), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
)

_NOT_ENABLED = {
    "UnrecognizedClientException",  # what omics answers in an opt-in region not enabled
    "InvalidClientTokenId",
    "AuthFailure",
    "OptInRequired",
    "SubscriptionRequiredException",
}
# Server-side failures that botocore already retried: the region could not answer
# now, and asking later may work. InternalServerException (500) is one of them,
# reported as "unavailable" rather than "error", which is kept for answers that
# retrying won't change (validation, unknown codes).
_UNAVAILABLE = {
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "InternalServerException",
    "InternalFailure",
    "InternalError",
    "RequestTimeout",
    "RequestTimeoutException",
}
_EXPIRED = {"ExpiredToken", "ExpiredTokenException", "RequestExpired"}
# Answers about one resource, not about the region: a store that is gone, or in use.
_ABOUT_THE_RESOURCE = {"ResourceNotFoundException": "not_found", "ConflictException": "conflict"}

_sessions_lock = threading.Lock()
_default_sessions: dict[tuple[object, ...], boto3.Session] = {}
_clients_lock = threading.Lock()
_clients: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()
_warm: weakref.WeakSet[Any] = weakref.WeakSet()  # sessions that have made a first client
_making: dict[tuple[int, str], threading.Lock] = {}  # one lock per (session, region) made
_first_lock = threading.Lock()
_epoch = 0


def resolve_session(
    session: boto3.Session | None = None, profile: str | None = None
) -> boto3.Session:
    """Return ``session``, or a default session for ``profile`` and the environment.

    Default sessions are reused while the ``AWS_*`` environment stays the same,
    so their clients (and connection pools) are reused too; changing, say,
    ``AWS_PROFILE`` or ``AWS_ENDPOINT_URL_OMICS`` gives a fresh session.

    Raises
    ------
    InputError
        If ``session`` is not a ``boto3.Session`` (a profile name, say).
    CredentialsError
        If ``profile`` (or ``$AWS_PROFILE``) names a profile that doesn't exist.

    Examples
    --------
    >>> session = resolve_session()               # doctest: +SKIP
    >>> session = resolve_session(profile="lab")  # doctest: +SKIP
    """
    import boto3

    if session is not None and not isinstance(session, boto3.Session):
        raise InputError(
            f"session must be a boto3.Session, not {type(session).__name__} ({session!r}); "
            "for a profile, pass boto3.Session(profile_name=...)"
        )
    if demo_mode_on():  # demo mode: only its fake credentials (omics_magic.demo_mode)
        check_demo_credentials(session, profile)
    if session is not None:
        return session
    from botocore.exceptions import BotoCoreError

    key = (profile, tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("AWS_"))))
    with _sessions_lock:
        cached = _default_sessions.get(key)
        if cached is not None:
            return cached
        try:
            made = boto3.Session(profile_name=profile)
        except BotoCoreError as err:
            raise credentials_error(err) or err from None
        install_fast_timestamps(made)  # ours: its clients are all omics_magic's
        share_data_loader(botocore_session(made))  # botocore's JSON decoded once per process
        # Environments rarely change, but one fetch may use a profile per account:
        # keep enough that every account's session (and its clients) is reused.
        if len(_default_sessions) >= MAX_SESSIONS:
            _default_sessions.pop(next(iter(_default_sessions)))
        _default_sessions[key] = made
        return made


def clear_cache() -> None:
    """Forget every cached default session and client.

    Needed when the endpoint or credentials change under a running process
    (entering or leaving demo mode): a cached client keeps the endpoint it
    was made with, whatever the environment says now.
    """
    global _epoch
    with _sessions_lock:
        _default_sessions.clear()
    with _clients_lock:
        _clients.clear()
        _making.clear()
        _epoch += 1


def epoch() -> int:
    """How many times :func:`clear_cache` ran: what was fetched before another
    epoch came from another endpoint or credentials (the result cache keys on it)."""
    return _epoch


def check_credentials(session: boto3.Session) -> str:
    """Make sure ``session`` has usable credentials; return the access key ID.

    Runs before any request, so that missing or expired credentials give one
    line on how to configure them instead of one failure per region.

    Raises
    ------
    CredentialsError
        If no credentials are found or they can't be loaded (e.g. an expired SSO login).
    """
    from botocore.exceptions import BotoCoreError

    try:
        credentials = session.get_credentials()
        frozen = credentials.get_frozen_credentials() if credentials is not None else None
    except BotoCoreError as err:
        raise credentials_error(err, profile=botocore_session(session).profile) or err from None
    except ValueError as err:  # e.g. a credential_process that printed no JSON
        raise CredentialsError(
            f"AWS credentials could not be loaded ({type(err).__name__}: {_one_line(err)}); "
            "a credential_process must print its credentials as JSON (Version 1); "
            f"fix it, or {_HOW_TO_CONFIGURE}"
        ) from None
    if frozen is None or not frozen.access_key:
        _forget_session(session)  # so that configuring credentials later is picked up
        raise CredentialsError(f"no AWS credentials found; {_HOW_TO_CONFIGURE}")
    return str(frozen.access_key)


def _forget_session(session: boto3.Session) -> None:
    with _sessions_lock:
        for key in [k for k, v in _default_sessions.items() if v is session]:
            del _default_sessions[key]


def credentials_error(exc: BaseException, profile: str | None = None) -> CredentialsError | None:
    """The CredentialsError for a botocore credentials failure, else None.

    ``profile`` is the profile the credentials came from, for the fix hint
    (``aws sso login --profile dev``).
    """
    from botocore import exceptions as bx

    if isinstance(exc, bx.ProfileNotFound):
        return CredentialsError(f"{exc}; create it with `aws configure --profile NAME` or unset it")
    if isinstance(exc, (bx.NoCredentialsError, bx.PartialCredentialsError)):
        return CredentialsError(f"{exc}; {_HOW_TO_CONFIGURE}")
    if isinstance(exc, (bx.SSOError, bx.TokenRetrievalError)):
        login = f"aws sso login --profile {profile}" if profile else "aws sso login"
        return CredentialsError(f"{exc}; run `{login}` and try again")
    if isinstance(exc, bx.CredentialRetrievalError) and "process" in str(
        getattr(exc, "kwargs", {}).get("provider", "")
    ):
        # Its message is the helper's stderr, which may hold anything, secrets included.
        return CredentialsError(
            "the profile's credential_process command failed (its output is not shown, as "
            "it may hold secrets: run the command yourself to see it); fix it, or "
            f"{_HOW_TO_CONFIGURE}"
        )
    if isinstance(exc, (bx.CredentialRetrievalError, bx.NoAuthTokenError)):
        return CredentialsError(f"{redact(_one_line(exc))}; {_HOW_TO_CONFIGURE}")
    if isinstance(exc, bx.ConfigParseError):
        return CredentialsError(
            f"{exc}; fix its syntax (`[profile name]` sections of `key = value` lines), or "
            "point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at another file"
        )
    return None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def _retry_config(session: boto3.Session) -> dict[str, Any]:
    core = botocore_session(session)  # the user's env and config file settings
    mode = core.get_config_variable("retry_mode")
    retries: dict[str, Any] = {"mode": mode if mode in ("standard", "adaptive") else "standard"}
    try:
        attempts = core.get_config_variable("max_attempts")
    except ValueError:  # botocore's int() of the setting
        got = os.environ.get("AWS_MAX_ATTEMPTS", "another value")
        raise InputError(
            f"AWS_MAX_ATTEMPTS (or max_attempts in the AWS config file) must be a whole "
            f"number of attempts, e.g. 5; got {got!r}"
        ) from None
    if attempts is None:
        retries["total_max_attempts"] = DEFAULT_MAX_ATTEMPTS
    return retries


def omics_client(session: boto3.Session, region: str, *, max_pool: int = 10) -> Any:
    """The omics client for ``region`` in ``session``: made once, then reused.

    Clients are thread-safe. A session's first client is made alone; then
    each region's is made under its own lock, so regions are made in parallel.
    A later request for a bigger connection pool replaces the cached client.

    Parameters
    ----------
    session
        The boto3 session (see :func:`resolve_session`).
    region
        The region, already validated.
    max_pool
        Connections the client may keep open: at least the number of requests
        that may be in flight to this region at once.

    Examples
    --------
    >>> client = omics_client(resolve_session(), "us-east-1")  # doctest: +SKIP
    >>> client.list_sequence_stores()                          # doctest: +SKIP
    """
    install_log_redaction()  # before the first request: botocore's DEBUG log shows headers
    with _clients_lock:
        per_region = _clients.setdefault(session, {})
        cached = per_region.get(region)
        if cached is not None and cached.meta.config.max_pool_connections >= max_pool:
            return cached
        lock = _making.setdefault((id(session), region), threading.Lock())
        warm = session in _warm
    # Regions are made in parallel (each under its own lock), once a first client of
    # the session was made alone: that one resolves the credentials and loads the
    # service model into the session's caches, which botocore does not guard.
    with nullcontext() if warm else _first_lock, lock:
        with _clients_lock:
            cached = per_region.get(region)
        if cached is not None and cached.meta.config.max_pool_connections >= max_pool:
            return cached
        client = _make_client(session, region, max_pool)
        with _clients_lock:
            per_region[region] = client
            _warm.add(session)
        return client


def _make_client(session: boto3.Session, region: str, max_pool: int) -> Any:
    from botocore.config import Config

    config = Config(
        retries=_retry_config(session),
        max_pool_connections=max(max_pool, 10),
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        # Every input is validated before any call (IDs, names) or comes from AWS's
        # own answers (ARNs, tokens); botocore's second check costs each call CPU.
        parameter_validation=False,
    )
    try:
        client = session.client("omics", region_name=region, config=config)
    except ValueError as err:  # botocore: "Invalid endpoint: ..."
        raise InputError(
            f"{redact(_one_line(err))}; AWS_ENDPOINT_URL_OMICS (or endpoint_url in the AWS "
            "config file) must be a URL such as https://omics.us-east-1.amazonaws.com"
        ) from None
    install_pacing(client)  # inert unless a call is made inside pacing.paced()
    return client


def classify_error(exc: BaseException) -> tuple[str, str, str]:
    """What a failed call means: ``(kind, code, message)``; one of :data:`KINDS`.

    Kinds:

    - ``not_enabled``: the region is not enabled for the account
      (UnrecognizedClientException, InvalidClientTokenId, AuthFailure, OptInRequired)
    - ``denied``: AccessDenied*, other 403s, and expired tokens
    - ``throttled``: throttling that outlasted botocore's retries
    - ``unavailable``: 5xx (incl. InternalServerException), timeouts, connection failures
    - ``not_found``: ResourceNotFoundException (the store is gone)
    - ``conflict``: ConflictException (the store is in use, e.g. still holds read sets)
    - ``error``: anything else (validation, unknown codes)

    Examples
    --------
    >>> from botocore.exceptions import EndpointConnectionError
    >>> classify_error(EndpointConnectionError(endpoint_url="https://omics.x"))[:2]
    ('unavailable', 'EndpointConnectionError')
    """
    from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code") or "Unknown")
        message = _reported(str(error.get("Message") or exc))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return _kind_of(code, status), code, message
    code = type(exc).__name__
    if isinstance(exc, (ConnectionError, HTTPClientError, TimeoutError, OSError)):
        return "unavailable", code, _reported(str(exc))
    return "error", code, _reported(str(exc))


def _reported(message: str) -> str:
    """An AWS message as we report it: one line, no credentials.

    A signature mismatch echoes the whole canonical request (session token
    included) over several lines; it ends up in attrs, warnings and the CLI.
    """
    return redact(" ".join(message.split()))


def _kind_of(code: str, status: object) -> str:
    if code in _ABOUT_THE_RESOURCE:
        return _ABOUT_THE_RESOURCE[code]
    if code in _NOT_ENABLED:
        return "not_enabled"
    if code.startswith("AccessDenied") or code in _EXPIRED or code == "UnauthorizedOperation":
        return "denied"
    if code in _THROTTLED or status == 429:
        return "throttled"
    if code in _UNAVAILABLE or (isinstance(status, int) and status >= 500):
        return "unavailable"
    if status == 403:
        return "denied"
    return "error"


def classify_failure(exc: BaseException, region: str) -> Failure:
    """The one way a failed call becomes a record: its :class:`~omics_magic.failures.Failure`.

    Raises
    ------
    CredentialsError
        If the failure is about the credentials (none found, SSO expired, ...):
        that is the caller's to fix once, not one record per region.
    Exception
        ``exc`` itself, if it is not an AWS (botocore) failure: a bug is not a record.

    Examples
    --------
    >>> from botocore.exceptions import EndpointConnectionError
    >>> classify_failure(EndpointConnectionError(endpoint_url="https://omics.x"), "us-east-1").kind
    'unavailable'
    """
    from botocore.exceptions import BotoCoreError, ClientError

    problem = credentials_error(exc)
    if problem is not None:
        raise problem from exc
    if not isinstance(exc, (BotoCoreError, ClientError)):
        raise exc
    kind, code, message = classify_error(exc)
    return Failure(region, code, message, kind)
