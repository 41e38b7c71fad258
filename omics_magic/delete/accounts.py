"""A delete across accounts: each store looked up and deleted in its own account.

Each target carries its account (the row's ``account_id`` or ARN); its calls go
through that account's session (:mod:`omics_magic.fetch.owners`), never
another's. A target whose account no session reaches is reported, with the
reason, and never deleted: in another account the same ID is another store,
or none.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..fetch.owners import Owners
from .calls import Calls, Target

if TYPE_CHECKING:
    import boto3

__all__ = ["AccountCalls"]


class AccountCalls:
    """:class:`~omics_magic.delete.calls.Calls` per account, with the same two methods."""

    def __init__(
        self, owners: Owners, targets: Sequence[Target], timeout: float | None = None
    ) -> None:
        self._owners = owners
        self._calls: dict[str, Calls] = {}
        regions: dict[str, list[str]] = {}
        for target in targets:
            if target.account in owners.sessions:
                regions.setdefault(target.account, []).append(target.region)
        for account, account_regions in regions.items():
            session = owners.sessions[account]
            self._calls[account] = Calls(
                session.session, account_regions, timeout, account_id=account
            )

    def look_up(self, targets: list[Target]) -> list[Target]:
        """GetSequenceStore for each target in its own account; the unreached are refused."""
        for target in targets:
            if target.account not in self._calls:
                target.unreached(self._why(target.account))
        self._each(targets, lambda calls, mine: calls.look_up(mine))
        return targets

    def delete(self, targets: list[Target]) -> None:
        """DeleteSequenceStore for each target through its own account's session."""
        self._each(targets, lambda calls, mine: calls.delete(mine))

    def _each(self, targets: list[Target], run: Callable[[Calls, list[Target]], object]) -> None:
        # Accounts one after another (each runs its regions in parallel): a bulk
        # delete is paced at 1 TPS per account and region anyway.
        by_account: dict[str, list[Target]] = {}
        for target in targets:
            if target.account in self._calls:
                by_account.setdefault(target.account, []).append(target)
        for account, mine in by_account.items():
            run(self._calls[account], mine)

    def _why(self, account: str | None) -> str:
        for failure in self._owners.failures:
            if failure.account_id == account and account is not None:
                return f"{failure.code}: {failure.message}"
        if account is None:
            return "the row has no account_id or arn to say which account it is in"
        return f"no profile or role given reaches account {account}"


def base_calls(
    session: boto3.Session | None, regions: Sequence[str], timeout: float | None = None
) -> Calls:
    """The one base session's calls, as before accounts existed."""
    from ..aws.clients import resolve_session

    return Calls(resolve_session(session), regions, timeout)
