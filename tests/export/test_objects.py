"""The vectorised Arrow-to-Python conversion gives exactly what to_pylist gives."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from omics_magic.export.objects import to_objects

_TEXT = st.none() | st.text(max_size=6)
_MAP = pa.map_(pa.string(), pa.string())
_STRUCT = pa.struct([("type", pa.string()), ("key_arn", pa.string())])

# (Arrow type, values of that type): every type the export writes, nested ones
# included, and types that go through to_pylist itself.
_KINDS: list[tuple[pa.DataType, st.SearchStrategy[Any]]] = [
    (pa.string(), _TEXT),
    (pa.large_string(), _TEXT),
    (_MAP, st.none() | st.dictionaries(st.text(max_size=4), _TEXT, max_size=3)),
    (_STRUCT, st.none() | st.fixed_dictionaries({"type": _TEXT, "key_arn": _TEXT})),
    (pa.list_(pa.string()), st.none() | st.lists(_TEXT, max_size=3)),
    (
        pa.large_list(_MAP),
        st.none()
        | st.lists(
            st.none() | st.dictionaries(_TEXT.filter(lambda k: k is not None), _TEXT, max_size=2),
            max_size=2,
        ),
    ),
    (
        pa.struct([("m", _MAP), ("n", pa.int64())]),
        st.none()
        | st.fixed_dictionaries(
            {
                "m": st.none() | st.dictionaries(st.text(max_size=3), _TEXT, max_size=2),
                "n": st.none() | st.integers(-5, 5),
            }
        ),
    ),
    (pa.struct([]), st.none() | st.just({})),
    (pa.null(), st.none()),
    (pa.int64(), st.none() | st.integers(-(2**63), 2**63 - 1)),
]


@st.composite
def _arrays(draw: st.DrawFn) -> pa.Array | pa.ChunkedArray:
    kind, values = draw(st.sampled_from(_KINDS))
    chunks = draw(st.lists(st.lists(values, max_size=6), min_size=1, max_size=3))
    arrays = [pa.array(chunk, type=kind) for chunk in chunks]
    # Slices keep their parent's children and offsets: the offsets must be honoured.
    start = draw(st.integers(0, len(arrays[0])))
    arrays[0] = arrays[0].slice(start, draw(st.integers(0, len(arrays[0]) - start)))
    if draw(st.booleans()):
        return pa.chunked_array(arrays, type=kind)
    return arrays[0]


@settings(max_examples=300, deadline=None)
@given(array=_arrays())
def test_to_objects_equals_to_pylist(array: pa.Array | pa.ChunkedArray) -> None:
    expected = array.to_pylist(maps_as_pydicts="lossy")
    got = to_objects(array)
    assert got == expected
    assert _types(got) == _types(expected)


def test_a_duplicated_map_key_keeps_its_last_value_as_to_pylist_does() -> None:
    array = pa.MapArray.from_arrays([0, 2, 2], ["k", "k"], ["first", "last"], type=_MAP)
    assert to_objects(array) == [{"k": "last"}, {}]


def _types(value: Any) -> Any:
    """The value's shape with every leaf replaced by its type: {} vs None, str vs NaN."""
    if isinstance(value, dict):
        return {k: _types(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_types(v) for v in value]
    return type(value)
