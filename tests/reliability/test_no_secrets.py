"""No secrets in output: the access key, secret key and session token appear nowhere.

With the fake credentials of tests/conftest.py in the environment, every
entry point runs, its errors included, against the fake over HTTP, with
logging at DEBUG for botocore, urllib3 and omics_magic. Two regions answer
as AWS does to a bad signature: with an error that echoes the signed request
(the session token, the access key ID). Everything produced is searched:
return values and their reprs and HTML, attrs, exception messages,
warnings, log records, stdout and stderr, files written (Parquet bytes and
metadata, CSV, JSON), the CLI's output and a notebook's outputs.
"""

from __future__ import annotations

import io
import json
import logging
import os
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest

import omics_magic
from omics_magic.columns import ALL_COLUMNS
from omics_magic.errors import OmicsMagicError
from omics_magic.sql.run import run_query
from omics_magic.testing import OmicsServer
from tests import warm
from tests.conftest import FAKE_ACCESS_KEY, FAKE_SECRET_KEY, FAKE_SESSION_TOKEN
from tests.magic_support import run_cell, strict_shell

SECRETS = {"access key": FAKE_ACCESS_KEY, "secret": FAKE_SECRET_KEY, "token": FAKE_SESSION_TOKEN}
REPO = Path(__file__).resolve().parents[2]
HEALTHY, ECHOING, INCOMPLETE = "us-east-1", "eu-west-2", "us-west-2"
REGIONS = [HEALTHY, ECHOING, INCOMPLETE]
STORE_ID = "5550100001"
SCRATCH_ID = "5550100002"
# What AWS answers to a request whose signature doesn't match: the canonical request it
# expected, with the signed x-amz-security-token header (and so the session token).
SIGNATURE_ECHO = (
    "The request signature we calculated does not match the signature you provided. Check "
    "your AWS Secret Access Key and signing method. Consult the service documentation for "
    "details.\n\nThe Canonical String for this request should have been\n'GET\n/sequencestores"
    "\nmaxResults=100\nhost:omics.eu-west-2.amazonaws.com\nx-amz-date:20240101T000000Z\n"
    f"x-amz-security-token:{FAKE_SESSION_TOKEN}\n\nhost;x-amz-date;x-amz-security-token\n"
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'\n"
)
# ...and to an incomplete Authorization header: the header, with the access key ID.
INCOMPLETE_ECHO = (
    "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
    f"Authorization=AWS4-HMAC-SHA256 Credential={FAKE_ACCESS_KEY}/20240101/us-west-2/omics/"
    "aws4_request, SignedHeaders=host, Signature=0f1e2d"
)


class Evidence:
    """Everything an entry point produced, as text to search."""

    def __init__(self) -> None:
        self.texts: list[tuple[str, str]] = []
        self.requests_made = True  # so botocore's DEBUG log of them must have been captured

    def add(self, label: str, value: Any) -> None:
        if isinstance(value, bytes):
            self.texts.append((label, value.decode("latin-1")))
        elif isinstance(value, pd.DataFrame):
            self.texts.append((f"{label} repr", repr(value)))
            self.texts.append((f"{label} html", value._repr_html_() or ""))
            self.texts.append((f"{label} values", value.to_json(default_handler=str)))
            self.texts.append((f"{label} attrs", repr(value.attrs)))
        elif isinstance(value, BaseException):
            self.texts.append((f"{label} str", str(value)))
            self.texts.append((f"{label} repr", repr(value)))
            self.texts.append((f"{label} errors", repr(getattr(value, "errors", None))))
            self.texts.append((f"{label} traceback", "".join(traceback.format_exception(value))))
        elif isinstance(value, Path):
            for file in [value] if value.is_file() else sorted(value.rglob("*")):
                if file.is_file():
                    self.add(f"{label} {file.name}", file.read_bytes())
                    if file.suffix == ".parquet" or file.name.startswith("_"):
                        self.add(f"{label} {file.name} metadata", _parquet_metadata(file))
        else:
            self.texts.append((label, str(value)))

    def run(self, label: str, call: Callable[[], Any]) -> Any:
        """Call ``call``; keep its result or the error (ours) it raised."""
        try:
            result = call()
        except (OmicsMagicError, AttributeError) as err:  # AttributeError: df.omics's own
            self.add(f"{label} error", err)
            return None
        self.add(label, result)
        return result

    def assert_clean(self) -> None:
        assert self.texts, "nothing was collected"
        for label, text in self.texts:
            for what, secret in SECRETS.items():
                assert secret not in text, f"the {what} appears in {label}: {text[:300]!r}"


def _parquet_metadata(path: Path) -> str:
    meta = pq.read_metadata(path)
    schema = pq.read_schema(path)
    pairs = {**(meta.metadata or {}), **(schema.metadata or {})}
    fields = [repr(schema.field(i).metadata) for i in range(len(schema))]
    return repr(pairs) + " ".join(fields)


@pytest.fixture
def server(omics_server: OmicsServer, monkeypatch: pytest.MonkeyPatch) -> OmicsServer:
    monkeypatch.setenv("OMICS_MAGIC_REGIONS", ",".join(REGIONS))
    monkeypatch.setenv("OMICS_MAGIC_TPS", "0")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # no prompt: confirmations are needed
    backend = omics_server.backend
    backend.seed(REGIONS, stores_per_region=2)
    backend.create_sequence_store(HEALTHY, "keep", store_id=STORE_ID, tags={"team": "x"})
    backend.create_sequence_store(HEALTHY, "scratch", store_id=SCRATCH_ID)
    backend.inject_error("InvalidSignatureException", region=ECHOING, message=SIGNATURE_ECHO)
    backend.inject_error(
        "IncompleteSignatureException", region=INCOMPLETE, message=INCOMPLETE_ECHO, status=400
    )
    return omics_server


@pytest.fixture
def evidence(
    server: OmicsServer, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> Iterator[Evidence]:
    """Collects what the test body produced, plus logs, warnings and output; then searches."""
    found = Evidence()
    for name in ("", "botocore", "urllib3", "omics_magic", "boto3"):
        caplog.set_level(logging.DEBUG, logger=name)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield found
    for warning in caught:
        found.add(f"warning {warning.category.__name__}", warning.message)
    records = caplog.get_records("call")
    for record in records:
        found.add(f"log {record.name}", record.getMessage())
        if record.exc_info:
            found.add(
                f"log {record.name} exc_info", "".join(traceback.format_exception(*record.exc_info))
            )
    if found.requests_made:
        assert any(r.name == "botocore.endpoint" for r in records), "no DEBUG log captured"
    out, err = capfd.readouterr()
    found.add("stdout", out)
    found.add("stderr", err)
    found.assert_clean()


def test_fetch_functions(evidence: Evidence) -> None:
    evidence.run("sequence_stores", lambda: omics_magic.sequence_stores())
    evidence.run("sequence_stores strict", lambda: omics_magic.sequence_stores(strict=True))
    evidence.run(
        "sequence_stores all columns",
        lambda: omics_magic.sequence_stores(columns=ALL_COLUMNS),
    )
    evidence.run("sequence_store", lambda: omics_magic.sequence_store(STORE_ID))
    evidence.run("sequence_store strict", lambda: omics_magic.sequence_store(STORE_ID, strict=True))
    evidence.run("sequence_store bad id", lambda: omics_magic.sequence_store("12ab"))


def test_run_query(evidence: Evidence) -> None:
    evidence.run("select", lambda: run_query("SELECT * FROM aws.omics.sequence_stores"))
    evidence.run(
        "select strict",
        lambda: run_query("SELECT name FROM aws.omics.sequence_stores", strict=True),
    )
    evidence.run("bad sql", lambda: run_query("SELECT FROM WHERE"))
    evidence.run("unknown column", lambda: run_query("SELECT x FROM aws.omics.sequence_stores"))


def test_the_magic(evidence: Evidence, tmp_path: Path) -> None:
    out = tmp_path / "out.parquet"
    with strict_shell() as ip:
        evidence.run(
            "magic",
            lambda: ip.run_cell_magic("omics", "", "SELECT * FROM aws.omics.sequence_stores"),
        )
        evidence.run(
            "magic -o",
            lambda: ip.run_cell_magic(
                "omics", f"-o {out}", "SELECT * FROM aws.omics.sequence_stores"
            ),
        )
        evidence.add("magic -o file", out)
        for line, cell in [
            ("--strict", "SELECT * FROM aws.omics.sequence_stores"),
            ("", "SELECT nope"),
        ]:
            try:
                ip.run_cell_magic("omics", line, cell)
            except Exception as err:  # noqa: BLE001 - UsageError, kept as evidence
                evidence.add(f"magic {line} {cell}", err)
        run_cell(ip, "%config OmicsMagic.short_errors = False")
        try:
            ip.run_cell_magic("omics", "--strict", "SELECT * FROM aws.omics.sequence_stores")
        except OmicsMagicError as err:
            evidence.add("magic long error", err)
        # a cell as a notebook shows it: displayed result, and the error text IPython prints
        result = ip.run_cell("%omics SELECT name, tags FROM aws.omics.sequence_stores")
        evidence.add("cell result", result.result)
        ip.run_cell("%omics --strict SELECT * FROM aws.omics.sequence_stores")


def test_the_accessor_and_files(evidence: Evidence, tmp_path: Path) -> None:
    df = omics_magic.sequence_stores(columns=ALL_COLUMNS)
    evidence.add("frame", df)
    evidence.run("refresh", lambda: df.omics.refresh())
    evidence.run("refresh strict", lambda: df.omics.refresh(strict=True))
    evidence.run("expand_tags", lambda: df.omics.expand_tags())
    table = df.omics.to_arrow()
    evidence.add("arrow schema", repr(table.schema) + repr(table.schema.metadata))
    evidence.add("parquet", df.omics.to_parquet(tmp_path / "s.parquet", compression=None))
    evidence.add(
        "dataset",
        df.omics.to_parquet(tmp_path / "ds", partition_by_region=True, compression=None),
    )
    from omics_magic.export.files import write_frame

    evidence.add("csv", write_frame(df, tmp_path / "s.csv"))
    evidence.add("json", write_frame(df, tmp_path / "s.json"))
    evidence.run("read back", lambda: omics_magic.read_parquet(tmp_path / "ds"))
    evidence.run("no keys", lambda: pd.DataFrame({"x": [1]}).omics)


def test_delete(evidence: Evidence) -> None:
    delete = omics_magic.delete_sequence_store
    evidence.run("dry run", lambda: delete(STORE_ID, dry_run=True))
    evidence.run("no confirm", lambda: delete(STORE_ID, HEALTHY))
    evidence.run("wrong confirm", lambda: delete(STORE_ID, HEALTHY, confirm="5550100009"))
    evidence.run("searching broken regions", lambda: delete("5550100099"))
    evidence.run(
        "sql no confirm",
        lambda: run_query(
            f"DELETE FROM aws.omics.sequence_store WHERE data__Identifier = '{SCRATCH_ID}'"
        ),
    )
    evidence.run("delete", lambda: delete(SCRATCH_ID, HEALTHY, confirm=SCRATCH_ID))
    frame = omics_magic.sequence_stores(HEALTHY)
    evidence.run("bulk no confirm", lambda: frame.omics.delete())
    evidence.run("bulk dry run", lambda: frame.omics.delete(dry_run=True))
    evidence.run("bulk wrong confirm", lambda: frame.omics.delete(confirm=[STORE_ID]))


def test_credential_errors(evidence: Evidence, monkeypatch: pytest.MonkeyPatch) -> None:
    evidence.requests_made = False  # both fail before any request
    with monkeypatch.context() as patch:
        patch.setenv("AWS_PROFILE", "no-such-profile")
        evidence.run("unknown profile", lambda: omics_magic.sequence_stores())
    with monkeypatch.context() as patch:
        patch.delenv("AWS_SECRET_ACCESS_KEY")
        evidence.run("partial credentials", lambda: omics_magic.sequence_stores())


def _subprocess_env(server: OmicsServer) -> dict[str, str]:
    pythonpath = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, **server.env(credentials=False), "PYTHONPATH": pythonpath}


def test_the_cli(server: OmicsServer, tmp_path: Path) -> None:
    found = Evidence()
    runs = [  # each a process of its own (~1 s): the outputs that could carry a secret
        ["query", "SELECT * FROM aws.omics.sequence_stores", "--format", "json"],  # + notes
        ["query", "SELECT * FROM aws.omics.sequence_stores", "--strict"],
        ["query", "SELECT * FROM aws.omics.sequence_stores", "-o", str(tmp_path / "o.parquet")],
        ["delete", STORE_ID],  # searches the broken regions, previews, needs --confirm
        ["delete", "5550100099"],  # not found where searched; the broken regions named
    ]
    for argv in runs:
        done = warm.run(  # a real process, forked warm (tests/warm.py)
            [sys.executable, "-m", "omics_magic", *argv],
            env=_subprocess_env(server),
            cwd=tmp_path,
            timeout=120,
        )
        found.add(f"cli {argv} stdout", done.stdout)
        found.add(f"cli {argv} stderr", done.stderr)
        assert b"Traceback" not in done.stderr
        assert ECHOING.encode() in done.stderr  # the echoing region's error was reported
    assert (tmp_path / "o.parquet").is_file()
    found.add("cli -o file", tmp_path / "o.parquet")
    found.assert_clean()


def test_a_notebook_with_debug_logging(server: OmicsServer, tmp_path: Path) -> None:
    """A real kernel, as papermill/nbclient run it, with botocore's DEBUG log on screen."""
    import nbclient
    import nbformat

    cells = [
        "import logging, sys\n"
        "logging.basicConfig(level=logging.DEBUG, stream=sys.stdout, force=True)",
        "%load_ext omics_magic",
        "%%omics stores <<\nSELECT * FROM aws.omics.sequence_stores",
        "stores.attrs",
        "stores",
        "%omics --strict SELECT * FROM aws.omics.sequence_stores",
        "import omics_magic\nomics_magic.sequence_stores(strict=True)",
        f"omics_magic.delete_sequence_store('{STORE_ID}', 'us-east-1')",
        "stores.omics.to_parquet('stores.parquet', compression=None)",
    ]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    client = nbclient.NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute(env=_subprocess_env(server))

    found = Evidence()
    found.add("notebook", nbformat.writes(nb))
    found.add("notebook parquet", tmp_path / "stores.parquet")
    outputs = json.dumps([cell.get("outputs", []) for cell in nb.cells])
    assert "Sending http request" in outputs, "botocore's DEBUG log did not reach the notebook"
    assert "x-amz-security-token:<redacted>" in outputs or "<redacted>" in outputs
    found.assert_clean()
