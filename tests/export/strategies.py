"""Hypothesis strategies for frames of sequence stores, shared by the export tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from omics_magic.columns import ALL_COLUMNS, column, frame

REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "ap-southeast-1")

_text = st.text(max_size=12)
_maybe_text = st.none() | _text
_timestamp = st.none() | st.datetimes(
    min_value=dt.datetime(1900, 1, 1),
    max_value=dt.datetime(2200, 1, 1),
    timezones=st.just(dt.timezone.utc),
)
_tags = st.none() | st.dictionaries(_text, _text, max_size=4)
_sse = st.none() | st.fixed_dictionaries({"type": _maybe_text, "key_arn": _maybe_text})
_string_list = st.none() | st.lists(_text, max_size=3)


def _known_value(name: str) -> st.SearchStrategy[Any]:
    if name == "region":
        return st.sampled_from(REGIONS)
    if name == "tags":
        return _tags
    if name == "sse_config":
        return _sse
    if name == "propagated_set_level_tags":
        return _string_list
    if column(name).arrow_type.equals(column("creation_time").arrow_type):
        return _timestamp
    return _maybe_text


def _user_column(kind: str, n: int) -> st.SearchStrategy[pd.Series]:
    """An unknown column of one of several pandas dtypes, possibly all-null."""
    if kind == "int64":
        return st.lists(st.integers(-(2**63), 2**63 - 1), min_size=n, max_size=n).map(
            lambda v: pd.Series(v, dtype="int64")
        )
    if kind == "float64":
        floats = st.floats(allow_nan=True, allow_infinity=True)
        return st.lists(floats, min_size=n, max_size=n).map(lambda v: pd.Series(v, dtype="float64"))
    if kind == "bool":
        return st.lists(st.booleans(), min_size=n, max_size=n).map(
            lambda v: pd.Series(v, dtype="bool")
        )
    if kind == "Int64":
        ints = st.none() | st.integers(-(2**63), 2**63 - 1)
        return st.lists(ints, min_size=n, max_size=n).map(
            lambda v: pd.Series(pd.array(v, dtype="Int64"))
        )
    if kind == "str":  # pandas 3's default string dtype (NaN for missing)
        values = st.none() | _text
        return st.lists(values, min_size=n, max_size=n).map(
            lambda v: pd.Series([np.nan if x is None else x for x in v], dtype="str")
        )
    if kind == "category":
        values = st.none() | st.sampled_from(["a", "b", "ü"])
        return st.lists(values, min_size=n, max_size=n).map(
            lambda v: pd.Series(pd.Categorical(v, categories=["ü", "b", "a", "unused"]))
        )
    if kind == "object":  # strings and None, as DuckDB or a user might leave them
        return st.lists(_maybe_text, min_size=n, max_size=n).map(
            lambda v: pd.Series(v, dtype=object)
        )
    if kind == "null":
        return st.just(pd.Series([None] * n, dtype=object))
    raise AssertionError(kind)


USER_KINDS = ("int64", "float64", "bool", "Int64", "str", "category", "object", "null")


@st.composite
def store_frames(draw: st.DrawFn, *, need_region: bool = False) -> pd.DataFrame:
    """A frame like the engine returns, plus user columns, in any column order."""
    names = draw(st.lists(st.sampled_from(ALL_COLUMNS), unique=True, min_size=1))
    if need_region and "region" not in names:
        names.append("region")
    names = draw(st.permutations(names))
    n = draw(st.integers(0, 6))
    rows = [{name: draw(_known_value(name)) for name in names} for _ in range(n)]
    df = frame(rows, names)
    for kind in draw(st.lists(st.sampled_from(USER_KINDS), unique=True, max_size=3)):
        position = draw(st.integers(0, df.shape[1]))
        df.insert(position, f"user_{kind}", draw(_user_column(kind, n)))
    if draw(st.booleans()):  # labels of dtype object, as older code or concat leave them
        df.columns = pd.Index(list(df.columns), dtype=object)
    return df
