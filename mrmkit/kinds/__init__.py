"""Model kinds: what a validation of each kind of model looks at, and the words its reports use.

A kind (``model.kind`` in the parameter file) is one registered :class:`ModelKind`; code never compares the
string ``model.kind`` with a literal, it asks the kind (``kinds.get(params.model.kind).scored_on_rows``, its
``vocabulary``, whether a workbook section ``applies``). Adding a kind is one module in this package that
calls :func:`register`, and one import line below.

Built in: ``pd`` (:mod:`~mrmkit.kinds.pd`), ``classifier`` (:mod:`~mrmkit.kinds.classifier`) and ``var``
(:mod:`~mrmkit.kinds.var`); the supervisory expectations several kinds share, each with its stable id, are in
:mod:`~mrmkit.kinds.expectations`. This package imports nothing else of mrmkit, so every layer may ask it.
"""

from mrmkit.kinds.registry import Expectation, ModelKind, Vocabulary, get, names, register

# Registration: each module registers its kind when imported (the order is the order of ``names()``).
from mrmkit.kinds import pd as _pd  # noqa: E402, F401  isort: skip
from mrmkit.kinds import classifier as _classifier  # noqa: E402, F401  isort: skip
from mrmkit.kinds import var as _var  # noqa: E402, F401  isort: skip

__all__ = ["Expectation", "ModelKind", "Vocabulary", "get", "names", "register"]
