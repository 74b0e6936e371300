"""Exports of evidence packages for other systems: :mod:`mrmkit.export.prometheus` (metrics for Prometheus and
Grafana, in the text format of :mod:`mrmkit.export.textformat`)."""
