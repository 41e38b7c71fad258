"""The request log: every call the fake answered, so tests can assert exactly what was sent."""

from __future__ import annotations

import threading
from dataclasses import dataclass

__all__ = ["RequestLog", "RequestRecord"]


@dataclass(frozen=True)
class RequestRecord:
    """One request the fake answered.

    Attributes
    ----------
    operation
        The API operation name, e.g. ``"ListSequenceStores"`` (``None`` if the
        request matched no route).
    region
        The region from the SigV4 credential scope.
    account_id
        The account the access key maps to.
    status
        The HTTP status answered (200, 204, 404, 429, ...).
    error_code
        The error code answered, or ``None`` on success.
    time
        Wall-clock time (``time.time()``) when the answer was ready.
    access_key_id
        The access key that signed the request (``None`` if unsigned): a new
        one in the same account shows credentials were refreshed.
    """

    operation: str | None
    region: str
    account_id: str
    status: int
    error_code: str | None
    time: float
    access_key_id: str | None = None


class RequestLog:
    """Thread-safe, append-only record of requests, with counts.

    Examples
    --------
    >>> log = RequestLog()
    >>> log.append(RequestRecord("ListSequenceStores", "us-east-1", "123456789012", 200, None, 0.0))
    >>> log.count(operation="ListSequenceStores", status=200)
    1
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []

    def append(self, record: RequestRecord) -> None:
        """Add one record (the wire layer calls this once per request)."""
        with self._lock:
            self._records.append(record)

    @property
    def records(self) -> list[RequestRecord]:
        """A snapshot copy of every record, oldest first."""
        with self._lock:
            return list(self._records)

    def count(
        self,
        operation: str | None = None,
        region: str | None = None,
        status: int | None = None,
        error_code: str | None = None,
        *,
        account_id: str | None = None,
        access_key_id: str | None = None,
    ) -> int:
        """How many records match every given criterion (``None`` matches anything).

        Examples
        --------
        >>> log = RequestLog()
        >>> log.append(RequestRecord("ListReadSets", "eu-west-1", "111122223333", 200, None, 0.0))
        >>> log.count("ListReadSets", account_id="111122223333"), log.count(account_id="1" * 12)
        (1, 0)
        """
        wanted = {
            "operation": operation,
            "region": region,
            "status": status,
            "error_code": error_code,
            "account_id": account_id,
            "access_key_id": access_key_id,
        }
        wanted = {k: v for k, v in wanted.items() if v is not None}
        return sum(all(getattr(r, k) == v for k, v in wanted.items()) for r in self.records)

    def clear(self) -> None:
        """Forget every record."""
        with self._lock:
            self._records.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)

    def __repr__(self) -> str:
        return f"<RequestLog {len(self)} requests>"
