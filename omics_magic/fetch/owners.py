"""Which account each row of a frame belongs to, and which session reaches it.

Refresh and delete act on a frame's rows, each through the session of its
own account: never through another account's (there, the store would look
gone, or a store with the same ID could be hit). A row's account is its
``account_id``, else the one in its ``arn``. The sessions come from the
profiles and roles given, else from those the frame was fetched with
(``df.attrs["omics_accounts"]``), else the base session; a row whose account
none of them reaches is reported, once per account, and left alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..aws.accounts import (
    ALL_REGIONS,
    AccountChoice,
    AccountSession,
    account_of_arn,
    account_sessions,
)
from ..failures import Failure
from .accounts import ACCOUNTS_ATTR, reach_accounts

if TYPE_CHECKING:
    import boto3
    import pandas as pd

__all__ = ["Owners", "row_accounts", "owners_of", "recorded_choice"]


def row_accounts(df: pd.DataFrame) -> list[str | None]:
    """The account of every row: its ``account_id``, else its ARN's; None if neither."""
    has = set(df.columns)
    ids = df["account_id"].tolist() if "account_id" in has else [None] * len(df)
    arns = df["arn"].tolist() if "arn" in has else [None] * len(df)
    return [
        account if isinstance(account, str) and account else account_of_arn(arn)
        for account, arn in zip(ids, arns, strict=True)
    ]


def recorded_choice(df: pd.DataFrame, choice: AccountChoice) -> AccountChoice:
    """``choice`` if it names accounts, else the profiles and roles ``df`` was fetched with."""
    if choice.chosen:
        return choice
    recorded = df.attrs.get(ACCOUNTS_ATTR) or []
    vias = [str(r["via"]) for r in recorded if isinstance(r, dict) and r.get("via")]
    if not vias:
        return choice
    return AccountChoice(
        profiles=tuple(v for v in vias if not v.startswith("arn:")),
        role_arns=tuple(v for v in vias if v.startswith("arn:")),
        role_external_id=choice.role_external_id,
        role_session_name=choice.role_session_name,
    )


@dataclass
class Owners:
    """The sessions of a frame's accounts, and the failures of those not reached.

    Attributes
    ----------
    per_account
        False when every row goes through the one base session, as before
        accounts existed (no profiles or roles, rows of at most one account).
    sessions
        Account -> its session (empty when not ``per_account``).
    failures
        A session that failed, or an account of the frame that nothing given reaches.
    unreached
        The frame's accounts that have no session.
    """

    per_account: bool
    sessions: dict[str, AccountSession] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    unreached: set[str] = field(default_factory=set)

    def session_of(self, account: str | None) -> AccountSession | None:
        """The session for a row of ``account`` (None: not reached, leave the row alone)."""
        if not self.per_account:
            return None
        return self.sessions.get(account or "")


def owners_of(
    accounts: Iterable[str | None],
    choice: AccountChoice,
    *,
    session: boto3.Session | None = None,
    deadline: float | None = None,
) -> Owners:
    """Reach the accounts ``accounts`` (one per row) belong to, with ``choice``'s sessions.

    No AWS call when nothing but the base session is asked and the rows are of
    one account at most.
    """
    accounts = list(accounts)
    wanted = {a for a in accounts if a}
    if not choice.chosen and len(wanted) <= 1:
        return Owners(per_account=False)
    reached = reach_accounts(
        account_sessions(choice, session=session), identify=True, deadline=deadline
    )
    owners = Owners(True, failures=list(reached.failures))
    for target in reached.sessions:
        if target.account_id is not None:
            owners.sessions[target.account_id] = target
    owners.unreached = wanted - set(owners.sessions)
    if any(a is None for a in accounts):
        owners.unreached.add("")
        owners.failures.append(
            Failure(
                ALL_REGIONS,
                "AccountUnknown",
                "rows without an account_id or arn can't be matched to an account; "
                "they are left as they were",
                "error",
            )
        )
    failed = {f.account_id for f in reached.failures} | {""}
    for account in sorted(owners.unreached - failed):
        owners.failures.append(
            Failure(
                ALL_REGIONS,
                "AccountNotReached",
                f"no profile or role given reaches account {account}; pass profiles= or "
                "role_arns= that do",
                "denied",
                account_id=account,
            )
        )
    return owners
