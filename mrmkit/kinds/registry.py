"""The registry of model kinds and what a kind declares.

A :class:`ModelKind` is frozen data: its name and label, the inputs it requires, the workbook sections that
apply to it, its vocabulary, how it is scored and the supervisory expectations its evidence answers. The
workbooks, the findings, the report and the parameter checks ask it; nothing else tests ``model.kind``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Expectation", "ModelKind", "Vocabulary", "get", "names", "register"]


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The words a report uses for this kind's cases, events, decisions and score.

    ``unit`` is one case ("application", "case", "trading day"); ``event`` what the model predicts
    ("default", "event", "exception"); ``favourable`` and ``adverse`` the two decisions ("approve" and
    "decline", "clear" and "alert"); ``score`` what the model outputs ("PD", "score").
    """

    unit: str
    units: str
    event: str
    events: str
    favourable: str
    adverse: str
    score: str
    favourable_rate: str  # "approval rate", "share not alerted"
    adverse_cases: str  # "declined applications", "alerted cases"
    threshold: str  # where decisions are taken: "cut-off", "operating point"

    def __post_init__(self) -> None:
        for name in ("unit", "units", "event", "events", "score"):
            if not getattr(self, name):
                raise ValueError(f"Vocabulary.{name} must not be empty")


@dataclass(frozen=True, slots=True)
class Expectation:
    """One supervisory expectation a validation of the kind must address, and how it can be evidenced.

    ``id`` is stable across versions (``validation.out_of_scope`` and ``validation.reviews`` name it). The report
    marks it evidenced when at least one of ``sections`` (``workbook.section``) ran in the package, or when the
    validator records a review of it; an expectation with no ``sections`` is one mrmkit cannot evidence
    (conceptual soundness, development documentation, implementation testing, data lineage, use): only a
    recorded review does. ``supporting`` sections are shown beside it as material for that review but never
    evidence it on their own (SHAP and LIME do not show a model is conceptually sound).
    """

    source: str  # "SR 11-7 / SR 26-2 §V: outcomes analysis"
    evidence: str  # what the sections show (or what the review must cover), in words
    sections: tuple[str, ...] = ()
    id: str = ""
    supporting: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if any(s.count(".") != 1 for s in (*self.sections, *self.supporting)):
            raise ValueError(
                f"Expectation {self.source!r}: sections are 'workbook.section' ids; got {self.sections + self.supporting}"
            )
        if not self.id:
            raise ValueError(f"Expectation {self.source!r}: give it a stable id (for example 'SR11-7.OUTCOMES')")

    @property
    def needs_review(self) -> bool:
        """True when no section of mrmkit's can evidence it: only the validator's recorded review can."""
        return not self.sections


@dataclass(frozen=True, slots=True)
class ModelKind:
    """A kind of model mrmkit validates.

    Attributes
    ----------
    name
        The value of ``model.kind``.
    noun
        What a sentence calls such a model ("PD model", "alerting classifier", "VaR engine").
    label
        How the model card names it.
    scored_on_rows
        True when the model scores rows of application or transaction data (a PD model, a classifier), so
        features, a score column or an artifact, and reference and current samples apply; False for a model
        whose evidence is its own output series (a VaR engine).
    calibrated_pd
        True when the score is a probability of the event that calibration tests by grade judge.
    decision
        How a decision is taken from the score: ``"cutoff"`` (approve when the PD is at or below
        ``policy.cutoff``), ``"operating_point"`` (alert the riskiest share, ``policy.alert_rate``, or above
        ``policy.alert_threshold``) or ``None``.
    sections
        The ``workbook.section`` ids that apply to this kind (a section also needs its own inputs to run).
    required
        Dotted parameter fields this kind needs, each with the reason, checked by the parameter models.
    refused
        Dotted parameter fields this kind must not have, each with the reason.
    expectations
        Every supervisory expectation a validation of this kind must address, in the order the report's map
        lists them, including those only the validator's review can evidence.
    workbook_titles
        (workbook, title) pairs where the workbook's own title would claim what the kind does not have (a
        VaR engine's backtest has no stress test).
    """

    name: str
    noun: str
    label: str
    vocabulary: Vocabulary
    scored_on_rows: bool
    calibrated_pd: bool
    decision: str | None
    sections: frozenset[str]
    expectations: tuple[Expectation, ...]
    required: tuple[tuple[str, str], ...] = ()
    refused: tuple[tuple[str, str], ...] = ()
    workbook_titles: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.decision not in (None, "cutoff", "operating_point"):
            raise ValueError(f"ModelKind {self.name!r}: decision must be 'cutoff', 'operating_point' or None")
        ids = [e.id for e in self.expectations]
        if len(set(ids)) != len(ids):
            raise ValueError(f"ModelKind {self.name!r}: expectation ids must be unique; got {ids}")
        for expectation in self.expectations:
            missing = [s for s in (*expectation.sections, *expectation.supporting) if s not in self.sections]
            if missing:
                raise ValueError(
                    f"ModelKind {self.name!r}: expectation {expectation.source!r} cites sections that do not "
                    f"apply to the kind: {', '.join(missing)}"
                )

    @property
    def alerting(self) -> bool:
        """True for a model that alerts at an operating point (a classifier), not one that approves at a cut-off."""
        return self.decision == "operating_point"

    def expectation(self, expectation_id: str) -> Expectation:
        """The expectation of this kind with the id; an unknown id lists the kind's ids."""
        for e in self.expectations:
            if e.id == expectation_id:
                return e
        raise KeyError(
            f"{expectation_id!r} is not an expectation of a {self.noun}; known: {', '.join(e.id for e in self.expectations)}"
        )

    def applies(self, section: str) -> bool:
        """Whether the ``workbook.section`` applies to this kind (a section also needs its own inputs)."""
        return section in self.sections

    def applies_to_workbook(self, workbook: str) -> bool:
        """Whether any section of ``workbook`` applies to this kind."""
        return any(s.split(".", 1)[0] == workbook for s in self.sections)


_KINDS: dict[str, ModelKind] = {}


def register(kind: ModelKind) -> ModelKind:
    """Add a kind; registering a name twice is an error."""
    if kind.name in _KINDS:
        raise ValueError(f"model kind {kind.name!r} is already registered")
    _KINDS[kind.name] = kind
    return kind


def get(name: str) -> ModelKind:
    """The registered kind called ``name``; an unknown name lists the known ones."""
    try:
        return _KINDS[name]
    except KeyError:
        raise KeyError(f"unknown model kind {name!r}; known: {', '.join(_KINDS)}") from None


def names() -> tuple[str, ...]:
    """The registered kinds, in registration order."""
    return tuple(_KINDS)
