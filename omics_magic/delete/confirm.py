"""Preview and confirmation for deletes: what will go, and proof the user means it.

A delete shows its preview (an HTML table in a notebook, text on stderr
elsewhere), then needs a confirmation that can't be given by accident:

- ``confirm=`` given: for one store, its ID; for several, exactly the set of
  previewed IDs, as a list, set or tuple of str or one comma-separated str.
  A store may also be named ``region:id`` or by its ARN, and must be when its
  ID is previewed more than once (the same ID in two regions): one word never
  confirms two stores.
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
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..errors import ConfirmationMismatch, ConfirmationRequired, InputError

__all__ = [
    "PREVIEW_COLUMNS",
    "Previewed",
    "ask",
    "bulk_phrase",
    "check_bulk_confirmation",
    "check_single_confirmation",
    "confirmation_words",
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


@dataclass(frozen=True)
class Previewed:
    """One store in a delete's preview, and the words that can confirm it."""

    region: str
    identifier: str
    arn: str | None = None

    def words(self) -> tuple[str, ...]:
        """Its ID, ``region:id`` and its ARN (when known)."""
        words = (self.identifier, f"{self.region}:{self.identifier}")
        return (*words, self.arn) if self.arn else words


def confirmation_words(stores: Sequence[Previewed]) -> list[str]:
    """The word each store is confirmed by: its ID, or ``region:id`` if the ID repeats.

    Examples
    --------
    >>> confirmation_words([Previewed("us-east-1", "111"), Previewed("eu-west-1", "111"),
    ...                     Previewed("eu-west-1", "222")])
    ['us-east-1:111', 'eu-west-1:111', '222']
    """
    counts: dict[str, int] = {}
    for store in stores:
        counts[store.identifier] = counts.get(store.identifier, 0) + 1
    words = []
    for store in stores:
        qualified = f"{store.region}:{store.identifier}"
        if counts[store.identifier] == 1:
            words.append(store.identifier)
        elif sum(f"{s.region}:{s.identifier}" == qualified for s in stores) == 1 or not store.arn:
            words.append(qualified)
        else:  # the same region and ID in two accounts: only the ARN tells them apart
            words.append(store.arn)
    return words


def check_single_confirmation(confirm: str, store: Previewed, label: str) -> None:
    """Raise ConfirmationMismatch unless ``confirm`` names the store (ID, region:id or ARN)."""
    if confirm not in store.words():
        raise ConfirmationMismatch(
            f"confirm={confirm!r} does not match the store to delete; to delete {label} "
            f"pass confirm={store.identifier!r} (in %%omics: --confirm {store.identifier}). "
            "Nothing was deleted."
        )


def check_bulk_confirmation(confirm: frozenset[str], stores: Sequence[Previewed]) -> None:
    """Raise ConfirmationMismatch unless ``confirm`` names exactly the previewed stores.

    Each word must name one store (an ID previewed in two regions names none:
    it needs ``region:id``), and each store must be named.
    """
    words = confirmation_words(stores)
    named: set[int] = set()
    extra: list[str] = []
    ambiguous: list[str] = []
    for word in sorted(confirm):
        matches = [i for i, store in enumerate(stores) if word in store.words()]
        if len(matches) > 1:
            ambiguous.append(f"{word} ({' or '.join(words[i] for i in matches)})")
        elif matches:
            named.add(matches[0])
        else:
            extra.append(word)
    missing = [words[i] for i in range(len(stores)) if i not in named]
    if not (missing or extra or ambiguous):
        return
    wanted = ", ".join(words)
    noun = "store IDs" if words == [s.identifier for s in stores] else "stores"
    parts = [f"confirm must be exactly the {len(stores)} previewed {noun}: {wanted}"]
    if ambiguous:
        parts.append(
            "in several regions, so name each one as region:id or by ARN: " + ", ".join(ambiguous)
        )
    if missing:
        parts.append(f"missing: {', '.join(missing)}")
    if extra:
        parts.append(f"not in the preview: {', '.join(extra)}")
    raise ConfirmationMismatch("; ".join(parts) + ". Nothing was deleted.")


def confirmed(
    stores: Sequence[Previewed],
    confirm: str | frozenset[str] | None,
    *,
    single: bool,
    label: str,
) -> bool:
    """Step 3 of a delete: True to go ahead, False if the user cancelled at the prompt.

    ``stores`` are the previewed stores. A single delete (``single``) passes
    one store and a str ``confirm`` or None; a bulk delete a frozenset or None.
    ``label`` says what is deleted, for messages and the prompt.

    Raises
    ------
    ConfirmationMismatch
        ``confirm`` was given and is not what was previewed.
    ConfirmationRequired
        No ``confirm`` and no way to prompt.
    """
    if isinstance(confirm, str):
        check_single_confirmation(confirm, stores[0], label)
        return True
    if confirm is not None:
        check_bulk_confirmation(confirm, stores)
        return True
    if not prompt_possible():
        first = stores[0].identifier
        how = (
            f"pass confirm={first!r} (in %%omics: --confirm {first})"
            if single
            else "pass confirm= with exactly these stores, e.g. "
            f"confirm={','.join(confirmation_words(stores))!r}"
        )
        raise ConfirmationRequired(
            f"deleting {label} needs a confirmation and this session can't prompt "
            f"(no terminal, or a notebook run without stdin); {how}. Nothing was deleted."
        )
    expected = stores[0].identifier if single else bulk_phrase(len(stores))
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
    (False under nbclient and papermill; see
    :func:`~omics_magic.internals.kernel_allows_stdin`). Elsewhere it takes a
    terminal on stdin.
    """
    kernel = _kernel()
    if kernel is not None:
        from ..internals import kernel_allows_stdin

        return kernel_allows_stdin(kernel)
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
    from ..export.text import terminal_safe

    # A store name can hold terminal escape sequences: escaped on a terminal, as in tables.
    cells = preview.map(lambda v: terminal_safe(v) if isinstance(v, str) else v)
    table_text = [cells.to_string(index=False)] if table else []
    lines = [terminal_safe(title), *table_text, *map(terminal_safe, notes)]
    text = "\n".join(lines)
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
