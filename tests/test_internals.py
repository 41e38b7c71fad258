"""omics_magic.internals: the one home of other libraries' private APIs, and its fallbacks."""

from __future__ import annotations

import ast
import warnings
from pathlib import Path
from types import SimpleNamespace

import boto3
import pytest
from IPython.core.interactiveshell import InteractiveShell

from omics_magic import internals
from omics_magic.errors import RegionFailureWarning
from omics_magic.failures import Failure
from omics_magic.fetch import progress, report

PACKAGE = Path(internals.__file__).parent
# The private names of boto3/botocore, ipykernel, CPython, IPython, argparse and pandas we read.
PRIVATE = {
    "_session",
    "_credentials",
    "_allow_stdin",
    "_getframe",
    "registry",
    "_actions",
    "_info_repr",
}


def _is_self(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id in ("self", "cls")


def _private_uses(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        own = isinstance(node, ast.Attribute) and _is_self(node.value)  # our own attribute
        if isinstance(node, ast.Attribute) and node.attr in PRIVATE and not own:
            found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: .{node.attr}")
        if isinstance(node, ast.Constant) and node.value in ("PYTEST_CURRENT_TEST", *PRIVATE):
            found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {node.value!r}")
    return found


def test_no_module_but_internals_reads_another_librarys_privates() -> None:
    uses = [
        u
        for p in sorted(PACKAGE.rglob("*.py"))
        if p.name != "internals.py"
        for u in _private_uses(p)
    ]
    assert uses == []


def test_the_botocore_session_and_explicit_keys() -> None:
    keyed = boto3.Session(aws_access_key_id="AKIAEXAMPLE", aws_secret_access_key="x")
    assert internals.botocore_session(keyed) is keyed._session
    assert internals.explicit_credentials(keyed).access_key == "AKIAEXAMPLE"
    assert internals.explicit_credentials(boto3.Session()) is None
    # The fallbacks, for a session that lost its private attribute.
    bare = SimpleNamespace(profile_name=None)
    assert internals.explicit_credentials(bare) is None  # type: ignore[arg-type]
    core = internals.botocore_session(bare)  # type: ignore[arg-type]
    assert core.get_config_variable("region") == core.get_config_variable("region")


def test_stdin_is_only_allowed_when_the_kernel_says_so() -> None:
    assert internals.kernel_allows_stdin(SimpleNamespace(_allow_stdin=True)) is True
    assert internals.kernel_allows_stdin(SimpleNamespace(_allow_stdin=False)) is False
    assert internals.kernel_allows_stdin(object()) is False  # fallback: no prompt


def test_a_region_warning_points_at_the_users_line() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report.report_failures([Failure("us-east-1", "X", "y", "error")], 1, strict=False)
    [warning] = caught
    assert warning.category is RegionFailureWarning
    assert warning.filename == __file__


def test_remove_magics_takes_only_ours_and_tolerates_other_shapes() -> None:
    shell = InteractiveShell.instance()
    try:
        shell.run_line_magic("load_ext", "omics_magic")
        assert "omics" in shell.magics_manager.magics["cell"]
        internals.remove_magics(shell, "omics", "SomeoneElses")
        assert "omics" in shell.magics_manager.magics["cell"]  # not ours to remove
        internals.remove_magics(shell, "omics", "OmicsMagic")
        assert "omics" not in shell.magics_manager.magics["cell"]
        assert "omics" not in shell.magics_manager.magics["line"]
        internals.remove_magics(SimpleNamespace(), "omics", "OmicsMagic")  # fallback: nothing
    finally:
        shell.run_line_magic("unload_ext", "omics_magic")
        InteractiveShell.clear_instance()


def test_a_shell_with_a_kernel_attribute_is_not_a_notebook(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shell = InteractiveShell.instance()
    try:
        monkeypatch.setattr(shell, "kernel", SimpleNamespace(), raising=False)
        assert progress.in_notebook() is False
        assert progress.Progress.auto(None).show is False
    finally:
        InteractiveShell.clear_instance()


def test_given_credentials_are_what_the_session_signs_with() -> None:
    import botocore.session
    from botocore.credentials import Credentials

    given = Credentials("AKIAGIVEN", "secret")
    core = botocore.session.Session()
    internals.give_credentials(core, given)
    assert core.get_credentials() is given
    # The fallback, for a botocore without the private attribute: a provider asked first.
    bare = botocore.session.Session()
    internals._provide_first(bare, given)
    assert bare.get_credentials() is given
