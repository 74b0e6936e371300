"""Ship the workbook notebooks inside the wheel (metadata and dependencies are in pyproject.toml).

The notebooks live at the repository's top level, ``notebooks/*.ipynb`` (generated from the jupytext
sources ``notebooks/*.py`` by ``tools/make_notebooks.py``); a built wheel carries them as package data in
``mrmkit/notebooks/``, where :func:`mrmkit.run.runner.notebook_dir` finds them. An editable install reads them
from the repository instead.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildPyWithNotebooks(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        sources = sorted((HERE / "notebooks").glob("*.ipynb"))
        if not sources:
            raise SystemExit("notebooks/*.ipynb are missing: run `python tools/make_notebooks.py` first.")
        target = Path(self.build_lib) / "mrmkit" / "notebooks"
        target.mkdir(parents=True, exist_ok=True)
        for source in sources:
            shutil.copyfile(source, target / source.name)


setup(cmdclass={"build_py": BuildPyWithNotebooks})
