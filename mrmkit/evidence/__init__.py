"""What a package holds and what proves it: metrics, tables, manifest, signature, audit trail.

- :mod:`~mrmkit.evidence.schema` (with ``metrics_schema.yaml``): the declared keys of ``metrics.json``;
- :mod:`~mrmkit.evidence.models`: the frozen pydantic models of each workbook's metrics, built from it;
- :mod:`~mrmkit.evidence.metrics`: :func:`validate`, :func:`dumps` (the one serialiser of ``metrics.json``)
  and :func:`write_schema` (``metrics.schema.json``, the JSON Schema every package carries);
- :mod:`~mrmkit.evidence.keys`: typed keys (``KEYS.drift.score.psi``) for the consumers that read metrics;
- :mod:`~mrmkit.evidence.scrap`: the one adapter to scrapbook, the recorder inside the notebooks;
- :mod:`~mrmkit.evidence.tables`: bin tables and per-row records stored as Parquet beside the metrics;
- :mod:`~mrmkit.evidence.profiles`: the reference profiles shared by the runs into one output folder;
- :mod:`~mrmkit.evidence.manifest`, :mod:`~mrmkit.evidence.signing`, :mod:`~mrmkit.evidence.audit`: hashes,
  signatures and the hash-chained audit trail;
- :mod:`~mrmkit.evidence.check`: the three checked together (``mrmkit verify PACKAGE``).

Nothing here imports the running or presentation layers.
"""

from typing import Any

__all__ = ["SCHEMA_NAME", "EvidenceWarning", "InvalidEvidence", "admit", "dumps", "validate", "write_schema"]


def __getattr__(name: str) -> Any:
    """The names of :mod:`~mrmkit.evidence.metrics`, imported on first use (the audit trail, the manifest
    and the recorder do not need pydantic)."""
    if name in __all__:
        from mrmkit.evidence import metrics

        return getattr(metrics, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
