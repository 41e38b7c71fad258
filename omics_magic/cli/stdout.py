"""Standard output for the CLI: a full disk or a closed stdout is one line, not a traceback."""

from __future__ import annotations

import os
import sys

from ..errors import OmicsMagicError

__all__ = ["OutputFailed", "check_stdout", "silence_stdout", "write_stdout"]


class OutputFailed(OmicsMagicError):
    """The query ran, but its result could not be shown or written (exit 1)."""


def check_stdout() -> None:
    """InputError (exit 2, before any call) if the CLI was started with stdout closed."""
    if sys.stdout is None:  # started with stdout closed (>&-)
        from ..errors import InputError

        raise InputError(
            "standard output is closed, so the result can't be printed; write it to a file "
            "with -o PATH instead"
        )


def write_stdout(text: str) -> None:
    """Print ``text`` now: a full disk is OutputFailed here, not a traceback at exit.

    A reader that went away raises BrokenPipeError, for :func:`main` to end quietly.
    """
    check_stdout()
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as err:
        silence_stdout()  # what is still buffered would fail again at exit
        raise OutputFailed(f"can't write to standard output: {err.strerror or err}") from None


def silence_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit can't fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, AttributeError, ValueError):  # stdout closed or not a file
        pass
