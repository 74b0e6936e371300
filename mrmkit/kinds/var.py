"""``model.kind: var``: a market-risk VaR / ES engine, validated on its daily P&L, VaR and ES series.

Its evidence is the backtest workbook's VaR and ES backtests (Basel traffic light, Kupiec, Christoffersen,
conditional coverage, Acerbi-Szekely Z2); it has no application data, so no drift, challenger or
explanation workbook applies.
"""

from mrmkit.kinds.expectations import CONCEPTUAL_SOUNDNESS, REVIEW_ONLY
from mrmkit.kinds.registry import Expectation, ModelKind, Vocabulary, register

_SERIES_ONLY = "a VaR engine is validated on its P&L, VaR and ES series only"

VAR = register(
    ModelKind(
        name="var",
        noun="VaR engine",
        label="market-risk VaR / ES engine (P&L, VaR and ES series)",
        vocabulary=Vocabulary(
            unit="trading day",
            units="trading days",
            event="exception",
            events="exceptions",
            favourable="",
            adverse="",
            score="VaR",
            favourable_rate="",
            adverse_cases="",
            threshold="",
        ),
        scored_on_rows=False,
        calibrated_pd=False,
        decision=None,
        sections=frozenset({"backtest.findings", "backtest.var", "backtest.es", "backtest.settings"}),
        expectations=(
            CONCEPTUAL_SOUNDNESS,
            Expectation(
                "Basel Committee, supervisory framework for backtesting (1996; MAR32 of the consolidated "
                "framework): VaR backtesting",
                "traffic light, Kupiec, Christoffersen, conditional coverage",
                ("backtest.var",),
                id="BASEL.VAR-BACKTEST",
            ),
            Expectation(
                "Expected-shortfall backtest (Acerbi and Szekely 2014)",
                "Z2 test of each ES series against its VaR",
                ("backtest.es",),
                id="ES.BACKTEST",
            ),
            Expectation(
                "Basel Committee, MAR32 of the consolidated framework: profit and loss attribution",
                "the validator's review of the P&L attribution test (hypothetical against risk-theoretical P&L)",
                id="BASEL.PL-ATTRIBUTION",
            ),
            *REVIEW_ONLY,
        ),
        workbook_titles=(("backtest", "VaR and ES backtest"),),
        required=(("backtest.var", "give its P&L and VaR series as backtest.var"),),
        refused=tuple(
            (field, _SERIES_ONLY)
            for field in (
                "data.reference",
                "data.current",
                "data.id",
                "data.target",
                "data.score",
                "data.grade",
                "data.time",
                "data.segment",
                "data.exposure",
                "data.lgd",
                "data.features",
                "drift",
                "champion_challenger",
                "explainability",
                "challenger",
                "backtest.stress",
                "backtest.initial_auc",
                "backtest.grades",
                "backtest.as_of",
                "model.artifact",
            )
        ),
    )
)
