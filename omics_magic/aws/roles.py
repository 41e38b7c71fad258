"""Sessions that assume an IAM role, renewing their credentials by themselves.

A role's session is botocore's own machinery, not ours: an
``AssumeRoleCredentialFetcher`` (STS AssumeRole from the base session's
credentials) behind ``DeferredRefreshableCredentials``, the pair botocore
itself uses for a ``role_arn`` profile. The role is assumed on first use, and
botocore assumes it again before the credentials expire (15 minutes ahead),
however long the fetch; no refresh logic of ours is involved.

Sessions are made once per (base session, role, external ID, session name,
duration) and reused, so that their clients and connection pools are too.
"""

from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING, Any

from ..internals import botocore_session, give_credentials
from .loader import share_data_loader

if TYPE_CHECKING:
    import boto3

__all__ = ["DEFAULT_SESSION_NAME", "role_session"]

#: The RoleSessionName unless one is given: what CloudTrail shows for our calls.
DEFAULT_SESSION_NAME = "omics-magic"

_lock = threading.Lock()
_made: weakref.WeakKeyDictionary[Any, dict[tuple[object, ...], boto3.Session]] = (
    weakref.WeakKeyDictionary()
)


def role_session(
    base: boto3.Session,
    role_arn: str,
    *,
    external_id: str | None = None,
    session_name: str | None = None,
    duration_seconds: int | None = None,
) -> boto3.Session:
    """A session acting as ``role_arn``, assumed from ``base``'s credentials.

    No AWS call is made here: STS AssumeRole runs when the credentials are
    first needed, and again whenever they are about to expire.

    Examples
    --------
    >>> import boto3
    >>> base = boto3.Session(aws_access_key_id="AKIAEXAMPLE", aws_secret_access_key="x",
    ...                      region_name="us-east-1")
    >>> role = role_session(base, "arn:aws:iam::111122223333:role/omics-reader")
    >>> role.region_name
    'us-east-1'
    >>> role.client("omics").list_sequence_stores()  # doctest: +SKIP
    """
    key = (role_arn, external_id, session_name, duration_seconds)
    with _lock:
        cached = _made.setdefault(base, {}).get(key)
        if cached is not None:
            return cached
        made = _assuming(base, role_arn, external_id, session_name, duration_seconds)
        _made[base][key] = made
        return made


def _assuming(
    base: boto3.Session,
    role_arn: str,
    external_id: str | None,
    session_name: str | None,
    duration_seconds: int | None,
) -> boto3.Session:
    import boto3
    import botocore.session
    from botocore.credentials import AssumeRoleCredentialFetcher, DeferredRefreshableCredentials

    source = botocore_session(base)  # the base's credential chain and config
    extra: dict[str, Any] = {"RoleSessionName": session_name or DEFAULT_SESSION_NAME}
    if external_id is not None:
        extra["ExternalId"] = external_id
    if duration_seconds is not None:
        extra["DurationSeconds"] = duration_seconds
    fetcher = AssumeRoleCredentialFetcher(
        client_creator=source.create_client,
        source_credentials=_SourceCredentials(source),
        role_arn=role_arn,
        extra_args=extra,
    )
    credentials = DeferredRefreshableCredentials(
        refresh_using=fetcher.fetch_credentials, method="assume-role"
    )
    # Same profile as the base (for its region, endpoints and retry settings), the role's keys.
    core = botocore.session.Session(profile=source.profile)
    share_data_loader(core)
    region = base.region_name
    if region:
        core.set_config_variable("region", region)
    give_credentials(core, credentials)
    return boto3.Session(botocore_session=core)


class _SourceCredentials:
    """The base session's credentials, looked up when the role is assumed, not now.

    Looking them up here would load an SSO token or assume the base's own role
    before any call; ``get_frozen_credentials`` is all the fetcher asks of them.
    """

    def __init__(self, source: Any) -> None:
        self._source = source

    def get_frozen_credentials(self) -> Any:
        from botocore.exceptions import NoCredentialsError

        credentials = self._source.get_credentials()
        if credentials is None:
            raise NoCredentialsError()
        return credentials.get_frozen_credentials()
