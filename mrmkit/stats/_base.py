"""Shared machinery of the statistics: the result mixin, the registry and argument checks.

Results are ``@dataclass(frozen=True, slots=True)`` classes that inherit :class:`Result` to get
``to_dict()``. Every public statistic is registered once with :func:`register`; the registry is what
"unknown method" messages and the conformance tests enumerate.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os
from collections.abc import Callable
from typing import Any

import numpy as np

from mrmkit.errors import InvalidParameters

__all__ = [
    "Result",
    "REGISTRY",
    "register",
    "jsonable",
    "check_int",
    "check_probability",
    "default_threads",
    "dot",
    "single_threaded_blas",
]


@functools.cache
def _blas_controller() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()  # scans the loaded libraries once (a few milliseconds)


def single_threaded_blas() -> Any:
    """A context in which BLAS runs on one thread: for matrix products whose last bits must not depend on
    the thread count (OpenBLAS may split their inner sums across threads)."""
    return _blas_controller().limit(limits=1, user_api="blas")


def dot(a: Any, b: Any) -> float:
    """Sum of the products of two 1-d arrays, independent of the number of threads.

    ``np.dot`` of two vectors calls BLAS ``ddot``, which OpenBLAS splits across threads for long vectors,
    so its last bits depend on how many threads it had (measured: 1 and 2 threads differ). numpy's own
    pairwise summation of the products does not, so a statistic gives the same bits in a batch job with one
    thread, in a notebook with eight and on a Dask worker.
    """
    return float(np.sum(np.multiply(a, b)))


def default_threads() -> int:
    """Threads for mrmkit's own thread pools: ``$MRMKIT_THREADS`` if it is a positive whole number, else
    ``min(4, os.cpu_count())``. Batch workers set the variable to their share of the cores."""
    value = os.environ.get("MRMKIT_THREADS", "").strip()
    if value.isdigit() and int(value) > 0:
        return int(value)
    return min(4, os.cpu_count() or 1)


def jsonable(value: Any) -> Any:
    """Turn a result value into plain JSON types.

    numpy scalars become Python numbers, arrays and tuples become lists, a pandas DataFrame a list of
    records (one dict per row), NaN becomes ``None`` and
    infinities become the strings ``"inf"`` and ``"-inf"`` so that ``metrics.json`` is strict JSON.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if type(value).__name__ == "DataFrame" and hasattr(value, "to_dict"):  # pandas, without importing it here
        return jsonable(value.to_dict(orient="records"))
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if math.isnan(v):
            return None
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return v
    if value is None or isinstance(value, str):
        return value
    if hasattr(value, "to_dict") and callable(value.to_dict):
        return jsonable(value.to_dict())
    return str(value)


class Result:
    """Mixin for frozen result dataclasses: ``to_dict()`` gives plain JSON types."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        return jsonable(self)


REGISTRY: dict[str, Callable[..., Any]] = {}


def register(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a public statistic under ``name``; registering a name twice is an error."""

    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
        if name in REGISTRY:
            raise RuntimeError(f"The statistic {name!r} is registered twice.")
        REGISTRY[name] = func
        return func

    return decorator


def check_int(value: Any, name: str, func: str, minimum: int) -> int:
    """Return ``value`` as an int or raise the one-voice message for a bad integer parameter."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise InvalidParameters(
            f"The {name!r} parameter of {func} must be an integer of at least {minimum}; got {value!r}."
        )
    return int(value)


def check_probability(value: Any, name: str, func: str, *, open_interval: bool = True) -> float:
    """Return ``value`` as a float in (0, 1) (or [0, 1]) or raise the one-voice message."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = math.nan
    ok = (0.0 < v < 1.0) if open_interval else (0.0 <= v <= 1.0)
    if not ok:
        bounds = "strictly between 0 and 1" if open_interval else "between 0 and 1"
        raise InvalidParameters(f"The {name!r} parameter of {func} must be a number {bounds}; got {value!r}.")
    return v
