"""Accounts of the fake: their credentials, which access key belongs to which, and profiles.

Requests are mapped to accounts by the access key that signed them: keys
registered here first, then keys moto issued (its IAM users' keys and the
temporary keys of roles assumed through its STS, see
:mod:`~omics_magic.testing.moto_bridge`), and any other key acts in
:data:`DEFAULT_ACCOUNT_ID`, as before accounts existed.

Keys made here are derived from the account ID, so the same set-up gives the
same keys in every run.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .moto_bridge import moto_account_for

__all__ = ["DEFAULT_ACCOUNT_ID", "AccountCredentials", "Accounts"]

DEFAULT_ACCOUNT_ID = "123456789012"  # moto's default account, for unknown access keys
_ACCOUNT = re.compile(r"[0-9]{12}")
_PROFILE = re.compile(r"[A-Za-z0-9_.+@-]+")


@dataclass(frozen=True)
class AccountCredentials:
    """Fake long-term credentials of one account of the fake, and its profile name.

    Attributes
    ----------
    account_id
        The 12-digit account the keys act in.
    access_key_id, secret_access_key
        The keys (the secret is left out of ``repr``).
    profile
        The profile name :meth:`OmicsBackend.write_aws_config` gives them.

    Examples
    --------
    >>> from omics_magic.testing import OmicsBackend
    >>> dev = OmicsBackend().add_account("111122223333", profile="dev")
    >>> dev.account_id, dev.access_key_id.startswith("AKIA"), dev.profile
    ('111122223333', True, 'dev')
    """

    account_id: str
    access_key_id: str
    secret_access_key: str = field(repr=False)
    profile: str

    def env(self) -> dict[str, str]:
        """``AWS_ACCESS_KEY_ID`` and ``AWS_SECRET_ACCESS_KEY`` for a child process."""
        return {
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
        }

    def session(self, region_name: str | None = None) -> Any:
        """A ``boto3.Session`` signing with these keys.

        Examples
        --------
        >>> from omics_magic.testing import OmicsBackend
        >>> session = OmicsBackend().add_account("111122223333").session("eu-west-1")
        >>> session.region_name
        'eu-west-1'
        """
        import boto3

        return boto3.Session(
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
            region_name=region_name,
        )


def _derived_keys(account_id: str, n: int) -> tuple[str, str]:
    digest = hashlib.sha256(f"omics-magic-fake:{account_id}:{n}".encode()).digest()
    access_key = "AKIA" + base64.b32encode(digest[:10]).decode()[:16]
    secret = base64.b64encode(digest + digest[:9]).decode()[:40]
    return access_key, secret


class Accounts:
    """The accounts one backend knows, with their keys (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: dict[str, str] = {}  # access key ID -> account
        self._credentials: list[AccountCredentials] = []
        self.add(DEFAULT_ACCOUNT_ID, profile="default")

    def add(
        self,
        account_id: str,
        access_key: str | None = None,
        secret_key: str | None = None,
        profile: str | None = None,
    ) -> AccountCredentials:
        """Register an account (or another key of one); returns its credentials."""
        if not isinstance(account_id, str) or not _ACCOUNT.fullmatch(account_id):
            raise ValueError(f"account_id must be 12 digits, not {account_id!r}")
        if profile is not None and not _PROFILE.fullmatch(profile):
            raise ValueError(f"profile must be a plain name (letters, digits, -_.+@): {profile!r}")
        with self._lock:
            mine = [c for c in self._credentials if c.account_id == account_id]
            if mine and access_key is None and profile in (None, mine[0].profile):
                return mine[0]  # already set up: the same credentials again
            if access_key is None:
                access_key, derived_secret = _derived_keys(account_id, len(mine))
                secret_key = secret_key or derived_secret
            if secret_key is None:
                secret_key = _derived_keys(account_id, len(mine))[1]
            owner = self._keys.get(access_key)
            if owner is not None and owner != account_id:
                raise ValueError(f"access key {access_key} already belongs to account {owner}")
            if profile is None:
                profile = f"account-{account_id}" + (f"-{len(mine) + 1}" if mine else "")
            if any(c.profile == profile for c in self._credentials):
                raise ValueError(f"profile {profile!r} is taken; pick another name")
            made = AccountCredentials(account_id, access_key, secret_key, profile)
            self._keys[access_key] = account_id
            self._credentials.append(made)
            return made

    def map(self, access_key_id: str, account_id: str) -> None:
        """Answer requests signed with ``access_key_id`` as ``account_id`` (no profile)."""
        with self._lock:
            self._keys[access_key_id] = account_id

    def account_for(self, access_key_id: str | None) -> str:
        """The account of an access key: registered here, else moto's, else the default."""
        if not access_key_id:
            return DEFAULT_ACCOUNT_ID
        with self._lock:
            known = self._keys.get(access_key_id)
        return known or moto_account_for(access_key_id) or DEFAULT_ACCOUNT_ID

    def registered(self, access_key_id: str | None) -> str | None:
        """The account of a key registered here (not moto's, not the default), else None."""
        with self._lock:
            return self._keys.get(access_key_id or "")

    def credentials(self, account_id: str) -> AccountCredentials:
        """The first credentials of an account (KeyError if it was never added)."""
        with self._lock:
            for made in self._credentials:
                if made.account_id == account_id:
                    return made
        raise KeyError(f"no account {account_id}; add it with add_account({account_id!r})")

    def all(self) -> list[AccountCredentials]:
        """Every credential set, the default account's first."""
        with self._lock:
            return list(self._credentials)


def aws_config_text(
    credentials: list[AccountCredentials],
    region: str | None,
    roles: Mapping[str, str],
    role_duration_seconds: int | None = None,
) -> str:
    """An AWS config file: one profile per credential set, then one per role to assume."""
    if role_duration_seconds is not None and not 900 <= role_duration_seconds <= 43200:
        raise ValueError("role_duration_seconds must be 900 to 43200 (STS's limits)")
    sections: list[tuple[str, dict[str, str]]] = []
    for made in credentials:
        sections.append(
            (
                made.profile,
                {
                    "aws_access_key_id": made.access_key_id,
                    "aws_secret_access_key": made.secret_access_key,
                },
            )
        )
    for name, role_arn in roles.items():
        if not _PROFILE.fullmatch(name):
            raise ValueError(f"profile must be a plain name (letters, digits, -_.+@): {name!r}")
        role = {"role_arn": role_arn, "source_profile": "default"}
        if role_duration_seconds is not None:
            role["duration_seconds"] = str(role_duration_seconds)
        sections.append((name, role))
    names = [name for name, _ in sections]
    if len(set(names)) != len(names):
        raise ValueError(f"profile names must be unique: {names}")
    lines: list[str] = []
    for name, values in sections:
        lines.append("[default]" if name == "default" else f"[profile {name}]")
        if region is not None:
            values = {**values, "region": region}
        lines.extend(f"{key} = {value}" for key, value in values.items())
        lines.append("")
    return "\n".join(lines)


def write_private(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path``, readable by its owner only (it holds keys, if fake ones)."""
    fd = os.open(os.fspath(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
