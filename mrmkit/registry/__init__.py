"""What mrmkit knows how to validate: the registered workbooks with their sections, and what ran in a package.

- :mod:`~mrmkit.registry.workbooks`: :class:`~mrmkit.registry.workbooks.WorkbookSpec` and its
  :class:`~mrmkit.registry.workbooks.Section`\\ s, and the registry every consumer iterates (the runner, the
  report, the PDF, the CLI, the parameter models);
- :mod:`~mrmkit.registry.builtin`: the four built-in workbooks, registered when this package is imported;
- :mod:`~mrmkit.registry.scope`: which sections of a package ran, and why the others did not.

The model kinds are the other registry (:mod:`mrmkit.kinds`). Both import nothing else of mrmkit, so every
layer may ask them; the workbooks' code (``mrmkit.workbooks.<name>``) sits above them.
"""

from mrmkit.registry import builtin as _builtin  # noqa: F401  (registers the built-in workbooks)
