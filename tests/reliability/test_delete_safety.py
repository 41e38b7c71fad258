"""Delete safety, property-based: only previewed and confirmed stores are ever deleted.

For random frames (stores that exist, repeats, and IDs that exist nowhere),
random ``confirm`` values (right, partial, too wide, malformed, missing) and
random failures (conflicts from read sets, access denied on some deletes),
in a session that can't prompt:

- the deleted IDs are a subset of the previewed IDs and of the confirmed IDs;
- something is deleted only when the confirmation was exactly the preview;
- without a confirmation nothing is deleted (ConfirmationRequired);
- the report says ``deleted`` for exactly the stores that are gone.
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from omics_magic.delete.confirm import prompt_possible
from omics_magic.delete.protocol import delete_sequence_store, delete_sequence_stores
from omics_magic.errors import (
    ConfirmationMismatch,
    ConfirmationRequired,
    InputError,
    StoreNotFoundError,
)
from omics_magic.sql.run import run_query
from omics_magic.testing import OmicsBackend

REGIONS = ("us-east-1", "eu-west-2")
PER_REGION = 3
GHOSTS = ("1000000001", "1000000002")  # well-formed IDs of stores that don't exist
DELETE = "DeleteSequenceStore"
_PREVIEW_ROW = re.compile(r"^\s*([a-z]{2}-[a-z]+-\d)\s+(\d{10,36})\s")
_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(autouse=True)
def non_interactive(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in CI or papermill: no terminal, no pacing waits, no retry waits."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.setenv("OMICS_MAGIC_TPS", "0")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    monkeypatch.setenv("OMICS_MAGIC_REGIONS", ",".join(REGIONS))
    assert not prompt_possible()


@dataclass
class World:
    """One example's fake account: stores per region, and what a delete did to them."""

    backend: OmicsBackend
    stores: list[tuple[str, str]]  # (region, id) in creation order

    def alive(self) -> set[tuple[str, str]]:
        return {(r, s["id"]) for r in REGIONS for s in self.backend.stores(r)}


@pytest.fixture
def fake(omics_backend: OmicsBackend) -> OmicsBackend:
    """One fake for all of a test's examples: a new mock per example would drop the
    engine's cached clients each time, and making them again is most of an example's time."""
    return omics_backend


@contextlib.contextmanager
def world(backend: OmicsBackend) -> Iterator[World]:
    """A fresh account for one example: the regions emptied, new stores, no faults."""
    for region in REGIONS:
        for store in backend.stores(region):
            backend.delete_store(region, store["id"])
    backend.clear_faults()
    backend.requests.clear()
    stores = [
        (region, backend.create_sequence_store(region, f"store-{region}-{n}")["id"])
        for region in REGIONS
        for n in range(PER_REGION)
    ]
    yield World(backend, stores)


def _run(call: Any) -> tuple[Any, BaseException | None, set[str]]:
    """Call ``call()``; return (result, error, IDs in the preview it showed)."""
    shown = io.StringIO()
    result: Any = None
    error: BaseException | None = None
    with contextlib.redirect_stderr(shown):
        try:
            result = call()
        except (ConfirmationRequired, ConfirmationMismatch, InputError) as err:
            error = err
    previewed = set()
    for line in shown.getvalue().splitlines():
        if line.startswith(("Skipped", "Not searched")):
            break  # notes come after the table
        row = _PREVIEW_ROW.match(line)
        if row:
            previewed.add(row.group(2))
    return result, error, previewed


def _confirm_values(previewed: list[str], frame_ids: list[str]) -> st.SearchStrategy[Any]:
    ids = st.sampled_from([*frame_ids, *GHOSTS, "1234567890"])
    exact = st.permutations(previewed) if previewed else st.just([])
    as_container = st.sampled_from([list, tuple, set, lambda xs: " , ".join(xs)])
    right = st.builds(lambda f, xs: f(xs), as_container, exact)
    return st.one_of(
        right,  # first, and so half the time: the deletes must happen to be checked
        st.one_of(
            st.none(),
            st.builds(lambda f, xs: f(xs), as_container, st.lists(ids, max_size=6)),
            st.sampled_from([0, 1234567890, {"ids": previewed}, [1, 2], b"1234567890", 1.5]),
            st.text(max_size=12),
        ),
    )


def _confirmed_ids(confirm: Any) -> set[str] | None:
    """What a confirm value names, as the delete must read it; None if it is malformed."""
    if confirm is None:
        return set()
    if isinstance(confirm, str):
        return {p.strip() for p in confirm.split(",") if p.strip()}
    if isinstance(confirm, (list, tuple, set)) and all(isinstance(i, str) for i in confirm):
        return {i.strip() for i in confirm if i.strip()}
    return None


@_SETTINGS
@given(data=st.data())
def test_bulk_delete_deletes_only_previewed_confirmed_stores(
    fake: OmicsBackend, data: st.DataObject
) -> None:
    with world(fake) as w:
        rows = data.draw(
            st.lists(
                st.sampled_from(w.stores + [(REGIONS[0], g) for g in GHOSTS]),
                min_size=1,
                max_size=8,
            ),
            label="frame rows",
        )
        conflicted = data.draw(st.sets(st.sampled_from(w.stores), max_size=3), label="read sets")
        for region, store_id in conflicted:
            for _ in range(5):
                w.backend.add_read_set(region, store_id)
        denials = data.draw(st.integers(0, 2), label="denied deletes")
        if denials:
            w.backend.inject_error(
                "AccessDeniedException", region=REGIONS[1], operation=DELETE, times=denials
            )
        frame = pd.DataFrame(rows, columns=["region", "sequence_store_id"])
        frame_ids = list(dict.fromkeys(frame["sequence_store_id"]))
        existing = [i for i in frame_ids if i not in GHOSTS]
        confirm = data.draw(_confirm_values(existing, frame_ids), label="confirm")
        before = w.alive()
        w.backend.requests.clear()

        report, error, previewed = _run(lambda: delete_sequence_stores(frame, confirm=confirm))

        deleted = {store_id for _, store_id in before - w.alive()}
        event(f"deleted {'some' if deleted else 'none'}; {type(error).__name__}")
        confirmed = _confirmed_ids(confirm)
        if confirmed is None:  # a malformed confirm: refused before any call
            assert isinstance(error, InputError) and w.backend.requests.count() == 0
            assert not deleted
            return
        assert previewed == set(existing)  # the preview shows the frame's stores that exist
        assert deleted <= previewed & confirmed
        if deleted:
            assert confirmed == previewed
        if confirm is None and previewed:
            assert isinstance(error, ConfirmationRequired)
        if confirmed != previewed and previewed:
            assert error is not None and not deleted
            assert w.backend.requests.count(operation=DELETE) == 0
        if error is None:
            outcomes = dict(zip(report["sequence_store_id"], report["outcome"], strict=True))
            assert {i for i, outcome in outcomes.items() if outcome == "deleted"} == deleted
            unconflicted = previewed - {i for _, i in conflicted}
            assert unconflicted - deleted == {i for i in unconflicted if outcomes[i] == "denied"}


@_SETTINGS
@given(
    pick=st.integers(0, len(REGIONS) * PER_REGION + len(GHOSTS) - 1),
    region=st.sampled_from([None, *REGIONS]),
    confirm=st.one_of(
        st.none(),
        st.sampled_from(["1000000001", "", "  ", 1234567890, ["x"], "yes"]),
        st.text(alphabet="0123456789 ", max_size=12),
        st.just("THE-ID"),
        st.just(" THE-ID "),
    ),
    through_sql=st.booleans(),
    conflict=st.booleans(),
)
def test_single_delete_deletes_only_the_confirmed_store(
    fake: OmicsBackend,
    pick: int,
    region: str | None,
    confirm: Any,
    through_sql: bool,
    conflict: bool,
) -> None:
    with world(fake) as w:
        targets = w.stores + [(REGIONS[0], g) for g in GHOSTS]
        home, store_id = targets[pick]
        if conflict and store_id not in GHOSTS:
            w.backend.add_read_set(home, store_id)
        if isinstance(confirm, str):
            confirm = confirm.replace("THE-ID", store_id)
        before = w.alive()

        def call() -> Any:
            if through_sql:
                where = f" AND region = '{region}'" if region else ""
                sql = (
                    "DELETE FROM aws.omics.sequence_store "
                    f"WHERE data__Identifier = '{store_id}'{where}"
                )
                return run_query(sql, confirm=confirm)
            return delete_sequence_store(store_id, region, confirm=confirm)

        try:
            _, error, previewed = _run(call)
        except StoreNotFoundError:  # not in the regions searched: nothing to delete
            assert store_id in GHOSTS or (region is not None and region != home)
            assert w.alive() == before
            return

        deleted = {i for _, i in before - w.alive()}
        event(f"deleted {'some' if deleted else 'none'}; {type(error).__name__}")
        assert deleted <= previewed <= {store_id}
        if deleted:
            assert isinstance(confirm, str) and confirm.strip() == store_id
            assert not conflict
        if confirm is None:
            assert isinstance(error, ConfirmationRequired) and not deleted
