"""AWS: sessions and clients, what an error means, pacing under the quotas,
redaction of credentials, and the demo-credentials guard.

Modules: :mod:`.clients` (sessions, clients, error classification),
:mod:`.pacing` (quota pacing on every HTTP attempt), :mod:`.redact`
(credentials out of text and logs), :mod:`.guard` (demo mode's fake keys only).
"""

from __future__ import annotations

from .clients import classify_error, clear_cache, omics_client, resolve_session

__all__ = ["classify_error", "clear_cache", "omics_client", "resolve_session"]
