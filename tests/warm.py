"""Real Python processes, forked from a warm parent: ``subprocess.run`` without the imports.

A test that runs ``python -m omics_magic.cli ...`` pays ~1 s of CPU per process,
most of it importing pandas, pyarrow, duckdb, boto3 and sqlglot; the suite
starts about a hundred such processes. :func:`run` starts the same command as
a child forked from a *zygote*: one Python process per test process, started
once, that has imported those third-party libraries and nothing else.

The child is still a real process (its own PID, file descriptors 0, 1 and 2 on
pipes, exit status, interpreter start and shutdown of the code under test):

- it imports omics_magic afresh, as ``python -m`` would, with the request's
  ``os.environ``, working directory, ``sys.argv`` and ``sys.path[0]``;
- ``-m module`` runs through :func:`runpy.run_module` and a script through
  :func:`runpy.run_path`, at the top level of the child, so an uncaught
  exception prints its traceback and ``SystemExit`` sets the exit status
  through the interpreter's own shutdown (``atexit``, flushing stdout);
- what the interpreter reads only at start-up (``PYTHON*`` variables, the
  locale) must match the zygote's, or the call falls back to a plain
  :func:`subprocess.run`: so does any other command.

Tests that signal the process, give it a terminal or read it while it runs
start it with :mod:`subprocess` themselves.
"""

from __future__ import annotations

import atexit
import json
import locale
import os
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

#: The third-party modules the zygote imports before it forks: omics_magic's own
#: dependencies. Never omics_magic itself, whose import each child makes afresh.
PRELOAD = (
    "pandas",
    "pyarrow",
    "pyarrow.parquet",
    "duckdb",
    "boto3",
    "botocore.session",
    "sqlglot",
    "sqlglot.dialects.duckdb",
    "tqdm",
)

#: What the interpreter reads when it starts: a child must see the zygote's.
_AT_START = ("PYTHON", "LANG", "LC_")

_ZYGOTE = r"""
import importlib, json, os, runpy, socket, sys, threading
sock = socket.socket(fileno=int(sys.argv[1]))
for name in json.loads(sys.argv[2]):
    importlib.import_module(name)
assert threading.active_count() == 1, "the zygote must not fork with threads"
sys.stdout.flush()
sys.stderr.flush()


def serve():
    while True:
        msg, fds, _, _ = socket.recv_fds(sock, 1 << 20, 3)
        if not msg:
            return None  # the test process went away
        request = json.loads(msg)
        pid = os.fork()
        if pid == 0:
            sock.close()
            return request, fds
        for fd in fds:
            os.close(fd)
        sock.send(json.dumps({"pid": pid}).encode())
        _, status = os.waitpid(pid, 0)
        sock.send(json.dumps({"returncode": os.waitstatus_to_exitcode(status)}).encode())


served = serve()
if served is None:
    raise SystemExit(0)
request, fds = served
for target, fd in enumerate(fds):
    os.dup2(fd, target)
    os.close(fd)
os.chdir(request["cwd"])
os.environ.clear()
os.environ.update(request["env"])
del served, fds, sock, serve
args = request["args"]
if args[0] == "-m":
    sys.argv = [args[1], *args[2:]]  # run_module puts the module's path in argv[0]
    sys.path[0] = os.getcwd()
    runpy.run_module(args[1], run_name="__main__", alter_sys=True)
else:
    sys.argv = list(args)
    sys.path[0] = os.path.dirname(os.path.abspath(args[0]))
    runpy.run_path(args[0], run_name="__main__")
"""


class _Zygote:
    """The warm parent of one test process, started on first use."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.env = _zygote_env()
        self.process = subprocess.Popen(
            [sys.executable, "-c", _ZYGOTE, str(theirs.fileno()), json.dumps(PRELOAD)],
            pass_fds=[theirs.fileno()],
            env=self.env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self.sock = ours
        self.lock = threading.Lock()

    def matches(self, env: Mapping[str, str]) -> bool:
        def start_up(e: Mapping[str, str]) -> dict[str, str]:
            return {k: v for k, v in e.items() if k.startswith(_AT_START)}

        return start_up(env) == start_up(self.env)

    def run(
        self,
        args: Sequence[str],
        env: Mapping[str, str],
        cwd: str,
        input: bytes | None,
        stdin_null: bool,
        timeout: float,
    ) -> tuple[int, bytes, bytes]:
        with self.lock:  # one child at a time per zygote
            return self._run(args, env, cwd, input, stdin_null, timeout)

    def _run(
        self,
        args: Sequence[str],
        env: Mapping[str, str],
        cwd: str,
        input: bytes | None,
        stdin_null: bool,
        timeout: float,
    ) -> tuple[int, bytes, bytes]:
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        if input is not None:
            in_r, in_w = os.pipe()
            assert len(input) < 60_000, "input must fit the pipe: it is written before the fork"
            os.write(in_w, input)
            os.close(in_w)
        elif stdin_null:
            in_r = os.open(os.devnull, os.O_RDONLY)
        else:
            in_r = os.dup(0)
        request = json.dumps({"args": list(args), "env": dict(env), "cwd": cwd}).encode()
        try:
            socket.send_fds(self.sock, [request], [in_r, out_w, err_w])
        finally:
            for fd in (in_r, out_w, err_w):
                os.close(fd)
        pid = json.loads(self.sock.recv(1 << 16))["pid"]
        chunks: dict[int, list[bytes]] = {out_r: [], err_r: []}
        deadline = time.monotonic() + timeout
        returncode: int | None = None
        with selectors.DefaultSelector() as selector:
            for fd in chunks:
                selector.register(fd, selectors.EVENT_READ)
            selector.register(self.sock, selectors.EVENT_READ)
            try:
                while selector.get_map():
                    left = deadline - time.monotonic()
                    if left <= 0:
                        os.kill(pid, signal.SIGKILL)
                        json.loads(self.sock.recv(1 << 16))  # the zygote reaps it
                        raise subprocess.TimeoutExpired(list(args), timeout)
                    for key, _ in selector.select(left):
                        if key.fileobj is self.sock:
                            returncode = json.loads(self.sock.recv(1 << 16))["returncode"]
                            selector.unregister(self.sock)
                            continue
                        fd = key.fd
                        data = os.read(fd, 1 << 16)
                        if data:
                            chunks[fd].append(data)
                        else:
                            selector.unregister(fd)
            finally:
                os.close(out_r)
                os.close(err_r)
        assert returncode is not None
        return returncode, b"".join(chunks[out_r]), b"".join(chunks[err_r])

    def close(self) -> None:
        self.sock.close()  # the zygote sees end of file and exits
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _zygote_env() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return env


_zygote: _Zygote | None = None
_zygote_lock = threading.Lock()


def _the_zygote() -> _Zygote:
    global _zygote
    with _zygote_lock:
        if _zygote is None or _zygote.process.poll() is not None:
            _zygote = _Zygote()
            atexit.register(_zygote.close)
        return _zygote


def run(
    args: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: str | Path | None = None,
    stdin: int | None = None,
    input: str | bytes | None = None,
    text: bool = False,
    timeout: float = 180,
) -> subprocess.CompletedProcess[Any]:
    """``subprocess.run(args, capture_output=True, ...)``, forked from the warm zygote.

    Parameters
    ----------
    args
        ``[sys.executable, "-m", module, ...]`` or ``[sys.executable, script, ...]``;
        anything else runs through :func:`subprocess.run`.
    env
        The child's whole environment.
    cwd
        Its working directory (default: this process's).
    stdin
        ``subprocess.DEVNULL``, or None to share this process's standard input.
    input
        Bytes or text for its standard input (at most ~60 KB), instead of ``stdin``.
    text
        Decode stdout, stderr (and encode ``input``) as UTF-8 text.
    timeout
        Seconds before the child is killed and :class:`subprocess.TimeoutExpired` raised.

    Returns
    -------
    subprocess.CompletedProcess
        With the child's exit status, stdout and stderr.
    """
    argv = list(args)
    if isinstance(input, str):
        data: bytes | None = input.encode(locale.getpreferredencoding(False))
    else:
        data = input
    forkable = (
        len(argv) >= 2
        and argv[0] == sys.executable
        and (argv[1] == "-m" or not argv[1].startswith("-"))
        and stdin in (None, subprocess.DEVNULL)
        and sys.platform.startswith("linux")
    )
    zygote = _the_zygote() if forkable else None
    if zygote is None or not zygote.matches(env):
        done = subprocess.run(
            argv,
            env=dict(env),
            cwd=cwd,
            stdin=stdin if data is None else None,
            input=data,
            capture_output=True,
            timeout=timeout,
        )
        code, out, err = done.returncode, done.stdout, done.stderr
    else:
        where = str(Path(cwd) if cwd is not None else Path.cwd())
        code, out, err = zygote.run(
            argv[1:], env, where, data, stdin == subprocess.DEVNULL, timeout
        )
    if text:  # as subprocess decodes: the locale's encoding, universal newlines
        return subprocess.CompletedProcess(argv, code, _text(out), _text(err))
    return subprocess.CompletedProcess(argv, code, out, err)


def _text(data: bytes) -> str:
    decoded = data.decode(locale.getpreferredencoding(False))
    return decoded.replace("\r\n", "\n").replace("\r", "\n")
