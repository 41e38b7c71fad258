"""Every code block in README.md is true of the code: the examples run, in order, offline.

The README's tour enters demo mode (``%omics --demo``), so its examples run
against the embedded fake exactly as a reader's would:

- ``ipython`` and ``python`` blocks run in one IPython shell, in order (a
  ``test_*`` function a block defines is then called);
- ``sql`` blocks run through ``%%omics``;
- ``bash`` blocks run each ``omics-magic`` line as ``python -m omics_magic.cli``
  in a subprocess with the same environment, and must exit 0;
- ``json`` blocks (the IAM policy) must parse and name exactly the documented actions
  (a role's trust policy, with a Principal: exactly sts:AssumeRole).

The examples of the section on testing your own code run after demo mode is
left, as they would in your own pytest run. A block preceded by
``<!-- readme-test: skip (reason) -->`` is not run; only the set-up commands are.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import types
from dataclasses import dataclass
from pathlib import Path

import pytest

import omics_magic
from omics_magic.demo_mode.mode import SCRATCH_STORE_ID, active_demo
from tests import warm
from tests.magic_support import run_cell, strict_shell

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
LANGUAGES = {"bash", "python", "ipython", "sql", "json"}
IAM_ACTIONS = {
    "omics:ListSequenceStores",
    "omics:GetSequenceStore",
    "omics:ListTagsForResource",
    "omics:ListReadSets",
    "omics:GetReadSetMetadata",
    "omics:DeleteSequenceStore",
}
_BLOCK = re.compile(
    r"^(?:<!-- readme-test: skip \((?P<reason>[^)]+)\) -->\n)?"
    r"```(?P<lang>[^\n]*)\n(?P<body>.*?)^```[ \t]*$",
    re.S | re.M,
)


@dataclass(frozen=True)
class Block:
    lang: str
    body: str
    line: int
    skip: str | None
    section: str

    def __str__(self) -> str:
        return f"README.md line {self.line} ({self.lang})"


def blocks() -> list[Block]:
    text = README.read_text(encoding="utf-8")
    found = []
    for match in _BLOCK.finditer(text):
        line = text.count("\n", 0, match.start("lang")) + 1
        headings = re.findall(r"^## (.+)$", text[: match.start()], re.M)
        section = headings[-1] if headings else ""
        found.append(Block(match["lang"].strip(), match["body"], line, match["reason"], section))
    return found


def test_the_readme_has_runnable_examples_of_every_kind() -> None:
    found = blocks()
    assert {b.lang for b in found} <= LANGUAGES, [str(b) for b in found if b.lang not in LANGUAGES]
    assert {b.lang for b in found if not b.skip} == LANGUAGES
    # Every ``` fence is inside a block we found: none escaped the pattern.
    assert README.read_text(encoding="utf-8").count("```") == 2 * len(found)


def test_only_the_set_up_commands_are_skipped() -> None:
    found = blocks()
    skipped = [b for b in found if b.skip]
    assert skipped == [found[0]], [str(b) for b in skipped]
    first, second = found[0].body.strip().splitlines()
    assert "pip install ." in first and first.endswith("&& omics-magic demo")
    assert 'pip install ".[test]"' in second
    # The README's test command is the one CI runs (.ci/run): keep the two in step.
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    [ci_command] = [line.strip() for line in ci.splitlines() if "-m pytest" in line]
    assert second.endswith(f"&& {ci_command}")


# The examples query the demo's failing regions without strict: warning is what they do.
@pytest.mark.filterwarnings("ignore::omics_magic.errors.RegionFailureWarning")
def test_the_examples_run_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the examples write files
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # subprocesses import this checkout
    runnable = [b for b in blocks() if not b.skip]
    deleted_scratch = False
    with strict_shell(load=False) as ip:
        try:
            for block in runnable:
                if block.section.startswith("Testing your own code"):
                    # Those examples are tests of your own, run by pytest in a fresh
                    # process: not in demo mode, and with no omics client cached yet.
                    omics_magic.end_demo(quiet=True)
                try:
                    run_block(block, ip, tmp_path)
                except Exception as err:
                    raise AssertionError(f"{block} failed: {type(err).__name__}: {err}") from err
                if block.lang == "ipython" and "DELETE" in block.body:
                    backend = active_demo().backend  # type: ignore[union-attr]
                    deleted_scratch = SCRATCH_STORE_ID not in [
                        s["id"] for s in backend.stores("eu-west-1")
                    ]
        finally:
            omics_magic.end_demo(quiet=True)

        # The examples did what the README says they do.
        assert deleted_scratch
        assert len(omics_magic.read_parquet(tmp_path / "stores.parquet")) > 0
        assert (tmp_path / "us-east-1.parquet").exists()
        assert (tmp_path / "two-regions.parquet").exists()
        estate = omics_magic.read_parquet(tmp_path / "estate")
        assert set(estate["account_id"]) == {"123456789012", "210987654321"}
        assert ip.user_ns["one"]["sequence_store_id"].tolist() == ["4839201756"]


def run_block(block: Block, ip: object, cwd: Path) -> None:
    if block.lang in ("python", "ipython"):
        before = set(ip.user_ns)  # type: ignore[attr-defined]
        run_cell(ip, block.body)  # type: ignore[arg-type]
        for name in sorted(set(ip.user_ns) - before):  # type: ignore[attr-defined]
            value = ip.user_ns[name]  # type: ignore[attr-defined]
            if name.startswith("test_") and isinstance(value, types.FunctionType):
                value()
    elif block.lang == "sql":
        result = ip.run_cell_magic("omics", "", block.body)  # type: ignore[attr-defined]
        assert len(result) > 0
    elif block.lang == "bash":
        for line in block.body.strip().splitlines():
            argv = shlex.split(line)
            assert argv[0] == "omics-magic", line
            done = warm.run(  # a real process, forked warm (tests/warm.py)
                [sys.executable, "-m", "omics_magic.cli", *argv[1:]],
                env=dict(os.environ),
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                text=True,
                timeout=120,
            )
            assert done.returncode == 0, f"{line}\n{done.stderr}"
            assert "error:" not in done.stderr
    elif block.lang == "json":
        policy = json.loads(block.body)
        statements = policy["Statement"]
        if any("Principal" in s for s in statements):  # a role's trust policy
            assert [s["Action"] for s in statements] == ["sts:AssumeRole"]
            return
        actions = {a for s in statements for a in s["Action"]}
        assert actions == IAM_ACTIONS
    else:
        raise AssertionError(f"no way to run a {block.lang!r} block")
