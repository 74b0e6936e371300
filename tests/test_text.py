"""mrmkit.text: numbers and names as the reports print them (issue 27), checked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mrmkit.text import labels, numbers


@pytest.mark.parametrize(
    ("p", "shown"),
    [
        (1.43e-252, "< 0.0001"),
        (0.0, "< 0.0001"),
        (0.0001, "0.0001"),
        (0.00472, "0.0047"),
        (0.0328, "0.033"),
        (0.344, "0.34"),
        (1.0, "1"),
        (None, "n/a"),
        (math.nan, "n/a"),
    ],
)
def test_p_values_have_a_display_floor_and_no_exponent(p, shown):
    assert numbers.p_value(p) == shown


def test_shares_points_amounts_counts():
    assert numbers.share(0.05148) == "5.1%" and numbers.share(0.05148, 2) == "5.15%"
    assert numbers.points(0.0121) == "+1.2 pp" and numbers.points(-0.0021) == "-0.2 pp"
    assert numbers.points(-0.0001) == "0.0 pp" and numbers.points(0.0) == "0.0 pp"
    assert numbers.amount(5706343.4, "EUR") == "EUR 5,706,343" and numbers.amount(12.5, None, 2) == "12.50"
    assert numbers.count(25000) == "25,000" and numbers.fixed(0.81234) == "0.812"
    assert numbers.share(None) == numbers.amount(float("inf")) == "n/a"


def test_a_value_of_the_data_is_printed_at_the_precision_the_data_use():
    """The issue's counterfactual "savings_balance: 0 -> 2.69e-06" is 0 at the data's whole units."""
    assert numbers.data_step([0, 1200, 35000]) == 1.0
    assert numbers.data_step([0.25, 0.5, 1.75]) == 0.01
    assert numbers.data_step([0.1, 0.3]) == pytest.approx(0.1)
    assert numbers.at_step(2.69e-06, 1.0) == "0" and numbers.at_step(-2.69e-06, 1.0) == "0"
    assert numbers.at_step(1234.567, 1.0) == "1,235" and numbers.at_step(0.2749, 0.01) == "0.27"


@given(st.floats(min_value=0, max_value=1, allow_nan=False))
def test_a_p_value_never_prints_an_exponent(p):
    text = numbers.p_value(p)
    assert "e" not in text and (text == "< 0.0001" or float(text) <= 1)


@given(st.lists(st.integers(-(10**6), 10**6), min_size=1, max_size=50))
def test_whole_numbers_have_step_one(values):
    assert numbers.data_step(np.array(values)) == 1.0


def test_labels_from_the_dictionary_or_the_name():
    d = labels.Dictionary({"loan_amount": {"label": "Loan amount", "unit": "EUR", "description": "Principal"}})
    assert d.label("loan_amount") == "Loan amount" and d.with_unit("loan_amount") == "Loan amount (EUR)"
    assert d.label("num_enquiries_6m") == "Num enquiries 6m" and d.with_unit("num_enquiries_6m") == "Num enquiries 6m"
    assert labels.humanize("monthsSinceLast") == "Months Since Last"
    assert d.glossary(["loan_amount"]) == [("Loan amount", "loan_amount", "EUR", "Principal")]
    assert labels.SNAKE_CASE.findall("Feature revolving_utilisation moved; PD rose") == ["revolving_utilisation"]
