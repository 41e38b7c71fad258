"""The fake omics service in its own process, driven over stdin/stdout by a benchmark.

A separate process so that the fake's request handling doesn't share the
client's GIL (AWS doesn't). The parent sends one command a line and reads one
JSON answer a line: ``reset`` (clear the request log, refill every token
bucket), ``unmetered`` (no quotas until the next reset) and ``stats``
(answers per operation, status and error code from the fake's own request
log, and the fake's CPU time so far).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from typing import Any

import _harness

LIST, GET, TAGS = "ListSequenceStores", "GetSequenceStore", "ListTagsForResource"
LIST_READ_SETS, GET_READ_SET = "ListReadSets", "GetReadSetMetadata"
QUOTA_OPERATIONS = (LIST, GET, TAGS, LIST_READ_SETS, GET_READ_SET)
#: socketserver listens with a backlog of 5: a client opening 100+ connections at
#: once overflows it, and each dropped handshake stalls its connection for a
#: second (SYN-ACK retransmit). Real endpoints have deep backlogs.
LISTEN_BACKLOG = 1024

Calls = Counter  # (operation, status, error code) -> answers


def serve(config: dict[str, Any]) -> None:
    """Run the fake for ``config`` and answer commands on stdin until it closes."""
    from omics_magic.testing import OmicsBackend, OmicsServer
    from omics_magic.testing import server as fake_server

    fake_server._Server.request_queue_size = max(
        fake_server._Server.request_queue_size, LISTEN_BACKLOG
    )
    backend = OmicsBackend()
    read_sets = config.get("read_sets_per_store", 0)
    backend.seed(config["regions"], config["stores"], random_seed=0, read_sets_per_store=read_sets)
    for account in config.get("accounts", []):  # more accounts, each its own stores
        backend.add_account(account, profile=f"acct-{account}")
        backend.seed(config["regions"], config["stores"], account_id=account, random_seed=0)
    backend.set_latency(config["latency"])

    def apply_quotas() -> None:  # also refills every bucket: each run starts alike
        tps = config["tps"]
        rates = {op: tps for op in QUOTA_OPERATIONS} if tps else None
        backend.set_quotas(rates, burst=config["burst"] if tps else None)

    apply_quotas()
    with OmicsServer(backend) as server:
        print(json.dumps({"env": server.env()}), flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == "stats":
                counts = Counter(
                    f"{r.operation}|{r.status}|{r.error_code or ''}"
                    for r in backend.requests.records
                )
                throttled = Counter(
                    f"{r.region}|{r.operation}" for r in backend.requests.records if r.status == 429
                )
                answer = {"counts": counts, "cpu": time.process_time(), "throttled": throttled}
                print(json.dumps(answer), flush=True)
            elif command == "reset":
                backend.requests.clear()
                apply_quotas()
                print(json.dumps({"ok": True}), flush=True)
            elif command == "unmetered":  # no quotas until the next reset (calibration)
                backend.set_quotas(None)
                print(json.dumps({"ok": True}), flush=True)


class FakeProcess:
    """The parent's handle on the fake's process.

    ``config``: ``regions``, ``stores`` (per region), ``latency`` (seconds a
    request), ``tps`` (per region and operation for the store and read-set
    operations, or None for no quotas) and ``burst``; optionally ``accounts``
    (more account IDs, each seeded alike, each with its own quotas) and
    ``read_sets_per_store`` (in the default account's stores).
    """

    def __init__(self, config: dict[str, Any]) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, __file__, json.dumps(config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=_harness.child_env(),
        )
        #: The environment that points clients at the fake (AWS_ENDPOINT_URL_OMICS...).
        self.env: dict[str, str] = self._ask(None)["env"]

    def _ask(self, command: str | None) -> dict[str, Any]:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        if command is not None:
            self._proc.stdin.write(command + "\n")
            self._proc.stdin.flush()
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError("the fake omics server process exited")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def reset(self) -> None:
        self._ask("reset")

    def unmetered(self) -> None:
        """No quotas until the next :meth:`reset`."""
        self._ask("unmetered")

    def stats(self) -> tuple[Calls[tuple[str, int, str]], float]:
        """The answers since the last reset, and the fake's CPU seconds so far."""
        answer = self._ask("stats")
        counts: Calls[tuple[str, int, str]] = Counter()
        for key, n in answer["counts"].items():
            operation, status, code = key.split("|")
            counts[(operation, int(status), code)] += n
        return counts, float(answer["cpu"])

    def most_throttles_per_bucket(self) -> int:
        """The most 429s any one (region, operation) got since the last reset."""
        return max(self._ask("stats")["throttled"].values(), default=0)

    def close(self) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.close()
        self._proc.wait(timeout=30)


if __name__ == "__main__":
    _harness.offline_environment()
    serve(json.loads(sys.argv[1]))
