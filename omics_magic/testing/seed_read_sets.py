"""Realistic seed read sets: samples and subjects, file types, sizes and references.

Deterministic: a store's read sets depend only on the seed, the account, the
region and the store's ID. Sample IDs come from one pool per account, so the
same sample turns up in several stores, as it does in a real estate (a
normal sample sequenced twice, a cohort re-aligned). A sample's subject is a
function of the sample, so they always agree.
"""

from __future__ import annotations

import random
import zlib
from datetime import datetime, timedelta, timezone
from typing import Any

from .read_sets import file_sizes, read_set_files

__all__ = ["read_set_values", "reference_arns"]

ANCHOR = datetime(2025, 6, 1, tzinfo=timezone.utc)
_SAMPLES = (
    ["NA12878", "NA12891", "NA12892", "NA24385", "NA24631", "NA24143"]
    + [f"HG{n:05d}" for n in range(96, 126)]
    + [f"CPTAC-{n:04d}" for n in range(1, 9)]
)
# The file types a store of each kind holds most (the rest are a general mix).
_PREFERRED = {
    "wgs-cohort": "CRAM",
    "wes-cohort": "BAM",
    "rna-seq": "FASTQ",
    "tumor-normal": "BAM",
    "pgx-panel": "CRAM",
    "long-read": "UBAM",
    "single-cell": "FASTQ",
    "biobank-wgs": "CRAM",
}
_MIX = ["FASTQ", "FASTQ", "BAM", "CRAM", "UBAM"]
_STATUSES = ["ACTIVE"] * 40 + ["ARCHIVED"] * 6 + ["ACTIVATING"] * 2 + ["PROCESSING_UPLOAD"] * 2
_GENOMES = ["GRCh38", "GRCh38", "GRCh38", "GRCh37", "T2T-CHM13"]


def subject_of(sample_id: str) -> str:
    """The subject a seeded sample belongs to (trios and tumor/normal pairs share one)."""
    return f"SUBJ-{zlib.crc32(sample_id[:-1].encode()) % 9000 + 1000:04d}"


def reference_arns(random_seed: int, account_id: str, region: str) -> dict[str, str]:
    """Genome name -> the ARN of a reference in the account's one reference store."""
    rng = random.Random(f"{random_seed}:{account_id}:{region}:references")
    store = rng.randrange(10**9, 10**10)
    return {
        genome: f"arn:aws:omics:{region}:{account_id}:referenceStore/{store}/reference/"
        f"{rng.randrange(10**9, 10**10)}"
        for genome in dict.fromkeys(_GENOMES)
    }


def read_set_values(
    rng: random.Random,
    store: dict[str, Any],
    references: dict[str, str],
) -> dict[str, Any]:
    """Keyword arguments of ``add_read_set`` for one believable read set of ``store``."""
    kind = store["name"].rsplit("-", 1)[0]
    preferred = _PREFERRED.get(kind)
    file_type = preferred if preferred and rng.random() < 0.6 else rng.choice(_MIX)
    sample = rng.choice(_SAMPLES)
    status = rng.choice(_STATUSES)
    creation_type = "UPLOAD" if status == "PROCESSING_UPLOAD" or rng.random() < 0.2 else "IMPORT"
    lane = rng.randrange(1, 9)
    aligned = file_type in ("BAM", "CRAM")
    if file_type == "UBAM":  # long reads: few, long
        reads, length = rng.randrange(2 * 10**6, 8 * 10**6), rng.randrange(8_000, 25_000)
    else:
        reads, length = rng.randrange(20 * 10**6, 900 * 10**6), rng.choice([100, 150, 150, 250])
    values: dict[str, Any] = {
        "name": f"{sample}_{kind}_L{lane:03d}",
        "description": (f"{sample} {file_type}, lane {lane}" if rng.random() < 0.7 else None),
        "sample_id": sample,
        "subject_id": subject_of(sample),
        "file_type": file_type,
        "status": status,
        "creation_type": creation_type,
        "creation_job_id": str(rng.randrange(10**9, 10**10)),
        "reference_arn": references[rng.choice(_GENOMES)] if aligned else None,
        "creation_time": _created(rng, store["creationTime"]),
    }
    if status != "PROCESSING_UPLOAD":  # still being uploaded: not yet read
        values["sequence_information"] = {
            "totalReadCount": reads,
            "totalBaseCount": reads * length,
            "generatedFrom": file_type,
            "alignment": "ALIGNED" if aligned else "UNALIGNED",
        }
    paired = file_type == "FASTQ" and rng.random() < 0.8
    sizes = file_sizes(file_type, reads * length, paired)
    jitter = rng.uniform(0.85, 1.15)
    values["sizes"] = {member: max(1, int(size * jitter)) for member, size in sizes.items()}
    return values


def with_files(values: dict[str, Any], store: dict[str, Any], read_set_id: str) -> dict[str, Any]:
    """``values`` with ``files`` in place of ``sizes``, once the read set's ID is known."""
    sizes = values.pop("sizes")
    values["files"] = read_set_files(
        store["s3Access"]["s3Uri"], read_set_id, values["file_type"], sizes
    )
    values["read_set_id"] = read_set_id
    return values


def _created(rng: random.Random, store_created: datetime) -> datetime:
    span = max(3600.0, (ANCHOR - store_created).total_seconds())
    offset = timedelta(seconds=rng.uniform(60, span), milliseconds=rng.randrange(1000))
    return min(store_created + offset, ANCHOR)
