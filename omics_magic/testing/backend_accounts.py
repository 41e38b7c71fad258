"""Accounts, set up by tests: credentials per account and an AWS config file of profiles."""

from __future__ import annotations

import os
from collections.abc import Mapping

from .accounts import DEFAULT_ACCOUNT_ID, AccountCredentials, aws_config_text, write_private
from .state import BackendState

__all__ = ["AccountMethods"]


class AccountMethods(BackendState):
    """Several accounts in one backend, told apart by the access key of each request."""

    def add_account(
        self,
        account_id: str,
        *,
        access_key: str | None = None,
        secret_key: str | None = None,
        profile: str | None = None,
    ) -> AccountCredentials:
        """Set up an account; returns credentials whose requests act in it.

        Keys left out are derived from ``account_id`` (the same in every run);
        ``profile`` (default ``account-<id>``) names them in
        :meth:`write_aws_config`. Adding an account again returns the same
        credentials; with a new ``access_key`` it adds another key to it.

        Examples
        --------
        >>> import boto3
        >>> from omics_magic.testing import OmicsBackend, mock_omics
        >>> backend = OmicsBackend()
        >>> dev = backend.add_account("111122223333", profile="dev")
        >>> _ = backend.create_sequence_store("us-east-1", "dev-only", account_id="111122223333")
        >>> with mock_omics(backend):
        ...     client = dev.session("us-east-1").client("omics")
        ...     [s["name"] for s in client.list_sequence_stores()["sequenceStores"]]
        ['dev-only']
        """
        return self._accounts.add(account_id, access_key, secret_key, profile)

    def map_access_key(self, access_key_id: str, account_id: str) -> None:
        """Answer requests signed with ``access_key_id`` as account ``account_id``."""
        self._accounts.map(access_key_id, account_id)

    def credentials(self, account_id: str = DEFAULT_ACCOUNT_ID) -> AccountCredentials:
        """The credentials of an account (the default account always has some)."""
        return self._accounts.credentials(account_id)

    def accounts(self) -> list[AccountCredentials]:
        """Every account's credentials, the default account's (profile ``default``) first."""
        return self._accounts.all()

    def write_aws_config(
        self,
        path: str | os.PathLike[str],
        *,
        region: str | None = "us-east-1",
        roles: Mapping[str, str] | None = None,
        role_duration_seconds: int | None = None,
    ) -> list[str]:
        """Write an AWS config file with one profile per account; returns the profile names.

        Each account's profile holds its keys (the default account's is
        ``[default]``). Each of ``roles`` (profile name -> role ARN) becomes a
        profile that assumes the role from ``default``, through STS (moto's, see
        :class:`~omics_magic.testing.OmicsServer`). The file is private (0600).
        Point ``AWS_CONFIG_FILE`` at it, then ``boto3.Session(profile_name=...)``.

        ``role_duration_seconds=900`` (STS's minimum) issues role credentials
        that are already inside botocore's 15-minute refresh window, so botocore
        assumes the role again before each request: credential refresh during a
        long fetch shows in the request log as new ``access_key_id`` values of
        the same account.

        Examples
        --------
        >>> import boto3, os, tempfile
        >>> from omics_magic.testing import OmicsBackend
        >>> backend = OmicsBackend()
        >>> _ = backend.add_account("111122223333", profile="dev")
        >>> path = os.path.join(tempfile.mkdtemp(), "config")
        >>> backend.write_aws_config(path, roles={"prod": "arn:aws:iam::444455556666:role/r"})
        ['default', 'dev', 'prod']
        >>> os.environ["AWS_CONFIG_FILE"] = path  # doctest: +SKIP
        >>> boto3.Session(profile_name="dev")  # doctest: +SKIP
        """
        text = aws_config_text(
            self._accounts.all(), region, dict(roles or {}), role_duration_seconds
        )
        write_private(path, text)
        return [a.profile for a in self._accounts.all()] + list(roles or {})
