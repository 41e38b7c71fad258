"""The fetch engine when regions fail: kinds, strict, partial failure, deadline, credentials."""

from __future__ import annotations

import socket
import warnings

import pytest

import omics_magic
from omics_magic.columns import DEFAULT_COLUMNS
from omics_magic.errors import CredentialsError, FetchError, RegionFailureWarning
from omics_magic.testing import OmicsBackend
from tests.fetch_helpers import expected_records, records

# One region per outcome; botocore retries each failure (2 attempts keeps this fast).
FAULTS = {
    "us-east-1": None,
    "us-west-2": ("disable", "not_enabled", "UnrecognizedClientException"),
    "eu-west-1": ("AccessDeniedException", "denied", "AccessDeniedException"),
    "eu-west-2": ("ThrottlingException", "throttled", "ThrottlingException"),
    "eu-central-1": ("ServiceUnavailableException", "unavailable", "ServiceUnavailableException"),
    "ap-southeast-1": ("InternalServerException", "unavailable", "InternalServerException"),
    "ap-northeast-1": ("ValidationException", "error", "ValidationException"),
}
REGIONS = list(FAULTS)
FAILED = [r for r in REGIONS if FAULTS[r] is not None]


@pytest.fixture
def two_attempts(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore's own retries, shortened: one retry per call."""
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")


def _break_regions(backend: OmicsBackend) -> None:
    backend.seed(REGIONS, stores_per_region=3)
    for region, fault in FAULTS.items():
        if fault is None:
            continue
        if fault[0] == "disable":
            backend.disable_region(region)
        else:
            backend.inject_error(fault[0], region=region)


@pytest.mark.usefixtures("two_attempts")
def test_every_fault_kind_is_reported_and_healthy_regions_keep_their_rows(
    omics_fake: OmicsBackend,
) -> None:
    _break_regions(omics_fake)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = omics_magic.sequence_stores(REGIONS, rate=None)

    assert records(df) == expected_records(omics_fake, ["us-east-1"], DEFAULT_COLUMNS)
    errors = df.attrs["omics_errors"]
    assert [(e["region"], e["kind"], e["code"]) for e in errors] == [
        (r, FAULTS[r][1], FAULTS[r][2])  # type: ignore[index]
        for r in FAILED
    ]
    assert all(set(e) == {"region", "code", "message", "kind"} and e["message"] for e in errors)
    region_warnings = [w for w in caught if issubclass(w.category, RegionFailureWarning)]
    assert len(region_warnings) == 1
    assert region_warnings[0].filename == __file__  # points at the caller's line
    text = str(region_warnings[0].message)
    assert all(region in text for region in FAILED) and "us-east-1" not in text
    # botocore retried the retryable failures (not a hand loop: its attempt count)
    assert omics_fake.requests.count("ListSequenceStores", "eu-west-2") == 2
    assert omics_fake.requests.count("ListSequenceStores", "eu-central-1") == 2


@pytest.mark.usefixtures("two_attempts")
def test_strict_raises_naming_every_failed_region(omics_backend: OmicsBackend) -> None:
    _break_regions(omics_backend)

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # strict raises instead of warning
        with pytest.raises(FetchError) as raised:
            omics_magic.sequence_stores(REGIONS, strict=True, rate=None)

    message = str(raised.value)
    assert message.startswith(f"{len(FAILED)} of {len(REGIONS)} regions failed")
    assert all(region in message for region in FAILED) and "us-east-1" not in message
    assert [e["region"] for e in raised.value.errors] == FAILED


def test_strict_with_every_region_healthy_returns_the_frame(omics_backend: OmicsBackend) -> None:
    omics_backend.seed(["us-east-1", "eu-west-2"], stores_per_region=2)
    df = omics_magic.sequence_stores(["us-east-1", "eu-west-2"], strict=True, rate=None)
    assert len(df) == 4 and df.attrs["omics_errors"] == []


def test_all_regions_refusing_hints_at_credentials(omics_backend: OmicsBackend) -> None:
    for region in ("us-east-1", "eu-west-2"):
        omics_backend.disable_region(region)
    with pytest.warns(RegionFailureWarning, match="check they are valid"):
        omics_magic.sequence_stores(["us-east-1", "eu-west-2"])


def test_transient_throttling_is_retried_by_botocore(omics_fake: OmicsBackend) -> None:
    omics_fake.seed("us-east-1", stores_per_region=3)
    omics_fake.inject_error("ThrottlingException", operation="ListSequenceStores", times=2)

    df = omics_magic.sequence_stores("us-east-1", columns=["name"], strict=True)

    assert len(df) == 3
    assert omics_fake.requests.count("ListSequenceStores", status=429) == 2
    assert omics_fake.requests.count("ListSequenceStores", status=200) == 1


def test_denied_tags_keep_the_rows_flag_the_region_and_stop_asking(
    omics_backend: OmicsBackend,
) -> None:
    omics_backend.seed(["us-east-1", "eu-west-2"], stores_per_region=6)
    omics_backend.inject_error(
        "AccessDeniedException", region="us-east-1", operation="ListTagsForResource"
    )

    with pytest.warns(RegionFailureWarning, match="us-east-1"):
        df = omics_magic.sequence_stores(["us-east-1", "eu-west-2"])

    expected = expected_records(omics_backend, ["us-east-1", "eu-west-2"], DEFAULT_COLUMNS)
    for row in expected[:6]:
        row["tags"] = None  # unknown, not "no tags"
    assert records(df) == expected
    [error] = df.attrs["omics_errors"]
    assert (error["region"], error["kind"], error["code"]) == (
        "us-east-1",
        "denied",
        "AccessDeniedException",
    )
    assert "ListTagsForResource failed for 6 of 6 stores" in error["message"]
    # paced calls: the denial arrives before the next call is due, so no more are made
    assert omics_backend.requests.count("ListTagsForResource", "us-east-1") < 6
    assert omics_backend.requests.count("ListTagsForResource", "eu-west-2") == 6


def test_failing_get_leaves_extras_empty_and_is_reported(omics_backend: OmicsBackend) -> None:
    omics_backend.seed("us-east-1", stores_per_region=4)
    omics_backend.inject_error(
        "ValidationException", operation="GetSequenceStore", times=1, message="odd"
    )

    with pytest.warns(RegionFailureWarning):
        df = omics_magic.sequence_stores("us-east-1", columns=["name", "s3_uri"], rate=None)

    assert len(df) == 4 and df["s3_uri"].isna().sum() == 1
    [error] = df.attrs["omics_errors"]
    assert (
        error["kind"] == "error"
        and "GetSequenceStore failed for 1 of 4 stores" in (error["message"])
    )


def test_store_deleted_between_list_and_get_is_dropped(omics_backend: OmicsBackend) -> None:
    omics_backend.seed("us-east-1", stores_per_region=4)
    omics_backend.inject_error("ResourceNotFoundException", operation="GetSequenceStore", times=1)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        df = omics_magic.sequence_stores("us-east-1", columns=["name", "s3_uri"], rate=None)

    assert len(df) == 3 and df["s3_uri"].notna().all()
    assert df.attrs["omics_errors"] == []


@pytest.mark.usefixtures("two_attempts")
def test_unreachable_endpoint_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL_OMICS", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("AWS_DISABLE_HOST_PREFIX_INJECTION", "true")

    with pytest.warns(RegionFailureWarning):
        df = omics_magic.sequence_stores(["us-east-1", "eu-west-2"], rate=None)

    assert df.empty
    assert [(e["kind"], e["code"]) for e in df.attrs["omics_errors"]] == [
        ("unavailable", "EndpointConnectionError")
    ] * 2


def test_region_past_the_deadline_is_reported_and_not_waited_for(
    omics_backend: OmicsBackend,
) -> None:
    omics_backend.seed(["us-east-1", "eu-west-2"], stores_per_region=3)
    # Room for the healthy region on a loaded machine (it makes 7 calls), none for the slow one.
    omics_backend.set_latency(10, region="eu-west-2")

    with pytest.warns(RegionFailureWarning, match="DeadlineExceeded"):
        df = omics_magic.sequence_stores(["us-east-1", "eu-west-2"], timeout=3, rate=None)

    # returned before the slow region answered anything
    assert omics_backend.requests.count(region="eu-west-2") == 0
    assert records(df) == expected_records(omics_backend, ["us-east-1"], DEFAULT_COLUMNS)
    [error] = df.attrs["omics_errors"]
    assert (error["region"], error["kind"], error["code"]) == (
        "eu-west-2",
        "unavailable",
        "DeadlineExceeded",
    )


@pytest.mark.parametrize(
    "unset", [("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")]
)
def test_missing_credentials_is_one_clear_line_before_any_call(
    omics_backend: OmicsBackend, monkeypatch: pytest.MonkeyPatch, unset: tuple[str, ...]
) -> None:
    for name in unset:
        monkeypatch.delenv(name)

    with pytest.raises(CredentialsError, match=r"no AWS credentials found.*AWS_PROFILE") as err:
        omics_magic.sequence_stores(["us-east-1"])

    assert "\n" not in str(err.value)
    assert omics_backend.requests.count() == 0


def test_unknown_profile_is_a_credentials_error(
    omics_backend: OmicsBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
    with pytest.raises(CredentialsError, match="no-such-profile"):
        omics_magic.sequence_stores(["us-east-1"])
    assert omics_backend.requests.count() == 0
