"""The Jinja2 environment of every HTML page mrmkit writes itself (the validation report, the identity block
of the workbook reports): templates in ``templates/report/``, autoescaping on, undefined names an error.

Values from parameter files and data reach the page only through the templates' ``{{ }}``, so each is
escaped exactly once; :data:`mrmkit.present.render.CSP_META` forbids scripts and remote loads besides.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

__all__ = ["render_page"]

_FOLDER = Path(__file__).parent / "templates" / "report"


@functools.cache
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_FOLDER)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_page(template: str, **context: Any) -> str:
    """``template`` (a file in ``templates/report/``) rendered with ``context``, every value escaped."""
    return _environment().get_template(template).render(**context)
