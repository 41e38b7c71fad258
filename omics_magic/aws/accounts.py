"""Which AWS accounts a fetch reaches: profiles and assumed roles, as sessions.

:class:`AccountChoice` says which accounts to query (``profiles``,
``role_arns``, and how the roles are assumed); it is validated when made, and
:func:`account_sessions` checks the profiles exist, both before any AWS call.
Each role is assumed from the base session (``session=``, the single
``profile``, or the default chain) through botocore's own refreshable
credentials (:mod:`.roles`), so that a long fetch renews them by itself.

:func:`account_of` makes sure a session works and tells its account (from the
role ARN, else STS GetCallerIdentity, cached per access key);
:func:`account_failure` turns a session that can't be used into one
:class:`~omics_magic.failures.Failure` for all its regions
(:mod:`omics_magic.fetch.accounts` does this for every session at once).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import InputError
from ..failures import Failure
from .clients import check_credentials, classify_error, resolve_session
from .roles import role_session

if TYPE_CHECKING:
    import boto3

__all__ = [
    "ALL_REGIONS",
    "AccountChoice",
    "AccountSession",
    "account_failure",
    "account_of",
    "account_of_arn",
    "account_sessions",
    "check_account_ids",
    "single_profile",
]

#: The ``region`` of a failure that costs an account every region (it could not be reached).
ALL_REGIONS = "*"

_ROLE_ARN = re.compile(r"arn:aws(?:-[a-z]+)*:iam::([0-9]{12}):role/[\w+=,.@/-]{1,512}")
_EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]{2,1224}")
_SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}")
_ANY_ARN = re.compile(r"arn:[^:]*:[^:]*:[^:]*:([0-9]{12}):")
_MIN_DURATION, _MAX_DURATION = 900, 43200


def _names(value: object, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Iterable):
        raise InputError(f"{what} must be a list of strings; got {value!r}")
    names = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise InputError(f"{what} must be a list of non-empty strings; got {item!r}")
        names.append(item.strip())
    return tuple(dict.fromkeys(names))


@dataclass(frozen=True)
class AccountChoice:
    """Which accounts to query: profiles, roles to assume, and how to assume them.

    With neither ``profiles`` nor ``role_arns``, the one base session is used,
    as before accounts existed. Otherwise the profiles' and the roles'
    accounts are queried (the base session only assumes the roles).

    Attributes
    ----------
    profiles
        AWS profile names (from ``~/.aws/config`` or ``~/.aws/credentials``).
    role_arns
        IAM role ARNs, ``arn:aws:iam::<12 digits>:role/<name>``, each assumed
        from the base session.
    role_external_id
        The ``ExternalId`` the roles' trust policy asks for, if any.
    role_session_name
        The ``RoleSessionName`` (shown in CloudTrail); default ``omics-magic``.
    duration_seconds
        How long assumed credentials last (900 to 43200; None: the role's
        default). botocore renews them before they expire.

    Raises
    ------
    InputError
        A malformed role ARN, external ID or session name, before any AWS call.

    Examples
    --------
    >>> AccountChoice(role_arns=["arn:aws:iam::111122223333:role/omics-reader"]).role_arns
    ('arn:aws:iam::111122223333:role/omics-reader',)
    >>> AccountChoice(role_arns=["omics-reader"])
    Traceback (most recent call last):
      ...
    omics_magic.errors.InputError: role ARN 'omics-reader' is malformed; write it as arn:aws:iam::<12-digit account>:role/<name>
    """  # noqa: E501

    profiles: tuple[str, ...] = ()
    role_arns: tuple[str, ...] = ()
    role_external_id: str | None = None
    role_session_name: str | None = None
    duration_seconds: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "profiles", _names(self.profiles, "profiles"))
        arns = _names(self.role_arns, "role_arns")
        for arn in arns:
            if not _ROLE_ARN.fullmatch(arn):
                raise InputError(
                    f"role ARN {arn!r} is malformed; write it as "
                    "arn:aws:iam::<12-digit account>:role/<name>"
                )
        object.__setattr__(self, "role_arns", arns)
        external = self.role_external_id
        if external is not None and not (
            isinstance(external, str) and _EXTERNAL_ID.fullmatch(external)
        ):
            raise InputError(
                f"role_external_id must be 2 to 1224 letters, digits or +=,.@:/-_; got {external!r}"
            )
        name = self.role_session_name
        if name is not None and not (isinstance(name, str) and _SESSION_NAME.fullmatch(name)):
            raise InputError(
                f"role_session_name must be 2 to 64 letters, digits or +=,.@-_; got {name!r}"
            )
        duration = self.duration_seconds
        if duration is not None and not (
            isinstance(duration, int)
            and not isinstance(duration, bool)
            and _MIN_DURATION <= duration <= _MAX_DURATION
        ):
            raise InputError(
                f"duration_seconds must be an integer from {_MIN_DURATION} to {_MAX_DURATION}; "
                f"got {duration!r}"
            )

    @classmethod
    def of(
        cls,
        profiles: Iterable[str] | None = None,
        role_arns: Iterable[str] | None = None,
        role_external_id: str | None = None,
        role_session_name: str | None = None,
    ) -> AccountChoice:
        """The choice from the public functions' arguments (any iterables, or None).

        Examples
        --------
        >>> AccountChoice.of(["dev", "prod"]).profiles
        ('dev', 'prod')
        """
        return cls(
            _names(profiles, "profiles"),
            _names(role_arns, "role_arns"),
            role_external_id,
            role_session_name,
        )

    @property
    def chosen(self) -> bool:
        """Whether any profile or role was named (else: the one base session)."""
        return bool(self.profiles or self.role_arns)


@dataclass(frozen=True)
class AccountSession:
    """A session that reaches one account, and how it was reached.

    Attributes
    ----------
    session
        The boto3 session (a role's renews its credentials by itself).
    via
        The profile name or role ARN that reached the account; None for the
        base session (``session=``, or the default chain).
    account_id
        The 12-digit account, once known (a role's, from its ARN).
    """

    session: boto3.Session = field(compare=False)
    via: str | None
    account_id: str | None = None


def single_profile(profiles: Iterable[str] | None, role_arns: Iterable[str] | None) -> str | None:
    """The one profile of a front end's repeatable ``--profile``, if that is all it chose.

    One profile and no role is the single ``profile`` setting as it always was
    (no STS call); anything more is an :class:`AccountChoice`.

    Examples
    --------
    >>> single_profile(["dev"], None), single_profile(["dev", "prod"], None)
    ('dev', None)
    """
    chosen = list(profiles or [])
    return chosen[0] if len(chosen) == 1 and not list(role_arns or []) else None


def account_of_arn(arn: object) -> str | None:
    """The account in an ARN (``arn:aws:omics:us-east-1:111122223333:...``), else None.

    Examples
    --------
    >>> account_of_arn("arn:aws:omics:us-east-1:111122223333:sequenceStore/1234567890")
    '111122223333'
    >>> account_of_arn("arn:aws:iam::444455556666:role/r")
    '444455556666'
    """
    if not isinstance(arn, str):
        return None
    found = _ANY_ARN.match(arn)
    return found.group(1) if found else None


def check_account_ids(account_ids: Iterable[str]) -> frozenset[str]:
    """Validate account IDs (12 digits each), as an ``account_id`` pushdown gives them.

    Raises
    ------
    InputError
        If one is not 12 digits.

    Examples
    --------
    >>> sorted(check_account_ids(["111122223333"]))
    ['111122223333']
    """
    if isinstance(account_ids, str):
        account_ids = [account_ids]
    checked = set()
    for account in account_ids:
        if not (isinstance(account, str) and len(account) == 12 and account.isdigit()):
            raise InputError(f"an AWS account ID is 12 digits; got {account!r}")
        checked.add(account)
    return frozenset(checked)


def account_sessions(
    choice: AccountChoice | None = None,
    *,
    session: boto3.Session | None = None,
    profile: str | None = None,
) -> list[AccountSession]:
    """The sessions ``choice`` asks for, one per profile and role, in that order.

    Makes no AWS call: roles are assumed on first use (see :func:`reach_accounts`).

    Raises
    ------
    InputError
        A profile name that isn't in the AWS config or credentials files.

    Examples
    --------
    >>> account_sessions(AccountChoice(profiles=["dev", "prod"]))  # doctest: +SKIP
    [AccountSession(via='dev', account_id=None), AccountSession(via='prod', account_id=None)]
    """
    if choice is None or not choice.chosen:
        return [AccountSession(resolve_session(session, profile), profile)]
    _check_profiles(choice.profiles)
    made = [AccountSession(resolve_session(profile=name), name) for name in choice.profiles]
    if choice.role_arns:
        base = resolve_session(session, profile)
        for arn in choice.role_arns:
            assumed = role_session(
                base,
                arn,
                external_id=choice.role_external_id,
                session_name=choice.role_session_name,
                duration_seconds=choice.duration_seconds,
            )
            made.append(AccountSession(assumed, arn, account_of_arn(arn)))
    return made


def _check_profiles(profiles: Iterable[str]) -> None:
    if not profiles:
        return
    import botocore.session

    known = botocore.session.Session().available_profiles
    for name in profiles:
        if name not in known:
            listed = ", ".join(sorted(known)) or "none"
            raise InputError(
                f"unknown AWS profile {name!r} (known: {listed}); "
                f"create it with `aws configure --profile {name}`"
            )


_identities_lock = threading.Lock()
_identities: dict[str, str] = {}  # access key ID -> account


def account_of(target: AccountSession) -> str:
    """The account ``target`` reaches: checks its credentials (assuming a role,
    loading an SSO token), then the role ARN's account, else STS GetCallerIdentity
    (asked once per access key).

    Raises
    ------
    CredentialsError, botocore.exceptions.ClientError
        If the session can't be used; :func:`account_failure` turns it into a record.
    """
    access_key = check_credentials(target.session)
    if target.account_id is not None:
        return target.account_id
    with _identities_lock:
        known = _identities.get(access_key)
    if known is not None:
        return known
    session = target.session
    client = session.client("sts", region_name=session.region_name or "us-east-1")
    account = str(client.get_caller_identity()["Account"])
    with _identities_lock:
        _identities[access_key] = account
    return account


def account_failure(target: AccountSession, err: Exception) -> Failure:
    """The record of a session that could not be used: all of its account is missing.

    Raises
    ------
    Exception
        ``err`` itself, if it is not an AWS or credentials error (a bug).
    """
    from botocore.exceptions import BotoCoreError, ClientError

    from ..errors import CredentialsError

    if isinstance(err, CredentialsError):
        code = type(err.__context__).__name__ if err.__context__ is not None else "NoCredentials"
        code, message, kind = code, str(err), "denied"
    elif isinstance(err, (BotoCoreError, ClientError)):
        kind, code, message = classify_error(err)
        if kind == "not_enabled":  # STS's answer to unknown keys: the account, not a region
            kind = "denied"
    else:
        raise err
    return Failure(ALL_REGIONS, code, message, kind, account_id=target.account_id, via=target.via)
