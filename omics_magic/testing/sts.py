"""STS in front of moto: the fake's STS faults, then moto's STS for everything else.

Roles are assumed through moto's STS (moto must be installed), and the
temporary keys it issues act in the role's account (see
:mod:`~omics_magic.testing.accounts`). In front of it, the backend's faults:
an AssumeRole of a denied role answers AccessDenied, and expired credentials
answer ExpiredToken, both with 403 in STS's XML, as AWS answers.

- In-process, ``mock_omics`` puts :meth:`StsFront.fault` on botocore's
  ``before-send.sts`` event: it answers the faults and lets every other
  request through to ``moto.mock_aws`` (the requests are not logged).
- :class:`~omics_magic.testing.OmicsServer` answers requests signed for
  ``sts`` with :meth:`StsFront.handle`: the faults, then moto's STS.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from .moto_bridge import moto_sts_answer
from .responses import WireResponse, signing_scope

if TYPE_CHECKING:
    from .backend import OmicsBackend

__all__ = ["StsFront"]

_NO_MOTO = "OmicsServer answers STS through moto's STS; install moto (pip install 'moto[sts]')"


def sts_error(code: str, message: str, status: int, sender: bool = True) -> WireResponse:
    """An STS error answer, in the XML of the query protocol."""
    request_id = str(uuid.uuid4())
    body = (
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
        f"<Error><Type>{'Sender' if sender else 'Receiver'}</Type><Code>{escape(code)}</Code>"
        f"<Message>{escape(message)}</Message></Error>"
        f"<RequestId>{request_id}</RequestId></ErrorResponse>"
    ).encode()
    return WireResponse(status, {"Content-Type": "text/xml", "x-amzn-RequestId": request_id}, body)


def caller_identity(account_id: str, access_key: str) -> WireResponse:
    """GetCallerIdentity for keys registered with the backend: they act in their account
    (moto, which never saw them, would answer its default account)."""
    request_id = str(uuid.uuid4())
    body = (
        '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
        f"<GetCallerIdentityResult><Arn>arn:aws:iam::{account_id}:user/omics-magic-fake</Arn>"
        f"<UserId>{escape(access_key)}</UserId><Account>{account_id}</Account>"
        "</GetCallerIdentityResult>"
        f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>"
        "</GetCallerIdentityResponse>"
    ).encode()
    return WireResponse(200, {"Content-Type": "text/xml", "x-amzn-RequestId": request_id}, body)


def _form(body: Any) -> dict[str, str]:
    if hasattr(body, "read"):  # a stream: read it, and leave it as it was for STS itself
        where = body.tell()
        body, _ = body.read(), body.seek(where)
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if not isinstance(body, str):
        return {}
    return {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}


class StsFront:
    """The STS faults of one backend, in front of moto's STS."""

    def __init__(self, backend: OmicsBackend) -> None:
        self.backend = backend

    def fault(self, headers: Mapping[str, Any], body: Any) -> WireResponse | None:
        """The fault answer this STS request meets, or None to let STS answer it."""
        scope = signing_scope(headers)
        access_key = scope[0] if scope else None
        account_id = self.backend.account_for(access_key)
        if scope is not None and self.backend.faults.expired(access_key, account_id):
            return sts_error(
                "ExpiredToken", "The security token included in the request is expired", 403
            )
        form = _form(body)
        registered = self.backend._accounts.registered(access_key)
        if form.get("Action") == "GetCallerIdentity" and registered is not None:
            return caller_identity(registered, access_key or "")
        if form.get("Action") == "AssumeRole":
            role_arn = form.get("RoleArn", "")
            denied, message = self.backend.faults.assume_role_denial(role_arn)
            if denied:
                caller = f"arn:aws:iam::{account_id}:user/omics-magic-fake"
                return sts_error(
                    "AccessDenied",
                    message
                    or f"User: {caller} is not authorized to perform: sts:AssumeRole on "
                    f"resource: {role_arn}",
                    403,
                )
        return None

    def handle(self, method: str, headers: Mapping[str, Any], body: bytes) -> WireResponse:
        """Answer one STS request: a fault, else moto's STS (501 without moto)."""
        faulted = self.fault(headers, body)
        if faulted is not None:
            return faulted
        answer = moto_sts_answer(method, {k: str(v) for k, v in headers.items()}, body)
        if answer is None:
            return sts_error("NotImplemented", _NO_MOTO, 501, sender=False)
        return WireResponse(*answer)
