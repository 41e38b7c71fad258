"""Demo mode's environment: what it sets, what a child process gets, and the guard.

While demo mode is on, every ``AWS_*`` variable is replaced (:func:`demo_environment`),
and :func:`check_demo_credentials` (called by ``omics_magic.aws.resolve_session``)
refuses a profile or session that could use real credentials.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from .demo_seed import REGIONS
from .errors import CredentialsError

if TYPE_CHECKING:
    import boto3

__all__ = [
    "LEAVE_HINT",
    "check_demo_credentials",
    "demo_environment",
    "offline_environment",
    "replace_environment",
    "restore_environment",
]

# Fake, and recognisably so: AKIA + 16 characters, like a real access key ID.
_ACCESS_KEY = "AKIAOMICSMAGICDEMO00"
_SECRET_KEY = "omics-magic-demo-FAKE-secret-not-a-real-key"
_NOWHERE = os.devnull  # not a file, so botocore reads no config from it
_NO_ENDPOINT = "http://127.0.0.1:9"  # the discard port: nothing listens there
LEAVE_HINT = "%omics --end-demo, or omics_magic.end_demo()"


def demo_environment(endpoint_env: Mapping[str, str]) -> dict[str, str]:
    """The variables demo mode sets, once every ``AWS_*`` variable is removed."""
    return {
        **endpoint_env,  # AWS_ENDPOINT_URL_OMICS, AWS_DISABLE_HOST_PREFIX_INJECTION
        "AWS_ACCESS_KEY_ID": _ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": _SECRET_KEY,
        "AWS_DEFAULT_REGION": "us-east-1",
        # No config or credentials file, no instance metadata: nothing but the keys above.
        "AWS_CONFIG_FILE": _NOWHERE,
        "AWS_SHARED_CREDENTIALS_FILE": _NOWHERE,
        "AWS_EC2_METADATA_DISABLED": "true",
        # One retry, so the throttled region gives up in about a second, not fifteen.
        "AWS_RETRY_MODE": "standard",
        "AWS_MAX_ATTEMPTS": "2",
        "OMICS_MAGIC_REGIONS": ",".join(REGIONS),
        # The fake has no quota to respect; pacing at AWS's 5 TPS would only slow the demo.
        "OMICS_MAGIC_TPS": "50",
        _demo_env_name(): _ACCESS_KEY,
    }


def offline_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: ``os.environ``) without any ``AWS_*`` variable, plus fake keys.

    For a child process (a kernel, a subprocess) that must not find real
    credentials: no profile, key, token, config file or instance metadata.
    Every AWS endpoint is a closed port on this machine, so a call made
    outside demo mode fails at once instead of leaving it.

    Examples
    --------
    >>> env = offline_environment({"AWS_PROFILE": "prod", "HOME": "/home/me"})
    >>> "AWS_PROFILE" in env, env["HOME"]
    (False, '/home/me')
    """
    env = {
        k: v for k, v in (os.environ if base is None else base).items() if not k.startswith("AWS_")
    }
    env.update(
        AWS_ACCESS_KEY_ID=_ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY=_SECRET_KEY,
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=_NOWHERE,
        AWS_SHARED_CREDENTIALS_FILE=_NOWHERE,
        AWS_EC2_METADATA_DISABLED="true",
        AWS_ENDPOINT_URL=_NO_ENDPOINT,
    )
    return env


def check_demo_credentials(session: boto3.Session | None, profile: str | None) -> None:
    """In demo mode, refuse a profile or a session that could use real credentials.

    Called by :func:`omics_magic.aws.resolve_session`. A session is accepted
    if its credentials are the demo's fake keys; one made with a profile or
    holding other keys is refused without resolving its credentials (which
    could mean an SSO or STS call).

    Raises
    ------
    CredentialsError
        Demo mode is on and ``profile`` is given, or ``session`` is not the demo's.
    """
    key = os.environ.get(_demo_env_name())
    if not key:
        return
    if profile:
        raise CredentialsError(
            f"demo mode is on, so profile {profile!r} is not used (no real credentials in "
            f"demo mode); leave demo mode first: {LEAVE_HINT}"
        )
    if session is None:
        return
    from botocore.credentials import Credentials

    core = getattr(session, "_session", None)
    credentials = getattr(core, "_credentials", None)
    if credentials is None and core is not None and not core.instance_variables().get("profile"):
        # The default chain: in demo mode the environment holds only the fake keys.
        credentials = session.get_credentials()
    # type() and not isinstance(): reading a refreshable credential's key may refresh it.
    if type(credentials) is Credentials and credentials.access_key == key:
        return
    raise CredentialsError(
        "demo mode is on, so this session is not used: its credentials are not the demo's "
        f"fake ones; pass no session, or leave demo mode first: {LEAVE_HINT}"
    )


def _demo_env_name() -> str:
    from .aws import DEMO_ENV

    return DEMO_ENV


def replace_environment(values: Mapping[str, str]) -> dict[str, str | None]:
    """Remove every ``AWS_*`` variable, set ``values``; return what to restore."""
    names = {n for n in os.environ if n.startswith("AWS_")} | set(values)
    saved = {name: os.environ.get(name) for name in names}
    for name in names:
        os.environ.pop(name, None)
    os.environ.update(values)
    return saved


def restore_environment(saved: Mapping[str, str | None]) -> None:
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
