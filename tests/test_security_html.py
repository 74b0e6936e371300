"""Stored script injection: names and values from data and from the parameter file never become markup.

A project whose column names, category values, ids, grade labels, model fields, scenario names and
reason-code statements are hostile strings runs through all four workbooks; every HTML file of the
package (and the batch index) is then parsed: no element or attribute that mrmkit does not write itself,
no event handler, no script, no ``javascript:`` link, and every hostile string is visible as text.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from mrmkit.cli import app
from mrmkit.workbooks import display
from tests.conftest import make_frame

pytestmark = pytest.mark.slow

PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(2)</script>",
    '"><svg onload=alert(3)>',
    "[click](javascript:alert(4))",
    "**bold** _it_ `code` | pipe",
    "{{7*7}} & &amp; &lt;b&gt;",
]
# features: hostile column names (each still unique and non-empty)
NAMES = {
    "income": "<img src=x onerror=alert(1)>",
    "utilisation": '"><svg onload=alert(3)>',
    "enquiries": "[click](javascript:alert(4))",
    "region": "</script><script>alert(2)</script>",
}
SEGMENT = "<s onclick=alert(6)>segment</s>"
REGIONS = {"north": "<b onmouseover=alert(5)>north</b>", "south": "**south** | x", "east": "east", "west": "west"}
# tags mrmkit's reports are made of (nbconvert's lab template, pandas Styler tables, the index page)
ALLOWED_TAGS = {
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "main",
    "div",
    "span",
    "p",
    "a",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "img",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "code",
    "pre",
    "br",
    "hr",
    "section",
    "header",
    "footer",
    "nav",
    "caption",
    "colgroup",
    "col",
    "small",
    "details",
    "summary",
    "b",
    "i",
    "sup",
    "sub",
    "blockquote",
    "figure",
    "figcaption",
    "link",
    "label",
    "dl",
    "dt",
    "dd",
    "abbr",
    "wbr",
}


class _Scan(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"element <{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name} on <{tag}>")
            if value and "javascript:" in value.replace(" ", "").lower():
                self.problems.append(f"javascript: URL in {name} of <{tag}>")
            if tag == "img" and name == "src" and not (value or "").startswith("data:"):
                self.problems.append(f"image from {value!r}")
            if tag == "link" and name == "href":
                self.problems.append(f"linked resource {value!r}")
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if not self._in_style:
            self.text.append(data)


def scan(text: str) -> tuple[list[str], str]:
    parser = _Scan()
    parser.feed(text)
    return parser.problems, " ".join(" ".join(parser.text).split())


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    import skops.io as sio
    from sklearn.compose import make_column_transformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    root = tmp_path_factory.mktemp("hostile")
    rng = np.random.default_rng(11)
    frames = []
    for n, shift, start in ((2500, 0.0, "2024-01-01"), (1500, 0.2, "2025-01-01")):
        f = make_frame(rng, n, shift, start)
        f["region"] = f["region"].map(REGIONS)
        f["grade"] = "<i>" + f["grade"] + "</i>"
        f["app_id"] = "<u id=" + f["app_id"] + ">"
        f[SEGMENT] = f["region"].map({"north": "<b>retail</b>", "south": "[sme](javascript:x)"}).fillna("other")
        frames.append(f.rename(columns=NAMES))
    ref, cur = frames
    (root / "data").mkdir()
    ref.to_parquet(root / "data" / "reference.parquet", index=False)
    cur.to_parquet(root / "data" / "current.parquet", index=False)
    features = list(NAMES.values())
    numeric, region = features[:3], features[3]
    (root / "models").mkdir()
    for name, c in (("champion", 1.0), ("challenger", 0.05)):
        model = make_pipeline(
            make_column_transformer(
                (OneHotEncoder(handle_unknown="ignore"), [region]),
                (make_pipeline(SimpleImputer(), StandardScaler()), numeric),
            ),
            LogisticRegression(max_iter=500, C=c),
        ).fit(ref[features], ref["default"])
        sio.dump(model, root / "models" / f"{name}.skops")
    payload = " ".join(PAYLOADS)
    params = {
        "seed": 3,
        "model": {
            "id": "hostile-pd",
            "version": "1.0",
            "name": payload,
            "owner": PAYLOADS[0],
            "purpose": payload,
            "intended_use": PAYLOADS[1],
            "limitations": PAYLOADS[2],
            "data_description": PAYLOADS[3],
            "artifact": "models/champion.skops",
            "trusted_types": ["numpy.dtype"],
        },
        "challenger": {"artifact": "models/challenger.skops", "trusted_types": ["numpy.dtype"]},
        "data": {
            "reference": "data/reference.parquet",
            "current": "data/current.parquet",
            "id": "app_id",
            "target": "default",
            "features": features,
            "categorical": [region],
            "time": "app_date",
            "segment": SEGMENT,
            "grade": "grade",
            "protected": [],
        },
        "policy": {"cutoff": 0.08},
        "drift": {"bins": 10},
        "backtest": {
            "maturity_months": 1,
            "stress": {
                "scenarios": [
                    {"name": PAYLOADS[0], "description": PAYLOADS[3], "shocks": [{"feature": numeric[1], "add": 0.1}]}
                ]
            },
        },
        "champion_challenger": {"n_bootstrap": 100},
        "explainability": {
            "sample_size": 150,
            "background_size": 40,
            "lime_samples": 300,
            "lime_seeds": 2,
            "n_counterfactuals": 3,
            "reason_codes": {f: {"code": f"R{i}", "statement": PAYLOADS[i]} for i, f in enumerate(features)},
        },
    }
    path = root / "params.yaml"
    path.write_text(yaml.safe_dump(params, sort_keys=False, allow_unicode=True))
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(root / "out")], catch_exceptions=False)
    assert result.exit_code in (0, 3), result.output
    package = Path([line for line in result.stdout.splitlines() if line.strip()][-1])
    return root, path, package


def test_every_report_is_free_of_injected_markup(hostile) -> None:
    _, _, package = hostile
    reports = sorted((package / "reports").glob("*.html"))
    assert {p.stem for p in reports} >= {"index", "drift", "backtest", "champion_challenger", "explainability"}
    for report in reports:
        problems, _ = scan(report.read_text(encoding="utf-8"))
        assert not problems, f"{report.name}: {sorted(set(problems))[:10]}"


def test_hostile_names_are_shown_as_text(hostile) -> None:
    _, _, package = hostile
    texts = {p.stem: scan(p.read_text(encoding="utf-8"))[1] for p in (package / "reports").glob("*.html")}
    for name in NAMES.values():
        assert name in texts["drift"], name  # the feature tables name every feature, literally
    assert "<i>1</i>" in texts["backtest"]  # grade labels from data.grade
    assert PAYLOADS[0] in texts["index"]  # the model's name and owner


def test_every_report_forbids_scripts(hostile) -> None:
    _, _, package = hostile
    for report in (package / "reports").glob("*.html"):
        text = report.read_text(encoding="utf-8")
        head = text[: text.find("</head>")]
        assert 'http-equiv="Content-Security-Policy"' in head, report.name
        assert "script-src 'none'" in head or "default-src 'none'" in head, report.name


def test_batch_index_is_free_of_injected_markup(hostile, tmp_path) -> None:
    from mrmkit.batch import BatchResult, write_batch_index

    _, params, package = hostile
    records = [
        {"model_id": p, "status": "failed", "rating": p, "red_findings": 0, "package": None, "params": p, "error": p}
        for p in PAYLOADS
    ] + [
        {
            "model_id": "hostile-pd",
            "status": "complete",
            "rating": "red",
            "red_findings": 1,
            "package": str(package),
            "params": str(params),
            "error": None,
        }
    ]
    page = write_batch_index(BatchResult(records), tmp_path / "batch-index.html").read_text(encoding="utf-8")
    problems, text = scan(page)
    assert not problems, problems
    assert all(" ".join(p.split()) in text for p in PAYLOADS)
    assert 'http-equiv="Content-Security-Policy"' in page


@pytest.mark.parametrize("payload", [*PAYLOADS, "# heading", "- item", "1. item", "> quote", "a\nb", "\\*x\\*"])
def test_text_helper_makes_values_inert(payload: str) -> None:
    """display.text: mrmkit's own Markdown around values that render as exactly their characters."""
    import mistune

    rendered = mistune.html(display.text("Feature {name} has shifted", name=payload).data)
    problems, visible = scan(rendered)
    assert not problems, problems
    assert visible == " ".join(f"Feature {payload} has shifted".split())


def test_tables_escape_headers_and_cells() -> None:
    frame = pd.DataFrame({PAYLOADS[0]: [PAYLOADS[2]]}, index=pd.Index([PAYLOADS[1]], name=PAYLOADS[5]))
    out = display.styled(frame).to_html()
    problems, visible = scan(out)
    assert not problems, problems
    for payload in (PAYLOADS[0], PAYLOADS[1], PAYLOADS[2], PAYLOADS[5]):
        assert " ".join(payload.split()) in visible
    multi = pd.DataFrame([[1]], columns=pd.MultiIndex.from_tuples([(PAYLOADS[0], PAYLOADS[2])]))
    assert not scan(display.styled(multi).to_html())[0]
    assert html.escape(PAYLOADS[0]) in display.styled(multi).to_html()


def test_one_rendering_path() -> None:
    """Only mrmkit.workbooks.display builds Stylers or Markdown; the workbooks and notebooks go through it."""
    import re

    root = Path(__file__).resolve().parent.parent
    sources = [
        *(root / "mrmkit" / "workbooks").rglob("*.py"),
        root / "tools" / "make_notebooks.py",
        *(root / "notebooks").glob("*.ipynb"),
    ]
    pattern = re.compile(r"\.style\b|\bMarkdown\(|\bHTML\(|IPython\.display import .*\b(Markdown|HTML)\b")
    offenders = [
        f"{path.name}: {line.strip()}"
        for path in sources
        if path.name != "display.py"
        for line in path.read_text(encoding="utf-8").splitlines()
        if pattern.search(line)
    ]
    assert not offenders, offenders
