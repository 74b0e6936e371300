"""Generate the workbook notebooks (``notebooks/*.ipynb``) from their jupytext sources (``notebooks/*.py``).

The ``py:percent`` files are the workbooks' source, reviewed as text; the ``.ipynb`` beside them are what
papermill runs and what a wheel ships (``setup.py`` copies them into ``mrmkit/notebooks``). They are
written without outputs and with stable cell ids (``<workbook>-<cell number>``), so regenerating an
unchanged source gives the same bytes. ``jupytext.toml`` pairs the two, so a notebook edited and saved
in JupyterLab (with jupytext installed) updates its source; run ``make notebooks`` before committing.

    python tools/make_notebooks.py          # write every notebook
    python tools/make_notebooks.py --check  # exit 1 naming each notebook that differs from its source
"""

from __future__ import annotations

import sys
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parents[1] / "notebooks"
WORKBOOKS = ("drift", "backtest", "champion_challenger", "explainability")
METADATA = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


def notebook_text(source: Path) -> str:
    """The ``.ipynb`` text generated from one ``py:percent`` source."""
    nb = jupytext.reads(source.read_text(encoding="utf-8"), fmt="py:percent")
    nb.metadata = dict(METADATA)  # drop jupytext's own header: the pairing lives in jupytext.toml
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{source.stem}-{i:02d}"
        cell.metadata = {k: v for k, v in cell.metadata.items() if k == "tags"}
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for name in WORKBOOKS:
        text = notebook_text(ROOT / f"{name}.py")
        target = ROOT / f"{name}.ipynb"
        if check:
            if not target.is_file() or target.read_text(encoding="utf-8") != text:
                stale.append(str(target))
        else:
            target.write_text(text, encoding="utf-8")
    for path in stale:
        print(f"{path} differs from its source {Path(path).with_suffix('.py')}: run `make notebooks`.")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
