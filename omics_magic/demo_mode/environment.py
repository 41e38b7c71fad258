"""Demo mode's environment: what it sets, and what a child process gets.

While demo mode is on, every ``AWS_*`` variable is replaced (:func:`demo_environment`);
the guard that refuses real credentials meanwhile is :mod:`omics_magic.aws.guard`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ..aws.guard import DEMO_ENV, DEMO_PROFILES_ENV, LEAVE_HINT
from .inventory import DEMO_ACCOUNT_ID, DEMO_PROFILES, LAB_ACCOUNT_ID, REGIONS

if TYPE_CHECKING:
    from ..testing import OmicsBackend

__all__ = [
    "LEAVE_HINT",
    "demo_environment",
    "demo_profiles_file",
    "offline_environment",
    "replace_environment",
    "restore_environment",
    "write_demo_profiles",
]

# Fake, and recognisably so: AKIA + 16 characters, like a real access key ID.
_ACCESS_KEY = "AKIAOMICSMAGICDEMO00"
_SECRET_KEY = "omics-magic-demo-FAKE-secret-not-a-real-key"
_NOWHERE = os.devnull  # not a file, so botocore reads no config from it
_NO_ENDPOINT = "http://127.0.0.1:9"  # the discard port: nothing listens there


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
        DEMO_ENV: _ACCESS_KEY,
    }


_PROFILES_PREFIX = "omics-magic-demo-"


def write_demo_profiles(backend: OmicsBackend, environment: dict[str, str]) -> Path:
    """An AWS config file with the demo's profiles, one per fake account; into ``environment``.

    ``demo`` holds the demo's own fake keys, ``demo-lab`` the lab account's;
    the guard accepts these two names only (:mod:`omics_magic.aws.guard`).
    """
    import tempfile

    backend.add_account(
        DEMO_ACCOUNT_ID,
        access_key=environment["AWS_ACCESS_KEY_ID"],
        secret_key=environment["AWS_SECRET_ACCESS_KEY"],
        profile="demo",
    )
    backend.add_account(LAB_ACCOUNT_ID, profile="demo-lab")
    fd, name = tempfile.mkstemp(prefix=_PROFILES_PREFIX, suffix=".ini")
    os.close(fd)
    backend.write_aws_config(name)
    environment["AWS_CONFIG_FILE"] = name
    environment[DEMO_PROFILES_ENV] = ",".join(DEMO_PROFILES)
    return Path(name)


def demo_profiles_file() -> Path | None:
    """The demo's profiles file, while demo mode is on (None otherwise)."""
    name = os.environ.get("AWS_CONFIG_FILE")
    if name and Path(name).name.startswith(_PROFILES_PREFIX):
        return Path(name)
    return None


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
