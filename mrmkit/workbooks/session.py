"""What every workbook notebook does around its own analysis: one helper instead of four copies.

A notebook's setup cell starts a session, loads its context and runs its analysis through it; its last
cell calls :meth:`Session.finish`::

    from mrmkit.workbooks.session import start
    session = start("drift")                      # the clock starts here, before the heavy imports
    from mrmkit.workbooks import drift
    ctx = session.load(params, profile_store, params_file)
    evidence = session.analyse(drift.analyse)     # records the metrics
    ...
    session.finish()                              # records the timings and the reference profiles used

This module imports only the standard library at import time, so ``imports_s`` measures the imports
the notebook makes after :func:`start` (mrmkit's workbook layer, pandas, the plotting); the timings are
``imports_s``, ``load_s``, ``analyse_s`` and ``cells_s`` (from :func:`start` to :meth:`Session.finish`).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from typing import Any

__all__ = ["Session", "start"]


class Session:
    """The clock, the context and the records of one workbook's run in a kernel."""

    def __init__(self, workbook: str) -> None:
        self.workbook = workbook
        self.ctx: Any = None
        self.metrics: dict[str, Any] = {}
        self._clock = {"start": time.perf_counter()}

    def load(self, params: dict[str, Any], profile_store: str | None, params_file: str | None = None) -> Any:
        """The workbook's context (:func:`mrmkit.workbooks.context.load_context`), with its input checks."""
        from mrmkit.workbooks.context import load_context

        self._clock["imported"] = time.perf_counter()
        self.ctx = load_context(params, profile_store, params_file=params_file, workbook=self.workbook)
        self._clock["loaded"] = time.perf_counter()
        return self.ctx

    def analyse(self, analyse: Callable[[Any], Any]) -> Any:
        """``analyse(ctx)``, timed; its evidence's ``metrics()`` are recorded for the package."""
        from mrmkit.evidence import scrap

        if self.ctx is None:
            raise RuntimeError("Session.load must run before Session.analyse")
        evidence = analyse(self.ctx)
        self._clock["analysed"] = time.perf_counter()
        self.metrics = evidence.metrics()
        scrap.record("metrics", self.metrics, workbook=self.workbook)
        return evidence

    def describe(self, section: str) -> Any:
        """What a section of this workbook shows, in the words of the model's kind (Markdown)."""
        from mrmkit.registry import workbooks
        from mrmkit.workbooks.display import text

        words = self.ctx.params.model_kind.vocabulary
        return text("{}", workbooks.get(self.workbook).describe(section, words))

    def scope_note(self) -> Any:
        """What this workbook tested for this model, from the sections that ran (:mod:`mrmkit.registry.scope`)."""
        from mrmkit.registry import scope
        from mrmkit.workbooks.display import text

        kind = self.ctx.params.model_kind
        ran = scope.package_scope(kind.name, {self.workbook: "complete"}, {self.workbook: self.metrics})
        sentence = scope.tested_sentence(ran, self.workbook, kind.vocabulary)
        return text("**Tested for this {}:** {}.", kind.noun, sentence)

    def timings(self) -> dict[str, float]:
        c, now = self._clock, time.perf_counter()
        return {
            "imports_s": c.get("imported", now) - c["start"],
            "load_s": c.get("loaded", now) - c.get("imported", now),
            "analyse_s": c.get("analysed", now) - c.get("loaded", now),
            "cells_s": now - c["start"],
        }

    def finish(self) -> None:
        """Record the timings and the reference profiles the context used."""
        from mrmkit.evidence import scrap

        scrap.record("timings", self.timings())
        if self.ctx is not None:
            scrap.record("profiles", self.ctx.profiles.record())


def _print_resolution() -> None:
    """Figures at print resolution: PNG at 200 dpi shown at their 100 dpi size (sharp on paper and screen)."""
    try:
        import matplotlib
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # outside a kernel with matplotlib: nothing to set
        return

    matplotlib.rcParams["figure.dpi"] = 100
    set_matplotlib_formats("retina")
    # mathtext stays off: importing mrmkit.present.plots, which every notebook does after start(), turns it off


def start(workbook: str, quiet: str = "deprecation") -> Session:
    """Start ``workbook``'s session: the clock, and the warnings and pandas display every workbook uses.

    ``quiet="deprecation"`` hides DeprecationWarnings (libraries' notices, not findings); ``"all"`` hides
    every warning (the explainers' progress and convergence chatter, whose substance the workbook reports).
    """
    session = Session(workbook)
    _print_resolution()
    if quiet == "all":
        warnings.filterwarnings("ignore")
    else:
        warnings.filterwarnings("ignore", category=DeprecationWarning)
    return session
