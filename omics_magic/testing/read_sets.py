"""Read sets: the genomic files a sequence store holds, and ListReadSets' filter.

A :class:`ReadSet` keeps every member GetReadSetMetadata answers with, plus
its tags. ListReadSets answers a subset of them (the wire layer keeps the
members of each operation's output shape). Lists run in (creationTime, id)
order, so paging through them never loses or repeats one.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .arns import read_set_arn
from .pagination import Key, Listed, page

__all__ = [
    "FILE_TYPES",
    "READ_SET_STATUSES",
    "ReadSet",
    "file_sizes",
    "page_of_read_sets",
    "read_set_etag",
    "read_set_files",
]

FILE_TYPES = ("FASTQ", "BAM", "CRAM", "UBAM")
READ_SET_STATUSES = (
    "ARCHIVED",
    "ACTIVATING",
    "ACTIVE",
    "DELETING",
    "DELETED",
    "PROCESSING_UPLOAD",
    "UPLOAD_FAILED",
)


@dataclass
class ReadSet:
    """One read set of one store (values in the model's camelCase shapes)."""

    id: str
    store_id: str
    region: str
    account_id: str
    file_type: str
    creation_time: datetime
    status: str = "ACTIVE"
    name: str | None = None
    description: str | None = None
    sample_id: str | None = None
    subject_id: str | None = None
    reference_arn: str | None = None
    creation_type: str | None = None
    creation_job_id: str | None = None
    status_message: str | None = None
    sequence_information: dict[str, Any] | None = None
    files: dict[str, Any] | None = None
    etag: dict[str, str] | None = None
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return read_set_arn(self.region, self.account_id, self.store_id, self.id)

    @staticmethod
    def key_of(read_set: ReadSet) -> Key:
        """A read set's place in its store's listing: (creationTime, id)."""
        return (read_set.creation_time, read_set.id)

    def to_api(self) -> dict[str, Any]:
        """Every member GetReadSetMetadata answers with (camelCase, no None values)."""
        api: dict[str, Any] = {
            "id": self.id,
            "arn": self.arn,
            "sequenceStoreId": self.store_id,
            "subjectId": self.subject_id,
            "sampleId": self.sample_id,
            "status": self.status,
            "name": self.name,
            "description": self.description,
            "fileType": self.file_type,
            "creationTime": self.creation_time,
            "sequenceInformation": self.sequence_information,
            "referenceArn": self.reference_arn,
            "files": self.files,
            "statusMessage": self.status_message,
            "creationType": self.creation_type,
            "etag": self.etag,
            "creationJobId": self.creation_job_id,
        }
        return copy.deepcopy({k: v for k, v in api.items() if v is not None})


def _keep(read_set: ReadSet, filters: dict[str, Any]) -> bool:
    """Whether a read set passes ListReadSets' filter (every given member; times inclusive)."""
    exact = {
        "name": read_set.name,
        "status": read_set.status,
        "sampleId": read_set.sample_id,
        "subjectId": read_set.subject_id,
        "creationType": read_set.creation_type,
        "generatedFrom": (read_set.sequence_information or {}).get("generatedFrom"),
        # An empty referenceArn filter asks for the read sets aligned to no reference.
        "referenceArn": read_set.reference_arn or "",
    }
    for member, value in exact.items():
        if member in filters and filters[member] != value:
            return False
    if "createdAfter" in filters and read_set.creation_time < filters["createdAfter"]:
        return False
    return not ("createdBefore" in filters and read_set.creation_time > filters["createdBefore"])


def page_of_read_sets(
    read_sets: Listed[ReadSet],
    store_id: str,
    max_results: int,
    next_token: str | None,
    filters: dict[str, Any],
) -> tuple[list[ReadSet], str | None]:
    """One page of ListReadSets over one store's read sets; tokens belong to that store."""
    return page(
        read_sets, lambda r: _keep(r, filters), max_results, next_token, f"readSets/{store_id}"
    )


# -- what a read set's files and ETag look like, when a test doesn't say -----------------

PART_SIZE = 100 * 1024 * 1024  # the 100 MiB parts HealthOmics stores files in
_MAX_PARTS = 10_000
_EXTENSIONS = {
    "FASTQ": ("fastq.gz", None),
    "BAM": ("bam", "bai"),
    "CRAM": ("cram", "crai"),
    "UBAM": ("bam", None),
}
_DIGESTS = {"MD5up": "md5", "SHA256up": "sha256", "SHA512up": "sha512"}


def file_information(s3_uri: str, content_length: int) -> dict[str, Any]:
    """One FileInformation member: parts of 100 MiB (bigger past 10,000 parts)."""
    part_size = max(PART_SIZE, -(-content_length // _MAX_PARTS))
    return {
        "totalParts": max(1, -(-content_length // part_size)),
        "partSize": part_size,
        "contentLength": content_length,
        "s3Access": {"s3Uri": s3_uri},
    }


def read_set_files(
    store_s3_uri: str, read_set_id: str, file_type: str, sizes: dict[str, int]
) -> dict[str, Any]:
    """The ``files`` member, for the sources named in ``sizes`` (source1, source2, index)."""
    data, index = _EXTENSIONS[file_type]
    names = {"source1": f"source1.{data}", "source2": f"source2.{data}", "index": f"index.{index}"}
    prefix = f"{store_s3_uri}readSet/{read_set_id}/"
    return {
        member: file_information(prefix + names[member], size)
        for member, size in sizes.items()
        if member != "index" or index is not None
    }


def read_set_etag(arn: str, file_type: str, family: str, sources: int) -> dict[str, str]:
    """The ``etag`` member: ``<FILE>_<family>`` with a digest per source file."""
    algorithm = f"{'BAM' if file_type == 'UBAM' else file_type}_{family}"
    digest = getattr(hashlib, _DIGESTS.get(family, "md5"))
    etag = {"algorithm": algorithm}
    for n in range(1, min(sources, 2) + 1):
        etag[f"source{n}"] = digest(f"{arn}:source{n}".encode()).hexdigest()
    return etag


_BYTES_PER_BASE = {"FASTQ": 0.45, "BAM": 0.35, "CRAM": 0.15, "UBAM": 0.3}


def file_sizes(file_type: str, total_base_count: int | None, paired: bool) -> dict[str, int]:
    """Believable sizes of a read set's files, from its bases (2 GiB when unknown)."""
    data = int((total_base_count or 0) * _BYTES_PER_BASE[file_type]) or 2 * 1024**3
    if paired and file_type == "FASTQ":
        sizes = {"source1": max(1, data // 2), "source2": max(1, data - data // 2)}
    else:
        sizes = {"source1": data}
    if _EXTENSIONS[file_type][1] is not None:
        sizes["index"] = max(1, data // 20_000)  # a BAI/CRAI is a few MB per 100 GB
    return sizes
