"""How mrmkit writes numbers and names for people: one place, used by every workbook and report.

- :mod:`.numbers`: p-values (``< 0.0001`` below the display floor), shares as percentages, changes in
  percentage points, amounts with their currency and thousands separators, values at their data's precision;
- :mod:`.labels`: a column's human label, unit and description from the parameter file's data dictionary
  (``data.dictionary``), the column name kept for the evidence and the glossary.

Nothing here imports the rest of mrmkit, so every layer may use it.
"""

from mrmkit.text import labels, numbers

__all__ = ["labels", "numbers"]
