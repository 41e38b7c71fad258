"""Arrow arrays to lists of Python objects, vectorised, equal to ``to_pylist``.

``Array.to_pylist`` builds a pyarrow scalar for every value and every map
entry, which made reading 100,000 stores ~3x slower than plain pandas. Here
strings go through ``to_numpy`` (one C loop), and maps, lists and structs are
rebuilt from their flattened children, each converted once, sliced by their
offsets. The result is what ``to_pylist(maps_as_pydicts="lossy")`` gives: ``str``
or None (never NaN), dicts for maps (``{}`` for an empty one, the last value of
a duplicated key) and structs, lists for lists. Any other type goes through
``to_pylist`` itself.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["to_objects"]

# Strings are deduplicated when a sample of this many has at most half distinct values.
_SAMPLE = 1024


def to_objects(values: pa.Array | pa.ChunkedArray) -> list[Any]:
    """The values of ``values`` as Python objects, as ``to_pylist(maps_as_pydicts="lossy")``.

    Examples
    --------
    >>> tags = pa.array([{"team": "a"}, {}, None], type=pa.map_(pa.string(), pa.string()))
    >>> to_objects(tags)
    [{'team': 'a'}, {}, None]
    """
    if isinstance(values, pa.ChunkedArray):
        out: list[Any] = []
        for chunk in values.chunks:
            out.extend(_array_objects(chunk))
        return out
    return _array_objects(values)


def _array_objects(array: pa.Array) -> list[Any]:
    kind = array.type
    if len(array) == 0:
        return []
    if pa.types.is_null(kind) or array.null_count == len(array):
        return [None] * len(array)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return _string_objects(array)
    if pa.types.is_map(kind):
        out = _offsets_objects(array, array.keys, array.items)
    elif pa.types.is_list(kind) or pa.types.is_large_list(kind):
        out = _offsets_objects(array, array.values, None)
    elif pa.types.is_struct(kind) and _distinct_field_names(kind):
        out = _struct_objects(array)
    else:
        fallback: list[Any] = array.to_pylist(maps_as_pydicts="lossy")
        return fallback
    if array.null_count:
        for row in array.is_null().to_numpy(zero_copy_only=False).nonzero()[0].tolist():
            out[row] = None
    return out


def _string_objects(array: pa.Array) -> list[Any]:
    """``str`` and None; one object per distinct value when values repeat.

    Regions, tag keys and values, the KMS type repeat a lot: one ``str`` each
    instead of one per row keeps the frame as small as the one written (as
    pyarrow's own ``to_pandas(deduplicate_objects=True)`` does). Mostly
    distinct columns (ARNs, ids) skip the hashing.
    """
    sample = array.slice(0, _SAMPLE)
    if pc.count_distinct(sample, mode="all").as_py() * 2 > len(sample):
        # An object ndarray of str and None; tolist() hands over the same objects.
        objects: list[Any] = array.to_numpy(zero_copy_only=False).tolist()
        return objects
    encoded = pc.dictionary_encode(array)
    # Nulls point past the dictionary, at a None appended to it.
    words = np.empty(len(encoded.dictionary) + 1, dtype=object)
    words[:-1] = encoded.dictionary.to_numpy(zero_copy_only=False)
    positions = encoded.indices.fill_null(len(words) - 1).to_numpy(zero_copy_only=False)
    deduplicated: list[Any] = words[positions].tolist()
    return deduplicated


def _offsets_objects(array: Any, first: pa.Array, second: pa.Array | None) -> list[Any]:
    """Each row's slice of the flattened child(ren): dicts of (first, second) or lists of first.

    ``array.offsets`` index the whole child arrays (a slice of ``array`` keeps
    its parent's children), so only the part they cover is converted.
    """
    offsets = array.offsets.to_numpy()
    begin, end = int(offsets[0]), int(offsets[-1])
    bounds = (offsets - begin).tolist()
    keys = to_objects(first.slice(begin, end - begin))
    pairs = zip(bounds[:-1], bounds[1:], strict=True)
    if second is None:
        return [keys[a:b] for a, b in pairs]
    items = to_objects(second.slice(begin, end - begin))
    return [dict(zip(keys[a:b], items[a:b], strict=True)) for a, b in pairs]


def _struct_objects(array: pa.StructArray) -> list[Any]:
    kind = array.type
    names = [kind.field(i).name for i in range(kind.num_fields)]
    if not names:
        return [{} for _ in range(len(array))]
    # field() applies the array's slice (its nulls are set by the caller). Not flatten():
    # on a union field of DuckDB's (a validity buffer, which Arrow unions must not have)
    # it aborts the process.
    fields = [to_objects(array.field(i)) for i in range(kind.num_fields)]
    return [dict(zip(names, row, strict=True)) for row in zip(*fields, strict=True)]


def _distinct_field_names(kind: pa.StructType) -> bool:
    names = [kind.field(i).name for i in range(kind.num_fields)]
    return len(set(names)) == len(names)
