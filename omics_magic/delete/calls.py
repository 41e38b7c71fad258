"""The AWS calls of a delete: look stores up, delete them, and say what happened.

Calls are paced under AWS's per-region quotas with the fetch engine's shared
pacers (GetSequenceStore at the read rate, DeleteSequenceStore at 1 per second),
so a bulk delete doesn't hammer a region while a fetch runs beside it.
botocore's standard retries cover what still gets throttled and 5xx answers;
they never retry a conflict or an access denied (both are 4xx answers the model
does not mark retryable), so those come back at once, as a delete must.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import boto3

    from ..failures import Failure

__all__ = ["CONFLICT_HINT", "Calls", "Target"]

GET = "GetSequenceStore"
DELETE = "DeleteSequenceStore"
#: One page of at most one read set says whether a store holds any.
LIST_READ_SETS = "ListReadSets"
#: AWS's default DeleteSequenceStore quota, per account and region (TPS).
DELETE_RATE = 1.0
CONFLICT_HINT = (
    "the store still holds read sets; delete them first with BatchDeleteReadSet "
    "(e.g. `aws omics batch-delete-read-set --sequence-store-id {id} --ids ...`), "
    "then delete the store again"
)
_MAX_WORKERS = 16
_T = TypeVar("_T")


@dataclass
class Target:
    """One (region, ID) to delete, and what was learnt about it."""

    region: str
    identifier: str
    store: dict[str, Any] | None = None  # GetSequenceStore's answer, when found
    kind: str | None = None  # why a call failed: not_found, conflict, denied, not_enabled...
    code: str = ""
    detail: str = ""  # AWS's message
    outcome: str | None = None  # the report's outcome and message, once known
    message: str = ""
    holds_read_sets: bool | None = None  # None: not known (the look-up failed or was denied)
    account: str | None = None  # the store's account, when the delete spans several

    def unreached(self, why: str) -> None:
        """Record that no session reaches this target's account: it is not deleted."""
        self.kind, self.code, self.detail = "denied", "AccountNotReached", why
        self.outcome = "denied"
        self.message = f"{why}; not deleted"

    @property
    def name(self) -> str | None:
        return None if self.store is None else self.store.get("name")

    def failed(self, err: Exception, when: str) -> None:
        """Record a failed call as this target's kind and outcome."""
        from ..aws.clients import classify_failure

        failure = classify_failure(err, self.region)
        self.kind, self.code, self.detail = failure.kind, failure.code, failure.message
        self.outcome = self.kind if self.kind in ("not_found", "conflict", "denied") else "error"
        if self.kind == "conflict":
            self.message = f"{CONFLICT_HINT.format(id=self.identifier)} ({self.detail})"
        elif self.kind == "not_found":
            self.message = f"no such store {when}"
        else:
            self.message = f"{self.code} {when}: {self.detail}"

    def refuse_read_sets(self) -> None:
        """A store holding read sets is not tried: AWS refuses it until they are gone."""
        self.outcome = "conflict"
        self.message = f"{CONFLICT_HINT.format(id=self.identifier)}; not tried"

    def error_record(self) -> Failure:
        """The failure as a record (``attrs["omics_errors"]`` holds its dict)."""
        from ..failures import Failure

        return Failure(
            self.region,
            self.code,
            self.detail,
            self.kind or "",
            account_id=self.account,
            sequence_store_id=self.identifier,
        )


class Calls:
    """Clients and pacers for the regions of one delete.

    Built in the calling thread before any request: creating clients is not
    thread-safe, and missing credentials or a bad ``$OMICS_MAGIC_TPS`` should
    fail once, up front.
    """

    def __init__(
        self, session: boto3.Session, regions: Sequence[str], *, account_id: str | None = None
    ) -> None:
        from ..aws.clients import check_credentials, omics_client
        from ..aws.pacing import pacer_for, resolve_rate

        # Quotas are per account, region and operation; without the account, its key.
        access_key = self._access_key = account_id or check_credentials(session)
        read = resolve_rate()
        rates = {
            GET: read,
            LIST_READ_SETS: read,
            DELETE: None if read is None else min(read, DELETE_RATE),
        }
        self._clients = {r: omics_client(session, r) for r in dict.fromkeys(regions)}
        self._pacers = {
            (region, op): pacer_for((access_key, client.meta.endpoint_url, region, op), rate)
            for region, client in self._clients.items()
            for op, rate in rates.items()
        }

    def _forget(self, target: Target) -> None:
        """The store is gone: out of every cached result at once (omics_magic.fetch.cache)."""
        from ..fetch.cache import forget_record

        endpoint = self._clients[target.region].meta.endpoint_url
        forget_record(self._access_key, endpoint, target.region, target.identifier)

    def _call(self, op: str, target: Target) -> dict[str, Any]:
        pacer = self._pacers[(target.region, op)]
        if pacer is not None:
            pacer.acquire()
        client = self._clients[target.region]
        if op == LIST_READ_SETS:
            return dict(client.list_read_sets(sequenceStoreId=target.identifier, maxResults=1))
        method = client.get_sequence_store if op == GET else client.delete_sequence_store
        return dict(method(id=target.identifier))

    def look_up(self, targets: list[Target]) -> list[Target]:
        """GetSequenceStore for every target at once; fills ``store`` or the failure."""

        def get(target: Target) -> None:
            try:
                target.store = self._call(GET, target)
            except Exception as err:  # noqa: BLE001 - classified; anything else re-raises
                target.failed(err, "at preview, so not deleted")
                return
            try:
                found = self._call(LIST_READ_SETS, target).get("readSets")
            except Exception as err:  # noqa: BLE001 - unknown; DeleteSequenceStore will say
                from ..aws.clients import classify_failure

                classify_failure(err, target.region)  # re-raises credentials errors and bugs
            else:
                target.holds_read_sets = bool(found)

        _in_parallel(get, targets)
        return targets

    def delete(self, targets: list[Target]) -> None:
        """DeleteSequenceStore for each target; regions in parallel, each in sequence.

        A failed target is recorded and the rest carry on.
        """
        by_region: dict[str, list[Target]] = {}
        for target in targets:
            by_region.setdefault(target.region, []).append(target)

        def delete_region(region_targets: list[Target]) -> None:
            for target in region_targets:
                try:
                    self._call(DELETE, target)
                except Exception as err:  # noqa: BLE001 - classified; anything else re-raises
                    target.failed(err, "when deleting")
                else:
                    target.outcome = "deleted"
                    target.message = "deleted (the store is gone or DELETING)"
                if target.outcome == "deleted" or target.code == "ResourceNotFoundException":
                    self._forget(target)

        _in_parallel(delete_region, list(by_region.values()))


def _in_parallel(fn: Callable[[_T], None], items: Sequence[_T]) -> None:
    if len(items) <= 1:
        for item in items:
            fn(item)
        return
    with ThreadPoolExecutor(min(_MAX_WORKERS, len(items)), "omics-delete") as pool:
        list(pool.map(fn, items))  # list(): re-raise what a worker raised
