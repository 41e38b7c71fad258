"""As a new user would: a fresh Python, two environment variables, one call."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from omics_magic.testing import OmicsServer
from tests.conftest import FAKE_ACCESS_KEY, FAKE_SECRET_KEY

REPO = Path(__file__).resolve().parents[2]
SCRIPT = """
import json, omics_magic
df = omics_magic.sequence_stores()
rows = df.assign(creation_time=df["creation_time"].map(lambda t: t.isoformat()))
print(json.dumps({"columns": list(df.columns), "rows": rows.to_dict(orient="records"),
                  "errors": df.attrs["omics_errors"]}))
"""
SEEDED = ["us-east-1", "us-west-2", "eu-west-2"]


def fresh_env(home: Path, server: OmicsServer) -> dict[str, str]:
    """What a new user's shell has: fake keys, no AWS config, and the server's two variables."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "PYTHONPATH": str(REPO),
        "AWS_ACCESS_KEY_ID": FAKE_ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": FAKE_SECRET_KEY,
        "AWS_CONFIG_FILE": str(home / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "none"),
        "AWS_EC2_METADATA_DISABLED": "true",
        **server.env(),  # AWS_ENDPOINT_URL_OMICS, AWS_DISABLE_HOST_PREFIX_INJECTION
    }


@pytest.mark.parametrize("configured", [False, True])
def test_fresh_python_sees_every_seeded_store(tmp_path: Path, configured: bool) -> None:
    with OmicsServer() as server:
        server.backend.seed(SEEDED, stores_per_region=10)
        env = fresh_env(tmp_path, server)
        if configured:
            env["OMICS_MAGIC_REGIONS"] = ",".join(SEEDED)
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        answer = json.loads(done.stdout)
        stores = {region: server.backend.stores(region) for region in SEEDED}

    from omics_magic.regions import omics_regions

    order = SEEDED if configured else [r for r in omics_regions() if r in SEEDED]
    expected = [
        {
            "region": region,
            "arn": s["arn"],
            "creation_time": s["creationTime"].isoformat(),
            "description": s.get("description"),
            "name": s["name"],
            "fallback_location": s.get("fallbackLocation"),
            "sequence_store_id": s["id"],
            "sse_config": {"type": s["sseConfig"]["type"], "key_arn": s["sseConfig"].get("keyArn")},
            "tags": s["tags"],
        }
        for region in order
        for s in stores[region]  # oldest first, then by ID
    ]
    assert answer["errors"] == []
    assert answer["columns"] == list(expected[0])
    assert answer["rows"] == expected
    assert len(answer["rows"]) == 30


def test_a_stuck_region_does_not_hold_up_exit(tmp_path: Path) -> None:
    """After the deadline, the script prints its frame and exits; it doesn't wait for
    the stuck request (the server would take a minute to answer it)."""
    script = (
        "import omics_magic, warnings\n"
        "warnings.simplefilter('ignore')\n"
        "df = omics_magic.sequence_stores(['us-east-1', 'eu-west-2'], timeout=3, rate=None)\n"
        "print(len(df), [e['code'] for e in df.attrs['omics_errors']])\n"
    )
    with OmicsServer() as server:
        server.backend.seed(["us-east-1", "eu-west-2"], stores_per_region=2)
        server.backend.set_latency(60, region="eu-west-2")
        env = fresh_env(tmp_path, server)
        done = subprocess.run(
            [sys.executable, "-c", script],
            env=env,
            capture_output=True,
            text=True,
            timeout=45,  # well under the stuck request's 60 s: a hang fails the test
        )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["2", "['DeadlineExceeded']"]


def test_importing_the_engine_loads_no_aws_sdk() -> None:
    """boto3/botocore load on the first fetch, not on import (``%load_ext`` stays fast)."""
    code = (
        "import sys, omics_magic\n"
        "omics_magic.sequence_stores, omics_magic.sequence_store\n"
        "print(sorted(m for m in ('boto3', 'botocore', 'tqdm') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
