"""Demo mode: the embedded fake of AWS HealthOmics, seeded, for the rest of the process.

:func:`demo` starts :class:`~omics_magic.testing.OmicsServer` on 127.0.0.1,
seeds it with a fixed inventory (:func:`seed_demo`) and points this process's
AWS configuration at it, so that every omics client made afterwards (the
magic, the CLI, the fetch functions, the accessor, delete) talks to the fake
with fake credentials. :func:`end_demo` stops the server and restores the
environment exactly as it was.

While demo mode is on, no real credential can be used:

- every ``AWS_*`` variable is removed for the duration (profiles, keys,
  tokens, role and container settings, config file paths), and replaced by
  fake keys and config files that don't exist;
- the engine's cached sessions and clients are dropped on the way in and out,
  since a cached client keeps the endpoint it was made with;
- ``profile=`` / ``--profile``, and a ``session=`` whose credentials are not
  the demo's, are refused with one line (:func:`check_demo_credentials`).

The inventory is deterministic: :data:`DEMO_STORE_ID` is always the same
store, so the docs and notebooks can name it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from .errors import CredentialsError

if TYPE_CHECKING:
    import boto3

    from .testing import OmicsBackend, OmicsServer

__all__ = [
    "DEMO_REGIONS",
    "DEMO_STORE_ID",
    "NOT_ENABLED_REGION",
    "REGIONS",
    "SCRATCH_STORE_ID",
    "THROTTLED_REGION",
    "Demo",
    "active_demo",
    "check_demo_credentials",
    "demo",
    "end_demo",
    "offline_environment",
    "seed_demo",
]

#: Regions holding the demo's stores.
DEMO_REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "eu-west-2")
#: A region the demo account has not enabled: every call there fails.
NOT_ENABLED_REGION = "ap-southeast-1"
#: A region that throttles every call, beyond the retries.
THROTTLED_REGION = "eu-central-1"
#: What ``$OMICS_MAGIC_REGIONS`` is in demo mode: queries without a region cover these.
REGIONS = (*DEMO_REGIONS, NOT_ENABLED_REGION, THROTTLED_REGION)
#: The store the docs query by ID (us-east-1).
DEMO_STORE_ID = "4839201756"
#: An empty store that the docs delete (eu-west-1).
SCRATCH_STORE_ID = "5550100001"
STORES_PER_REGION = 12

# Fake, and recognisably so: AKIA + 16 characters, like a real access key ID.
_ACCESS_KEY = "AKIAOMICSMAGICDEMO00"
_SECRET_KEY = "omics-magic-demo-FAKE-secret-not-a-real-key"
_NOWHERE = os.devnull  # not a file, so botocore reads no config from it
_NO_ENDPOINT = "http://127.0.0.1:9"  # the discard port: nothing listens there
_LEAVE = "%omics --end-demo, or omics_magic.end_demo()"

_lock = threading.Lock()
_active: Demo | None = None


class Demo:
    """The running demo: its server, backend and the environment it replaced.

    Returned by :func:`demo`. ``stop()`` (or :func:`end_demo`) leaves demo mode.

    Attributes
    ----------
    server : OmicsServer
        The fake service on 127.0.0.1.
    backend : OmicsBackend
        Its state: change it to try other scenarios.
    regions : tuple of str
        The regions queries cover by default.
    store_id : str
        :data:`DEMO_STORE_ID`.
    """

    def __init__(self, server: OmicsServer, saved_env: dict[str, str | None]) -> None:
        self.server = server
        self.backend: OmicsBackend = server.backend
        self.regions = REGIONS
        self.store_id = DEMO_STORE_ID
        self._saved_env = saved_env
        self.running = True

    @property
    def endpoint_url(self) -> str:
        """Where the fake listens (``http://127.0.0.1:<port>``)."""
        return self.server.endpoint_url

    def stop(self, *, quiet: bool = False) -> None:
        """Leave demo mode: stop the fake and restore the environment. Idempotent."""
        global _active
        with _lock:
            if not self.running:
                return
            self.running = False
            if _active is self:
                _active = None
            _restore(self._saved_env)
            self.server.stop()
            _clear_aws_cache()
        if not quiet:
            print(
                "omics_magic: demo mode is off; the fake AWS HealthOmics is stopped and "
                "your AWS settings are back."
            )

    def __enter__(self) -> Demo:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop(quiet=True)

    def __repr__(self) -> str:
        state = f"fake AWS HealthOmics at {self.endpoint_url}" if self.running else "stopped"
        return f"<omics_magic demo: {state}>"


def demo(*, quiet: bool = False) -> Demo:
    """Enter demo mode: query a seeded, embedded FAKE of AWS HealthOmics, offline.

    Until :func:`end_demo`, every omics call in this process goes to a fake
    server on 127.0.0.1 with fake credentials; yours are never used. A banner
    says so. Calling it again while on returns the running demo.

    Parameters
    ----------
    quiet
        Don't print the banner.

    Returns
    -------
    Demo
        The handle: ``.backend`` holds the fake's state, ``.stop()`` leaves.

    Examples
    --------
    >>> import omics_magic
    >>> handle = omics_magic.demo(quiet=True)
    >>> df = omics_magic.sequence_store(handle.store_id, "us-east-1")
    >>> df.loc[0, "name"]
    'wgs-cohort-042'
    >>> omics_magic.end_demo(quiet=True)
    True
    """
    global _active
    from .testing import OmicsBackend, OmicsServer

    with _lock:
        if _active is not None:
            running = _active
        else:
            server = OmicsServer(OmicsBackend(random_seed=0)).start()
            saved = _replace_env(demo_environment(server.env()))
            try:
                # After the environment is replaced: a broken AWS_PROFILE can't get in the way.
                seed_demo(server.backend)
            except BaseException:
                _restore(saved)
                server.stop()
                raise
            _clear_aws_cache()
            running = _active = Demo(server, saved)
    if not quiet:
        print(banner(running))
    return running


def end_demo(*, quiet: bool = False) -> bool:
    """Leave demo mode: stop the fake and restore the environment as it was.

    Returns
    -------
    bool
        True if demo mode was on.

    Examples
    --------
    >>> import omics_magic
    >>> omics_magic.end_demo()
    False
    """
    running = _active
    if running is None:
        return False
    running.stop(quiet=quiet)
    return True


def active_demo() -> Demo | None:
    """The running demo, or None."""
    return _active


def banner(running: Demo) -> str:
    """What :func:`demo` prints: the data is fake, and how to leave."""
    stores = sum(len(running.backend.stores(r)) for r in DEMO_REGIONS)
    lines = [
        "*** omics_magic DEMO MODE: the data is FAKE ***",
        f"Every omics query now goes to an embedded fake of AWS HealthOmics at "
        f"{running.endpoint_url}, with fake credentials; yours are not used.",
        f"Fake inventory: {stores} sequence stores in {', '.join(DEMO_REGIONS)}; "
        f"{NOT_ENABLED_REGION} is not enabled and {THROTTLED_REGION} is throttled, "
        "to show per-region errors.",
        f"Try the store with ID {DEMO_STORE_ID}. Leave demo mode with {_LEAVE}.",
    ]
    return "\n".join(lines)


def seed_demo(backend: OmicsBackend) -> dict[str, list[dict[str, Any]]]:
    """Fill ``backend`` with the demo inventory and its two failing regions.

    The featured store :data:`DEMO_STORE_ID` (us-east-1) and the empty
    :data:`SCRATCH_STORE_ID` (eu-west-1) have fixed fields; around them, a
    deterministic, realistic seed: tags, customer-managed KMS keys, fallback
    locations. :data:`NOT_ENABLED_REGION` answers UnrecognizedClientException
    and :data:`THROTTLED_REGION` ThrottlingException to every call.

    Returns
    -------
    dict
        Region -> its stores (API shape plus ``"tags"``), oldest first.
    """
    account = "123456789012"
    backend.create_sequence_store(
        "us-east-1",
        "wgs-cohort-042",
        store_id=DEMO_STORE_ID,
        description="Whole-genome sequencing reads, 30x, cohort 42",
        sse_config={
            "type": "KMS",
            "keyArn": f"arn:aws:kms:us-east-1:{account}:key/6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f",
        },
        fallback_location=f"s3://{account}-omics-fallback-us-east-1/wgs-cohort-042/",
        tags={"team": "genomics", "project": "atlas", "env": "prod", "cost-center": "CC-4242"},
        creation_time=datetime(2024, 3, 14, 9, 26, 53, 589000, tzinfo=timezone.utc),
    )
    backend.create_sequence_store(
        "eu-west-1",
        "scratch-tmp",
        store_id=SCRATCH_STORE_ID,
        description="Scratch store for the demo: empty, safe to delete",
        tags={"team": "platform", "env": "dev"},
        creation_time=datetime(2025, 5, 30, 16, 0, 0, tzinfo=timezone.utc),
    )
    backend.seed(DEMO_REGIONS, STORES_PER_REGION, random_seed=7)
    backend.seed(THROTTLED_REGION, 3, random_seed=7)  # there, but never seen
    backend.disable_region(NOT_ENABLED_REGION)
    backend.inject_error(
        "ThrottlingException", region=THROTTLED_REGION, message="Rate exceeded (demo)"
    )
    return {region: backend.stores(region) for region in DEMO_REGIONS}


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
            f"demo mode); leave demo mode first: {_LEAVE}"
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
        f"fake ones; pass no session, or leave demo mode first: {_LEAVE}"
    )


def _demo_env_name() -> str:
    from .aws import DEMO_ENV

    return DEMO_ENV


def _replace_env(values: Mapping[str, str]) -> dict[str, str | None]:
    """Remove every ``AWS_*`` variable, set ``values``; return what to restore."""
    names = {n for n in os.environ if n.startswith("AWS_")} | set(values)
    saved = {name: os.environ.get(name) for name in names}
    for name in names:
        os.environ.pop(name, None)
    os.environ.update(values)
    return saved


def _restore(saved: Mapping[str, str | None]) -> None:
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def _clear_aws_cache() -> None:
    from .aws import clear_cache

    clear_cache()
