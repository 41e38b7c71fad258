"""tests/warm.py: a forked child behaves as ``subprocess.run`` of a fresh interpreter would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import warm

SCRIPT = """
import atexit, json, os, sys
atexit.register(lambda: print("atexit ran", file=sys.stderr))
print(json.dumps({
    "pid": os.getpid(),
    "argv": sys.argv,
    "cwd": os.getcwd(),
    "path0": sys.path[0],
    "marker": os.environ.get("WARM_MARKER"),
    "stdin": sys.stdin.read(),
    "ours_loaded": "omics_magic" in sys.modules,
    "pandas_loaded": "pandas" in sys.modules,
    "encoding": sys.stdout.encoding,
}))
sys.exit(int(sys.argv[1]))
"""


def _script(tmp_path: Path, text: str) -> str:
    path = tmp_path / "child.py"
    path.write_text(text)
    return str(path)


def test_a_child_gets_its_own_env_cwd_argv_stdin_and_exit_status(tmp_path: Path) -> None:
    script = _script(tmp_path, SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(warm.ROOT), "WARM_MARKER": "m1"}
    done = warm.run(
        [sys.executable, script, "3"], env=env, cwd=tmp_path, input="in\r\nput", text=True
    )
    assert done.returncode == 3
    seen = json.loads(done.stdout)
    assert seen["pid"] != os.getpid()
    assert seen["argv"] == [script, "3"]
    assert seen["cwd"] == str(tmp_path)
    assert seen["path0"] == str(tmp_path)  # a script's directory, as python SCRIPT sets it
    assert seen["marker"] == "m1"
    assert seen["stdin"] == "in\r\nput"  # as written: stdin does no newline translation
    assert seen["pandas_loaded"] is True  # forked warm...
    assert seen["ours_loaded"] is False  # ...but the code under test is imported afresh
    assert done.stderr == "atexit ran\n"  # the interpreter's own shutdown ran

    again = warm.run(
        [sys.executable, script, "0"], env={**env, "WARM_MARKER": "m2"}, stdin=subprocess.DEVNULL
    )
    assert again.returncode == 0
    assert json.loads(again.stdout)["marker"] == "m2"  # nothing carried over
    assert json.loads(again.stdout)["stdin"] == ""


def test_a_module_runs_as_python_dash_m_would(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(warm.ROOT)}
    done = warm.run(
        [sys.executable, "-m", "omics_magic.cli", "--version"],
        env=env,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    assert done.returncode == 0
    assert done.stdout.startswith("omics-magic ")


def test_an_uncaught_exception_prints_its_traceback_and_exits_1(tmp_path: Path) -> None:
    script = _script(tmp_path, "raise LookupError('boom')\n")
    env = {**os.environ, "PYTHONPATH": str(warm.ROOT)}
    done = warm.run([sys.executable, script], env=env, stdin=subprocess.DEVNULL, text=True)
    assert done.returncode == 1
    assert "Traceback" in done.stderr and "LookupError: boom" in done.stderr


def test_a_child_past_its_timeout_is_killed_and_the_next_one_runs(tmp_path: Path) -> None:
    script = _script(tmp_path, "import time\ntime.sleep(60)\n")
    env = {**os.environ, "PYTHONPATH": str(warm.ROOT)}
    with pytest.raises(subprocess.TimeoutExpired):
        warm.run([sys.executable, script], env=env, stdin=subprocess.DEVNULL, timeout=0.5)
    done = warm.run([sys.executable, _script(tmp_path, SCRIPT), "0"], env=env, input=b"")
    assert done.returncode == 0


def test_start_up_settings_that_differ_fall_back_to_a_fresh_interpreter(tmp_path: Path) -> None:
    script = _script(tmp_path, SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(warm.ROOT), "PYTHONIOENCODING": "latin-1"}
    done = warm.run([sys.executable, script, "0"], env=env, input=b"")
    seen = json.loads(done.stdout)
    assert seen["encoding"] == "iso8859-1"  # what Python calls latin-1
    assert seen["pandas_loaded"] is False  # a fresh interpreter, not the zygote
