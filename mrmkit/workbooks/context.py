"""The context a workbook runs on: the resolved parameters, the validated inputs and the reference profiles.

Notebooks load it (through :mod:`mrmkit.workbooks.session`), call their workbook's ``analyse`` on it, record the
results and plot them; the statistics live in :mod:`mrmkit.stats` and the policy in :mod:`mrmkit.policy`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mrmkit.errors import InvalidParameters
from mrmkit.evidence.profiles import ProfileStore
from mrmkit.io import Inputs, load_inputs
from mrmkit.params import Parameters, load_parameters, parameters_from_dict
from mrmkit.registry import workbooks as registry

__all__ = ["Context", "load_context", "preflight"]


@dataclass(frozen=True, slots=True)
class Context:
    """The resolved parameters and validated inputs of one run, and the shared reference profiles."""

    params: Parameters
    inputs: Inputs
    profiles: ProfileStore = field(default_factory=ProfileStore)


def load_context(
    params: dict[str, Any] | None = None,
    profile_store: str | None = None,
    *,
    params_file: str | Path | None = None,
    workbook: str | None = None,
) -> Context:
    """The context a workbook notebook runs on: validated parameters and the inputs they name, loaded once.

    ``mrmkit run`` passes ``params``, the parameters as resolved for the run, and ``profile_store``, the
    folder of the reference profiles shared by every run writing to the same output folder (without it
    profiles live in memory for this kernel). A person running a notebook directly gives ``params_file``
    instead: the parameter file is read as ``mrmkit run`` reads it (paths relative to the file) and the
    ``workbook``'s input checks run as they would before a run, so a problem is one sentence, not a
    traceback in a later cell.
    """
    if params_file is not None and params:
        raise InvalidParameters("params_file: give either params_file or params, not both.")
    if params_file is not None:
        parsed = load_parameters(Path(params_file).expanduser())
        source = str(params_file)
    elif params:
        parsed = parameters_from_dict(params, Path.cwd(), "parameters.yaml")
        source = "parameters.yaml"
    else:
        raise InvalidParameters(
            "params_file: this workbook needs a parameter file; set params_file in the parameters cell "
            "(or papermill -p params_file PARAMS.yaml)."
        )
    if workbook is not None and workbook not in parsed.enabled_workbooks():
        raise InvalidParameters(
            f"{source}: the parameter file has no {workbook} section, so the {workbook} workbook is not enabled."
        )
    workbooks = [workbook] if workbook is not None else None
    inputs = load_inputs(parsed, workbooks)
    if params_file is not None and workbooks is not None:
        preflight(parsed, inputs, workbooks)
    return Context(params=parsed, inputs=inputs, profiles=ProfileStore(profile_store))


def preflight(params: Parameters, inputs: Inputs, workbooks: list[str]) -> None:
    """Run each workbook's input checks (its spec's ``preflight``) before anything is executed."""
    for name in workbooks:
        registry.get(name).preflight(params, inputs)
