"""The Examples in the fake's docstrings run, and show what they claim."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "omics_magic.testing",
    "omics_magic.testing.accounts",
    "omics_magic.testing.arns",
    "omics_magic.testing.backend",
    "omics_magic.testing.backend_accounts",
    "omics_magic.testing.backend_faults",
    "omics_magic.testing.backend_read_sets",
    "omics_magic.testing.pagination",
    "omics_magic.testing.quotas",
    "omics_magic.testing.faults",
    "omics_magic.testing.log",
    "omics_magic.testing.mock",
    "omics_magic.testing.seed",
    "omics_magic.testing.server",
    "omics_magic.testing.urls",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
