"""A result's notebook rendering: every tag pair and the full key ARN, the data unchanged."""

from __future__ import annotations

import boto3
import pandas as pd
import pytest
from IPython.core.interactiveshell import InteractiveShell

from omics_magic.testing import OmicsBackend
from tests.magic_support import run_cell

REGIONS = ["us-east-1", "eu-west-1"]


@pytest.fixture
def backend(omics_backend: OmicsBackend, monkeypatch: pytest.MonkeyPatch) -> OmicsBackend:
    monkeypatch.setenv("OMICS_MAGIC_REGIONS", ",".join(REGIONS))
    monkeypatch.setenv("OMICS_MAGIC_TPS", "0")
    omics_backend.seed(REGIONS, stores_per_region=8)
    return omics_backend


def html_of(ip: InteractiveShell, value: object) -> str:
    data, _ = ip.display_formatter.format(value)
    return str(data["text/html"])


def test_the_html_shows_every_tag_pair_and_the_full_key_arn(
    ip: InteractiveShell, backend: OmicsBackend
) -> None:
    # Long values, so that pandas' own 50-character cut would hide them.
    store = backend.stores("us-east-1")[0]
    boto3.client("omics", region_name="us-east-1").tag_resource(
        resourceArn=store["arn"],
        tags={"cost-center": "CC-0042-genomics-platform-shared-services", "owner": "a<b>&c"},
    )
    df = ip.run_cell_magic("omics", "", "SELECT * FROM aws.omics.sequence_stores")
    shown = html_of(ip, df)

    keyed = df[df["sse_config"].map(lambda s: bool(s and s.get("key_arn")))]
    assert len(keyed) > 0
    for arn in keyed["sse_config"].map(lambda s: s["key_arn"]):
        assert arn in shown
    for tags in df["tags"]:
        for key, value in (tags or {}).items():
            pair = f"{key}={value}".replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            assert pair in shown
    assert "a&lt;b&gt;&amp;c" in shown and "<b>" not in shown  # escaped, not markup
    assert '<span style="white-space: nowrap">us-east-1</span>' in shown
    # Only the display changed: the values are the dicts the fetch made.
    assert isinstance(df["tags"][0], dict) and isinstance(df["sse_config"][0], dict)
    assert "..." not in shown.split("<tbody>")[1]


def test_the_returned_frame_is_unchanged(ip: InteractiveShell, backend: OmicsBackend) -> None:
    import omics_magic

    by_magic = ip.run_cell_magic("omics", "", "SELECT * FROM aws.omics.sequence_stores")
    by_python = omics_magic.run_query("SELECT * FROM aws.omics.sequence_stores")
    pd.testing.assert_frame_equal(by_magic, by_python)
    html_of(ip, by_magic)
    pd.testing.assert_frame_equal(by_magic, by_python)


def test_other_frames_render_as_pandas_does_and_unload_restores(ip: InteractiveShell) -> None:
    other = pd.DataFrame({"tags": [{"k": "v"}]})
    assert html_of(ip, other) == other._repr_html_()
    ours = other.copy()
    ours.attrs["omics_errors"] = []
    assert "k=v" in html_of(ip, ours)
    run_cell(ip, "%unload_ext omics_magic")
    assert "k=v" not in html_of(ip, ours)
    run_cell(ip, "%load_ext omics_magic")
    assert "k=v" in html_of(ip, ours)
