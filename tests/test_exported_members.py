"""The public surface is exactly ``__all__``: nothing leaks, nothing listed is missing."""

from __future__ import annotations

from types import ModuleType

import pytest

import omics_magic
import omics_magic.testing

# IPython's extension hooks (found by name by %load_ext) and the __future__ import.
_NOT_API = {"load_ipython_extension", "unload_ipython_extension", "annotations"}


def _public_attributes(module: ModuleType) -> set[str]:
    return {
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and not isinstance(value, ModuleType)
    }


@pytest.mark.parametrize("module", [omics_magic, omics_magic.testing], ids=lambda m: m.__name__)
def test_every_public_attribute_is_exported(module: ModuleType) -> None:
    # Load every lazy name first, so that what they bring along is checked too.
    for name in module.__all__:
        getattr(module, name)
    leaked = _public_attributes(module) - set(module.__all__) - _NOT_API
    assert not leaked, f"{module.__name__} exposes names that are not in __all__: {sorted(leaked)}"


@pytest.mark.parametrize("module", [omics_magic, omics_magic.testing], ids=lambda m: m.__name__)
def test_every_exported_name_exists(module: ModuleType) -> None:
    missing = [name for name in module.__all__ if not hasattr(module, name)]
    assert not missing
    assert len(set(module.__all__)) == len(module.__all__)


def test_dir_lists_the_public_names() -> None:
    assert dir(omics_magic) == sorted(omics_magic.__all__)


def test_version_is_a_string_and_version_does_not_leak() -> None:
    assert isinstance(omics_magic.__version__, str) and omics_magic.__version__
    assert not hasattr(omics_magic, "version")  # importlib.metadata.version used to leak
