"""Helpers for the fake's own tests: clients with retries off, error introspection."""

from __future__ import annotations

from typing import Any

import boto3
import botocore.loaders
import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError

REGION = "us-east-1"
# Note: botocore's retries "max_attempts" counts *retries* (it adds 1); the total
# number of attempts is "total_max_attempts".
NO_RETRY = Config(retries={"total_max_attempts": 1, "mode": "standard"})
NO_CLIENT_VALIDATION = Config(
    retries={"total_max_attempts": 1, "mode": "standard"}, parameter_validation=False
)


# One model loader for every test session: loading the JSON models is most of the
# cost of a new session, and they never change.
_LOADER = botocore.loaders.create_loader()


def fresh_session() -> boto3.session.Session:
    """A new boto3 session (fresh credentials and config), sharing the model loader."""
    core = botocore.session.Session()
    core.register_component("data_loader", _LOADER)
    return boto3.session.Session(botocore_session=core)


def omics_client(region: str = REGION, *, validate: bool = True, **kwargs: Any) -> Any:
    """A real boto3 omics client from a fresh session, botocore retries off."""
    config = NO_RETRY if validate else NO_CLIENT_VALIDATION
    return fresh_session().client("omics", region_name=region, config=config, **kwargs)


def error_of(err: ClientError) -> tuple[str, int, str]:
    """(code, HTTP status, message) of a ClientError."""
    return (
        err.response["Error"]["Code"],
        err.response["ResponseMetadata"]["HTTPStatusCode"],
        err.response["Error"]["Message"],
    )
