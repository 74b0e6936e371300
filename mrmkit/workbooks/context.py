"""The context a workbook runs on (:func:`mrmkit.workbooks.load_context` makes it).

In a module of its own so that the workbooks' modules import it without importing the package
``mrmkit.workbooks``, whose ``preflight`` imports the workbooks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mrmkit.evidence.profiles import ProfileStore
from mrmkit.io import Inputs
from mrmkit.params import Parameters

__all__ = ["Context"]


@dataclass(frozen=True, slots=True)
class Context:
    """The resolved parameters and validated inputs of one run, and the shared reference profiles."""

    params: Parameters
    inputs: Inputs
    profiles: ProfileStore = field(default_factory=ProfileStore)
