"""Shocks to model inputs: multiply, add, set or move in quantile position, optionally in one segment.

A shock is a mapping with the key ``feature`` and exactly one operation:

* ``{"feature": f, "multiply": x}``: ``value * x`` (numeric features only);
* ``{"feature": f, "add": x}``: ``value + x`` (numeric features only);
* ``{"feature": f, "set": v}``: every value becomes ``v``, a finite number for a numeric feature or, for a
  categorical feature, a category seen in the reference;
* ``{"feature": f, "quantile": q}`` with ``-1 <= q <= 1``: ``value -> Q_ref(min(1, max(0, F_ref(value) + q)))``
  (numeric features only), where

  - ``Q_ref(p)`` is numpy's default quantile of the non-missing reference values (``method="linear"``,
    Hyndman & Fan type 7: position ``p (n - 1)`` in the sorted values ``r_0 <= ... <= r_{n-1}``, linearly
    interpolated), computed exactly as ``numpy.quantile`` does;
  - ``F_ref(x) = u(x) / (n - 1)`` is the reference empirical distribution function in the same
    convention, i.e. the inverse of ``Q_ref``: ``u(x)`` is the mid-rank ``(first + last) / 2`` of the
    0-based positions of ``x`` when ``x`` occurs in the reference, ``k + (x - r_k) / (r_{k+1} - r_k)``
    when ``r_k < x < r_{k+1}``, ``0`` below ``r_0`` and ``n - 1`` above ``r_{n-1}``. So ``q = 0`` leaves
    values inside the reference range unchanged (up to floating-point rounding between two reference
    values), ``q > 0`` moves each value up by ``q`` in quantile position and ``q < 0`` down, and a shocked
    value always lies in ``[r_0, r_{n-1}]``: values outside the reference range start from position 0 or 1
    (so ``q = 0`` moves them to the nearer end; their count is recorded as ``rows_outside_reference``).

Conventions, all recorded in :class:`ShockRecord`:

* Shocks apply in list order, each to the result of the previous ones; ``F_ref`` always uses the
  reference, never the shocked values.
* Missing values stay missing under every operation, ``set`` included.
* ``segment = {"column": c, "values": [...]}`` limits the shocks to rows whose ``c`` is one of the values
  (``c`` need not be a feature; each value must occur in the frame, so a typo cannot shock nobody).
* Integer-valued features (every non-missing reference value a whole number, unless ``integer_features``
  is given) stay whole numbers: after ``multiply``, ``add`` and ``quantile`` each value is rounded to the
  nearest whole number, halves away from zero; ``set`` must give a whole number.
* ``domains = {feature: (low, high)}`` (either bound may be None): a shocked value outside ``[low, high]``
  is an error naming the feature and the number of rows, unless ``clip=True``, which clips it and
  records the count. Only values the shock touched are checked (rounding comes before the check).

The package's modules, whose names this module re-exports: :mod:`~mrmkit.stress.shocks.context` (the
operations, the records and the context the shocks of several scenarios share) and
:mod:`~mrmkit.stress.shocks.apply` (parsing and applying the shocks, ``shock_frame`` and ``apply_shocks``).
"""

from mrmkit.stress.shocks.apply import apply_shocks, shock_frame
from mrmkit.stress.shocks.context import OPERATIONS, ShockedFrame, ShockRecord

# The former module's other names, still importable from here ("x as x" marks a re-export).
from mrmkit.stress.shocks.apply import (  # isort: skip
    _apply_categorical as _apply_categorical,
    _apply_numeric as _apply_numeric,
    _parse_shock as _parse_shock,
    parse_segment as parse_segment,
    shock_scenario as shock_scenario,
)
from mrmkit.stress.shocks.context import ROUNDING as ROUNDING, _Context as _Context  # isort: skip

__all__ = ["OPERATIONS", "ShockRecord", "ShockedFrame", "apply_shocks", "shock_frame"]
