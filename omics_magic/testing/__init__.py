"""A faithful fake of the AWS HealthOmics sequence-store API, for offline tests.

It serves sequence stores, the read sets in them (ListReadSets,
GetReadSetMetadata) and their tags, in several accounts at once.

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

Read sets: ``backend.seed(regions, 5, read_sets_per_store=20)`` for realistic
ones, or ``backend.add_read_set(region, store_id, sample_id=..., ...)``.

Accounts: requests act in the account their access key belongs to.
``backend.add_account("111122223333", profile="dev")`` returns credentials
for it, ``backend.write_aws_config(path)`` writes a config file with one
profile per account, and roles assumed through moto's STS (``moto.mock_aws``
in-process; the server answers STS itself, through moto) act in the role's
account. Unknown keys act in :data:`DEFAULT_ACCOUNT_ID`.

Faults for resilience tests: ``backend.set_latency(0.2, region="eu-west-1")``,
``backend.inject_error("ThrottlingException", operation="ListReadSets",
times=2)``, ``backend.disable_region("ap-southeast-1")``,
``backend.set_quotas("aws")``, each optionally for one ``account_id``;
``backend.expire_credentials(access_key_id)`` and
``backend.deny_assume_role(role_arn)``; and ``backend.requests.count(...)``
to assert exactly which calls were made (by operation, region, account...).

Clients other than botocore: ``server.env()`` holds everything boto3, the
AWS CLI and the omics-magic CLI need, fake credentials included. The AWS SDK
for JavaScript v3 ignores ``AWS_DISABLE_HOST_PREFIX_INJECTION``: create its
client with ``disableHostPrefix: true``, or it sends requests to
``control-storage-127.0.0.1``.
"""

from __future__ import annotations

from .accounts import AccountCredentials
from .backend import DEFAULT_ACCOUNT_ID, OmicsBackend
from .exceptions import OmicsServiceError
from .faults import AWS_QUOTAS, TokenBucket
from .log import RequestLog, RequestRecord
from .mock import MockOmics, mock_omics, patch_client
from .seed import seed_stores
from .server import OmicsServer

__all__ = [
    "AWS_QUOTAS",
    "AccountCredentials",
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
