"""The only two places the fake reaches into moto, each with a fallback without it.

- :func:`moto_account_for`: the account of an access key moto issued (an IAM
  user's key, or the temporary key of a role assumed through moto's STS), so
  that such keys act in their own account in the fake too.
- :func:`moto_sts_answer`: moto's STS answering a raw request, for
  :class:`~omics_magic.testing.OmicsServer` (in-process, ``moto.mock_aws``
  answers STS itself).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

__all__ = ["moto_account_for", "moto_sts_answer"]


def moto_account_for(access_key_id: str) -> str | None:
    """The account moto's IAM holds ``access_key_id`` in; None if moto doesn't know it."""
    # moto has no public lookup; its IAM keeps every key it issued (assumed roles' too).
    iam = sys.modules.get("moto.iam.models")  # not loaded: moto issued no key in this process
    if iam is None:
        return None
    lookup = getattr(iam, "get_account_id_from", None)
    if lookup is None:
        # Another thread is importing moto's IAM right now (the module is in sys.modules
        # half made: two STS requests at once, one of them the first): wait for it.
        import importlib

        lookup = getattr(importlib.import_module("moto.iam.models"), "get_account_id_from", None)
        if lookup is None:
            return None
    from moto.core import DEFAULT_ACCOUNT_ID as moto_default

    found = str(lookup(access_key_id))
    return None if found == moto_default else found


def moto_sts_answer(
    method: str, headers: Mapping[str, str], body: bytes
) -> tuple[int, dict[str, str], bytes] | None:
    """``(status, headers, body)`` of moto's STS for one request; None without moto."""
    try:
        # moto's router for botocore requests (what mock_aws calls), as it has no public one.
        from moto.core.botocore_stubber import BotocoreStubber
    except ImportError:
        return None
    from botocore.awsrequest import AWSPreparedRequest

    request = AWSPreparedRequest(
        method, "https://sts.amazonaws.com/", dict(headers), body, stream_output=False
    )
    answer: Any = BotocoreStubber().process_request(request)
    if answer is None:
        return None
    status, answer_headers, answer_body = answer
    if isinstance(answer_body, str):
        answer_body = answer_body.encode()
    return int(status), {str(k): str(v) for k, v in dict(answer_headers).items()}, answer_body
