"""Execute a notebook in a real Jupyter kernel running this Python (nbclient).

Used by ``omics-magic demo --notebook`` and by the tests that run
``notebooks/*.ipynb``. The kernel is started with ``sys.executable``, not
whatever ``python3`` kernelspec comes first on the Jupyter path, so that it
imports the same omics_magic as the caller. Like papermill and CI, it offers
no stdin: a delete there needs ``--confirm``.

Needs the ``test`` extra (nbclient, nbformat, ipykernel).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import InputError

__all__ = ["execute_notebook", "kernel_environment", "read_notebook"]

_MISSING = (
    "running notebooks needs nbclient, nbformat and ipykernel; install them with "
    "pip install '.[test]' (or pip install nbclient ipykernel)"
)


def read_notebook(path: str | os.PathLike[str]) -> Any:
    """Read a notebook file (nbformat 4).

    Raises
    ------
    InputError
        nbformat is not installed, or the file can't be read.
    """
    try:
        import nbformat
    except ImportError:
        raise InputError(_MISSING) from None
    try:
        return nbformat.read(os.fspath(path), as_version=4)
    except (OSError, ValueError) as err:
        raise InputError(f"can't read notebook {path}: {err}") from None


def execute_notebook(
    nb: Any,
    *,
    cwd: str | os.PathLike[str],
    env: Mapping[str, str] | None = None,
    timeout: float = 180,
) -> Any:
    """Run every cell of ``nb`` in a fresh kernel, in place; return ``nb``.

    Parameters
    ----------
    nb
        A notebook from :func:`read_notebook`; outputs are filled in as cells run,
        so after a failure it holds everything up to the failing cell.
    cwd
        The kernel's working directory.
    env
        The kernel's environment (default: this process's).
    timeout
        Seconds each cell may take.

    Raises
    ------
    nbclient.exceptions.CellExecutionError
        A cell raised, unless it is tagged ``raises-exception``.

    Examples
    --------
    >>> nb = read_notebook("notebooks/quickstart.ipynb")  # doctest: +SKIP
    >>> execute_notebook(nb, cwd=".", env=kernel_environment())  # doctest: +SKIP
    """
    try:
        from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
        from jupyter_client.manager import AsyncKernelManager
        from nbclient import NotebookClient
    except ImportError:
        raise InputError(_MISSING) from None

    class ThisPython(KernelSpecManager):
        def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
            return KernelSpec(
                argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                display_name="Python 3",
                language="python",
                resource_dir=str(cwd),
            )

    with tempfile.TemporaryDirectory(prefix="omics-kernel-") as sockets:
        manager = AsyncKernelManager(kernel_name="python3", kernel_spec_manager=ThisPython())
        if os.name != "nt":
            # Unix sockets in a private directory: no TCP port open to other local users,
            # and no plain-text-transport warning from the kernel.
            manager.transport = "ipc"
            manager.ip = os.path.join(sockets, "kernel")
        client = NotebookClient(
            nb,
            km=manager,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": os.fspath(cwd)}},
        )
        client.execute(env=dict(env) if env is not None else None)
    return nb


def kernel_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) for a kernel that imports this omics_magic.

    The directory holding this omics_magic package goes first on
    ``PYTHONPATH``, so that a source checkout runs without being installed.

    Examples
    --------
    >>> env = kernel_environment({"PYTHONPATH": "/opt/lib"})
    >>> env["PYTHONPATH"].endswith("/opt/lib")
    True
    """
    env = dict(os.environ if base is None else base)
    here = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (here, env.get("PYTHONPATH", "")) if p)
    return env
