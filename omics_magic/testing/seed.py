"""Realistic seed data: stores with believable names, descriptions, tags, SSE and
locations, and the read sets in them (:mod:`~omics_magic.testing.seed_read_sets`).

Deterministic: the same ``random_seed`` gives the same stores (IDs, names,
creation times...) in every run, and each region's stores depend only on the
seed, the account and the region, not on which other regions are seeded (nor
on how many read sets each store gets). Creation times are spread over the
three years before 2025-06-01 (UTC).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any, Protocol

from .seed_read_sets import ANCHOR, read_set_values, reference_arns, with_files

__all__ = ["Seedable", "seed_stores"]


class Seedable(Protocol):
    """What seeding needs of a backend (an :class:`~omics_magic.testing.OmicsBackend`)."""

    @property
    def create_sequence_store(self) -> Callable[..., dict[str, Any]]: ...

    @property
    def add_read_set(self) -> Callable[..., dict[str, Any]]: ...


_KINDS = {
    "wgs-cohort": "Whole-genome sequencing reads, 30x, cohort {n}",
    "wes-cohort": "Whole-exome sequencing reads for cohort {n}",
    "rna-seq": "Bulk RNA-seq FASTQs, batch {n}",
    "tumor-normal": "Paired tumor/normal BAMs, oncology study {n}",
    "pgx-panel": "Pharmacogenomics panel CRAMs, site {n}",
    "long-read": "ONT/PacBio long-read uBAMs, project {n}",
    "single-cell": "Single-cell RNA-seq reads, run {n}",
    "biobank-wgs": "Biobank WGS CRAMs, release {n}",
}
_TEAMS = ["genomics", "oncology", "rare-disease", "pharmacogenomics", "platform"]
_PROJECTS = ["atlas", "helix", "northstar", "orca", "meridian", "sequoia"]
_ENVS = ["prod", "prod", "dev", "staging"]


def seed_stores(
    backend: Seedable,
    regions: str | Iterable[str],
    stores_per_region: int = 10,
    *,
    account_id: str = "123456789012",
    random_seed: int = 0,
    read_sets_per_store: int = 0,
) -> dict[str, list[dict[str, Any]]]:
    """Create ``stores_per_region`` realistic stores in each region.

    About a quarter are untagged, a quarter use a customer-managed KMS key
    (``arn:aws:kms:<region>:<account>:key/<uuid>``; the rest the AWS-owned
    key), about half have an ``s3://`` fallback location.

    Each store gets ``read_sets_per_store`` read sets: FASTQ, BAM, CRAM and
    UBAM (mostly the kind the store's name suggests); sample and subject IDs
    from one pool, so samples recur across stores; mostly ACTIVE, some
    ARCHIVED, ACTIVATING and PROCESSING_UPLOAD; read and base counts, file
    parts and sizes, an ETag, the creation job, and a reference ARN for the
    aligned ones (BAM, CRAM).

    Returns
    -------
    dict
        Region -> the created stores (API shape plus ``"tags"``), oldest first.

    Examples
    --------
    >>> from omics_magic.testing import OmicsBackend
    >>> seeded = seed_stores(OmicsBackend(), ["us-east-1", "eu-west-2"], 3)
    >>> {region: len(stores) for region, stores in seeded.items()}
    {'us-east-1': 3, 'eu-west-2': 3}
    """
    if isinstance(regions, str):
        regions = [regions]
    if read_sets_per_store < 0:
        raise ValueError("read_sets_per_store must be >= 0")
    seeded: dict[str, list[dict[str, Any]]] = {}
    for region in regions:
        rng = random.Random(f"{random_seed}:{account_id}:{region}")
        made = [_one(backend, rng, region, account_id) for _ in range(stores_per_region)]
        seeded[region] = sorted(made, key=lambda s: (s["creationTime"], s["id"]))
        if read_sets_per_store:
            references = reference_arns(random_seed, account_id, region)
            for store in made:
                place = f"{random_seed}:{account_id}:{region}:{store['id']}:read-sets"
                store_rng = random.Random(place)
                for _ in range(read_sets_per_store):
                    _read_set(backend, store_rng, region, account_id, store, references)
    return seeded


def _read_set(
    backend: Seedable,
    rng: random.Random,
    region: str,
    account_id: str,
    store: dict[str, Any],
    references: dict[str, str],
) -> dict[str, Any]:
    values = read_set_values(rng, store, references)
    for attempt in range(20):  # a taken ID (the same seed used twice): draw another
        candidate = with_files(dict(values), store, str(rng.randrange(10**9, 10**10)))
        try:
            return backend.add_read_set(region, store["id"], account_id=account_id, **candidate)
        except ValueError:
            if attempt == 19:
                raise
    raise AssertionError("unreachable")


def _one(backend: Seedable, rng: random.Random, region: str, account_id: str) -> dict[str, Any]:
    kind = rng.choice(list(_KINDS))
    number = rng.randrange(1, 1000)
    name = f"{kind}-{number:03d}"
    description = _KINDS[kind].format(n=number) if rng.random() < 0.85 else None
    tags: dict[str, str] = {}
    if rng.random() < 0.75:
        tags = {
            "team": rng.choice(_TEAMS),
            "project": rng.choice(_PROJECTS),
            "cost-center": f"CC-{rng.randrange(1000, 9999)}",
            "env": rng.choice(_ENVS),
        }
        if rng.random() < 0.3:
            del tags["cost-center"]
    sse = {"type": "KMS"}
    if rng.random() < 0.25:
        key = uuid.UUID(int=rng.getrandbits(128), version=4)
        sse["keyArn"] = f"arn:aws:kms:{region}:{account_id}:key/{key}"
    fallback = None
    if rng.random() < 0.5:
        fallback = f"s3://{account_id}-omics-fallback-{region}/{name}/"
    access_log = None
    if rng.random() < 0.3:
        access_log = f"s3://{account_id}-omics-access-logs/{region}/{name}/"
    age = timedelta(seconds=rng.randrange(3600, 3 * 365 * 86400), milliseconds=rng.randrange(1000))
    store_id = str(rng.randrange(10**9, 10**10))
    kwargs: dict[str, Any] = dict(
        account_id=account_id,
        description=description,
        sse_config=sse,
        fallback_location=fallback,
        tags=tags,
        e_tag_algorithm_family=rng.choice(["MD5up", "MD5up", "MD5up", "SHA256up", "SHA512up"]),
        propagated_set_level_tags=["project", "sample-id"] if rng.random() < 0.2 else None,
        access_log_location=access_log,
        creation_time=ANCHOR - age,
    )
    try:
        return backend.create_sequence_store(region, name, store_id=store_id, **kwargs)
    except ValueError:  # the ID is taken, e.g. the same seed used twice: take a fresh one
        return backend.create_sequence_store(region, name, **kwargs)
