"""omics_magic: AWS HealthOmics sequence stores across regions, as pandas DataFrames.

Load it in IPython with ``%load_ext omics_magic`` and query with ``%%omics``.
Heavy dependencies (boto3, duckdb, sqlglot) load on first use, so that
``%load_ext`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import (
    AmbiguousStoreError,
    ConfirmationError,
    ConfirmationMismatch,
    ConfirmationRequired,
    CredentialsError,
    ExportError,
    FetchError,
    InputError,
    InvalidIdentifierError,
    OmicsMagicError,
    RegionFailureWarning,
    SQLError,
    StoreNotFoundError,
    UnknownColumnError,
    UnknownRegionError,
)

try:
    from importlib.metadata import PackageNotFoundError, version

    __version__ = version("omics-magic")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

if TYPE_CHECKING:  # the lazy names, typed for checkers and IDEs
    from .delete import delete_sequence_store as delete_sequence_store
    from .demo_mode import demo as demo
    from .demo_mode import end_demo as end_demo
    from .export import read_parquet as read_parquet
    from .fetch import sequence_store as sequence_store
    from .fetch import sequence_stores as sequence_stores
    from .magic import OmicsMagic as OmicsMagic
    from .query import run_query as run_query

# Public name -> module that defines it; imported on first access (PEP 562).
_LAZY: dict[str, str] = {
    "OmicsMagic": "magic",
    "delete_sequence_store": "delete",
    "read_parquet": "export",
    "run_query": "query",
    "demo": "demo_mode",
    "end_demo": "demo_mode",
    "sequence_store": "fetch",
    "sequence_stores": "fetch",
}

__all__ = [
    "AmbiguousStoreError",
    "ConfirmationError",
    "ConfirmationMismatch",
    "ConfirmationRequired",
    "CredentialsError",
    "ExportError",
    "FetchError",
    "InputError",
    "InvalidIdentifierError",
    "OmicsMagicError",
    "RegionFailureWarning",
    "SQLError",
    "StoreNotFoundError",
    "UnknownColumnError",
    "UnknownRegionError",
    "__version__",
    *_LAZY,
]


# Registers the df.omics pandas accessor; accessor.py itself loads nothing heavy.
from . import accessor as _accessor  # noqa: E402, F401


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'omics_magic' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext omics_magic``: register ``%omics``/``%%omics`` (and its config)."""
    from .magic import OmicsMagic

    ipython.register_magics(OmicsMagic(ipython))


def unload_ipython_extension(ipython: Any) -> None:
    """``%unload_ext omics_magic``: remove what :func:`load_ipython_extension` added."""
    from .magic import unregister

    unregister(ipython)
