"""Safe writes: a destination is replaced whole, or not touched at all.

Everything is first written to a hidden temporary file (or directory) next to
the destination, so that the final step is a rename within one filesystem.
On any failure, including KeyboardInterrupt, the temporary is removed and an
existing destination is left as it was. A new file gets the user's umask; a
replaced one keeps its permissions (a 0600 file stays 0600).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

from ..errors import ExportError

__all__ = ["atomic_dir", "atomic_file", "check_destination"]

# A directory is only ever replaced when it looks like a dataset we write:
# region=<value>/ folders of .parquet files, plus the _common_metadata file.
_PARTITION_DIR = re.compile(r"^region=[^/]+$")
_DATASET_FILES = ("_common_metadata", "_metadata")


def check_destination(path: Path, *, overwrite: bool) -> None:
    """Raise ExportError unless ``path`` can be written; writes nothing.

    The parent directory must exist and be writable. An existing ``path`` is
    accepted only with ``overwrite=True``, and a directory only if it is a
    partitioned dataset (so that ``overwrite=True`` can never wipe an
    unrelated folder).
    """
    parent = path.parent
    if not parent.exists():
        raise ExportError(
            f"cannot write {path}: directory {parent} does not exist; create it first"
        )
    if not parent.is_dir():
        raise ExportError(f"cannot write {path}: {parent} is not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ExportError(f"cannot write {path}: directory {parent} is not writable")
    if not (path.exists() or path.is_symlink()):
        return
    if not overwrite:
        raise ExportError(
            f"{path} already exists; pass overwrite=True (--overwrite in %%omics and the CLI) "
            "to replace it"
        )
    if path.is_dir() and not path.is_symlink() and not _is_dataset_dir(path):
        raise ExportError(
            f"refusing to replace directory {path}: it is not a partitioned dataset; "
            "remove it yourself or choose another path"
        )


def _is_dataset_dir(path: Path) -> bool:
    for entry in path.iterdir():
        if entry.is_file() and entry.name in _DATASET_FILES:
            continue
        if not (entry.is_dir() and _PARTITION_DIR.match(entry.name)):
            return False
        if not all(f.is_file() and f.suffix == ".parquet" for f in entry.iterdir()):
            return False
    return True


def _temp_name(path: Path, tag: str) -> Path:
    # Hidden, next to the destination (same filesystem, so rename is atomic),
    # and ignored by pyarrow.dataset and Hive-style readers.
    return path.with_name(f".{path.name}.{secrets.token_hex(6)}.{tag}")


@contextlib.contextmanager
def atomic_file(path: Path, *, overwrite: bool) -> Iterator[Path]:
    """Yield a temporary path to write; publish it as ``path`` on success.

    Examples
    --------
    >>> with atomic_file(Path("out.csv"), overwrite=True) as tmp:  # doctest: +SKIP
    ...     tmp.write_text("a,b\\n")
    """
    check_destination(path, overwrite=overwrite)
    tmp = _temp_name(path, "tmp")
    # O_EXCL: never reuse someone else's file; mode 0o666 lets the umask decide.
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        yield tmp
        _fsync(tmp)
        _publish(tmp, path, overwrite=overwrite)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_dir(path: Path, *, overwrite: bool) -> Iterator[Path]:
    """Yield a temporary directory to fill; publish it as ``path`` on success."""
    check_destination(path, overwrite=overwrite)
    tmp = _temp_name(path, "tmpdir")
    tmp.mkdir()
    try:
        yield tmp
        for file in tmp.rglob("*"):
            if file.is_file():
                _fsync(file)
        _publish(tmp, path, overwrite=overwrite)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _publish(tmp: Path, path: Path, *, overwrite: bool) -> None:
    exists = path.exists() or path.is_symlink()
    if exists and not overwrite:
        # Someone created it since check_destination ran.
        raise ExportError(
            f"{path} already exists; pass overwrite=True (--overwrite in %%omics and the CLI) "
            "to replace it"
        )
    if not exists:
        if tmp.is_file():
            try:
                # link fails if the destination appeared meanwhile: never clobber.
                os.link(tmp, path)
            except FileExistsError:
                raise ExportError(
                    f"{path} already exists; pass overwrite=True to replace it"
                ) from None
            except OSError:  # filesystem without hard links
                os.replace(tmp, path)
            else:
                tmp.unlink()
        else:
            os.rename(tmp, path)
    elif tmp.is_file() and not path.is_dir():
        _keep_mode(path, tmp)
        os.replace(tmp, path)
    else:
        # A directory can't be replaced by one rename: move the old one aside,
        # move the new one in, then drop the old one (restored if the move fails).
        backup = _temp_name(path, "old")
        _keep_mode(path, tmp)
        os.rename(path, backup)
        try:
            os.rename(tmp, path)
        except BaseException:
            os.rename(backup, path)
            raise
        if backup.is_dir() and not backup.is_symlink():
            shutil.rmtree(backup, ignore_errors=True)
        else:
            backup.unlink(missing_ok=True)
    _fsync_dir(path.parent)


def _keep_mode(old: Path, new: Path) -> None:
    """Give ``new`` the permissions of the ``old`` it replaces, when both are the same kind.

    A 0600 file replaced by a fresh one would otherwise become readable by
    everyone the umask allows (0644). Replacing a file by a dataset directory
    (or back) keeps the umask's mode: a file's mode is wrong for a directory.
    """
    if old.is_symlink() or old.is_dir() != new.is_dir():
        return
    os.chmod(new, stat.S_IMODE(old.stat().st_mode))


def _fsync(file: Path) -> None:
    fd = os.open(file, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; not supported everywhere (Windows).
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
