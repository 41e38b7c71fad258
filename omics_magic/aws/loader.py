"""botocore's data files, decoded once per process for every session omics_magic makes.

Each new botocore session has a data loader of its own, and its first client
decodes botocore's JSON again: the endpoint rules and partitions, the list of
services, the omics model (~35 ms of CPU a session). A fetch over many
accounts makes a session per profile or role, so the same files were decoded
once per account. Sessions that omics_magic makes share one loader per data
path instead, registered through botocore's public ``register_component``.
A session the caller passes in keeps its own loader.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import botocore.session

_loaders: dict[str | None, Any] = {}  # one per AWS_DATA_PATH value: a handful at most
_lock = threading.Lock()


def share_data_loader(core: botocore.session.Session) -> None:
    """Give ``core`` the process's data loader for its data path (``$AWS_DATA_PATH``).

    The loader only reads files and caches what it decoded, so one serves any
    number of sessions and threads.

    Examples
    --------
    >>> import botocore.session
    >>> first, second = botocore.session.Session(), botocore.session.Session()
    >>> share_data_loader(first); share_data_loader(second)
    >>> first.get_component("data_loader") is second.get_component("data_loader")
    True
    """
    from botocore.loaders import create_loader

    path = core.get_config_variable("data_path")
    with _lock:
        loader = _loaders.get(path)
        if loader is None:
            loader = _loaders[path] = create_loader(path)
    core.register_component("data_loader", loader)
