"""Which regions offer AWS HealthOmics, which to query, and well-formed IDs.

Everything here runs before any AWS call, so that bad input fails at once.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable

from .errors import InvalidIdentifierError, UnknownRegionError

__all__ = [
    "REGIONS_ENV",
    "default_regions",
    "omics_regions",
    "resolve_regions",
    "validate_identifier",
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


def _check(region: object) -> str:
    valid = omics_regions()
    if not isinstance(region, str) or region.strip() not in valid:
        raise UnknownRegionError(
            f"{region!r} is not a region where AWS HealthOmics is offered; "
            f"use one of: {', '.join(valid)}"
        )
    return region.strip()


def default_regions() -> tuple[str, ...]:
    """The configured default: ``$OMICS_MAGIC_REGIONS`` if set, else every omics region."""
    configured = os.environ.get(REGIONS_ENV, "").strip()
    if not configured:
        return omics_regions()
    names = [r for r in (p.strip() for p in configured.split(",")) if r]
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
    checked = [_check(r) for r in regions]
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
