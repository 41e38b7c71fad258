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

import threading
from typing import TYPE_CHECKING

from ..aws.guard import LEAVE_HINT, check_demo_credentials
from .environment import (
    demo_environment,
    demo_profiles_file,
    offline_environment,
    replace_environment,
    restore_environment,
    write_demo_profiles,
)
from .inventory import (
    DEMO_ACCOUNT_ID,
    DEMO_REGIONS,
    DEMO_STORE_ID,
    LAB_ACCOUNT_ID,
    NOT_ENABLED_REGION,
    REGIONS,
    SCRATCH_STORE_ID,
    THROTTLED_REGION,
    seed_demo,
)

if TYPE_CHECKING:
    from ..testing import OmicsBackend, OmicsServer

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
            profiles = demo_profiles_file()
            restore_environment(self._saved_env)
            self.server.stop()
            if profiles is not None:
                profiles.unlink(missing_ok=True)
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
    from ..testing import OmicsBackend, OmicsServer

    with _lock:
        if _active is not None:
            running = _active
        else:
            server = OmicsServer(OmicsBackend(random_seed=0)).start()
            environment = demo_environment(server.env())
            profiles = write_demo_profiles(server.backend, environment)
            saved = replace_environment(environment)
            try:
                # After the environment is replaced: a broken AWS_PROFILE can't get in the way.
                seed_demo(server.backend)
            except BaseException:
                restore_environment(saved)
                server.stop()
                profiles.unlink(missing_ok=True)
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
        f"Two fake accounts: --profile demo ({DEMO_ACCOUNT_ID}) and --profile demo-lab "
        f"({LAB_ACCOUNT_ID}); repeat --profile to query both at once.",
        f"Try the store with ID {DEMO_STORE_ID}. Leave demo mode with {LEAVE_HINT}.",
    ]
    return "\n".join(lines)


def _clear_aws_cache() -> None:
    from ..aws.clients import clear_cache

    clear_cache()
