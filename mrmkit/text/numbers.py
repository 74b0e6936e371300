"""Numbers as a validation report prints them.

One convention per kind of number, so a reader never meets the same quantity at two precisions:

- p-values: two significant digits, ``< 0.0001`` below the display floor, never ``1.43e-252`` or ``p = 0.``;
- shares and rates: percentages (``12.3%``), never a fraction beside a percentage;
- changes of a share: percentage points (``+1.2 pp``), never ``%``;
- amounts: thousands separators and the model's currency (``EUR 5,706,343``);
- counts: thousands separators;
- a value of the data (a counterfactual's new income): at the precision the data use (:func:`data_step`).

Every function returns ``"n/a"`` for a missing or non-finite value.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["P_FLOOR", "p_value", "share", "points", "amount", "count", "fixed", "data_step", "at_step", "MISSING"]

#: Below this a p-value prints as ``< 0.0001``: smaller values are numerically meaningless in a report.
P_FLOOR = 1e-4
MISSING = "n/a"


def _finite(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def p_value(p: Any) -> str:
    """``0.0047``, ``0.034``, ``0.34``, ``1``; ``< 0.0001`` below :data:`P_FLOOR`."""
    x = _finite(p)
    if x is None:
        return MISSING
    if x < P_FLOOR:
        return f"< {P_FLOOR:.4f}"
    return f"{x:.2g}" if x < 1 else "1"


def share(x: Any, digits: int = 1) -> str:
    """A share or rate as a percentage: ``0.0512`` is ``5.1%`` (``digits`` decimals)."""
    v = _finite(x)
    return MISSING if v is None else f"{v * 100:,.{digits}f}%"


def points(delta: Any, digits: int = 1) -> str:
    """A change of a share in percentage points, signed: ``0.012`` is ``+1.2 pp``."""
    v = _finite(delta)
    if v is None:
        return MISSING
    text = f"{v * 100:+,.{digits}f}"
    if float(text.replace(",", "")) == 0:  # never "-0.0 pp" or "+0.0 pp"
        text = f"{0:.{digits}f}"
    return f"{text} pp"


def amount(x: Any, currency: str | None = None, digits: int = 0) -> str:
    """An amount with thousands separators and its currency code first: ``EUR 5,706,343``."""
    v = _finite(x)
    if v is None:
        return MISSING
    text = f"{v:,.{digits}f}"
    return f"{currency} {text}" if currency else text


def count(x: Any) -> str:
    """A count with thousands separators: ``25,000``."""
    v = _finite(x)
    return MISSING if v is None else f"{int(round(v)):,}"


def fixed(x: Any, digits: int = 3) -> str:
    """A statistic at a fixed number of decimals (AUC ``0.812``, PSI ``0.156``)."""
    v = _finite(x)
    return MISSING if v is None else f"{v:,.{digits}f}"


def data_step(values: Any, max_decimals: int = 6) -> float:
    """The precision the data use: 1 for whole numbers, else the smallest power of ten that every (finite)
    value is a multiple of, down to ``10**-max_decimals``."""
    arr = np.asarray(values, dtype=float)
    arr = arr[np.isfinite(arr)]
    if arr.size == 0:
        return 1.0
    for decimals in range(0, max_decimals + 1):
        scaled = arr * 10**decimals
        if np.all(np.abs(scaled - np.round(scaled)) < 1e-9 * np.maximum(1.0, np.abs(scaled))):
            return 10.0**-decimals
    return 10.0**-max_decimals


def at_step(x: Any, step: float) -> str:
    """A value of the data rounded to its step and printed at that precision (``2.69e-06`` at step 1 is ``0``)."""
    v = _finite(x)
    if v is None:
        return MISSING
    decimals = max(0, -int(math.floor(math.log10(step) + 1e-9))) if step < 1 else 0
    rounded = round(round(v / step) * step, decimals)
    return f"{rounded + 0.0:,.{decimals}f}"  # + 0.0: never "-0"
