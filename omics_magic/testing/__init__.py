"""A faithful fake of the AWS HealthOmics sequence-store API, for offline tests.

It speaks the real REST-JSON protocol of botocore's omics model, so your code
runs unchanged through boto3's serialization, signing, retries and parsing.
Two ways in share one :class:`OmicsBackend`:

- :func:`mock_omics`: in-process, on botocore's ``before-send`` event (composes
  with ``moto.mock_aws``);
- :class:`OmicsServer`: a loopback HTTP server for other processes (kernels,
  the CLI) reached through ``AWS_ENDPOINT_URL_OMICS``.

Examples
--------
Test your own code in-process:

>>> import boto3
>>> from omics_magic.testing import mock_omics
>>> with mock_omics() as backend:
...     _ = backend.seed(["us-east-1", "eu-west-1"], stores_per_region=5)
...     client = boto3.client("omics", region_name="eu-west-1")
...     len(client.list_sequence_stores()["sequenceStores"])
5

Or run a notebook offline against a server (any process that gets the env):

>>> import os
>>> from omics_magic.testing import OmicsServer
>>> server = OmicsServer().start()
>>> _ = server.backend.seed(["us-east-1", "us-west-2", "eu-west-2"], 10)
>>> env = {**os.environ, **server.env()}  # e.g. for subprocess.run(..., env=env)
>>> server.stop()

Faults for resilience tests: ``backend.set_latency(0.2, region="eu-west-1")``,
``backend.inject_error("ThrottlingException", operation="ListSequenceStores",
times=2)``, ``backend.disable_region("ap-southeast-1")``,
``backend.set_quotas("aws")``; and ``backend.requests.count(...)`` to assert
exactly which calls were made.
"""

from __future__ import annotations

from .backend import DEFAULT_ACCOUNT_ID, OmicsBackend
from .exceptions import OmicsServiceError
from .faults import AWS_QUOTAS, TokenBucket
from .log import RequestLog, RequestRecord
from .mock import MockOmics, mock_omics, patch_client
from .seed import seed_stores
from .server import OmicsServer

__all__ = [
    "AWS_QUOTAS",
    "DEFAULT_ACCOUNT_ID",
    "MockOmics",
    "OmicsBackend",
    "OmicsServer",
    "OmicsServiceError",
    "RequestLog",
    "RequestRecord",
    "TokenBucket",
    "mock_omics",
    "patch_client",
    "seed_stores",
]
