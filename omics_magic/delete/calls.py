"""The AWS calls of a delete: look stores up, delete them, and say what happened.

Every attempt is paced on botocore's ``before-send`` event, retries included
(:func:`omics_magic.aws.pacing.paced`), with the pacers a fetch uses
(GetSequenceStore at the read rate, DeleteSequenceStore at 1 per second), so
a bulk delete doesn't hammer a region while a fetch runs beside it.
botocore's standard retries cover what still gets throttled and 5xx answers;
they never retry a conflict or an access denied (both are 4xx answers the model
does not mark retryable), so those come back at once, as a delete must.

Stop means stop (:mod:`omics_magic.workers`): regions run at once, each in
sequence; a deadline or an interrupt stops every region before its next
delete and cancels retries and pacer waits, and calls already sent get
:data:`IN_FLIGHT_GRACE` seconds to answer. Every store is then accounted for:
``not_attempted`` (never sent) or ``unknown`` (sent, no answer awaited).

An answer that may have been lost after AWS acted (a read timeout, a 5xx, or
any error after a retry) doesn't say whether the store was deleted: the
store is read again (GetSequenceStore) and reported ``deleted``, ``deleting``
or ``unknown``; ``error`` only when it is still there.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..aws.pacing import PacingCancelled, paced
from ..resources import READ_SETS, SEQUENCE_STORES
from ..workers import run_all

if TYPE_CHECKING:
    import boto3

    from ..failures import Failure

__all__ = ["CONFLICT_HINT", "IN_FLIGHT_GRACE", "Calls", "Target", "account_for"]

GET = SEQUENCE_STORES.get.operation
DELETE = "DeleteSequenceStore"
#: One page of at most one read set says whether a store holds any.
LIST_READ_SETS = READ_SETS.list.operation
#: AWS's default DeleteSequenceStore quota, per account and region (TPS); the
#: read operations' is the pacer's default rate.
DELETE_RATE = 1.0
CONFLICT_HINT = (
    "the store still holds read sets; delete them first with BatchDeleteReadSet "
    "(e.g. `aws omics batch-delete-read-set --sequence-store-id {id} --ids ...`), "
    "then delete the store again"
)
#: Seconds that deletes already sent may take to answer once a delete is stopped.
IN_FLIGHT_GRACE = 5.0
_MAX_WORKERS = 16
_CHECK_FIRST = "check with GetSequenceStore (or the console) before deleting it again"


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
    sent: bool = False  # a DeleteSequenceStore attempt went out

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

    def deleted(self) -> None:
        self.outcome, self.message = "deleted", "deleted (the store is gone or DELETING)"

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
    """Clients and pacers for the regions of one delete, and its deadline.

    Built in the calling thread before any request: creating clients is not
    thread-safe, and missing credentials or a bad ``$OMICS_MAGIC_TPS`` should
    fail once, up front. ``timeout`` (seconds, None for none) bounds the whole
    delete, look-ups included.
    """

    def __init__(
        self,
        session: boto3.Session,
        regions: Sequence[str],
        timeout: float | None = None,
        *,
        account_id: str | None = None,
    ) -> None:
        from ..aws.clients import check_credentials, omics_client
        from ..aws.pacing import operation_pacer, resolve_rate

        # Quotas are per account, region and operation; without the account, its key.
        access_key = self._access_key = account_id or check_credentials(session)
        read = resolve_rate()
        rates = {
            GET: read,
            LIST_READ_SETS: read,
            DELETE: None if read is None else min(read, DELETE_RATE),
        }
        self._clients = {r: omics_client(session, r) for r in dict.fromkeys(regions)}
        # Deletes are spaced at the steady rate (burst 1), never probing for a burst: the
        # look-ups share (and learn with) the fetch's pacers.
        self._pacers = {
            (region, op): operation_pacer(
                access_key, client, region, op, rate, 1 if op == DELETE else None
            )
            for region, client in self._clients.items()
            for op, rate in rates.items()
        }
        self.timeout = timeout
        self.deadline = None if timeout is None else time.monotonic() + timeout
        self.cancel = threading.Event()

    def _forget(self, target: Target) -> None:
        """The store is gone: out of every cached result at once (omics_magic.fetch.cache)."""
        from ..fetch.cache import forget_record

        endpoint = self._clients[target.region].meta.endpoint_url
        forget_record(self._access_key, endpoint, target.region, target.identifier)

    def _call(self, op: str, target: Target) -> dict[str, Any]:
        """One call, paced on every attempt; PacingCancelled once the delete is stopped."""
        client = self._clients[target.region]
        with paced(self._pacers[(target.region, op)], self.cancel) as turn:
            try:
                if op == LIST_READ_SETS:
                    answer = client.list_read_sets(sequenceStoreId=target.identifier, maxResults=1)
                    return dict(answer)
                method = client.get_sequence_store if op == GET else client.delete_sequence_store
                return dict(method(id=target.identifier))
            finally:
                if op == DELETE and turn.attempts:
                    target.sent = True

    def look_up(self, targets: list[Target]) -> list[Target]:
        """GetSequenceStore for every target at once; fills ``store`` or the failure.

        A target not looked up by the deadline is recorded as unavailable (and
        so is not deleted); an interrupt propagates (nothing was deleted).
        """

        def get(target: Target) -> None:
            try:
                target.store = self._call(GET, target)
            except PacingCancelled:
                pass
            except Exception as err:  # noqa: BLE001 - classified; anything else re-raises
                target.failed(err, "at preview, so not deleted")
                return
            try:
                found = self._call(LIST_READ_SETS, target).get("readSets")
            except PacingCancelled:
                pass  # stopped: the look-up is unfinished, and nothing is deleted
            except Exception as err:  # noqa: BLE001 - unknown; DeleteSequenceStore will say
                from ..aws.clients import classify_failure

                classify_failure(err, target.region)  # re-raises credentials errors and bugs
            else:
                target.holds_read_sets = bool(found)

        futures = run_all(
            get,
            targets,
            name="delete",
            cancel=self.cancel,
            deadline=self.deadline,
            max_workers=_MAX_WORKERS,
        )
        _reraise(futures)
        for target in targets:
            if target.store is None and target.outcome is None:
                target.kind, target.code = "unavailable", "DeadlineExceeded"
                target.detail = f"no answer within the {self.timeout or 0:g} s timeout"
                target.outcome = "error"
                target.message = f"{target.detail} at preview, so not deleted"
        return targets

    def delete(self, targets: list[Target]) -> None:
        """DeleteSequenceStore for each target; regions in parallel, each in sequence.

        A failed target is recorded and the rest carry on. At the deadline,
        the rest are ``not_attempted``; on an interrupt too, and the
        KeyboardInterrupt propagates once every target has its outcome.
        """
        by_region: dict[str, list[Target]] = {}
        for target in targets:
            by_region.setdefault(target.region, []).append(target)

        def delete_region(region_targets: list[Target]) -> None:
            for target in region_targets:
                if self.cancel.is_set() or self._past_deadline():
                    return
                try:
                    self._call(DELETE, target)
                except PacingCancelled:
                    return
                except Exception as err:  # noqa: BLE001 - classified; anything else re-raises
                    target.failed(err, "when deleting")
                    if target.sent and _ambiguous(err):
                        self._reread(target)
                else:
                    target.deleted()
                if target.outcome == "deleted" or target.code == "ResourceNotFoundException":
                    self._forget(target)

        try:
            futures = run_all(
                delete_region,
                list(by_region.values()),
                name="delete",
                cancel=self.cancel,
                deadline=self.deadline,
                grace=IN_FLIGHT_GRACE,
                max_workers=_MAX_WORKERS,
            )
        except KeyboardInterrupt:
            account_for(targets, "interrupted")
            raise
        _reraise(futures)
        account_for(targets, f"the delete's {self.timeout or 0:g} s timeout passed")

    def _past_deadline(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline

    def _reread(self, target: Target) -> None:
        """After an answer that may have been lost: what became of the store."""
        lost = f"{target.code} when deleting ({target.detail})"
        try:
            store = self._call(GET, target)
        except PacingCancelled:
            target.outcome = "unknown"
            target.message = f"{lost}, and the delete was stopped before a re-read; {_CHECK_FIRST}"
            return
        except Exception as err:  # noqa: BLE001 - classified; anything else re-raises
            again = Target(target.region, target.identifier)
            again.failed(err, "when re-reading")
            if again.kind == "not_found":
                target.deleted()
                target.message = f"deleted: {lost}, but a re-read found the store gone"
            else:
                target.outcome = "unknown"
                target.message = f"{lost}, and a re-read failed ({again.code}); {_CHECK_FIRST}"
            return
        status = store.get("status")
        if status == "DELETING":
            target.outcome = "deleting"
            target.message = f"{lost}, but a re-read shows the store DELETING"
        else:
            target.message = (
                f"{lost}; a re-read shows the store still {status}, so it was not deleted"
            )


def _ambiguous(err: Exception) -> bool:
    """Whether a failed delete may have acted: anything but a clean first-try 4xx answer."""
    from botocore.exceptions import ClientError

    if not isinstance(err, ClientError):
        return True  # no answer at all: a read timeout, a dropped connection...
    meta = err.response.get("ResponseMetadata", {})
    return meta.get("HTTPStatusCode", 500) >= 500 or meta.get("RetryAttempts", 0) > 0


def account_for(targets: list[Target], why: str) -> None:
    """Give every target without an outcome one: not sent, or sent with no answer."""
    for target in targets:
        if target.outcome is not None:
            continue
        if target.sent:
            target.outcome = "unknown"
            target.message = f"{why} while this delete was in flight; {_CHECK_FIRST}"
        else:
            target.outcome = "not_attempted"
            target.message = f"{why} before this delete was sent; not deleted"


def _reraise(futures: Sequence[Any]) -> None:
    for future in futures:
        if future.done() and not future.cancelled():
            future.result()  # re-raises CredentialsError (or a bug) from a worker
