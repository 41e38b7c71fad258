"""Every use of another library's private API, one small function each.

Each function says why no public API serves, and falls back to something
safe when the private name is gone (a new release may drop it at any time).
Nothing else in omics_magic reads another library's ``_private`` names.
Third-party imports are lazy: ``%load_ext omics_magic`` must not import boto3.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import boto3
    import botocore.session

__all__ = [
    "botocore_session",
    "give_credentials",
    "caller_stacklevel",
    "explicit_credentials",
    "kernel_allows_stdin",
    "large_frame_as_info",
    "parser_options",
    "remove_magics",
]


def botocore_session(session: boto3.Session) -> botocore.session.Session:
    """The botocore session under a boto3 one.

    Why private: boto3 has no public accessor for it, and only it reads the
    user's retry settings (``AWS_RETRY_MODE``, ``max_attempts`` in the
    config file of the session's profile). Fallback: a new botocore session
    for the same profile, which reads the same environment and files.
    """
    core = getattr(session, "_session", None)
    if core is not None:
        return core
    import botocore.session

    return botocore.session.Session(profile=getattr(session, "profile_name", None))


def explicit_credentials(session: boto3.Session) -> Any:
    """The credentials a session was made with (keys passed in), without resolving any.

    Why private: ``session.get_credentials()`` would run the credential chain,
    which for a profile may mean an SSO or STS call; botocore keeps explicit
    keys on ``_credentials``. Fallback: None, i.e. "none given explicitly".
    """
    return getattr(getattr(session, "_session", None), "_credentials", None)


def give_credentials(core: botocore.session.Session, credentials: Any) -> None:
    """Make ``core`` (a botocore session) sign with ``credentials``, refreshable ones included.

    Why private: botocore's public ``set_credentials`` takes only fixed keys;
    refreshable credentials (an assumed role's) go on ``_credentials``, where
    ``get_credentials`` looks first. Fallback, if that name is gone: a credential
    provider put first in the session's resolver, which botocore asks next.
    """
    if hasattr(core, "_credentials"):
        core._credentials = credentials
    else:
        _provide_first(core, credentials)


def _provide_first(core: botocore.session.Session, credentials: Any) -> None:
    from botocore.credentials import CredentialProvider

    class _Given(CredentialProvider):
        METHOD = "omics-magic-given"

        def load(self) -> Any:
            return credentials

    resolver = core.get_component("credential_provider")
    resolver.insert_before(resolver.providers[0].METHOD, _Given())


def kernel_allows_stdin(kernel: object) -> bool:
    """Whether the frontend of the running cell accepts ``input()``.

    Why private: ipykernel keeps the frontend's per-request ``allow_stdin``
    only on ``kernel._allow_stdin``. Fallback: False (no prompt; a delete then
    asks for ``confirm=``, which is the safe side).
    """
    return bool(getattr(kernel, "_allow_stdin", False))


def caller_stacklevel(package: str) -> int:
    """The ``stacklevel`` for ``warnings.warn`` that points at the first caller outside
    ``package``, counted from the function that calls this one.

    Why private: before Python 3.12 (``skip_file_prefixes``) only the frame
    stack says where the user's code is; ``inspect.currentframe`` is the
    documented door to ``sys._getframe``. Fallback: 2 (the direct caller) where
    the interpreter has no frames.
    """
    frame = inspect.currentframe()
    if frame is None or frame.f_back is None:
        return 2
    frame, level = frame.f_back, 1  # the function that warns
    while frame.f_back is not None and frame.f_globals.get("__name__", "").startswith(package):
        frame, level = frame.f_back, level + 1
    del frame  # no reference cycle through the frame
    return level


def remove_magics(shell: Any, name: str, class_name: str) -> None:
    """Take the line and cell magics ``name`` of magics class ``class_name`` off ``shell``.

    Why private: IPython's ``MagicsManager`` can register magics but has no
    public way to remove them; its ``magics`` and ``registry`` tables are where
    ``register_magics`` put them. Fallback: nothing is removed (if IPython
    reshapes those tables, ``%unload_ext`` leaves the magic in place).
    """
    manager = getattr(shell, "magics_manager", None)
    tables = getattr(manager, "magics", None)
    if not isinstance(tables, dict):
        return
    for kind in ("line", "cell"):
        magic = tables.get(kind, {}).get(name)
        if type(getattr(magic, "__self__", None)).__name__ == class_name:
            del tables[kind][name]
    registry = getattr(manager, "registry", None)
    if isinstance(registry, dict):
        registry.pop(class_name, None)


def parser_options(parser: Any) -> list[str]:
    """Every option string (``-r``, ``--region``...) of an argparse parser, for completion.

    Why private: argparse lists a parser's options only on ``parser._actions``
    (its help is text). Fallback: no option (completion then offers none).
    """
    actions = getattr(parser, "_actions", None)
    if not isinstance(actions, list):
        return []
    return [option for action in actions for option in getattr(action, "option_strings", ())]


def large_frame_as_info(df: Any) -> bool:
    """Whether pandas would show ``df`` as its ``info()`` (``display.large_repr = "info"``).

    Why private: pandas decides it in ``DataFrame._info_repr``; its rule (the
    option set and the frame beyond the display limits) is not public. Fallback:
    False (the frame is rendered as a table).
    """
    decide = getattr(df, "_info_repr", None)
    return bool(decide()) if callable(decide) else False
