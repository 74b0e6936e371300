"""Running a validation: select the workbooks, execute them, publish the package; and the work around a run.

- :mod:`~mrmkit.run.runner`: one parameter file to one evidence package (execute, then publish);
- :mod:`~mrmkit.run.staging`: the staging folder a package is built in before it is renamed into place;
- :mod:`~mrmkit.run.reproduce`: re-performance of a published package from its recorded inputs;
- :mod:`~mrmkit.run.workbench`: ``mrmkit open``, a package's notebook copied out to rerun and extend.
"""
