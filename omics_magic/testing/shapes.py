"""Model-driven request decoding, constraint checks and response encoding.

Everything here reads botocore's omics model (2022-11-28), so the fake checks
exactly the constraints AWS publishes: required members, string length,
patterns and enums, integer ranges, list and map sizes. Messages follow AWS's
``1 validation error detected: Value ... at 'x' failed to satisfy constraint``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape, StructureShape
from botocore.utils import parse_timestamp

from .exceptions import validation

__all__ = ["decode", "encode", "operation_model", "service_model", "validate"]

SERVICE = "omics"
OPERATIONS = (
    "CreateSequenceStore",
    "ListSequenceStores",
    "GetSequenceStore",
    "UpdateSequenceStore",
    "DeleteSequenceStore",
    "ListTagsForResource",
    "TagResource",
    "UntagResource",
    "ListReadSets",
    "GetReadSetMetadata",
)


@functools.cache
def service_model() -> ServiceModel:
    """botocore's omics service model (loaded once)."""
    import botocore.session

    return botocore.session.get_session().get_service_model(SERVICE)


def operation_model(name: str) -> OperationModel:
    return service_model().operation_model(name)


def _fail(value: Any, path: str, constraint: str) -> Exception:
    shown = value if isinstance(value, (int, float)) else repr(value)
    return validation(
        f"1 validation error detected: Value {shown} at '{path}' failed to satisfy "
        f"constraint: {constraint}"
    )


# -- decoding: wire values -> Python values of the member's shape ---------------------


def decode(shape: Shape, value: Any, path: str) -> Any:
    """Turn a JSON (or query-string) value into the Python value ``shape`` describes."""
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            raise _fail(value, path, "Member must be an object")
        assert isinstance(shape, StructureShape)
        return {
            name: decode(shape.members[name], item, f"{path}.{name}" if path else name)
            for name, item in value.items()
            if name in shape.members and item is not None
        }
    if kind == "list":
        if not isinstance(value, list):
            raise _fail(value, path, "Member must be a list")
        return [decode(shape.member, v, f"{path}.member") for v in value]
    if kind == "map":
        if not isinstance(value, dict):
            raise _fail(value, path, "Member must be a map")
        return {
            decode(shape.key, k, f"{path}.key"): decode(shape.value, v, f"{path}.value")
            for k, v in value.items()
        }
    if kind == "timestamp":
        try:
            parsed = parse_timestamp(value)
        except (ValueError, TypeError, OverflowError):
            raise _fail(value, path, "Member must be a timestamp") from None
        return parsed.astimezone(timezone.utc)
    if kind in ("integer", "long"):
        if isinstance(value, bool):
            raise _fail(value, path, "Member must be an integer")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise _fail(value, path, "Member must be an integer") from None
    if kind == "string":
        if not isinstance(value, str):
            raise _fail(value, path, "Member must be a string")
        return value
    return value


# -- constraints ------------------------------------------------------------------------


@functools.cache
def _pattern_check(pattern: str) -> Callable[[str], bool]:
    classes = re.findall(r"\\p\{(\w)\}", pattern)
    if classes:
        # Java-style unicode classes, e.g. [\p{L}||\p{M}||...]+ : every character must
        # be in one of the named general categories (Python's re has no \p{}).
        allowed = set(classes)
        return lambda s: bool(s) and all(unicodedata.category(c)[0] in allowed for c in s)
    compiled = re.compile(pattern)
    if "^" in pattern or "$" in pattern:
        # Explicitly anchored alternatives, e.g. "$|^s3://bucket/...": empty, or a
        # value that starts like an S3 URI. Matching from the start gives that.
        return lambda s: compiled.match(s) is not None
    return lambda s: compiled.fullmatch(s) is not None


def validate(shape: Shape, value: Any, path: str) -> None:
    """Raise a ValidationException if ``value`` breaks a constraint of ``shape``."""
    meta = shape.metadata
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        for name in shape.required_members:
            if name not in value:
                raise _fail(None, f"{path}.{name}" if path else name, "Member must not be null")
        for name, item in value.items():
            validate(shape.members[name], item, f"{path}.{name}" if path else name)
        return
    if kind == "string":
        _check_size(value, len(value), meta, path, "length")
        enum = meta.get("enum")
        if enum and value not in enum:
            raise _fail(value, path, f"Member must satisfy enum value set: [{', '.join(enum)}]")
        pattern = meta.get("pattern")
        if pattern and not _pattern_check(pattern)(value):
            raise _fail(value, path, f"Member must satisfy regular expression pattern: {pattern}")
    elif kind in ("integer", "long"):
        if "min" in meta and value < meta["min"]:
            raise _fail(
                value, path, f"Member must have value greater than or equal to {meta['min']}"
            )
        if "max" in meta and value > meta["max"]:
            raise _fail(value, path, f"Member must have value less than or equal to {meta['max']}")
    elif kind == "list":
        _check_size(value, len(value), meta, path, "length")
        for item in value:
            validate(shape.member, item, f"{path}.member")
    elif kind == "map":
        _check_size(value, len(value), meta, path, "length")
        for key, item in value.items():
            validate(shape.key, key, f"{path}.key")
            validate(shape.value, item, f"{path}.value")


def _check_size(value: Any, size: int, meta: dict[str, Any], path: str, what: str) -> None:
    if "min" in meta and size < meta["min"]:
        raise _fail(value, path, f"Member must have {what} greater than or equal to {meta['min']}")
    if "max" in meta and size > meta["max"]:
        raise _fail(value, path, f"Member must have {what} less than or equal to {meta['max']}")


# -- encoding: Python values -> JSON of the output shape ---------------------------------


def iso8601(value: datetime) -> str:
    """A timestamp as AWS's rest-json ``iso8601`` format spells it (milliseconds, Z)."""
    # isoformat truncates to milliseconds as the // 1000 did, several times faster than strftime.
    return value.astimezone(timezone.utc).isoformat(timespec="milliseconds")[:-6] + "Z"


def encode(shape: Shape, value: Any) -> Any:
    """Keep only the members ``shape`` defines, with timestamps as ISO 8601 strings."""
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        return {
            name: encode(member, value[name])
            for name, member in shape.members.items()
            if value.get(name) is not None
        }
    if kind == "list":
        return [encode(shape.member, v) for v in value]
    if kind == "map":
        return {k: encode(shape.value, v) for k, v in value.items()}
    if kind == "timestamp":
        return iso8601(value)
    return value
