"""A fast timestamp parser for botocore's responses, installed on the sessions we make.

botocore parses every timestamp of a response with dateutil, trying
``tzlocal()`` first: measured on a ListSequenceStores page of 100 stores, 74%
of the page's CPU. AWS HealthOmics answers ISO 8601 in UTC, which
:meth:`datetime.fromisoformat` reads in microseconds. botocore's own hook for
this is public: ``ResponseParserFactory.set_parser_defaults(timestamp_parser=...)``,
the session's ``response_parser_factory`` component. Anything else (epoch
seconds, RFC 822, a fraction Python 3.10 can't read) goes to botocore's parser.

It is installed only on sessions omics_magic makes
(:func:`~omics_magic.aws.clients.resolve_session`): the factory is shared by
every client of its session, and a session passed in belongs to its caller,
whose other clients keep botocore's defaults.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..internals import botocore_session

__all__ = ["install_fast_timestamps", "parse_utc_timestamp"]


def parse_utc_timestamp(value: Any) -> datetime:
    """An aware datetime for an API timestamp, as botocore's parser would give it.

    Examples
    --------
    >>> parse_utc_timestamp("2024-05-01T12:30:00.123Z")
    datetime.datetime(2024, 5, 1, 12, 30, 0, 123000, tzinfo=datetime.timezone.utc)
    >>> parse_utc_timestamp(0).year
    1970
    """
    if isinstance(value, str):
        text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None and "T" in text:
            return parsed  # (a naive one is botocore's to read, as it always was)
    from botocore.utils import parse_timestamp

    result: datetime = parse_timestamp(value)
    return result


def install_fast_timestamps(session: Any) -> None:
    """Parse ``session``'s response timestamps with :func:`parse_utc_timestamp`."""
    # (If boto3 ever hides its botocore session, the fallback is a new one: the
    # parser is then botocore's own, slower but the same answers.)
    factory = botocore_session(session).get_component("response_parser_factory")
    factory.set_parser_defaults(timestamp_parser=parse_utc_timestamp)
