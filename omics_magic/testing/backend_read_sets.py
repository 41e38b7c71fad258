"""Read sets, arranged directly by tests and seeding (the API reads them through
:mod:`~omics_magic.testing.read_set_operations`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from .accounts import DEFAULT_ACCOUNT_ID
from .exceptions import OmicsServiceError
from .models import SequenceStore, to_millis
from .read_sets import (
    FILE_TYPES,
    READ_SET_STATUSES,
    ReadSet,
    file_sizes,
    read_set_etag,
    read_set_files,
)
from .state import BackendState

__all__ = ["ReadSetMethods"]

CREATION_TYPES = ("IMPORT", "UPLOAD")


class ReadSetMethods(BackendState):
    """Add, list and remove the read sets of a store directly."""

    def add_read_set(
        self,
        region: str,
        store_id: str,
        *,
        account_id: str = DEFAULT_ACCOUNT_ID,
        name: str | None = None,
        description: str | None = None,
        sample_id: str | None = None,
        subject_id: str | None = None,
        file_type: str = "FASTQ",
        status: str = "ACTIVE",
        reference_arn: str | None = None,
        creation_type: str | None = "IMPORT",
        creation_job_id: str | None = None,
        creation_time: datetime | None = None,
        sequence_information: Mapping[str, Any] | None = None,
        files: Mapping[str, Any] | None = None,
        etag: Mapping[str, str] | None = None,
        status_message: str | None = None,
        tags: Mapping[str, str] | None = None,
        read_set_id: str | None = None,
    ) -> dict[str, Any]:
        """Put a read set in a store; returns it as GetReadSetMetadata would, plus ``"tags"``.

        Members are camelCase values of the model's shapes (``sequence_information``
        is a SequenceInformation, ``files`` a ReadSetFiles...). Left out, ``files``
        and ``etag`` are derived (a ``source1`` sized from the bases, plus an index
        for BAM and CRAM; an ETag of the store's algorithm family),
        ``creation_job_id`` is a fresh ID, ``creation_time`` is now (milliseconds)
        and ``read_set_id`` a fresh 10-digit ID. The store must exist (KeyError).

        Examples
        --------
        >>> from omics_magic.testing import OmicsBackend
        >>> backend = OmicsBackend()
        >>> store = backend.create_sequence_store("us-east-1", "wgs")
        >>> made = backend.add_read_set("us-east-1", store["id"], sample_id="NA12878",
        ...                             file_type="CRAM", status="ARCHIVED")
        >>> made["arn"].endswith(f"sequenceStore/{store['id']}/readSet/{made['id']}")
        True
        >>> sorted(made["files"]), made["etag"]["algorithm"]
        (['index', 'source1'], 'CRAM_MD5up')
        """
        if file_type not in FILE_TYPES:
            raise ValueError(f"file_type must be one of {FILE_TYPES}, not {file_type!r}")
        if status not in READ_SET_STATUSES:
            raise ValueError(f"status must be one of {READ_SET_STATUSES}, not {status!r}")
        if creation_type is not None and creation_type not in CREATION_TYPES:
            raise ValueError(f"creation_type must be one of {CREATION_TYPES} or None")
        created = to_millis(creation_time or datetime.now(timezone.utc))
        with self._lock:
            store = self._known_store(region, account_id, store_id)
            made = ReadSet(
                id=self._claim_id(read_set_id, "read_set_id"),
                store_id=store_id,
                region=region,
                account_id=account_id,
                file_type=file_type,
                creation_time=created,
                status=status,
                name=name,
                description=description,
                sample_id=sample_id,
                subject_id=subject_id,
                reference_arn=reference_arn,
                creation_type=creation_type,
                creation_job_id=creation_job_id,
                status_message=status_message,
                sequence_information=(
                    dict(sequence_information) if sequence_information is not None else None
                ),
                tags=dict(tags or {}),
            )
            if made.creation_job_id is None and creation_type is not None:
                made.creation_job_id = str(self._rng.randrange(10**9, 10**10))
            bases = (made.sequence_information or {}).get("totalBaseCount")
            if files is None:
                sizes = file_sizes(file_type, bases, paired=False)
                files = read_set_files(store.s3_access()["s3Uri"], made.id, file_type, sizes)
            made.files = dict(files)
            sources = sum(1 for member in ("source1", "source2") if member in made.files)
            made.etag = (
                dict(etag)
                if etag is not None
                else read_set_etag(made.arn, file_type, store.e_tag_algorithm_family, sources)
            )
            store.read_sets[made.id] = made
            return {**made.to_api(), "tags": dict(made.tags)}

    def read_sets(
        self, region: str, store_id: str, *, account_id: str = DEFAULT_ACCOUNT_ID
    ) -> list[dict[str, Any]]:
        """A snapshot of a store's read sets, oldest first (metadata shape plus ``"tags"``)."""
        with self._lock:
            store = self._known_store(region, account_id, store_id)
            found = store.read_sets.after(None)
            return [{**r.to_api(), "tags": dict(r.tags)} for r in found]

    def delete_read_set(
        self,
        region: str,
        store_id: str,
        read_set_id: str,
        *,
        account_id: str = DEFAULT_ACCOUNT_ID,
    ) -> None:
        """Remove a read set at once, bypassing the API (nothing happens if it is gone)."""
        with self._lock:
            self._known_store(region, account_id, store_id).read_sets.pop(read_set_id, None)

    def _known_store(self, region: str, account_id: str, store_id: str) -> SequenceStore:
        try:
            return self._store(region, account_id, store_id)
        except OmicsServiceError:
            raise KeyError(f"no store {store_id} in {region} ({account_id})") from None
