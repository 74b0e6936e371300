"""What a reader sees: the validation report, the workbook reports, the PDF, figures and exported tables.

- :mod:`~mrmkit.present.report` and :mod:`~mrmkit.present.summary`: ``reports/index.html``;
- :mod:`~mrmkit.present.render`: an executed notebook to a self-contained HTML report;
- :mod:`~mrmkit.present.booklet` and :mod:`~mrmkit.present.pdf`: one printable document, printed by Chromium;
- :mod:`~mrmkit.present.plots`: the matplotlib figures the notebooks draw;
- :mod:`~mrmkit.present.style`: the one stylesheet; :mod:`~mrmkit.present.output`: CSV and JSON of ``diff``.
"""
