"""The workbooks: one registered :class:`~mrmkit.workbooks.registry.WorkbookSpec` each, and their code.

- :mod:`~mrmkit.workbooks.registry`: the spec, its sections, and the registry every consumer iterates;
- :mod:`~mrmkit.workbooks.builtin`: the four built-in workbooks (drift, backtest, champion_challenger,
  explainability), registered on import of this package;
- :mod:`~mrmkit.workbooks.scope`: which sections of a package ran, and why the others did not;
- :mod:`~mrmkit.workbooks.context`: the context a notebook runs on; :mod:`~mrmkit.workbooks.session`: what
  every notebook does around its analysis;
- ``mrmkit.workbooks.<name>``: each workbook's analysis, findings rules and tables.

Importing this package is cheap (no pandas): the registry is read by the parameter models and the CLI.
"""

from mrmkit.workbooks import builtin as _builtin  # noqa: F401  (registers the built-in workbooks)
from mrmkit.workbooks.registry import Section, WorkbookSpec, get, names, specs

__all__ = ["Section", "WorkbookSpec", "get", "names", "specs"]
