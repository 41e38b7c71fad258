"""ARCHITECTURE.md is the map: its tree names every module of the package, and no other."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_ENTRY = re.compile(r"^(?P<indent> *)(?P<name>[\w.]+/?)(?:\s|$)")


def _tree_lines() -> list[str]:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    section = text.split("## The tree", 1)[1]
    return section.split("```", 2)[1].splitlines()


def listed_modules() -> set[str]:
    """The ``.py`` files of ``omics_magic/`` the tree names, as paths from the repository."""
    found: set[str] = set()
    parents: list[tuple[int, str]] = []  # (indent, folder) of the folders we are in
    for line in _tree_lines():
        entry = _ENTRY.match(line)
        if entry is None:
            continue
        indent, name = len(entry["indent"]), entry["name"]
        while parents and parents[-1][0] >= indent:
            parents.pop()
        path = "/".join([*(folder for _, folder in parents), name.rstrip("/")])
        if name.endswith("/"):
            parents.append((indent, name.rstrip("/")))
        elif path.startswith("omics_magic/") and path.endswith(".py"):
            found.add(path)
    return found


def test_the_tree_names_every_module_and_no_other() -> None:
    actual = {p.relative_to(ROOT).as_posix() for p in (ROOT / "omics_magic").rglob("*.py")}
    listed = listed_modules()
    assert "omics_magic/sql/run.py" in listed and "omics_magic/__init__.py" in listed
    assert sorted(actual - listed) == [], "modules ARCHITECTURE.md's tree does not name"
    assert sorted(listed - actual) == [], "ARCHITECTURE.md names modules that do not exist"
