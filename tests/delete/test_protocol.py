"""delete_sequence_store / delete_sequence_stores against the fake, through real botocore.

Every test that refuses asserts that the fake's state is unchanged and that no
DeleteSequenceStore call was made.
"""

from __future__ import annotations

import builtins
import io
import sys
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest

from omics_magic import (
    AmbiguousStoreError,
    ConfirmationMismatch,
    ConfirmationRequired,
    FetchError,
    InputError,
    InvalidIdentifierError,
    StoreNotFoundError,
    UnknownRegionError,
)
from omics_magic.delete.confirm import prompt_possible
from omics_magic.delete.protocol import (
    REPORT_COLUMNS,
    delete_sequence_store,
    delete_sequence_stores,
)
from omics_magic.testing import AWS_QUOTAS
from tests.conftest import FAKE_ACCESS_KEY, FAKE_SECRET_KEY, FAKE_SESSION_TOKEN

REGIONS = ("us-east-1", "eu-west-1", "us-west-2")
DELETE = "DeleteSequenceStore"


@pytest.fixture(autouse=True)
def unpaced(monkeypatch: pytest.MonkeyPatch) -> None:
    """No pacing: pacers are shared process-wide, so tests would wait on each other."""
    monkeypatch.setenv("OMICS_MAGIC_TPS", "0")


@pytest.fixture
def backend(configured_fake: Any) -> Any:
    """The fake, with three configured regions and no way to prompt (like CI), paced."""
    return configured_fake(REGIONS, paced=True)


@pytest.fixture
def tty(monkeypatch: pytest.MonkeyPatch) -> Callable[[list[str]], list[str]]:
    """Make a prompt possible (stdin is a TTY) and answer ``input()`` from a list.

    Returns a function taking the answers and returning the prompts seen.
    """

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    def answer(answers: list[str | BaseException]) -> list[str]:
        prompts: list[str] = []
        queue = list(answers)

        def fake_input(prompt: str = "") -> str:
            prompts.append(prompt)
            item = queue.pop(0)
            if isinstance(item, BaseException):
                raise item
            return item() if callable(item) else item

        monkeypatch.setattr(sys, "stdin", Terminal())
        monkeypatch.setattr(builtins, "input", fake_input)
        return prompts

    return answer  # type: ignore[return-value]


def snapshot(backend: Any) -> dict[str, list[str]]:
    return {r: sorted(s["id"] for s in backend.stores(r)) for r in REGIONS}


def ids(backend: Any, region: str) -> set[str]:
    return {s["id"] for s in backend.stores(region)}


# -- deleted ----------------------------------------------------------------------------------


def test_deletes_the_confirmed_store_and_nothing_else(backend: Any) -> None:
    doomed = backend.create_sequence_store("eu-west-1", "scratch")["id"]
    kept = backend.create_sequence_store("eu-west-1", "keep")["id"]

    report = delete_sequence_store(doomed, "eu-west-1", confirm=doomed)

    assert list(report.columns) == list(REPORT_COLUMNS)
    assert report.to_dict("records") == [
        {
            "region": "eu-west-1",
            "sequence_store_id": doomed,
            "name": "scratch",
            "outcome": "deleted",
            "message": report.loc[0, "message"],
        }
    ]
    assert ids(backend, "eu-west-1") == {kept}
    assert backend.requests.count(operation=DELETE) == 1


def test_without_region_looks_in_every_configured_region_at_once(backend: Any) -> None:
    doomed = backend.create_sequence_store("us-west-2", "scratch")["id"]

    report = delete_sequence_store(doomed, confirm=doomed)

    assert report.loc[0, ["region", "outcome"]].tolist() == ["us-west-2", "deleted"]
    for region in REGIONS:
        assert backend.requests.count(operation="GetSequenceStore", region=region) == 1
    assert backend.requests.count(operation=DELETE, region="us-west-2") == 1
    assert ids(backend, "us-west-2") == set()


def test_a_store_left_deleting_counts_as_deleted(omics_backend: Any) -> None:
    omics_backend.deletion_delay = 3600.0  # AWS removes stores asynchronously
    doomed = omics_backend.create_sequence_store("us-east-1", "slow")["id"]

    report = delete_sequence_store(doomed, "us-east-1", confirm=doomed)

    assert report.loc[0, "outcome"] == "deleted"
    assert [s["status"] for s in omics_backend.stores("us-east-1")] == ["DELETING"]


def test_throttling_is_retried(backend: Any) -> None:
    doomed = backend.create_sequence_store("us-east-1", "scratch")["id"]
    backend.inject_error("ThrottlingException", operation=DELETE, times=1)

    report = delete_sequence_store(doomed, "us-east-1", confirm=doomed)

    assert report.loc[0, "outcome"] == "deleted"
    assert backend.requests.count(operation=DELETE) == 2
    assert ids(backend, "us-east-1") == set()


# -- the other outcomes -----------------------------------------------------------------------


def test_conflict_names_the_way_out_and_is_not_retried(backend: Any) -> None:
    busy = backend.create_sequence_store("us-east-1", "busy")["id"]
    for _ in range(3):
        backend.add_read_set("us-east-1", busy)

    report = delete_sequence_store(busy, "us-east-1", confirm=busy)

    assert report.loc[0, "outcome"] == "conflict"
    assert "read sets" in report.loc[0, "message"]
    assert "BatchDeleteReadSet" in report.loc[0, "message"]
    # The preview saw its read sets: AWS would refuse, so it is not even tried.
    assert backend.requests.count(operation=DELETE) == 0
    assert backend.requests.count(operation="ListReadSets") == 1
    assert ids(backend, "us-east-1") == {busy}


def test_access_denied_is_reported_and_not_retried(backend: Any) -> None:
    store = backend.create_sequence_store("us-east-1", "guarded")["id"]
    backend.inject_error("AccessDeniedException", operation=DELETE, message="no delete for you")

    report = delete_sequence_store(store, "us-east-1", confirm=store)

    assert report.loc[0, "outcome"] == "denied"
    assert "no delete for you" in report.loc[0, "message"]
    assert backend.requests.count(operation=DELETE) == 1
    assert ids(backend, "us-east-1") == {store}


def test_other_failures_are_errors(backend: Any) -> None:
    store = backend.create_sequence_store("us-east-1", "odd")["id"]
    backend.inject_error("ValidationException", operation=DELETE, message="bad request")

    report = delete_sequence_store(store, "us-east-1", confirm=store)

    assert report.loc[0, "outcome"] == "error"
    assert "ValidationException" in report.loc[0, "message"]
    assert "bad request" in report.loc[0, "message"]
    assert ids(backend, "us-east-1") == {store}


def test_a_store_gone_between_preview_and_delete_is_not_found(backend: Any, tty: Any) -> None:
    store = backend.create_sequence_store("us-east-1", "racy")["id"]

    def someone_else_deletes_it() -> str:
        backend.delete_store("us-east-1", store)
        return store

    tty([someone_else_deletes_it])
    report = delete_sequence_store(store, "us-east-1")

    assert report.loc[0, "outcome"] == "not_found"
    assert backend.requests.count(operation=DELETE) == 1


# -- refusals: nothing is deleted -------------------------------------------------------------


def test_missing_confirmation_without_a_prompt_is_refused(
    backend: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    store = backend.create_sequence_store("us-east-1", "precious")["id"]
    before = snapshot(backend)

    with pytest.raises(ConfirmationRequired, match=rf"confirm='{store}'.*--confirm {store}"):
        delete_sequence_store(store, "us-east-1")

    assert snapshot(backend) == before
    assert backend.requests.count(operation=DELETE) == 0
    assert "precious" in capsys.readouterr().err  # the preview was shown first


def test_wrong_confirmation_is_refused_and_says_what_was_expected(backend: Any) -> None:
    store = backend.create_sequence_store("us-east-1", "precious")["id"]
    other = backend.create_sequence_store("us-east-1", "other")["id"]
    before = snapshot(backend)

    with pytest.raises(ConfirmationMismatch, match=rf"pass confirm='{store}'"):
        delete_sequence_store(store, "us-east-1", confirm=other)

    assert snapshot(backend) == before
    assert backend.requests.count(operation=DELETE) == 0


def test_confirmation_is_not_cached(backend: Any) -> None:
    first = backend.create_sequence_store("us-east-1", "one")["id"]
    second = backend.create_sequence_store("us-east-1", "two")["id"]
    delete_sequence_store(first, "us-east-1", confirm=first)

    with pytest.raises(ConfirmationRequired):
        delete_sequence_store(second, "us-east-1")
    assert ids(backend, "us-east-1") == {second}


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: delete_sequence_store("12345", "us-east-1"), InvalidIdentifierError, "10 to 36"),
        (lambda: delete_sequence_store(1234567890), InvalidIdentifierError, "10 to 36"),
        (lambda: delete_sequence_store("1234567890", "mars-1"), UnknownRegionError, "mars-1"),
        (
            lambda: delete_sequence_store("1234567890", confirm=1234567890),
            InputError,
            "confirm must be the store's ID as a string",
        ),
        (
            lambda: delete_sequence_store("1234567890", confirm=["1234567890"]),
            InputError,
            "not list",
        ),
        (lambda: delete_sequence_store("1234567890", dry_run="yes"), InputError, "dry_run"),
        (
            lambda: delete_sequence_stores([("us-east-1", "1234567890")], confirm=1234567890),
            InputError,
            "not int",
        ),
        (
            lambda: delete_sequence_stores([("us-east-1", "1234567890")], confirm=[1234567890]),
            InputError,
            "hold store IDs as str",
        ),
        (
            lambda: delete_sequence_stores(
                pd.DataFrame({"region": ["us-east-1"], "sequence_store_id": ["1234567890"]}),
                confirm=pd.DataFrame({"x": [1]}),
            ),
            InputError,
            "not DataFrame",
        ),
        (lambda: delete_sequence_stores([("mars-1", "1234567890")]), UnknownRegionError, "mars"),
        (lambda: delete_sequence_stores([("us-east-1", "x")]), InvalidIdentifierError, "'x'"),
        (lambda: delete_sequence_stores(["us-east-1"]), InputError, "pair"),
        (lambda: delete_sequence_stores("1234567890"), InputError, "DataFrame or as"),
        (
            lambda: delete_sequence_stores(pd.DataFrame({"name": ["x"]})),
            InputError,
            "region and sequence_store_id",
        ),
    ],
)
def test_bad_input_fails_before_any_call(
    backend: Any, call: Callable[[], object], error: type[Exception], match: str
) -> None:
    store = backend.create_sequence_store("us-east-1", "precious")["id"]
    with pytest.raises(error, match=match):
        call()
    assert backend.requests.count() == 0
    assert ids(backend, "us-east-1") == {store}


def test_dry_run_returns_the_preview_and_deletes_nothing(backend: Any) -> None:
    store = backend.create_sequence_store("eu-west-1", "scratch")["id"]

    preview = delete_sequence_store(store, dry_run=True)

    assert list(preview.columns) == [
        "region",
        "sequence_store_id",
        "name",
        "creation_time",
        "status",
    ]
    assert preview.loc[0, ["region", "sequence_store_id", "name", "status"]].tolist() == [
        "eu-west-1",
        store,
        "scratch",
        "ACTIVE",
    ]
    assert str(preview["creation_time"].dtype) == "datetime64[us, UTC]"
    assert ids(backend, "eu-west-1") == {store}
    assert backend.requests.count(operation=DELETE) == 0


def test_not_found_anywhere_stops(backend: Any) -> None:
    with pytest.raises(StoreNotFoundError, match="no sequence store 1234567890 in us-east-1"):
        delete_sequence_store("1234567890", confirm="1234567890")
    assert backend.requests.count(operation="GetSequenceStore") == len(REGIONS)
    assert backend.requests.count(operation=DELETE) == 0


def test_a_region_that_failed_is_not_taken_for_not_found(backend: Any) -> None:
    backend.inject_error("AccessDeniedException", region="eu-west-1")

    denied = r"eu-west-1: access denied \(AccessDeniedException"
    with pytest.raises(FetchError, match=denied) as info:
        delete_sequence_store("1234567890", confirm="1234567890")

    assert [e["region"] for e in info.value.errors] == ["eu-west-1"]
    assert info.value.errors[0]["kind"] == "denied"
    assert backend.requests.count(operation=DELETE) == 0


def test_a_region_not_enabled_does_not_block_a_delete_found_elsewhere(
    backend: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    store = backend.create_sequence_store("us-east-1", "scratch")["id"]
    backend.disable_region("us-west-2")
    backend.inject_error("AccessDeniedException", region="eu-west-1")

    report = delete_sequence_store(store, confirm=store)

    assert report.loc[0, "outcome"] == "deleted"
    # The denied region might hold a store with this ID: the preview says so.
    assert "Not searched: eu-west-1" in capsys.readouterr().err


# -- the same ID in two regions ---------------------------------------------------------------


@pytest.fixture
def twins(backend: Any) -> str:
    store = backend.create_sequence_store("us-east-1", "east")["id"]
    backend.create_sequence_store("eu-west-1", "west", store_id=store, allow_duplicate_id=True)
    return str(store)


def test_an_id_in_two_regions_needs_the_region(backend: Any, twins: str) -> None:
    with pytest.raises(AmbiguousStoreError, match="us-east-1, eu-west-1.*region="):
        delete_sequence_store(twins, confirm=twins)
    assert ids(backend, "us-east-1") == ids(backend, "eu-west-1") == {twins}
    assert backend.requests.count(operation=DELETE) == 0


def test_with_the_region_only_that_store_is_deleted(backend: Any, twins: str) -> None:
    report = delete_sequence_store(twins, "eu-west-1", confirm=twins)

    assert report.loc[0, ["region", "name", "outcome"]].tolist() == ["eu-west-1", "west", "deleted"]
    assert ids(backend, "eu-west-1") == set()
    assert ids(backend, "us-east-1") == {twins}


# -- the interactive prompt -------------------------------------------------------------------


def test_prompt_typing_the_id_deletes(
    backend: Any, tty: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    store = backend.create_sequence_store("us-east-1", "scratch")["id"]
    prompts = tty([f"  {store} "])

    report = delete_sequence_store(store, "us-east-1")

    assert report.loc[0, "outcome"] == "deleted"
    assert len(prompts) == 1 and f"type '{store}'" in prompts[0]
    shown = prompts[0] + "".join(capsys.readouterr())
    for secret in (FAKE_ACCESS_KEY, FAKE_SECRET_KEY, FAKE_SESSION_TOKEN):
        assert secret not in shown


@pytest.mark.parametrize("answer", ["", "y", "yes", "1234567890", EOFError()])
def test_prompt_any_other_answer_cancels(backend: Any, tty: Any, answer: Any) -> None:
    store = backend.create_sequence_store("us-east-1", "scratch")["id"]
    tty([answer])

    report = delete_sequence_store(store, "us-east-1")

    assert report.loc[0, ["sequence_store_id", "outcome"]].tolist() == [store, "cancelled"]
    assert ids(backend, "us-east-1") == {store}
    assert backend.requests.count(operation=DELETE) == 0


def test_prompt_asks_again_every_time(backend: Any, tty: Any) -> None:
    store = backend.create_sequence_store("us-east-1", "scratch")["id"]
    prompts = tty(["no", store])
    assert delete_sequence_store(store, "us-east-1").loc[0, "outcome"] == "cancelled"
    assert delete_sequence_store(store, "us-east-1").loc[0, "outcome"] == "deleted"
    assert len(prompts) == 2


def test_a_given_confirm_never_prompts(backend: Any, tty: Any) -> None:
    store = backend.create_sequence_store("us-east-1", "scratch")["id"]
    prompts = tty([store])
    with pytest.raises(ConfirmationMismatch):
        delete_sequence_store(store, "us-east-1", confirm="9999999999")
    assert prompts == []
    assert ids(backend, "us-east-1") == {store}


@pytest.fixture
def kernel(monkeypatch: pytest.MonkeyPatch) -> Iterator[SimpleNamespace]:
    """A shell with a kernel attached, the way ipykernel attaches one."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    fake_kernel = SimpleNamespace(_allow_stdin=False)
    monkeypatch.setattr(shell, "kernel", fake_kernel, raising=False)
    yield fake_kernel
    InteractiveShell.clear_instance()


def test_in_a_kernel_the_frontend_decides_whether_to_prompt(
    kernel: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal())  # a kernel's own stdin does not count
    assert not prompt_possible()
    kernel._allow_stdin = True
    assert prompt_possible()


def test_without_a_kernel_a_tty_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO())
    assert not prompt_possible()
    monkeypatch.setattr(sys, "stdin", None)
    assert not prompt_possible()


# -- bulk -------------------------------------------------------------------------------------


@pytest.fixture
def three(backend: Any) -> pd.DataFrame:
    rows = [
        ("us-east-1", backend.create_sequence_store("us-east-1", "a")["id"]),
        ("eu-west-1", backend.create_sequence_store("eu-west-1", "b")["id"]),
        ("eu-west-1", backend.create_sequence_store("eu-west-1", "c")["id"]),
    ]
    backend.create_sequence_store("us-east-1", "bystander")
    return pd.DataFrame(rows, columns=["region", "sequence_store_id"])


def test_bulk_carries_on_past_a_conflict(backend: Any, three: pd.DataFrame) -> None:
    busy = three.loc[1, "sequence_store_id"]
    backend.add_read_set("eu-west-1", busy)

    report = delete_sequence_stores(three, confirm=list(three["sequence_store_id"]))

    assert report["sequence_store_id"].tolist() == three["sequence_store_id"].tolist()
    assert report["outcome"].tolist() == ["deleted", "conflict", "deleted"]
    assert report["name"].tolist() == ["a", "b", "c"]
    assert "BatchDeleteReadSet" in report.loc[1, "message"]
    assert ids(backend, "eu-west-1") == {busy}
    assert [s["name"] for s in backend.stores("us-east-1")] == ["bystander"]
    assert backend.requests.count(operation=DELETE) == 2  # the busy store is not tried


@pytest.mark.parametrize(
    "as_confirm",
    [list, set, tuple, lambda ids: ", ".join(reversed(ids))],
    ids=["list", "set", "tuple", "comma-separated"],
)
def test_bulk_confirm_forms(backend: Any, three: pd.DataFrame, as_confirm: Any) -> None:
    report = delete_sequence_stores(three, confirm=as_confirm(list(three["sequence_store_id"])))
    assert report["outcome"].tolist() == ["deleted"] * 3


@pytest.mark.parametrize("change", ["missing", "extra"])
def test_bulk_mismatch_deletes_nothing(backend: Any, three: pd.DataFrame, change: str) -> None:
    before = snapshot(backend)
    given = list(three["sequence_store_id"])
    given = given[1:] if change == "missing" else [*given, "5555555555"]

    with pytest.raises(ConfirmationMismatch, match=f"exactly the 3 previewed.*{change}|not in"):
        delete_sequence_stores(three, confirm=given)

    assert snapshot(backend) == before
    assert backend.requests.count(operation=DELETE) == 0


def test_bulk_without_confirmation_is_refused(backend: Any, three: pd.DataFrame) -> None:
    before = snapshot(backend)
    with pytest.raises(ConfirmationRequired, match="confirm="):
        delete_sequence_stores(three)
    assert snapshot(backend) == before
    assert backend.requests.count(operation=DELETE) == 0


def test_bulk_prompt(backend: Any, three: pd.DataFrame, tty: Any) -> None:
    prompts = tty(["delete 3 stores"])
    report = delete_sequence_stores(three)
    assert "'delete 3 stores'" in prompts[0]
    assert report["outcome"].tolist() == ["deleted"] * 3


def test_bulk_prompt_wrong_answer_cancels_all(backend: Any, three: pd.DataFrame, tty: Any) -> None:
    before = snapshot(backend)
    tty(["delete 2 stores"])
    report = delete_sequence_stores(three)
    assert report["outcome"].tolist() == ["cancelled"] * 3
    assert snapshot(backend) == before


def test_bulk_rows_missing_or_unreadable_at_preview_are_reported_not_deleted(
    backend: Any, three: pd.DataFrame
) -> None:
    gone = "1111111111"
    frame = pd.concat(
        [three, pd.DataFrame({"region": ["us-west-2"], "sequence_store_id": [gone]})],
        ignore_index=True,
    )
    backend.inject_error("AccessDeniedException", region="us-east-1")
    readable = list(three["sequence_store_id"][1:])

    with pytest.raises(ConfirmationMismatch):  # only what was previewed can be confirmed
        delete_sequence_stores(frame, confirm=list(frame["sequence_store_id"]))
    report = delete_sequence_stores(frame, confirm=readable)

    assert report["outcome"].tolist() == ["denied", "deleted", "deleted", "not_found"]
    assert backend.requests.count(operation=DELETE) == 2
    assert ids(backend, "us-east-1") >= {three.loc[0, "sequence_store_id"]}


def test_bulk_same_id_in_two_regions_deletes_exactly_the_pairs(backend: Any, twins: str) -> None:
    report = delete_sequence_stores([("eu-west-1", twins)], confirm=[twins])
    assert report["region"].tolist() == ["eu-west-1"]
    assert ids(backend, "us-east-1") == {twins}
    assert ids(backend, "eu-west-1") == set()


def test_bulk_from_arns(backend: Any, three: pd.DataFrame) -> None:
    arns = [
        s["arn"]
        for r in ("us-east-1", "eu-west-1")
        for s in backend.stores(r)
        if s["id"] in set(three["sequence_store_id"])
    ]
    report = delete_sequence_stores(pd.DataFrame({"arn": arns}), dry_run=True)
    assert sorted(report["sequence_store_id"]) == sorted(three["sequence_store_id"])


def test_bulk_dry_run_and_empty(backend: Any, three: pd.DataFrame) -> None:
    preview = delete_sequence_stores(three, dry_run=True)
    assert preview["sequence_store_id"].tolist() == three["sequence_store_id"].tolist()
    assert backend.requests.count(operation=DELETE) == 0

    empty = delete_sequence_stores(three.iloc[:0])
    assert list(empty.columns) == list(REPORT_COLUMNS) and empty.empty


def test_bulk_deletes_are_paced_under_the_delete_quota(
    backend: Any, three: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OMICS_MAGIC_TPS")
    # Only DeleteSequenceStore is throttled, with nothing banked, at 1.6x AWS's rate: a
    # delete may follow another after 0.625 s. Paced at the delete quota (1 TPS, sent
    # ~1.05 s apart), eu-west-1's two deletes pass even when a loaded machine delivers
    # one late; paced at the read rate (5 TPS) or not at all, the second is throttled.
    backend.set_quotas({DELETE: 1.6 * AWS_QUOTAS[DELETE]}, burst=1)

    report = delete_sequence_stores(three, confirm=list(three["sequence_store_id"]))

    assert report["outcome"].tolist() == ["deleted"] * 3
    assert backend.requests.count(error_code="ThrottlingException") == 0
