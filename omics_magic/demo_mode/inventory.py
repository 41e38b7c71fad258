"""The demo's fake inventory: fixed, realistic, and with two failing regions.

Deterministic: :data:`DEMO_STORE_ID` is always the same store with the same
fields, so the README, the notebooks and the CLI's tour can name it; the
stores around it come from the fake's own seed with a fixed random seed, each
with READ_SETS_PER_STORE read sets (the featured store has four fixed ones).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..testing import OmicsBackend

__all__ = [
    "DEMO_ACCOUNT_ID",
    "DEMO_PROFILES",
    "DEMO_REGIONS",
    "DEMO_READ_SET_ID",
    "LAB_ACCOUNT_ID",
    "LAB_REGIONS",
    "DEMO_STORE_ID",
    "NOT_ENABLED_REGION",
    "REGIONS",
    "SCRATCH_STORE_ID",
    "READ_SETS_PER_STORE",
    "STORES_PER_REGION",
    "THROTTLED_REGION",
    "seed_demo",
]

#: Regions holding the demo's stores.
DEMO_REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "eu-west-2")
#: A region the demo account has not enabled: every call there fails.
NOT_ENABLED_REGION = "ap-southeast-1"
#: A region that throttles every call, beyond the retries.
THROTTLED_REGION = "eu-central-1"
#: What ``$OMICS_MAGIC_REGIONS`` is in demo mode: queries without a region cover these.
REGIONS = (*DEMO_REGIONS, NOT_ENABLED_REGION, THROTTLED_REGION)
#: The store the docs query by ID (us-east-1).
DEMO_STORE_ID = "4839201756"
#: An empty store that the docs delete (eu-west-1).
SCRATCH_STORE_ID = "5550100001"
STORES_PER_REGION = 12
#: Read sets in each seeded store (the featured store has its own, fixed ones).
READ_SETS_PER_STORE = 6
#: The featured store's first read set (NA12878's CRAM), for the docs.
DEMO_READ_SET_ID = "7310452281"
#: The demo's two fake accounts: the default one, and a lab's with a few stores.
DEMO_ACCOUNT_ID = "123456789012"
LAB_ACCOUNT_ID = "210987654321"
LAB_REGIONS = ("us-east-1", "eu-west-2")
#: The profiles demo mode's AWS config file holds: one per account.
DEMO_PROFILES = {"demo": DEMO_ACCOUNT_ID, "demo-lab": LAB_ACCOUNT_ID}


def seed_demo(backend: OmicsBackend) -> dict[str, list[dict[str, Any]]]:
    """Fill ``backend`` with the demo inventory and its two failing regions.

    The featured store :data:`DEMO_STORE_ID` (us-east-1) and the empty
    :data:`SCRATCH_STORE_ID` (eu-west-1) have fixed fields; around them, a
    deterministic, realistic seed: tags, customer-managed KMS keys, fallback
    locations. :data:`NOT_ENABLED_REGION` answers UnrecognizedClientException
    and :data:`THROTTLED_REGION` ThrottlingException to every call.

    Returns
    -------
    dict
        Region -> its stores (API shape plus ``"tags"``), oldest first.

    Examples
    --------
    >>> from omics_magic.testing import OmicsBackend
    >>> seeded = seed_demo(OmicsBackend(random_seed=0))
    >>> [s["name"] for s in seeded["us-east-1"] if s["id"] == DEMO_STORE_ID]
    ['wgs-cohort-042']
    """
    account = DEMO_ACCOUNT_ID
    backend.create_sequence_store(
        "us-east-1",
        "wgs-cohort-042",
        store_id=DEMO_STORE_ID,
        description="Whole-genome sequencing reads, 30x, cohort 42",
        sse_config={
            "type": "KMS",
            "keyArn": f"arn:aws:kms:us-east-1:{account}:key/6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f",
        },
        fallback_location=f"s3://{account}-omics-fallback-us-east-1/wgs-cohort-042/",
        tags={"team": "genomics", "project": "atlas", "env": "prod", "cost-center": "CC-4242"},
        creation_time=datetime(2024, 3, 14, 9, 26, 53, 589000, tzinfo=timezone.utc),
    )
    backend.create_sequence_store(
        "eu-west-1",
        "scratch-tmp",
        store_id=SCRATCH_STORE_ID,
        description="Scratch store for the demo: empty, safe to delete",
        tags={"team": "platform", "env": "dev"},
        creation_time=datetime(2025, 5, 30, 16, 0, 0, tzinfo=timezone.utc),
    )
    _featured_read_sets(backend, account)
    backend.seed(
        DEMO_REGIONS, STORES_PER_REGION, random_seed=7, read_sets_per_store=READ_SETS_PER_STORE
    )
    backend.seed(THROTTLED_REGION, 3, random_seed=7)  # there, but never seen
    backend.disable_region(NOT_ENABLED_REGION)
    backend.inject_error(
        "ThrottlingException", region=THROTTLED_REGION, message="Rate exceeded (demo)"
    )
    backend.add_account(LAB_ACCOUNT_ID, profile="demo-lab")  # a second account, its own stores
    backend.seed(LAB_REGIONS, 4, account_id=LAB_ACCOUNT_ID, random_seed=11, read_sets_per_store=3)
    return {region: backend.stores(region) for region in DEMO_REGIONS}


def _featured_read_sets(backend: OmicsBackend, account: str) -> None:
    """The featured store's read sets: fixed, so the docs can name them."""
    reference = f"arn:aws:omics:us-east-1:{account}:referenceStore/8401126534/reference/5119375502"
    made = [
        # (id, sample, file type, status, created, reads)
        (DEMO_READ_SET_ID, "NA12878", "CRAM", "ACTIVE", datetime(2024, 3, 20, 8, 0), 812_000_000),
        ("7310452282", "NA12878", "FASTQ", "ARCHIVED", datetime(2024, 3, 18, 14, 5), 812_000_000),
        ("7310452283", "HG002", "BAM", "ACTIVE", datetime(2024, 9, 2, 11, 30), 640_000_000),
        ("7310452284", "HG002", "FASTQ", "ARCHIVED", datetime(2024, 8, 30, 9, 45), 640_000_000),
    ]
    for identifier, sample, file_type, status, created, reads in made:
        aligned = file_type in ("BAM", "CRAM")
        backend.add_read_set(
            "us-east-1",
            DEMO_STORE_ID,
            read_set_id=identifier,
            name=f"{sample}-{file_type.lower()}",
            description=f"{sample} whole genome, 30x, {file_type}",
            sample_id=sample,
            subject_id=f"SUBJ-{sample}",
            file_type=file_type,
            status=status,
            reference_arn=reference if aligned else None,
            creation_type="IMPORT",
            creation_time=created.replace(tzinfo=timezone.utc),
            sequence_information={
                "totalReadCount": reads,
                "totalBaseCount": reads * 150,
                "generatedFrom": "NovaSeq 6000",
                "alignment": "ALIGNED" if aligned else "UNALIGNED",
            },
            tags={"team": "genomics", "sample": sample},
        )
