"""What a package holds and what proves it: metrics, tables, manifest, signature, audit trail.

- :mod:`~mrmkit.evidence.schema` (with ``metrics_schema.yaml``): the declared keys of ``metrics.json``;
- :mod:`~mrmkit.evidence.scrap`: the one adapter to scrapbook, the recorder inside the notebooks;
- :mod:`~mrmkit.evidence.tables`: bin tables and per-row records stored as Parquet beside the metrics;
- :mod:`~mrmkit.evidence.profiles`: the reference profiles shared by the runs into one output folder;
- :mod:`~mrmkit.evidence.manifest`, :mod:`~mrmkit.evidence.signing`, :mod:`~mrmkit.evidence.audit`: hashes,
  signatures and the hash-chained audit trail;
- :mod:`~mrmkit.evidence.check`: the three checked together (``mrmkit verify PACKAGE``).

Nothing here imports the running or presentation layers.
"""
