"""The installed version of omics_magic, in a module of its own so that no module
imports the package's ``__init__`` for it."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _distribution_version

__all__ = ["__version__"]

try:
    __version__: str = _distribution_version("omics-magic")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
