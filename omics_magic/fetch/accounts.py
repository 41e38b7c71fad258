"""Before the regions: every account's session checked and identified, all at once.

A fetch over several accounts first makes sure each session works (roles
are assumed here, SSO tokens loaded) and learns its account
(:func:`omics_magic.aws.accounts.account_of`). A session that fails becomes
one failure record for its whole account, and costs no other account
anything; an account reached twice (two profiles for one account) is
fetched once, and a note says so.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field

from ..aws.accounts import ALL_REGIONS, AccountSession, account_failure, account_of
from ..aws.clients import check_credentials
from ..failures import Failure
from ..workers import DaemonPool, wait_for

__all__ = ["ACCOUNTS_ATTR", "NOTES_ATTR", "Reached", "reach_accounts"]

#: The accounts a fetch over profiles or roles queried: ``{"account_id", "via"}`` each.
ACCOUNTS_ATTR = "omics_accounts"
#: What the reader should know that is not a failure (an account reached twice).
NOTES_ATTR = "omics_notes"

#: Sessions checked at once (each is one STS call, or none).
MAX_AT_ONCE = 32


@dataclass
class Reached:
    """The accounts a fetch can use, one session each, and those it can't.

    Attributes
    ----------
    sessions
        One per distinct account, in the order asked. ``account_id`` is set,
        except for a lone base session that didn't need identifying.
    failures
        One per session that could not be used (``region`` is ``"*"``).
    notes
        What the reader should know: an account reached twice, fetched once.
    """

    sessions: list[AccountSession]
    failures: list[Failure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def reach_accounts(
    sessions: list[AccountSession], *, identify: bool = False, deadline: float | None = None
) -> Reached:
    """Check every session and learn its account; drop an account's second session.

    A lone base session (no profiles or roles chosen) is checked as before:
    missing credentials raise :class:`~omics_magic.errors.CredentialsError`,
    and STS is asked for its account only if ``identify`` (an ``account_id``
    pushdown needs it). Every other session is checked at once, until
    ``deadline`` (a ``time.monotonic()`` time).

    Examples
    --------
    >>> from omics_magic.aws.accounts import AccountChoice, account_sessions
    >>> sessions = account_sessions(AccountChoice(profiles=["dev"]))  # doctest: +SKIP
    >>> reached = reach_accounts(sessions)  # doctest: +SKIP
    >>> [s.account_id for s in reached.sessions], reached.failures  # doctest: +SKIP
    (['111122223333'], [])
    """
    if len(sessions) == 1 and sessions[0].via is None:
        lone = sessions[0]
        check_credentials(lone.session)
        if not identify:
            return Reached([lone])
        try:
            return Reached([AccountSession(lone.session, None, account_of(lone))])
        except Exception as err:  # STS failed: the account is unknown, so nothing is fetched
            return Reached([], failures=[account_failure(lone, err)])
    reached = Reached([])
    first_via: dict[str, str | None] = {}
    for target, outcome in zip(sessions, _all_at_once(sessions, deadline), strict=True):
        if isinstance(outcome, Failure):
            reached.failures.append(outcome)
        elif outcome in first_via:
            first = first_via[outcome] or "the default credentials"
            reached.notes.append(
                f"account {outcome} is reached by both {first} and {target.via}: "
                f"fetched once, through {first}"
            )
        else:
            first_via[outcome] = target.via
            reached.sessions.append(AccountSession(target.session, target.via, outcome))
    return reached


def _all_at_once(sessions: list[AccountSession], deadline: float | None) -> list[str | Failure]:
    pool = DaemonPool(min(len(sessions), MAX_AT_ONCE), "account")
    futures: list[Future[str]] = []
    try:
        futures.extend(pool.submit(account_of, s) for s in sessions)
        wait_for(futures, deadline=deadline)
    finally:
        pool.shutdown()  # never waits: a stuck STS call ends on its own (daemon thread)
    outcomes: list[str | Failure] = []
    for target, future in zip(sessions, futures, strict=True):
        if not future.done():
            outcomes.append(
                Failure(
                    ALL_REGIONS,
                    "DeadlineExceeded",
                    "its credentials were not ready within the timeout",
                    "unavailable",
                    account_id=target.account_id,
                    via=target.via,
                )
            )
            continue
        try:
            outcomes.append(future.result())
        except Exception as err:
            outcomes.append(account_failure(target, err))
    return outcomes
