"""Statuses from the policy, findings and their order."""

from __future__ import annotations

import math

from mrmkit.params import LowThresholds, Thresholds
from mrmkit.policy import classify, classify_low, finding, finding_order, p_value_finding

PSI = Thresholds(amber=0.10, red=0.25)
P = LowThresholds(amber=0.05, red=0.01)


def test_classify_boundaries_belong_to_the_worse_status() -> None:
    # the convention: below 0.10 green, 0.10 to 0.25 amber, 0.25 and above red
    assert [classify(v, PSI) for v in (0.0, 0.0999, 0.10, 0.2499, 0.25, 3.0)] == [
        "green",
        "green",
        "amber",
        "amber",
        "red",
        "red",
    ]
    assert classify(math.nan, PSI) == "n/a" and classify(None, PSI) == "n/a"


def test_classify_low_for_p_values() -> None:
    assert [classify_low(v, P) for v in (0.5, 0.05, 0.0499, 0.01, 0.0099)] == [
        "green",
        "green",
        "amber",
        "amber",
        "red",
    ]
    assert classify_low(None, P) == "n/a"


def test_p_value_finding_only_for_amber_and_red() -> None:
    def texts():
        raise AssertionError("texts are built only for a finding")

    assert p_value_finding("w", None, P, texts, "m") is None  # a missing p-value is not a finding, and no crash
    assert p_value_finding("w", 0.2, P, texts, "m") is None
    f = p_value_finding("w", 0.001, P, lambda: ("t", "d"), "m.p_value")
    assert f["severity"] == "red" and f["value"] == 0.001 and f["worse"] == "lower"


def test_findings_order_worst_first() -> None:
    a = finding("w", "amber", "psi 0.2", "", metric="m", value=0.2)
    b = finding("w", "amber", "psi 0.15", "", metric="m", value=0.15)
    r = finding("w", "red", "p 0.001", "", metric="m", value=0.001, worse="lower")
    r2 = finding("w", "red", "p 0.0001", "", metric="m", value=0.0001, worse="lower")
    assert sorted([b, r, a, r2], key=finding_order) == [r2, r, a, b]
