"""ARNs of the fake's resources: sequence stores and the read sets inside them."""

from __future__ import annotations

import re
from typing import NamedTuple

from .exceptions import validation

__all__ = ["ResourceName", "parse_resource_arn", "parse_store_arn", "read_set_arn", "store_arn"]

_ARN = re.compile(
    r"arn:(?P<partition>[^:]+):(?P<service>[^:]+):(?P<region>[^:]*):"
    r"(?P<account>[^:]*):(?P<resource>.+)"
)
_STORE = re.compile(r"sequenceStore/(?P<store>[^/]+)")
_READ_SET = re.compile(r"sequenceStore/(?P<store>[^/]+)/readSet/(?P<read_set>[^/]+)")


class ResourceName(NamedTuple):
    """What an omics ARN names: a store (``read_set_id`` None) or a read set in it."""

    region: str
    account_id: str
    store_id: str
    read_set_id: str | None


def store_arn(region: str, account_id: str, store_id: str) -> str:
    """The ARN of a sequence store, as AWS spells it."""
    return f"arn:aws:omics:{region}:{account_id}:sequenceStore/{store_id}"


def read_set_arn(region: str, account_id: str, store_id: str, read_set_id: str) -> str:
    """The ARN of a read set, as AWS spells it.

    Examples
    --------
    >>> read_set_arn("us-east-1", "123456789012", "1234567890", "9876543210")
    'arn:aws:omics:us-east-1:123456789012:sequenceStore/1234567890/readSet/9876543210'
    """
    return f"{store_arn(region, account_id, store_id)}/readSet/{read_set_id}"


def parse_resource_arn(arn: str) -> ResourceName | None:
    """The store or read set an ARN names; None if it names something else.

    Raises a ValidationException if ``arn`` is not an ARN at all.

    Examples
    --------
    >>> arn = "arn:aws:omics:eu-west-1:111122223333:sequenceStore/1234567890/readSet/9876543210"
    >>> parse_resource_arn(arn).read_set_id
    '9876543210'
    >>> parse_resource_arn("arn:aws:s3:::bucket") is None
    True
    """
    match = _ARN.fullmatch(arn)
    if match is None:
        raise validation(f"Invalid ARN: {arn!r} is not a valid Amazon Resource Name")
    if match["service"] != "omics":
        return None
    where = (match["region"], match["account"])
    read_set = _READ_SET.fullmatch(match["resource"])
    if read_set is not None:
        return ResourceName(*where, read_set["store"], read_set["read_set"])
    store = _STORE.fullmatch(match["resource"])
    return ResourceName(*where, store["store"], None) if store is not None else None


def parse_store_arn(arn: str) -> tuple[str, str, str] | None:
    """``(region, account, id)`` of a sequence store ARN; None if it names something else."""
    named = parse_resource_arn(arn)
    if named is None or named.read_set_id is not None:
        return None
    return named.region, named.account_id, named.store_id
