"""The omics operations omics_magic calls, named once, with AWS's default quotas.

A name here is the API's operation name: what botocore's events, the pacers
(:func:`omics_magic.aws.pacing.operation_pacer`) and the fake's request log
all use. The client method is botocore's own transform of it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DELETE_RATE", "DELETE_STORE", "GET_STORE", "LIST_STORES", "LIST_TAGS", "call"]

LIST_STORES = "ListSequenceStores"
GET_STORE = "GetSequenceStore"
LIST_TAGS = "ListTagsForResource"
DELETE_STORE = "DeleteSequenceStore"

#: AWS's default DeleteSequenceStore quota, per account and region (TPS); the
#: read operations' is the pacer's default rate.
DELETE_RATE = 1.0


def call(client: Any, operation: str, **kwargs: Any) -> dict[str, Any]:
    """Call ``operation`` on an omics client (``GetSequenceStore`` -> ``get_sequence_store``).

    Examples
    --------
    >>> from botocore import xform_name
    >>> xform_name(DELETE_STORE)
    'delete_sequence_store'
    """
    from botocore import xform_name

    return dict(getattr(client, xform_name(operation))(**kwargs))
