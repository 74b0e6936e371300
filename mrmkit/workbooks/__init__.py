"""The workbooks' code: what each notebook calls (its analysis, findings rules and tables), and around it.

- ``mrmkit.workbooks.<name>``: one package per registered workbook (:mod:`mrmkit.registry.workbooks`);
- :mod:`~mrmkit.workbooks.context`: the context a notebook runs on; :mod:`~mrmkit.workbooks.session`: what
  every notebook does around its analysis;
- :mod:`~mrmkit.workbooks.common`, :mod:`~mrmkit.workbooks.alerts`, :mod:`~mrmkit.workbooks.display`: pieces
  more than one workbook needs, so that no workbook imports another.
"""
