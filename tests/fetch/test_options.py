"""FetchOptions: every fetch option validated once, where the object is made."""

from __future__ import annotations

import dataclasses
import time

import pytest

import omics_magic
from omics_magic.errors import InputError, RegionFailureWarning
from omics_magic.fetch.engine import fetch_frame
from omics_magic.fetch.options import FetchOptions
from omics_magic.testing import OmicsBackend


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"strict": "no"}, "strict must be True or False; got 'no'"),
        ({"warn": 1.5}, "warn must be True or False"),
        ({"progress": "off"}, "progress must be True, False or None"),
        ({"timeout": 0}, "timeout must be a number of seconds > 0"),
        ({"timeout": "5"}, "timeout must be a number of seconds > 0"),
        ({"max_concurrency": 0}, "max_concurrency must be an integer >= 1"),
        ({"max_concurrency": True}, "max_concurrency must be an integer >= 1"),
        ({"rate": -1}, "rate must be a number of requests per second"),
        ({"deadline": "soon"}, "deadline must be a time.monotonic"),
    ],
)
def test_a_bad_option_is_one_input_error(options: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        FetchOptions(**options)  # type: ignore[arg-type]


def test_options_are_frozen_normalised_and_resolved(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMICS_MAGIC_TPS", "7")
    options = FetchOptions(timeout=float("inf"))
    assert options.timeout is None and options.tps == 7.0
    assert FetchOptions(rate=0).tps is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.strict = True  # type: ignore[misc]
    assert FetchOptions() == FetchOptions()


def test_started_sets_one_deadline_once() -> None:
    before = time.monotonic()
    started = FetchOptions(timeout=10).started()
    assert started.deadline is not None and before + 10 <= started.deadline
    assert started.started() is started  # a second fetch keeps the query's deadline
    assert FetchOptions().started().deadline is None


def test_a_bad_option_fails_before_any_call(omics_backend: OmicsBackend) -> None:
    with pytest.raises(InputError, match="strict"):
        omics_magic.sequence_stores("us-east-1", strict="yes")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="max_concurrency"):
        omics_magic.run_query("SELECT * FROM aws.omics.sequence_stores", max_concurrency=-2)
    with pytest.raises(TypeError, match="options must be FetchOptions"):
        fetch_frame("us-east-1", columns=None, options={"strict": True})  # type: ignore[arg-type]
    assert omics_backend.requests.count() == 0


def test_a_deadline_already_past_makes_no_call(omics_backend: OmicsBackend) -> None:
    omics_backend.seed(["us-east-1"], stores_per_region=2)
    options = FetchOptions(timeout=5, deadline=time.monotonic() - 1)

    with pytest.warns(RegionFailureWarning, match="DeadlineExceeded"):
        df = fetch_frame("us-east-1", columns=["name"], options=options)

    assert df.empty
    assert [(e["code"], e["kind"]) for e in df.attrs["omics_errors"]] == [
        ("DeadlineExceeded", "unavailable")
    ]
    assert omics_backend.requests.count() == 0
