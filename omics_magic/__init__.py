"""omics_magic: AWS HealthOmics sequence stores and read sets across regions, as DataFrames.

Load it in IPython with ``%load_ext omics_magic`` and query with ``%%omics``.
Heavy dependencies (boto3, duckdb, sqlglot) load on first use, so that
``%load_ext`` stays fast.
"""

import importlib as _importlib
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from ._version import __version__
from .errors import (
    AmbiguousStoreError,
    ConfirmationError,
    ConfirmationMismatch,
    ConfirmationRequired,
    CredentialsError,
    DeleteInterrupted,
    ExportError,
    FetchError,
    InputError,
    InvalidIdentifierError,
    OmicsMagicError,
    QueryLimitError,
    RegionFailureWarning,
    SQLError,
    StoreNotFoundError,
    UnknownColumnError,
    UnknownRegionError,
    WriteError,
)

if _TYPE_CHECKING:  # the lazy names, typed for checkers and IDEs
    from .delete.protocol import delete_sequence_store as delete_sequence_store
    from .demo_mode.mode import demo as demo
    from .demo_mode.mode import end_demo as end_demo
    from .export.files import read_parquet as read_parquet
    from .fetch.cache import clear_cache as clear_cache
    from .fetch.engine import sequence_store as sequence_store
    from .fetch.engine import sequence_stores as sequence_stores
    from .fetch.read_sets import read_set as read_set
    from .fetch.read_sets import read_sets as read_sets
    from .magic import OmicsMagic as OmicsMagic
    from .sql.run import run_query as run_query

# Public name -> module that defines it; imported on first access (PEP 562).
_LAZY: dict[str, str] = {
    "OmicsMagic": "magic",
    "clear_cache": "fetch.cache",
    "delete_sequence_store": "delete.protocol",
    "read_parquet": "export.files",
    "read_set": "fetch.read_sets",
    "read_sets": "fetch.read_sets",
    "run_query": "sql.run",
    "demo": "demo_mode.mode",
    "end_demo": "demo_mode.mode",
    "sequence_store": "fetch.engine",
    "sequence_stores": "fetch.engine",
}

__all__ = [
    "AmbiguousStoreError",
    "ConfirmationError",
    "ConfirmationMismatch",
    "ConfirmationRequired",
    "CredentialsError",
    "DeleteInterrupted",
    "ExportError",
    "FetchError",
    "InputError",
    "InvalidIdentifierError",
    "OmicsMagicError",
    "QueryLimitError",
    "RegionFailureWarning",
    "SQLError",
    "StoreNotFoundError",
    "UnknownColumnError",
    "UnknownRegionError",
    "WriteError",
    "__version__",
    *_LAZY,
]


# Registers the df.omics pandas accessor; accessor.py itself loads nothing heavy.
from . import accessor as _accessor  # noqa: E402, F401


def __getattr__(name: str) -> _Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'omics_magic' has no attribute {name!r}")
    value = getattr(_importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


def load_ipython_extension(ipython: _Any) -> None:
    """``%load_ext omics_magic``: register ``%omics``/``%%omics`` (and its config)."""
    from .completion import register_completer
    from .display import register_formatter
    from .magic import OmicsMagic

    ipython.register_magics(OmicsMagic(ipython))
    register_formatter(ipython)
    register_completer(ipython)


def unload_ipython_extension(ipython: _Any) -> None:
    """``%unload_ext omics_magic``: remove what :func:`load_ipython_extension` added."""
    from .completion import unregister_completer
    from .display import unregister_formatter
    from .magic import unregister

    unregister(ipython)
    unregister_formatter(ipython)
    unregister_completer(ipython)
