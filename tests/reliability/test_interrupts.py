"""Stop means stop: a kernel interrupt or SIGINT ends all work at once, and says what was done.

Each test interrupts real work in a real kernel (``interrupt_kernel``) or a
CLI subprocess (SIGINT), then reads the fake's request log: after the
interrupt, no new delete (at most the one each region had in flight), and
nothing at all once :data:`SETTLE` seconds have passed. The report a delete
raises with must match what the fake holds: a store reported ``deleted`` is
gone, one ``not_attempted`` is still there.
"""

from __future__ import annotations

import json
import time
from typing import Any

from tests.reliability.interrupts import (
    SETTLE,
    answered_after,
    cli,
    kernel,
    sigint,
    wait_until,
)

DELETE = "DeleteSequenceStore"
REGIONS = ("us-east-1", "eu-west-1", "us-west-2")


def _live(backend: Any, regions: tuple[str, ...]) -> set[tuple[str, str]]:
    return {(r, s["id"]) for r in regions for s in backend.stores(r) if s["status"] == "ACTIVE"}


def _check_report_against_fake(
    report: list[dict[str, Any]], backend: Any, regions: tuple[str, ...]
) -> None:
    live = _live(backend, regions)
    for row in report:
        key = (row["region"], row["sequence_store_id"])
        if row["outcome"] == "deleted":
            assert key not in live, row
        elif row["outcome"] == "not_attempted":
            assert key in live, row
        else:
            assert row["outcome"] == "unknown", row


def test_a_kernel_interrupt_stops_a_bulk_delete_and_reports_every_store(
    omics_server: Any,
) -> None:
    backend = omics_server.backend
    for region in REGIONS:
        for n in range(4):
            backend.create_sequence_store(region, f"scratch-{n}")
    backend.set_latency(0.1, operation=DELETE)
    with kernel(omics_server, OMICS_MAGIC_REGIONS=",".join(REGIONS)) as k:
        reply, _ = k.run(
            "import omics_magic\n"
            "df = omics_magic.sequence_stores(columns=['region', 'sequence_store_id'])\n"
            "ids = list(df['sequence_store_id'])\n"
            "len(ids)"
        )
        assert reply["status"] == "ok"
        # Paced at AWS's 1 delete per second per region: 4 s of deletes per region.
        msg_id = k.start("report = df.omics.delete(confirm=ids)")
        wait_until(lambda: backend.requests.count(operation=DELETE) >= len(REGIONS), what="deletes")
        interrupted = k.interrupt()
        reply, _ = k.wait(msg_id)
        assert reply["status"] == "error"
        assert reply["ename"] == "DeleteInterrupted", reply
        assert "delete interrupted: deleted" in reply["evalue"]
        assert "\n" not in reply["evalue"]
        reply, text = k.run("import sys; print(sys.last_value.report.to_json(orient='records'))")
        assert reply["status"] == "ok", reply

    report = json.loads(text)
    assert len(report) == 4 * len(REGIONS)  # every store, in the order given
    outcomes = {row["outcome"] for row in report}
    assert "not_attempted" in outcomes and outcomes <= {"deleted", "not_attempted", "unknown"}
    _check_report_against_fake(report, backend, REGIONS)
    late = answered_after(backend, interrupted, DELETE)
    assert len(late) <= len(REGIONS), late  # at most what each region had in flight
    assert not answered_after(backend, interrupted + SETTLE), "requests after the interrupt"


def test_sigint_to_the_cli_during_a_delete_exits_130_with_the_report(omics_server: Any) -> None:
    backend = omics_server.backend
    store = backend.create_sequence_store("us-east-1", "scratch")["id"]
    backend.set_latency(1.0, operation=DELETE)
    process = cli(omics_server, "delete", store, "-r", "us-east-1", "--confirm", store)
    assert process.stderr is not None
    seen = ""
    while "About to delete" not in seen:  # the preview: the delete comes next
        line = process.stderr.readline()
        assert line, "the CLI ended before its preview"
        seen += line
    time.sleep(0.3)  # within the delete's 1 s in flight
    interrupted = sigint(process)
    out, err = process.communicate(timeout=60)
    err = seen + err

    assert process.returncode == 130, err
    lines = err.strip().splitlines()
    assert lines[-1].startswith("omics-magic: error: delete interrupted: "), err
    assert "Traceback" not in err
    # The report, on stdout: the delete in flight was given time to answer.
    assert store in out
    outcome = next(w for w in ("not_attempted", "unknown", "deleted") if w in out)
    row = {"region": "us-east-1", "sequence_store_id": store, "outcome": outcome}
    _check_report_against_fake([row], backend, ("us-east-1",))
    assert not answered_after(backend, interrupted + SETTLE), "requests after the interrupt"


ENDLESS = (
    "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) "
    "SELECT count(*) FROM t, aws.omics.sequence_stores"
)


def test_a_kernel_interrupt_stops_sql_relations_and_refreshes_at_once(omics_server: Any) -> None:
    """One kernel, three interrupts: a runaway query's SQL, a query reading two
    relations (a UNION over two region sets, fetched at once), and df.omics.refresh()."""
    backend = omics_server.backend
    backend.seed(["us-east-1", "eu-west-1"], 30)
    with kernel(omics_server, OMICS_MAGIC_REGIONS="us-east-1,eu-west-1") as k:
        reply, _ = k.run(
            "%load_ext omics_magic\n"
            "import omics_magic\n"
            "df = omics_magic.sequence_stores(\n"
            "    columns=['region', 'sequence_store_id', 'tags'], rate=None\n"
            ")"
        )
        assert reply["status"] == "ok", reply

        listed = backend.requests.count(operation="ListSequenceStores")
        msg_id = k.start(f"%omics -r us-east-1 {ENDLESS}")
        wait_until(lambda: backend.requests.count(operation="ListSequenceStores") > listed)
        time.sleep(0.5)  # into the SQL
        k.interrupt()
        reply, _ = k.wait(msg_id, timeout=60)
        assert reply["status"] == "error" and reply["ename"] == "KeyboardInterrupt", reply
        assert reply["evalue"] == "the query was interrupted; DuckDB stopped it"
        reply, text = k.run("print(6 * 7)", timeout=30)
        assert reply["status"] == "ok" and text.strip() == "42"

        backend.set_latency(0.05)
        for code in (
            "%%omics\nSELECT name, tags FROM aws.omics.sequence_stores WHERE region = 'us-east-1'\n"
            "UNION ALL SELECT name, tags FROM aws.omics.sequence_stores WHERE region = 'eu-west-1'",
            "df.omics.refresh()",
        ):
            before = len(backend.requests)
            # Tags for 60 stores at 5 TPS per region: six seconds of paced calls.
            msg_id = k.start(code)
            started = lambda n=before + 4: len(backend.requests) >= n  # noqa: E731
            wait_until(started, what="the fetch to start")
            interrupted = k.interrupt()
            reply, _ = k.wait(msg_id, timeout=60)
            assert reply["status"] == "error" and reply["ename"] == "KeyboardInterrupt", reply
            time.sleep(SETTLE + 0.5)
            assert not answered_after(backend, interrupted + SETTLE), f"requests after: {code}"


def test_sigint_to_the_cli_stops_a_runaway_query_with_exit_130_and_one_line(
    omics_server: Any,
) -> None:
    omics_server.backend.seed(["us-east-1"], 2)
    process = cli(omics_server, "query", ENDLESS, "-r", "us-east-1")
    wait_until(lambda: omics_server.backend.requests.count(operation="ListSequenceStores"))
    time.sleep(0.5)
    sigint(process)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert err.strip() == "omics-magic: interrupted", err
    assert out == ""
