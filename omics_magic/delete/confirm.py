"""Preview and confirmation for deletes: what will go, and proof the user means it.

A delete shows its preview (an HTML table in a notebook, text on stderr
elsewhere), then needs a confirmation that can't be given by accident:

- ``confirm=`` given: for one store, its ID; for several, exactly the set of
  previewed IDs, as a list, set or tuple of str or one comma-separated str.
- otherwise a prompt, when one is possible: an IPython kernel whose frontend
  allows stdin, or a terminal. The user types the store's ID, or
  ``delete N stores``; any other answer cancels.
- otherwise (papermill, nbclient, CI): :class:`ConfirmationRequired`.

Nothing here is cached: every delete asks again.
"""

from __future__ import annotations

import html
import sys
import threading
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from ..errors import ConfirmationMismatch, ConfirmationRequired, InputError

__all__ = [
    "PREVIEW_COLUMNS",
    "ask",
    "bulk_phrase",
    "check_bulk_confirmation",
    "check_single_confirmation",
    "confirmed",
    "normalize_bulk_confirm",
    "normalize_single_confirm",
    "prompt_possible",
    "show_preview",
]

PREVIEW_COLUMNS = ("region", "sequence_store_id", "name", "creation_time", "status")


def normalize_single_confirm(confirm: object) -> str | None:
    """Check that a single-store ``confirm`` is None or a str; strip spaces."""
    if confirm is None:
        return None
    if not isinstance(confirm, str):
        raise InputError(
            f"confirm must be the store's ID as a string, not {type(confirm).__name__}; "
            "e.g. confirm='1234567890'"
        )
    return confirm.strip()


def normalize_bulk_confirm(confirm: object) -> frozenset[str] | None:
    """Turn a bulk ``confirm`` into a set of IDs, or None when not given.

    A str is split on commas (``'111,222'``); a list, set or tuple must hold
    only str. Anything else (a number, a dict, a DataFrame) is refused, so that
    passing the frame itself can't count as a confirmation.
    """
    if confirm is None:
        return None
    if isinstance(confirm, str):
        items: Iterable[object] = confirm.split(",")
    elif isinstance(confirm, (list, tuple, set, frozenset)):
        items = confirm
    else:
        raise InputError(
            "confirm must be the store IDs to delete, as a list of str or one "
            f"comma-separated str, not {type(confirm).__name__}; e.g. confirm=['1234567890']"
        )
    ids: set[str] = set()
    for item in items:
        if not isinstance(item, str):
            raise InputError(
                f"confirm must hold store IDs as str, not {type(item).__name__} ({item!r})"
            )
        if item.strip():
            ids.add(item.strip())
    return frozenset(ids)


def check_single_confirmation(confirm: str, identifier: str, label: str) -> None:
    """Raise ConfirmationMismatch unless ``confirm`` is the store's ID."""
    if confirm != identifier:
        raise ConfirmationMismatch(
            f"confirm={confirm!r} does not match the store to delete; to delete {label} "
            f"pass confirm={identifier!r} (in %%omics: --confirm {identifier}). "
            "Nothing was deleted."
        )


def check_bulk_confirmation(confirm: frozenset[str], identifiers: Sequence[str]) -> None:
    """Raise ConfirmationMismatch unless ``confirm`` is exactly the previewed IDs."""
    expected = set(identifiers)
    if confirm == expected:
        return
    wanted = ", ".join(dict.fromkeys(identifiers))
    parts = [f"confirm must be exactly the {len(expected)} previewed store IDs: {wanted}"]
    missing = sorted(expected - confirm)
    extra = sorted(confirm - expected)
    if missing:
        parts.append(f"missing: {', '.join(missing)}")
    if extra:
        parts.append(f"not in the preview: {', '.join(extra)}")
    raise ConfirmationMismatch("; ".join(parts) + ". Nothing was deleted.")


def confirmed(
    identifiers: Sequence[str],
    confirm: str | frozenset[str] | None,
    *,
    single: bool,
    label: str,
) -> bool:
    """Step 3 of a delete: True to go ahead, False if the user cancelled at the prompt.

    ``identifiers`` are the previewed IDs. A single delete (``single``) passes
    one ID and a str ``confirm`` or None; a bulk delete a frozenset or None.
    ``label`` says what is deleted, for messages and the prompt.

    Raises
    ------
    ConfirmationMismatch
        ``confirm`` was given and is not what was previewed.
    ConfirmationRequired
        No ``confirm`` and no way to prompt.
    """
    if isinstance(confirm, str):
        check_single_confirmation(confirm, identifiers[0], label)
        return True
    if confirm is not None:
        check_bulk_confirmation(confirm, identifiers)
        return True
    if not prompt_possible():
        how = (
            f"pass confirm={identifiers[0]!r} (in %%omics: --confirm {identifiers[0]})"
            if single
            else f"pass confirm= with exactly these IDs, e.g. confirm={','.join(identifiers)!r}"
        )
        raise ConfirmationRequired(
            f"deleting {label} needs a confirmation and this session can't prompt "
            f"(no terminal, or a notebook run without stdin); {how}. Nothing was deleted."
        )
    expected = identifiers[0] if single else bulk_phrase(len(identifiers))
    answer = ask(f"To delete {label}, type {expected!r} (anything else cancels): ")
    typed = " ".join((answer or "").split())
    if typed.lower() == expected:
        return True
    LAST_CANCEL.reason = (
        "the confirmation did not match; not deleted"
        if typed
        else "cancelled at the prompt (no answer); not deleted"
    )
    return False


class _LastCancel(threading.local):
    reason = "the confirmation did not match; not deleted"


#: Why this thread's last prompted delete was cancelled: an empty answer is a cancel,
#: not a mismatch (read by the protocol for the report's message).
LAST_CANCEL = _LastCancel()


def bulk_phrase(count: int) -> str:
    """What the user types to confirm a bulk delete at the prompt."""
    return f"delete {count} store" + ("" if count == 1 else "s")


def _kernel() -> Any:
    """The running ipykernel, or None outside one (without importing IPython)."""
    if "IPython" not in sys.modules:
        return None
    from IPython import get_ipython

    return getattr(get_ipython(), "kernel", None)


def _ipython_running() -> bool:
    if "IPython" not in sys.modules:
        return False
    from IPython import get_ipython

    return get_ipython() is not None


def prompt_possible() -> bool:
    """True if ``input()`` can reach a person right now.

    In a kernel this is the frontend's ``allow_stdin`` for the running cell
    (False under nbclient and papermill); ipykernel keeps it on
    ``kernel._allow_stdin``. Elsewhere it takes a terminal on stdin.
    """
    kernel = _kernel()
    if kernel is not None:
        return bool(getattr(kernel, "_allow_stdin", False))
    stdin = sys.stdin
    try:
        return stdin is not None and stdin.isatty()
    except (AttributeError, ValueError):  # replaced or closed stdin
        return False


def ask(prompt: str) -> str | None:
    """Ask the user; None when no answer can be read (EOF, frontend without stdin)."""
    from IPython.core.error import StdinNotImplementedError

    try:
        return input(prompt)
    except (EOFError, StdinNotImplementedError):  # the latter: a kernel frontend without stdin
        return None


def show_preview(
    preview: pd.DataFrame, title: str, notes: Sequence[str] = (), *, table: bool = True
) -> None:
    """Display the preview: HTML (with a text fallback) in a kernel, text on stderr elsewhere.

    Only store fields are shown: never a session, profile, endpoint or key.
    ``table=False`` shows the title and notes only, for a dry run in IPython,
    whose returned frame is the table (shown as the cell's value).
    """
    if not table and not _ipython_running():
        table = True  # a script shows no returned value: the preview is the only table
    text = "\n".join([title, *([preview.to_string(index=False)] if table else []), *notes])
    if _kernel() is not None:
        from IPython.display import display

        # to_html escapes cell values, so a store name can't inject markup.
        markup = (
            f"<p><strong>{html.escape(title)}</strong></p>"
            + (preview.to_html(index=False) if table else "")
            + "".join(f"<p>{html.escape(note)}</p>" for note in notes)
        )
        display({"text/plain": text, "text/html": markup}, raw=True)
        return
    print(text, file=sys.stderr, flush=True)
