"""Every (model kind x workbook) pair the registries declare, run on small data: each report names only what ran.

scikit-learn's ``test_common`` idea one level up: one demo model of each registered kind (the small demo's
PD scorecard, fraud classifier and VaR engine) is run through every workbook its parameter file enables,
and for each package:

- each workbook report has a heading for every section that ran and none for a section that did not;
- the validation report's "Tested" sentences, its summaries, conventions and supervisory map speak only of
  sections that ran, and its Scope appendix lists each section of the kind that did not run, once, with why;
- no report uses another kind's words (a fraud report never says "declined applications"; a VaR report
  never speaks of PDs or approvals).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from mrmkit import kinds
from mrmkit.registry import scope, workbooks
from mrmkit.run.runner import run

pytestmark = pytest.mark.slow

SMALL = {"n_reference": 1000, "n_per_window": 100, "n_windows": 2}


@pytest.fixture(scope="module")
def packages(tmp_path_factory) -> dict[str, Path]:
    from mrmkit.demo import build_demo

    root = tmp_path_factory.mktemp("pairs")
    built = build_demo(root / "demo", seed=7, **SMALL)
    files = {"pd": built.parameters, "classifier": built.fraud_parameters, "var": built.var_parameters}
    assert set(files) == set(kinds.names()), "a registered kind has no demo model here: add one"
    return {kind: run(path, out=root / "out").package for kind, path in files.items()}


def _visible(page: str) -> str:
    page = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S | re.I)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _headings(page: str) -> set[str]:
    found = re.findall(r"<h([23])[^>]*>(.*?)</h\1>", page, flags=re.S)
    return {_visible(text).replace("¶", "").strip() for _, text in found}


def _scope(package: Path) -> tuple[scope.SectionScope, ...]:
    return scope.from_record(json.loads((package / "manifest.json").read_text())["scope"])


@pytest.mark.parametrize("kind", kinds.names())
def test_every_workbook_the_kind_has_ran(packages, kind):
    package, model_kind = packages[kind], kinds.get(kind)
    ran = {p.stem for p in (package / "notebooks").glob("*.ipynb")}
    assert ran == {w for w in workbooks.names() if model_kind.applies_to_workbook(w)}
    assert json.loads((package / "manifest.json").read_text())["status"] == "complete"


@pytest.mark.parametrize("kind", kinds.names())
def test_workbook_reports_show_exactly_the_sections_that_ran(packages, kind):
    package = packages[kind]
    got = _scope(package)
    assert got, "the manifest records the package's scope"
    for name in {s.workbook for s in got}:
        headings = _headings((package / "reports" / f"{name}.html").read_text(encoding="utf-8"))
        for s in got:
            if s.workbook == name:
                assert (s.title in headings) == s.ran, (kind, name, s.title, s.reason)


@pytest.mark.parametrize("kind", kinds.names())
def test_the_validation_report_speaks_only_of_what_ran(packages, kind):
    package, model_kind = packages[kind], kinds.get(kind)
    page = (package / "reports" / "index.html").read_text(encoding="utf-8")
    text = _visible(page)
    got = _scope(package)
    body, _, appendix = text.partition("Appendix: scope")
    for s in got:
        section = workbooks.get(s.workbook).section(s.section)
        tested = section.tests.format_map(workbooks.words(model_kind.vocabulary))
        ran_words = [
            workbooks.get(o.workbook).section(o.section).tests.format_map(workbooks.words(model_kind.vocabulary))
            for o in scope.ran(got)
        ]
        if not s.ran and tested and not any(tested in w for w in ran_words):
            assert tested not in body, (kind, s.id)
        if s.applies and not s.ran:
            assert appendix.count(f"{s.title} {s.reason}") == 1, (kind, s.id)
        if not s.applies:
            assert s.title not in appendix, (kind, s.id)
    for expectation in model_kind.expectations:
        assert expectation.source in text
    others = [k for k in kinds.names() if k != kind]
    for other in others:
        for expectation in kinds.get(other).expectations:
            if expectation not in model_kind.expectations and expectation.source not in {
                e.source for e in model_kind.expectations
            }:
                assert expectation.source not in text, (kind, expectation.source)


def _phrases(kind: str) -> set[str]:
    """Words and phrases that name a kind's cases, events and decisions."""
    v = kinds.get(kind).vocabulary
    loans = {"loans"} if v.unit == "application" else set()  # a credit portfolio's applications become loans
    mean = {f"mean {v.score}"} if v.score != "score" else set()  # "score" is every model's word
    return {w for w in (v.favourable_rate, v.adverse_cases, f"{v.units} are mature") if w} | mean | loans


def _foreign_words(kind: str) -> set[str]:
    own = _phrases(kind)
    return {w for other in kinds.names() if other != kind for w in _phrases(other)} - own


@pytest.mark.parametrize("kind", kinds.names())
def test_no_report_uses_another_kinds_words(packages, kind):
    package = packages[kind]
    foreign = _foreign_words(kind)
    assert foreign
    for page in sorted((package / "reports").glob("*.html")):
        text = _visible(page.read_text(encoding="utf-8"))
        used = sorted(w for w in foreign if re.search(rf"\b{re.escape(w)}\b", text))
        assert not used, (kind, page.name, used)


def test_a_var_engines_reports_carry_no_pd_content(packages):
    text = " ".join(_visible(p.read_text(encoding="utf-8")) for p in (packages["var"] / "reports").glob("*.html"))
    for word in ("PD model", "probability of default", "cut-off", "approval", "Jeffreys", "drift"):
        assert word not in text, word


def test_a_pd_scorecards_reports_carry_no_var_content(packages):
    text = " ".join(_visible(p.read_text(encoding="utf-8")) for p in (packages["pd"] / "reports").glob("*.html"))
    for word in ("VaR", "Kupiec", "Basel", "traffic light", "expected shortfall", "P&L"):
        assert word not in text, word
