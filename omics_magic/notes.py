"""The magic's note about failed regions: compact, under the result, not on stderr.

A note names each region once, with what went wrong and how to fix it, in
the words of :func:`omics_magic.failures.failure_note` (the CLI's and the
warnings' wording). Regions skipped because they answered ``not_enabled``
earlier in the session get a line of their own, ``skipped (not enabled): ...``.
The note is displayed as HTML where the front end shows HTML, as text
otherwise, so JupyterLab no longer draws it in a red stderr box.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from .failures import KIND_TEXT, Failure, failure_note

__all__ = ["FIX_HINTS", "Note", "failure_notes"]

#: How to fix each kind of failure, from a notebook.
FIX_HINTS = {
    "not_enabled": "enable the region for the account, or leave it out "
    "(-r REGION, or %config OmicsMagic.regions = [...])",
    "denied": "allow {actions} to these credentials",
    "throttled": "run the query again later, or lower $OMICS_MAGIC_TPS",
    "unavailable": "run the query again, or give it longer (%config OmicsMagic.timeout)",
    "error": "AWS's message is in .attrs['omics_errors']",
}
_STYLE = (
    "font-size: 0.85em; color: #6b5900; background: #fff8e1; border-left: 3px solid #f0c040; "
    "padding: 2px 8px; margin-top: 4px; white-space: pre-wrap"
)


@dataclass(frozen=True)
class Note:
    """A note as lines of text; shown as plain text and as HTML."""

    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        """The note as plain text, one line each."""
        return "\n".join(self.lines)

    def _repr_html_(self) -> str:
        body = "<br>".join(html.escape(line) for line in self.lines)
        return f'<div class="omics-note" style="{_STYLE}">{body}</div>'

    def __repr__(self) -> str:
        return self.text

    def mimebundle(self) -> dict[str, str]:
        """What IPython's ``display(..., raw=True)`` shows: text and HTML."""
        return {"text/plain": self.text, "text/html": self._repr_html_()}


def _actions(failures: Sequence[Failure]) -> str:
    """The IAM actions of the calls the failed resources make (``omics:ListReadSets``...)."""
    from .resources import RESOURCES

    named = {f.resource for f in failures if f.resource in RESOURCES}
    resources = [RESOURCES[name] for name in named] or list(RESOURCES.values())
    actions = [f"omics:{call.operation}" for r in resources for call in r.operations]
    found = list(dict.fromkeys(actions))
    return ", ".join(found[:-1]) + f" and {found[-1]}" if len(found) > 1 else found[0]


def failure_notes(failures: Sequence[Failure]) -> Note | None:
    """The note for a result's failures (None if there are none).

    Examples
    --------
    >>> note = failure_notes([
    ...     Failure("eu-central-1", "ThrottlingException", "Rate exceeded", "throttled"),
    ...     Failure("ap-southeast-1", "UnrecognizedClientException", "no", "not_enabled",
    ...             skipped=True),
    ... ])
    >>> print(note.text)  # doctest: +NORMALIZE_WHITESPACE
    omics: eu-central-1: throttled after retries (ThrottlingException); its results are
    missing or incomplete; details in .attrs['omics_errors'], or use --strict to make this an error
    omics: skipped (not enabled): ap-southeast-1, as it answered earlier in this session
    fix: throttled after retries: run the query again later, or lower $OMICS_MAGIC_TPS;
    not enabled for this account: enable the region for the account, or leave it out
    (-r REGION, or %config OmicsMagic.regions = [...])
    """
    if not failures:
        return None
    failed = [f for f in failures if not f.skipped]
    skipped = [f for f in failures if f.skipped]
    lines = []
    if failed:
        lines.append(f"omics: {failure_note(failed, audience='magic')}")
    if skipped:
        names = ", ".join(dict.fromkeys(f.region for f in skipped))
        line = f"omics: skipped (not enabled): {names}, as it answered earlier in this session"
        if len(skipped) > 1:
            line = line.replace("as it answered", "as they answered")
        if not failed:
            line += "; details in .attrs['omics_errors']"
        lines.append(line)
    kinds = dict.fromkeys(f.kind if f.kind in FIX_HINTS else "error" for f in failures)
    hints = [
        f"{KIND_TEXT.get(kind, KIND_TEXT['error'])}: {FIX_HINTS[kind]}".format(
            actions=_actions(failures)
        )
        for kind in kinds
    ]
    lines.append("fix: " + "; ".join(hints))
    return Note(tuple(lines))
