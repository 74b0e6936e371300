"""Results do not depend on how many threads BLAS has.

OpenBLAS splits the dot product of two long vectors (ddot) across its threads, so np.dot's last bits
change with the thread count (measured on this machine: 1 and 2 threads differ). A batch gives each job
its share of the cores, a notebook may have eight, a Dask worker one: every statistic must give the same
bits in all of them, or a package from `mrmkit batch` would differ from the same run by `mrmkit run`.
"""

from __future__ import annotations

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from mrmkit.stats import (
    bootstrap_metric_difference,
    brier_score,
    delong_test,
    drift_table,
    spiegelhalter_test,
    wasserstein,
)
from mrmkit.stats._base import dot

N = 400_000  # well above the length from which OpenBLAS threads ddot


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(42)
    pd_ = rng.beta(2, 30, N)
    y = rng.random(N) < pd_
    grades = np.minimum((pd_ * 40).astype(int), 9)
    return rng.normal(size=N), rng.normal(0.1, 1.1, N), y, pd_, grades


def _all(data) -> list:
    ref, cur, y, pd_, grades = data
    import pandas as pd

    return [
        wasserstein(ref, cur).to_dict(),
        brier_score(y, pd_, grades=grades).to_dict(),
        spiegelhalter_test(y, pd_).to_dict(),
        drift_table(pd.DataFrame({"x": ref}), pd.DataFrame({"x": cur}), n_jobs=1).to_dict(),
        delong_test(y, pd_, np.clip(pd_ + 0.01 * ref, 0, 1)).to_dict(),
        # the demo's size: 1,000 resamples of 30,000 loans (its matrix products differed with 2 threads)
        bootstrap_metric_difference(
            y[:30_000],
            pd_[:30_000],
            pd_[:30_000] + 0.001,
            0.1,
            0.1,
            n_resamples=1000,
            seed=3,
            exposure=1000 * np.exp(ref[:30_000]),
            lgd=0.45,
        ).to_dict(),
    ]


def test_statistics_are_identical_with_one_and_two_blas_threads(data) -> None:
    with threadpool_limits(limits=1, user_api="blas"):
        one = _all(data)
    with threadpool_limits(limits=2, user_api="blas"):
        two = _all(data)
    assert one == two


def test_dot_equals_the_exact_sum_to_rounding(data) -> None:
    import math

    a, b = data[0], data[1]
    exact = math.fsum((a * b).tolist())  # exactly rounded sum of the (exactly rounded) products
    assert dot(a, b) == pytest.approx(exact, rel=1e-12, abs=1e-9)


def test_mrmkit_threads_sets_the_default_thread_pool(monkeypatch) -> None:
    import os

    import pandas as pd

    from mrmkit.stats._base import default_threads

    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [3.0, 2.0, 1.0]})
    monkeypatch.setenv("MRMKIT_THREADS", "3")
    assert default_threads() == 3 and drift_table(frame, frame).n_jobs == 3
    for bad in ("0", "two", ""):
        monkeypatch.setenv("MRMKIT_THREADS", bad)
        assert default_threads() == min(4, os.cpu_count() or 1)
