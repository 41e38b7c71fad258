"""Fault injection: added latency, error answers, disabled regions, expired credentials,
denied roles and quotas.

Every setting applies per account, region and operation; ``None`` means "all".
When several latency settings match a request, the most specific one wins:
an account's own settings before those for every account, and within each,
region and operation, then operation, then region, then neither. Injected
errors are checked in the order they were added; the first match fires.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .exceptions import ERROR_STATUS, OmicsServiceError
from .quotas import AWS_QUOTAS, Quotas, TokenBucket

__all__ = ["AWS_QUOTAS", "Faults", "TokenBucket"]


@dataclass
class _ErrorRule:
    code: str
    region: str | None
    operation: str | None
    remaining: int | None
    message: str | None
    status: int | None
    account_id: str | None = None
    after: bool = False  # answer the error once the operation took effect

    def matches(self, account_id: str, region: str, operation: str, after: bool = False) -> bool:
        return (
            self.after == after
            and self.account_id in (None, account_id)
            and self.region in (None, region)
            and self.operation in (None, operation)
        )


def _check_scope(region: str | None, operation: str | None, account_id: str | None = None) -> None:
    # A typo here would make a fault silently never fire; say so at once instead.
    if operation is not None and operation not in AWS_QUOTAS:
        raise ValueError(f"unknown operation {operation!r}; use one of: {', '.join(AWS_QUOTAS)}")
    if region is not None:
        from ..regions import omics_regions

        if region not in omics_regions():
            raise ValueError(
                f"{region!r} is not an omics region; use one of: {', '.join(omics_regions())}"
            )
    if account_id is not None and not (len(account_id) == 12 and account_id.isdigit()):
        raise ValueError(f"account_id must be 12 digits, not {account_id!r}")


class Faults:
    """The fault plan of one backend. All methods are thread-safe.

    A request meets its faults in this order: latency, then expired
    credentials, then a disabled region, then injected errors, then the quota.

    Examples
    --------
    >>> faults = Faults()
    >>> faults.set_latency(0.5, "eu-west-1", None)
    >>> faults.set_latency(2.0, None, "ListReadSets", account_id="111122223333")
    >>> faults.latency("eu-west-1", "ListReadSets"), faults.latency(
    ...     "eu-west-1", "ListReadSets", account_id="111122223333"
    ... )
    (0.5, 2.0)
    >>> faults.inject_error("AccessDeniedException", None, "ListReadSets", 1, None, None)
    >>> faults.check("123456789012", "eu-west-1", "ListReadSets")
    Traceback (most recent call last):
    ...
    omics_magic.testing.exceptions.OmicsServiceError: AccessDeniedException (403): ...
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        """Remove every fault: latency, errors, disabled regions, expiries, denials, quotas."""
        with self._lock:
            self._latency: dict[tuple[str | None, str | None, str | None], float] = {}
            self._errors: list[_ErrorRule] = []
            self._disabled: set[tuple[str | None, str]] = set()
            self._expired_keys: set[str] = set()
            self._expired_accounts: set[str] = set()
            self._denied_roles: dict[str, str | None] = {}
            self._quotas = Quotas(self._clock)

    def set_latency(
        self,
        seconds: float,
        region: str | None,
        operation: str | None,
        account_id: str | None = None,
    ) -> None:
        if seconds < 0:
            raise ValueError("latency must be >= 0 seconds")
        _check_scope(region, operation, account_id)
        with self._lock:
            self._latency[(account_id, region, operation)] = float(seconds)

    def latency(self, region: str, operation: str, account_id: str | None = None) -> float:
        """The delay before answering a request (the most specific setting that matches)."""
        with self._lock:
            for account in (account_id, None) if account_id is not None else (None,):
                for where, what in ((region, operation), (None, operation), (region, None)):
                    if (account, where, what) in self._latency:
                        return self._latency[(account, where, what)]
                if (account, None, None) in self._latency:
                    return self._latency[(account, None, None)]
        return 0.0

    def inject_error(
        self,
        code: str,
        region: str | None,
        operation: str | None,
        times: int | None,
        message: str | None,
        status: int | None,
        account_id: str | None = None,
        after: bool = False,
    ) -> None:
        if times is not None and times < 1:
            raise ValueError("times must be None (always) or >= 1")
        _check_scope(region, operation, account_id)
        if status is None and code not in ERROR_STATUS:
            raise ValueError(
                f"unknown error code {code!r}; pass status= or use one of: "
                + ", ".join(sorted(ERROR_STATUS))
            )
        with self._lock:
            rule = _ErrorRule(code, region, operation, times, message, status, account_id, after)
            self._errors.append(rule)

    def disable_region(self, region: str, account_id: str | None = None) -> None:
        _check_scope(region, None, account_id)
        with self._lock:
            self._disabled.add((account_id, region))

    def enable_region(self, region: str, account_id: str | None = None) -> None:
        with self._lock:
            self._disabled.discard((account_id, region))

    def expire_credentials(self, access_key_id: str | None, account_id: str | None) -> None:
        if (access_key_id is None) == (account_id is None):
            raise ValueError("name exactly one of access_key_id and account_id")
        _check_scope(None, None, account_id)
        with self._lock:
            if access_key_id is not None:
                self._expired_keys.add(access_key_id)
            if account_id is not None:
                self._expired_accounts.add(account_id)

    def check_after(self, account_id: str, region: str, operation: str) -> None:
        """Raise the error injected with ``after=True`` that this request meets, if any
        (called once the operation took effect: its answer is lost, as after a 500)."""
        with self._lock:
            self._raise_injected(account_id, region, operation, after=True)

    def _raise_injected(self, account_id: str, region: str, operation: str, *, after: bool) -> None:
        for rule in self._errors:
            if rule.matches(account_id, region, operation, after):
                if rule.remaining is not None:
                    rule.remaining -= 1
                    if rule.remaining == 0:
                        self._errors.remove(rule)
                raise OmicsServiceError(rule.code, rule.message, rule.status)

    def deny_assume_role(self, role_arn: str, message: str | None) -> None:
        if not role_arn.startswith("arn:") or ":role/" not in role_arn:
            raise ValueError(f"not a role ARN: {role_arn!r} (arn:aws:iam::<account>:role/<name>)")
        with self._lock:
            self._denied_roles[role_arn] = message

    def assume_role_denial(self, role_arn: str) -> tuple[bool, str | None]:
        """``(denied, message)`` for an AssumeRole of ``role_arn``."""
        with self._lock:
            return role_arn in self._denied_roles, self._denied_roles.get(role_arn)

    def expired(self, access_key_id: str | None, account_id: str) -> bool:
        """Whether these credentials are expired (by key, or every key of the account)."""
        with self._lock:
            return access_key_id in self._expired_keys or account_id in self._expired_accounts

    def set_quotas(
        self,
        rates: str | Mapping[str, float] | None,
        burst: float | None,
        account_id: str | None = None,
    ) -> None:
        _check_scope(None, None, account_id)
        with self._lock:
            self._quotas.set(rates, burst, account_id)

    def check(
        self, account_id: str, region: str, operation: str, access_key_id: str | None = None
    ) -> None:
        """Raise the fault this request meets, if any (called after the latency)."""
        if self.expired(access_key_id, account_id):
            raise OmicsServiceError("ExpiredTokenException")
        with self._lock:
            if (None, region) in self._disabled or (account_id, region) in self._disabled:
                raise OmicsServiceError("UnrecognizedClientException")
            self._raise_injected(account_id, region, operation, after=False)
            bucket = self._quotas.bucket(account_id, region, operation)
        if bucket is not None and not bucket.take():
            raise OmicsServiceError("ThrottlingException", "Rate exceeded")
