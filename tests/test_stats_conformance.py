"""One conformance test over the whole statistics registry (the scikit-learn "common tests" idea).

Every registered statistic must: document the six model-risk sections, reject a bad parameter with
InvalidParameters (where it has a parameter), give the same result twice, and survive a strict JSON
round trip of ``to_dict()``. The registry covers mrmkit.stats and the functions of mrmkit.stress and
mrmkit.explain, which register themselves when those packages are imported (below). A statistic registered without a case fails
``test_every_registered_statistic_has_a_case``: add its case below, or for a new family in
``tests/cases_<family>.py`` (a module-level ``CASES`` dict of the same form, merged here).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

import mrmkit.explain  # noqa: F401  (registers the explanation functions)
import mrmkit.stats  # noqa: F401  (registers every statistic)
import mrmkit.stress  # noqa: F401  (registers the stress functions)
from mrmkit.errors import InvalidParameters
from mrmkit.stats._base import REGISTRY, Result

SECTIONS = ("Purpose", "Method", "Signs of high risk", "Strengths", "Limitations", "References")


def _data() -> dict[str, Any]:
    rng = np.random.default_rng(2026)
    n = 300
    y = (rng.random(n) < 0.3).astype(int)
    ids = np.arange(n)
    ref = pd.DataFrame({"x": rng.normal(size=n), "c": rng.choice(["a", "b", None], n), "id": ids})
    cur = pd.DataFrame({"x": rng.normal(0.3, size=n), "c": rng.choice(["a", "b", "d"], n), "id": ids})
    ref.loc[::17, "x"] = np.nan
    return {"y": y, "s": rng.normal(y, 1.0), "t": rng.normal(y * 0.5, 1.0), "ref": ref, "cur": cur}


# name -> (call with the data, bad keyword arguments or None when the statistic has no parameter)
CASES: dict[str, tuple[Callable[[Callable[..., Any], dict[str, Any]], Any], dict[str, Any] | None]] = {
    "psi": (lambda f, d: f(d["ref"]["x"], d["cur"]["x"]), {"bins": 1}),
    "js_distance": (lambda f, d: f(d["ref"]["c"], d["cur"]["c"]), {"bins": 1.5}),
    "ks_test": (lambda f, d: f(d["ref"]["x"], d["cur"]["x"]), None),
    "wasserstein": (lambda f, d: f(d["ref"]["x"], d["cur"]["x"]), None),
    "chi2_test": (lambda f, d: f(d["ref"]["c"], d["cur"]["c"]), None),
    "discrete_test": (lambda f, d: f(np.round(d["ref"]["x"]), np.round(d["cur"]["x"])), {"min_expected": 0}),
    "shift_effect": (lambda f, d: f(d["ref"]["c"], d["cur"]["c"]), {"categorical": "yes"}),
    "drift_table": (lambda f, d: f(d["ref"], d["cur"], n_jobs=2), {"n_jobs": 0}),
    "adjust_pvalues": (lambda f, d: f([0.01, 0.2, np.nan, 0.04]), {"method": "nope"}),
    "auc": (lambda f, d: f(d["y"], d["s"]), {"ci_level": 0}),
    "gini": (lambda f, d: f(d["y"], d["s"]), {"ci_level": "high"}),
    "ks_statistic": (lambda f, d: f(d["y"], d["s"]), None),
    "delong_test": (lambda f, d: f(d["y"], d["s"], d["t"]), {"alternative": "both"}),
    "hanley_mcneil_test": (
        lambda f, d: f(0.81, se_a=0.021, auc_b=0.74, se_b=0.034, alternative="greater"),
        {"se_a": -0.1},
    ),
    "data_quality": (lambda f, d: f(d["ref"], d["cur"], id_column="id"), {"max_examples": -1}),
}


def _family_cases() -> None:
    """Merge the CASES of each family's ``tests/cases_<family>.py`` (one file per family, no shared edits)."""
    import importlib
    from pathlib import Path

    for path in sorted(Path(__file__).parent.glob("cases_*.py")):
        module = importlib.import_module(f"tests.{path.stem}")
        clash = set(CASES) & set(module.CASES)
        assert not clash, f"{path.name} repeats conformance cases {sorted(clash)}"
        CASES.update(module.CASES)


_family_cases()


def test_every_registered_statistic_has_a_case():
    missing = sorted(set(REGISTRY) - set(CASES))
    assert not missing, f"Add conformance cases for {missing} in tests/test_stats_conformance.py"


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_docstring_has_the_six_model_risk_sections(name):
    doc = REGISTRY[name].__doc__ or ""
    for section in SECTIONS:
        pattern = rf"^\s*{re.escape(section)}\n\s*-{{{len(section)}}}\s*$"
        assert re.search(pattern, doc, flags=re.MULTILINE), f"{name}: section {section!r} missing"
    refs = doc.split("References\n")[-1]
    assert re.search(r"\(\d{4}\)", refs), f"{name}: References cite no dated source"


@pytest.mark.parametrize("name", sorted(CASES))
def test_conformance(name):
    func = REGISTRY[name]
    call, bad = CASES[name]
    data = _data()
    first = call(func, data)
    assert isinstance(first, Result) and dataclasses.is_dataclass(first)
    params = first.__dataclass_params__
    assert params.frozen and hasattr(type(first), "__slots__")
    second = call(func, _data())
    assert first.to_dict() == second.to_dict()  # same inputs, same result
    d = first.to_dict()
    assert json.loads(json.dumps(d, allow_nan=False)) == d
    if bad is not None:
        with pytest.raises(InvalidParameters, match=rf"The '{next(iter(bad))}' parameter of {name}"):
            call(lambda *a, **k: func(*a, **{**k, **bad}), data)
