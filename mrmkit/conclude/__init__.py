"""The layer between the statistics and the signature: validation issues built from the findings.

- :mod:`.catalogue`: the issue types (which findings show one problem; registered, every consumer iterates);
- :mod:`.builtin`: mrmkit's types; :mod:`.headlines`: issues stated by their impact;
- :mod:`.issues`: :func:`build` groups a package's findings into issues with stable ids and a proposed rating.
"""

from mrmkit.conclude.issues import RATING_OF, SEVERITY_OF, Issue, build, proposed_rating

__all__ = ["Issue", "build", "proposed_rating", "SEVERITY_OF", "RATING_OF"]
