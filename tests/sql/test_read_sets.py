"""aws.omics.read_sets / read_set in SQL against the fake: columns, pushdown (by the calls
made), the join pushdown, extras and errors."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest

from omics_magic.errors import SQLError, UnknownColumnError
from omics_magic.resources import READ_SETS
from omics_magic.sql.run import run_query
from omics_magic.testing import OmicsBackend
from tests.fetch_helpers import expected_read_sets, records

REGIONS = ["us-east-1", "eu-west-2"]
READ_SETS_SQL = "aws.omics.read_sets"
T0 = datetime(2024, 6, 1, tzinfo=timezone.utc)


class Calls:
    """A session that remembers the parameters of every ListReadSets it sends."""

    def __init__(self) -> None:
        self.session = boto3.Session()
        self.list_read_sets: list[dict[str, Any]] = []
        self.session.events.register(
            "provide-client-params.omics.ListReadSets",
            lambda params, **_: self.list_read_sets.append(dict(params)),
        )

    def query(self, sql: str, **kwargs: Any) -> Any:
        return run_query(sql, regions=REGIONS, session=self.session, **kwargs)


def _store(backend: OmicsBackend, region: str, name: str, team: str, n: int) -> str:
    store = backend.create_sequence_store(region, name, tags={"team": team})["id"]
    for i in range(n):
        backend.add_read_set(
            region,
            store,
            name=f"{name}-{i}",
            sample_id=f"S{i % 3}",
            subject_id=f"P{i % 2}",
            status="ARCHIVED" if i % 4 == 0 else "ACTIVE",
            file_type="CRAM" if i % 2 else "FASTQ",
            reference_arn=f"arn:aws:omics:{region}:123456789012:referenceStore/1/reference/2"
            if i % 2
            else None,
            creation_type="UPLOAD" if i % 5 == 0 else "IMPORT",
            creation_time=T0 + timedelta(days=i),
            sequence_information={"totalReadCount": 10 * i, "totalBaseCount": 1000 * i},
        )
    return store


def _inventory(backend: OmicsBackend) -> dict[str, str]:
    return {
        "genomics-us": _store(backend, "us-east-1", "wgs", "genomics", 6),
        "oncology-us": _store(backend, "us-east-1", "tumor", "oncology", 4),
        "genomics-eu": _store(backend, "eu-west-2", "rna", "genomics", 5),
        "platform-eu": _store(backend, "eu-west-2", "scratch", "platform", 3),
    }


@pytest.fixture
def inventory(omics_backend: OmicsBackend) -> dict[str, str]:
    """The inventory, in-process (the tests that matter most run both ways in)."""
    return _inventory(omics_backend)


def test_select_star_is_the_documented_columns_of_every_store_in_every_region(
    omics_fake: OmicsBackend,
) -> None:
    _inventory(omics_fake)
    df = Calls().query(f"SELECT * FROM {READ_SETS_SQL} ORDER BY region DESC")
    expected = expected_read_sets(omics_fake, REGIONS, READ_SETS.default_columns)
    assert list(df.columns) == list(READ_SETS.default_columns)
    assert sorted(records(df), key=str) == sorted(expected, key=str)
    assert str(df["creation_time"].dtype) == "datetime64[us, UTC]"
    assert omics_fake.requests.count("GetReadSetMetadata") == 0


def test_the_empty_answer_keeps_every_column(
    omics_backend: OmicsBackend, inventory: dict[str, str]
) -> None:
    df = Calls().query(f"SELECT * FROM {READ_SETS_SQL} WHERE name = 'no-such-read-set'")
    assert df.empty and list(df.columns) == list(READ_SETS.default_columns)


def test_region_and_store_pushdown_make_no_store_listing(
    omics_backend: OmicsBackend, inventory: dict[str, str]
) -> None:
    calls = Calls()
    store = inventory["genomics-eu"]
    df = calls.query(
        f"SELECT read_set_id FROM {READ_SETS_SQL} "
        f"WHERE region = 'eu-west-2' AND sequence_store_id = '{store}'"
    )
    assert len(df) == 5
    assert omics_backend.requests.count("ListSequenceStores") == 0
    assert omics_backend.requests.count("ListReadSets") == 1
    assert omics_backend.requests.count(region="us-east-1") == 0
    assert calls.list_read_sets[0]["sequenceStoreId"] == store


@pytest.mark.parametrize(
    ("condition", "sent", "expected_rows"),
    [
        ("name = 'wgs-2'", {"name": "wgs-2"}, 1),
        ("status = 'ARCHIVED'", {"status": "ARCHIVED"}, 2),
        ("sample_id = 'S1'", {"sampleId": "S1"}, 2),
        ("subject_id = 'P0'", {"subjectId": "P0"}, 3),
        ("creation_type = 'UPLOAD'", {"creationType": "UPLOAD"}, 2),
        (
            "reference_arn = 'arn:aws:omics:us-east-1:123456789012:referenceStore/1/reference/2'",
            {"referenceArn": "arn:aws:omics:us-east-1:123456789012:referenceStore/1/reference/2"},
            3,
        ),
    ],
)
def test_each_equality_goes_into_list_read_sets_filter(
    omics_backend: OmicsBackend,
    inventory: dict[str, str],
    condition: str,
    sent: dict[str, str],
    expected_rows: int,
) -> None:
    calls = Calls()
    store = inventory["genomics-us"]
    df = calls.query(
        f"SELECT * FROM {READ_SETS_SQL} WHERE region = 'us-east-1' "
        f"AND sequence_store_id = '{store}' AND {condition}"
    )
    assert len(df) == expected_rows
    sent_here = [c for c in calls.list_read_sets if c["sequenceStoreId"] == store]
    assert [c["filter"] for c in sent_here] == [sent]


def test_creation_time_ranges_become_created_after_and_before(
    omics_backend: OmicsBackend, inventory: dict[str, str]
) -> None:
    calls = Calls()
    store = inventory["genomics-us"]
    df = calls.query(
        f"SELECT creation_time FROM {READ_SETS_SQL} WHERE region = 'us-east-1' "
        f"AND sequence_store_id = '{store}' "
        "AND creation_time >= '2024-06-02' AND creation_time < TIMESTAMP '2024-06-05 00:00:00'"
    )
    assert [t.day for t in df["creation_time"]] == [2, 3, 4]
    (sent,) = [c["filter"] for c in calls.list_read_sets if c["sequenceStoreId"] == store]
    assert sent == {
        "createdAfter": datetime(2024, 6, 1, 23, 59, 59, tzinfo=timezone.utc),
        "createdBefore": datetime(2024, 6, 5, 0, 0, 1, tzinfo=timezone.utc),
    }
    calls = Calls()
    between = calls.query(
        f"SELECT count(*) AS n FROM {READ_SETS_SQL} WHERE sequence_store_id = '{store}' "
        "AND creation_time BETWEEN '2024-06-03' AND '2024-06-04'"
    )
    assert between["n"].tolist() == [2]
    assert set(calls.list_read_sets[0]["filter"]) == {"createdAfter", "createdBefore"}


def test_a_condition_under_or_is_not_pushed_and_the_answer_is_the_same(
    omics_backend: OmicsBackend, inventory: dict[str, str]
) -> None:
    calls = Calls()
    df = calls.query(
        f"SELECT name FROM {READ_SETS_SQL} "
        "WHERE status = 'ARCHIVED' OR name = 'wgs-1' ORDER BY name"
    )
    assert "filter" not in calls.list_read_sets[0]
    assert df["name"].tolist() == [
        "rna-0",
        "rna-4",
        "scratch-0",
        "tumor-0",
        "wgs-0",
        "wgs-1",
        "wgs-4",
    ]


def test_the_join_lists_read_sets_only_for_the_stores_that_pass(omics_fake: OmicsBackend) -> None:
    inventory = _inventory(omics_fake)
    calls = Calls()
    df = calls.query(
        """
        SELECT s.name, count(*) AS read_sets, sum(r.sequence_information.total_base_count) AS bases
        FROM aws.omics.sequence_stores s
        JOIN aws.omics.read_sets r ON r.sequence_store_id = s.sequence_store_id
        WHERE s.tags['team'] = 'genomics'
        GROUP BY s.name ORDER BY s.name
        """
    )
    assert df.to_dict(orient="list") == {
        "name": ["rna", "wgs"],
        "read_sets": [5, 6],
        "bases": [10000, 15000],
    }
    log = omics_fake.requests
    assert log.count("ListSequenceStores") == 2  # once per region: each resource fetched once
    listed = sorted(c["sequenceStoreId"] for c in calls.list_read_sets)
    assert listed == sorted([inventory["genomics-us"], inventory["genomics-eu"]])


def test_a_left_join_is_not_narrowed(
    omics_backend: OmicsBackend, inventory: dict[str, str]
) -> None:
    calls = Calls()
    df = calls.query(
        """
        SELECT s.name, count(r.read_set_id) AS n FROM aws.omics.sequence_stores s
        LEFT JOIN aws.omics.read_sets r ON r.sequence_store_id = s.sequence_store_id
        WHERE s.tags['team'] = 'platform' GROUP BY s.name
        """
    )
    assert df.to_dict(orient="list") == {"name": ["scratch"], "n": [3]}
    assert len(calls.list_read_sets) == 4  # every store: correct, not narrowed


def test_extras_only_when_named_and_kept_out_of_star(
    omics_backend: OmicsBackend, inventory: dict[str, str]
) -> None:
    store = inventory["platform-eu"]
    df = Calls().query(
        f"SELECT *, files, tags FROM {READ_SETS_SQL} WHERE sequence_store_id = '{store}'"
    )
    assert list(df.columns) == [*READ_SETS.default_columns, "files", "tags"]
    assert omics_backend.requests.count("GetReadSetMetadata") == 3
    assert omics_backend.requests.count("ListTagsForResource") == 3
    assert df["files"].iloc[0]["source1"]["s3_uri"].startswith("s3://")


def test_one_read_set_by_store_and_identifier(
    omics_backend: OmicsBackend, inventory: dict[str, str]
) -> None:
    store = inventory["oncology-us"]
    wanted = omics_backend.read_sets("us-east-1", store)[2]["id"]
    df = Calls().query(
        "SELECT read_set_id, creation_job_id FROM aws.omics.read_set "
        f"WHERE sequence_store_id = '{store}' AND data__Identifier = '{wanted}'"
    )
    assert df["read_set_id"].tolist() == [wanted]
    assert omics_backend.requests.count("GetReadSetMetadata") == 2  # one per region
    assert omics_backend.requests.count("ListReadSets") == 0


def test_read_set_without_its_keys_is_one_clear_line_before_any_call(
    omics_backend: OmicsBackend,
) -> None:
    with pytest.raises(SQLError, match="needs WHERE sequence_store_id = '<id>' AND data__Identi"):
        run_query("SELECT * FROM aws.omics.read_set", regions=REGIONS)
    with pytest.raises(UnknownColumnError, match="unknown column 'nope'"):
        run_query(f"SELECT nope FROM {READ_SETS_SQL}", regions=REGIONS)
    assert omics_backend.requests.count() == 0
