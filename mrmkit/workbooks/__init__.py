"""What the workbook notebooks call: load a run's context, then one ``analyse`` per workbook.

Notebooks only call these functions, record the results and plot them; the statistics live in
:mod:`mrmkit.stats` and the policy in :mod:`mrmkit.policy`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mrmkit.io import Inputs, load_inputs
from mrmkit.params import Parameters, parameters_from_dict
from mrmkit.profiles import ProfileStore

__all__ = ["Context", "load_context", "preflight"]


@dataclass(frozen=True, slots=True)
class Context:
    """The resolved parameters and validated inputs of one run, and the shared reference profiles."""

    params: Parameters
    inputs: Inputs
    profiles: ProfileStore = field(default_factory=ProfileStore)


def load_context(params: dict[str, Any], profile_store: str | None = None) -> Context:
    """Validate the resolved parameters the runner passed in and load the inputs they name.

    ``profile_store`` is the folder of the reference profiles shared by every run writing to the same
    output folder (the runner passes ``<out>/.profiles``); without it profiles live in memory for this run.
    """
    parsed = parameters_from_dict(params, Path.cwd(), "parameters.yaml")
    return Context(params=parsed, inputs=load_inputs(parsed), profiles=ProfileStore(profile_store))


def preflight(params: Parameters, inputs: Inputs, workbooks: list[str]) -> None:
    """Run each workbook's input checks (a module-level ``preflight``) before anything is executed."""
    import importlib

    for name in workbooks:
        check = getattr(importlib.import_module(f"mrmkit.workbooks.{name}"), "preflight", None)
        if check is not None:
            check(params, inputs)
