"""Which regions offer AWS HealthOmics, which to query, well-formed IDs, and the
stores a frame names.

Everything here runs before any AWS call, so that bad input fails at once.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .errors import InputError, InvalidIdentifierError, UnknownRegionError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "REGIONS_ENV",
    "default_regions",
    "omics_regions",
    "resolve_regions",
    "store_keys",
    "validate_identifier",
    "validate_region",
]

REGIONS_ENV = "OMICS_MAGIC_REGIONS"
_IDENTIFIER = re.compile(r"[0-9]{10,36}")


@functools.cache
def omics_regions() -> tuple[str, ...]:
    """Every region where botocore lists the omics service (the ``aws`` partition).

    Read from botocore's endpoint data directly rather than through a session,
    so that a broken ``AWS_PROFILE`` can't make region validation fail.
    """
    import botocore.loaders
    import botocore.regions

    endpoints = botocore.loaders.create_loader().load_data("endpoints")
    resolver = botocore.regions.EndpointResolver(endpoints)
    return tuple(resolver.get_available_endpoints("omics", "aws"))


def validate_region(region: object, *, exact: bool = False) -> str:
    """Return ``region`` if AWS HealthOmics is offered there (surrounding blanks dropped).

    ``exact=True`` is for a region literal in SQL, which must match the
    ``region`` column as written: no blanks around it.

    Raises
    ------
    UnknownRegionError
        If it is not an omics region; the message lists the valid ones.

    Examples
    --------
    >>> validate_region(" eu-west-1")
    'eu-west-1'
    >>> validate_region(" eu-west-1", exact=True)
    Traceback (most recent call last):
      ...
    omics_magic.errors.UnknownRegionError: ' eu-west-1' is not a region where ...
    """
    valid = omics_regions()
    name = region.strip() if isinstance(region, str) and not exact else region
    if not isinstance(name, str) or name not in valid:
        raise UnknownRegionError(
            f"{region!r} is not a region where AWS HealthOmics is offered; "
            f"use one of: {', '.join(valid)}"
        )
    return name


def default_regions() -> tuple[str, ...]:
    """The configured default: ``$OMICS_MAGIC_REGIONS`` if set, else every omics region."""
    configured = os.environ.get(REGIONS_ENV, "").strip()
    if not configured:
        return omics_regions()
    names = [r for r in (p.strip() for p in configured.split(",")) if r]
    if not names:  # resolve_regions([]) would come back here
        raise UnknownRegionError(
            f"${REGIONS_ENV} is {configured!r}, which names no region; set it to regions "
            "separated by commas (e.g. us-east-1,eu-west-2), or unset it for every region"
        )
    try:
        return resolve_regions(names)
    except UnknownRegionError as err:
        raise UnknownRegionError(f"${REGIONS_ENV}: {err}") from None


def resolve_regions(regions: str | Iterable[str] | None) -> tuple[str, ...]:
    """Validate region names, keeping the caller's order and dropping repeats.

    ``None`` (or an empty list) means :func:`default_regions`.

    Raises
    ------
    UnknownRegionError
        If any name is not an omics region; the message lists the valid ones.

    Examples
    --------
    >>> resolve_regions(["us-east-1", "eu-west-1", "us-east-1"])
    ('us-east-1', 'eu-west-1')
    """
    if regions is None:
        return default_regions()
    if isinstance(regions, (str, bytes)) or not isinstance(regions, Iterable):
        regions = [regions]  # one name; a bytes or a number is one (bad) name, not several
    checked = [validate_region(r) for r in regions]
    if not checked:
        return default_regions()
    return tuple(dict.fromkeys(checked))


def validate_identifier(identifier: object) -> str:
    """Return ``identifier`` if it is a well-formed sequence store ID.

    Raises
    ------
    InvalidIdentifierError
        If it is not a string of 10 to 36 digits.
    """
    if not isinstance(identifier, str) or not _IDENTIFIER.fullmatch(identifier):
        raise InvalidIdentifierError(
            f"{identifier!r} is not a sequence store ID; IDs are 10 to 36 digits, e.g. '1234567890'"
        )
    return identifier


_ARN = re.compile(r"^arn:[^:]+:omics:(?P<region>[^:]+):[^:]*:sequenceStore/(?P<id>[^/]+)$")


def store_keys(df: pd.DataFrame) -> list[tuple[str, str]]:
    """The ``(region, sequence_store_id)`` of every row, validated, before any call.

    From the ``region`` and ``sequence_store_id`` columns, or parsed from
    ``arn`` where they are missing.

    Raises
    ------
    InputError
        A row identifies no store, or an unknown region or malformed ID.

    Examples
    --------
    >>> import pandas as pd
    >>> store_keys(pd.DataFrame({"arn": ["arn:aws:omics:eu-west-2:1:sequenceStore/1234567890"]}))
    [('eu-west-2', '1234567890')]
    """
    has = set(df.columns)
    regions = df["region"].tolist() if "region" in has else [None] * len(df)
    ids = df["sequence_store_id"].tolist() if "sequence_store_id" in has else [None] * len(df)
    arns = df["arn"].tolist() if "arn" in has else [None] * len(df)
    keys = []
    for label, region, identifier, arn in zip(df.index, regions, ids, arns, strict=True):
        if not (isinstance(region, str) and isinstance(identifier, str)):
            parsed = _ARN.match(arn) if isinstance(arn, str) else None
            if parsed is None:
                raise InputError(
                    f"row {label!r} has no region and sequence_store_id (nor a sequence store "
                    "arn); fill them in or drop the row"
                )
            region = region if isinstance(region, str) else parsed["region"]
            identifier = identifier if isinstance(identifier, str) else parsed["id"]
        keys.append((resolve_regions(region)[0], validate_identifier(identifier)))
    return keys
