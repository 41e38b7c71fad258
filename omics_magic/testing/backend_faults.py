"""Faults, set by tests: latency, errors, disabled regions, expired credentials, denied
roles and quotas (the plan itself is :class:`~omics_magic.testing.faults.Faults`)."""

from __future__ import annotations

from collections.abc import Mapping

from .state import BackendState

__all__ = ["FaultMethods"]


class FaultMethods(BackendState):
    """Arrange what goes wrong. ``account_id=None`` (the default) means every account."""

    def set_latency(
        self,
        seconds: float,
        *,
        region: str | None = None,
        operation: str | None = None,
        account_id: str | None = None,
    ) -> None:
        """Add ``seconds`` of delay before answering matching requests."""
        self.faults.set_latency(seconds, region, operation, account_id)

    def inject_error(
        self,
        code: str,
        *,
        region: str | None = None,
        operation: str | None = None,
        times: int | None = None,
        message: str | None = None,
        status: int | None = None,
        account_id: str | None = None,
        after: bool = False,
    ) -> None:
        """Answer matching requests with error ``code`` (every time, or the next ``times``).

        ``after=True`` answers it only once the operation has taken effect, as
        when AWS acts and the answer is lost (a 500, a dropped connection).
        """
        self.faults.inject_error(code, region, operation, times, message, status, account_id, after)

    def disable_region(self, region: str, *, account_id: str | None = None) -> None:
        """Answer every request in ``region`` with UnrecognizedClientException (403).

        With ``account_id``, only that account's requests: a region not enabled
        in one account of an organization.
        """
        self.faults.disable_region(region, account_id)

    def enable_region(self, region: str, *, account_id: str | None = None) -> None:
        """Undo :meth:`disable_region` (with the same ``account_id``)."""
        self.faults.enable_region(region, account_id)

    def set_quotas(
        self,
        rates: str | Mapping[str, float] | None = "aws",
        *,
        burst: float | None = None,
        account_id: str | None = None,
    ) -> None:
        """Throttle with token buckets per (account, region, operation); ``None`` turns off.

        Without ``account_id`` the plan applies to every account (replacing any
        account's own); with it, to that account only.
        """
        self.faults.set_quotas(rates, burst, account_id)

    def expire_credentials(
        self, access_key_id: str | None = None, *, account_id: str | None = None
    ) -> None:
        """Answer requests signed with ``access_key_id`` (or any key of ``account_id``)
        with ExpiredTokenException (403), in omics and in STS.

        Examples
        --------
        >>> from omics_magic.testing import OmicsBackend
        >>> backend = OmicsBackend()
        >>> backend.expire_credentials("ASIAEXPIREDKEY000001")
        >>> backend.faults.expired("ASIAEXPIREDKEY000001", "123456789012")
        True
        """
        self.faults.expire_credentials(access_key_id, account_id)

    def deny_assume_role(self, role_arn: str, *, message: str | None = None) -> None:
        """Answer STS AssumeRole of ``role_arn`` with AccessDenied (403).

        The fake's STS (:class:`~omics_magic.testing.OmicsServer`, or
        ``mock_omics`` in front of ``moto.mock_aws``) refuses it, as AWS does when
        the role's trust policy doesn't name the caller.
        """
        self.faults.deny_assume_role(role_arn, message)

    def clear_faults(self) -> None:
        """Remove latency, injected errors, disabled regions, expiries, denials and quotas."""
        self.faults.clear()
