"""A throttling storm: quotas of 1 TPS, 100 stores with tags, default pacing and retries.

The engine paces at AWS's default 5 TPS, so most calls are throttled and
retried by botocore; many still fail. Whatever gets through, the frame is
never silently short: a region has every row with every value, or it is
reported as throttled.
"""

from __future__ import annotations

import warnings

import pytest

import omics_magic
from omics_magic.columns import DEFAULT_COLUMNS
from omics_magic.errors import RegionFailureWarning
from omics_magic.regions import omics_regions
from omics_magic.testing import OmicsBackend
from tests.fetch_helpers import expected_records, records

REGIONS = list(omics_regions())  # all 10
PER_REGION = 10  # 100 stores in all
ONE_TPS = {"ListSequenceStores": 1, "GetSequenceStore": 1, "ListTagsForResource": 1}


def test_storm_gives_whole_regions_or_names_them_throttled(
    omics_backend: OmicsBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("OMICS_MAGIC_TPS", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE"):
        monkeypatch.delenv(name, raising=False)  # the defaults, as a user has them
    omics_backend.seed(REGIONS, stores_per_region=PER_REGION)
    omics_backend.set_quotas(ONE_TPS)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = omics_magic.sequence_stores(REGIONS, columns=[*DEFAULT_COLUMNS, "status"])

    assert omics_backend.requests.count(status=429) > 0, "no storm happened"
    errors = {e["region"]: e for e in df.attrs["omics_errors"]}
    assert len(errors) == len(df.attrs["omics_errors"])  # one record per region
    names = [*DEFAULT_COLUMNS, "status"]
    for region in REGIONS:
        got = records(df[df["region"] == region].reset_index(drop=True))
        whole = expected_records(omics_backend, [region], names)
        if region not in errors:
            assert got == whole, f"{region}: short or wrong without being reported"
            continue
        assert (errors[region]["kind"], errors[region]["code"]) == (
            "throttled",
            "ThrottlingException",
        )
        # Reported: the rows that are there are right, and something really is missing.
        by_id = {row["sequence_store_id"]: row for row in whole}
        unknown = 0
        for row in got:
            expected = dict(by_id[row["sequence_store_id"]])
            for column in ("tags", "status"):  # per-store calls that may have failed
                if row[column] is None:
                    expected[column] = None
                    unknown += 1
            assert row == expected
        assert unknown > 0 or len(got) < len(whole), f"{region} reported but complete"
    if errors:
        [warning] = [w for w in caught if issubclass(w.category, RegionFailureWarning)]
        assert all(region in str(warning.message) for region in errors)
