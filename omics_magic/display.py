"""How a result looks in a notebook: nested values in full, identifiers unwrapped.

Display is not data. The frames omics_magic returns keep their values and
dtypes (``tags`` a dict, ``sse_config`` a dict); only their HTML rendering
changes, through an IPython formatter registered for DataFrames on
``%load_ext`` and removed on ``%unload_ext``. It renders a frame that carries
``attrs["omics_errors"]`` (every result of a fetch or query, and what pandas
derives from one, such as ``df.head()``); any other frame is rendered by
pandas as before.

In that rendering ``tags`` shows every ``key=value`` pair, one per line, and
``sse_config`` its type and full key ARN, without pandas' 50-character cut;
identifiers such as ``us-east-1`` and ARNs don't wrap.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

ERRORS_ATTR = "omics_errors"  # failures.ERRORS_ATTR, without importing the fetch engine

if TYPE_CHECKING:
    import pandas as pd
    from IPython.core.interactiveshell import InteractiveShell

__all__ = ["format_value", "register_formatter", "result_html", "unregister_formatter"]

_NOWRAP = '<span style="white-space: nowrap">{}</span>'


def _text(value: object) -> str:
    text = html.escape(str(value))
    # A token without spaces (a region, an ID, an ARN) stays on one line.
    return text if any(c.isspace() for c in str(value)) else _NOWRAP.format(text)


def format_value(value: object) -> str:
    """One cell as HTML: mappings as ``key=value`` lines, lists joined, text escaped.

    Examples
    --------
    >>> format_value({"team": "genomics", "env": "prod"})  # doctest: +ELLIPSIS
    '<span style="white-space: nowrap">team=genomics</span><br><span ...>env=prod</span>'
    >>> format_value({"type": "KMS", "key_arn": None})
    '<span style="white-space: nowrap">type=KMS</span>'
    >>> format_value("<b>")
    '<span style="white-space: nowrap">&lt;b&gt;</span>'
    """
    if value is None:
        return "None"
    if isinstance(value, float) and value != value:
        return "NaN"  # a missing value in a str column, as pandas shows it
    if isinstance(value, Mapping):
        pairs = [(k, v) for k, v in value.items() if v is not None]
    elif (
        isinstance(value, (list, tuple))
        and value
        and all(isinstance(item, tuple) and len(item) == 2 for item in value)
    ):
        pairs = list(value)  # a map read back as a list of (key, value) pairs
    elif isinstance(value, (list, tuple)) or type(value).__name__ == "ndarray":
        return ", ".join(_text(item) for item in value)  # type: ignore[attr-defined]
    else:
        return _text(value)
    return "<br>".join(_text(f"{key}={item}") for key, item in pairs)


def result_html(df: pd.DataFrame) -> str | None:
    """``df`` as pandas renders it in a notebook, with its text cells by :func:`format_value`.

    The frame itself is not changed: the rendering works on its values as they are.
    """
    import pandas as pd

    from .internals import large_frame_as_info

    if large_frame_as_info(df) or not pd.get_option("display.notebook_repr_html"):
        return df._repr_html_()
    shown = df.copy(deep=False)
    shown.columns = [html.escape(str(c)) for c in df.columns]
    if not isinstance(df.index, pd.RangeIndex):
        shown.index = [html.escape(str(i)) for i in df.index]
    # By position: a query may give two columns the same name.
    formatters = [format_value if _is_text(df.dtypes.iloc[i]) else None for i in range(df.shape[1])]
    # What pandas' own notebook rendering does with a long frame: min_rows, head and tail.
    max_rows, min_rows = pd.get_option("display.max_rows"), pd.get_option("display.min_rows")
    if max_rows and min_rows and len(df) > max_rows:
        max_rows = min(min_rows, max_rows)
    with pd.option_context("display.max_colwidth", None):
        return shown.to_html(
            formatters=formatters,
            na_rep="NaN",
            float_format=pd.get_option("display.float_format"),
            bold_rows=True,
            escape=False,  # every text cell, name and label is escaped above
            max_rows=max_rows,
            max_cols=pd.get_option("display.max_columns"),
            show_dimensions=pd.get_option("display.show_dimensions"),
            notebook=True,
        )


def _is_text(dtype: Any) -> bool:
    from pandas.api.types import is_object_dtype, is_string_dtype

    return bool(is_object_dtype(dtype) or is_string_dtype(dtype))


def _frame_html(df: pd.DataFrame) -> str | None:
    if ERRORS_ATTR in df.attrs:
        return result_html(df)
    return df._repr_html_()


def register_formatter(shell: InteractiveShell) -> None:
    """Render omics results readably in ``shell`` (``%load_ext``)."""
    import pandas as pd

    assert shell.display_formatter is not None
    formatter = shell.display_formatter.formatters["text/html"]
    previous = formatter.for_type(pd.DataFrame, _frame_html)
    if previous is not None and previous is not _frame_html:
        _PREVIOUS[id(shell)] = previous


def unregister_formatter(shell: InteractiveShell) -> None:
    """Undo :func:`register_formatter` (``%unload_ext``), restoring what was there before."""
    import pandas as pd

    assert shell.display_formatter is not None
    formatter = shell.display_formatter.formatters["text/html"]
    previous = _PREVIOUS.pop(id(shell), None)
    if formatter.type_printers.get(pd.DataFrame) is not _frame_html:
        return  # someone else registered one since: leave theirs
    if previous is None:
        formatter.pop(pd.DataFrame, None)
    else:
        formatter.for_type(pd.DataFrame, previous)


# A formatter registered before ours, per shell, to put back on unload.
_PREVIOUS: dict[int, Any] = {}
