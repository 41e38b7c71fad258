"""The demo-credentials guard: while demo mode is on, only the demo's fake keys are used.

Demo mode (:mod:`omics_magic.demo_mode`) sets :data:`DEMO_ENV` to its fake access key
ID; :func:`omics_magic.aws.clients.resolve_session` then calls
:func:`check_demo_credentials`, which refuses a profile or a session that could
reach real AWS. It lives with the AWS session code, not the demo, so that
production code never imports demo code.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ..errors import CredentialsError
from ..internals import botocore_session, explicit_credentials

if TYPE_CHECKING:
    import boto3

__all__ = [
    "DEMO_ENV",
    "DEMO_PROFILES_ENV",
    "LEAVE_HINT",
    "check_demo_credentials",
    "demo_mode_on",
]

#: Holds the demo's fake access key ID while demo mode is on.
DEMO_ENV = "OMICS_MAGIC_DEMO"
#: The demo's own profiles (comma-separated), in its own config file: fake keys only.
DEMO_PROFILES_ENV = "OMICS_MAGIC_DEMO_PROFILES"
LEAVE_HINT = "%omics --end-demo, or omics_magic.end_demo()"


def demo_mode_on() -> bool:
    """Whether demo mode is on in this process (its variable is set)."""
    return bool(os.environ.get(DEMO_ENV))


def check_demo_credentials(session: boto3.Session | None, profile: str | None) -> None:
    """In demo mode, refuse a profile or a session that could use real credentials.

    Called by :func:`omics_magic.aws.clients.resolve_session`. A session is accepted
    if its credentials are the demo's fake keys; one made with a profile or
    holding other keys is refused without resolving its credentials (which
    could mean an SSO or STS call).

    The demo's own profiles (``demo``, ``demo-lab``: fake keys in the demo's
    own config file) are accepted.

    Raises
    ------
    CredentialsError
        Demo mode is on and ``profile`` is not the demo's, or ``session`` is not the demo's.
    """
    key = os.environ.get(DEMO_ENV)
    if not key:
        return
    if profile and profile not in os.environ.get(DEMO_PROFILES_ENV, "").split(","):
        raise CredentialsError(
            f"demo mode is on, so profile {profile!r} is not used (no real credentials in "
            f"demo mode); leave demo mode first: {LEAVE_HINT}"
        )
    if session is None:
        return
    from botocore.credentials import Credentials

    credentials = explicit_credentials(session)
    if credentials is None and not botocore_session(session).instance_variables().get("profile"):
        # The default chain: in demo mode the environment holds only the fake keys.
        credentials = session.get_credentials()
    # type() and not isinstance(): reading a refreshable credential's key may refresh it.
    if (
        credentials is not None
        and type(credentials) is Credentials
        and credentials.access_key == key
    ):
        return
    raise CredentialsError(
        "demo mode is on, so this session is not used: its credentials are not the demo's "
        f"fake ones; pass no session, or leave demo mode first: {LEAVE_HINT}"
    )
