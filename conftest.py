"""The package's doctests (``omics_magic/``) run in the tests' environment.

pytest collects the docstring examples of ``omics_magic`` beside ``tests/``
(``--doctest-modules``, see pyproject.toml). This root conftest gives them the
same fake credentials and empty AWS configuration as every test, so that an
example never uses a developer's own profile; ``tests/conftest.py`` keeps the
network guard, which covers the doctests too when the whole suite runs.
"""

from __future__ import annotations

from tests.conftest import fake_aws_env

__all__ = ["fake_aws_env"]
