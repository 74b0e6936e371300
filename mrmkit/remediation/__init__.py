"""Remediation across validations: the issue register beside the packages of each model.

- :mod:`.state`: an issue's register entry (owner, due date, status) and the register derived from the audit
  trail's ``issue`` lines, with its file ``<out>/<model_id>/issue-register.json`` checked against them;
- :mod:`.store`: changing the register under a lock, each change an audit line; :mod:`.update`: the
  validator's change (``mrmkit issue update``);
- :mod:`.follow`: at each run, the register's issues checked against the new evidence, overdue remediation as
  issues, new issues recorded; :mod:`.view`: what the report, ``list --inventory``, the exports and ``audit
  verify`` read.
"""

from mrmkit.remediation.follow import follow, record
from mrmkit.remediation.state import STATUSES, Entry, Register, RegisterError, derive, load, register_path
from mrmkit.remediation.update import update
from mrmkit.remediation.view import check, counts, follow_up, live_counts

__all__ = [
    "STATUSES",
    "Entry",
    "Register",
    "RegisterError",
    "derive",
    "load",
    "register_path",
    "update",
    "follow",
    "record",
    "follow_up",
    "counts",
    "live_counts",
    "check",
]
