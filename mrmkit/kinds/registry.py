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
    """One supervisory expectation and the workbook sections (``workbook.section``) whose evidence answers it.

    The report marks it evidenced when at least one of ``sections`` ran in the package, and otherwise says
    why not (the workbook was not run, or the section did not apply, with its reason).
    """

    source: str  # "SR 11-7 / SR 26-2: ongoing monitoring"
    evidence: str  # what the sections show, in words
    sections: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.sections or any(s.count(".") != 1 for s in self.sections):
            raise ValueError(f"Expectation {self.source!r}: sections are 'workbook.section' ids; got {self.sections}")


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
        The supervisory expectations this kind's validation answers, in the order the report lists them.
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
        for expectation in self.expectations:
            missing = [s for s in expectation.sections if s not in self.sections]
            if missing:
                raise ValueError(
                    f"ModelKind {self.name!r}: expectation {expectation.source!r} cites sections that do not "
                    f"apply to the kind: {', '.join(missing)}"
                )

    @property
    def alerting(self) -> bool:
        """True for a model that alerts at an operating point (a classifier), not one that approves at a cut-off."""
        return self.decision == "operating_point"

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
