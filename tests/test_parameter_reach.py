"""Every configured input reaches its computation (issue 24).

Each leaf of the three demo parameter files (the retail PD model's, the fraud classifier's, the VaR engine's,
built small by the demo's own builders) is changed in turn to another valid value, and the workbooks run
in-process (``analyse``, as the notebooks call it) until one of them reports something else: a metric, a
setting, a finding or a table the report shows. A leaf that changes nothing must be declared in
:data:`NO_EFFECT` with the reason, and nothing else may be declared there.

- A leaf is a scalar, or a list of scalars (``data.features``, ``backtest.grades.upper_bounds``). Entries of
  a mapping keyed by the user's names (``explainability.reason_codes.<feature>.code``) and items of a list
  of sections (``backtest.stress.scenarios[].shocks[].add``) are one leaf per key pattern: every entry is
  changed at once, since they are read by the same code.
- The mutation is derived from the value and the key's pydantic model: a boolean flipped, a number nudged,
  an enumeration to another member, a date moved, a column to another column of its file, a list shortened,
  a data file to a copy without its first row, a model to the other model; text gets a suffix. The first
  candidate the parameter models accept is used; one a workbook's input checks refuse (an error naming the
  field) shows the value is read, and is taken only when every candidate is refused.
- A leaf of a workbook's section runs that workbook only; a leaf of a shared section (``seed``, ``model``,
  ``data``, ``policy``, ...) runs the enabled workbooks, cheapest first, until one changes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import importlib
import json
import time
import types
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from pydantic import BaseModel

from mrmkit.errors import InvalidInput, InvalidParameters
from mrmkit.io import load_inputs
from mrmkit.params import Parameters, parameters_from_dict
from mrmkit.workbooks.context import Context, preflight

SMALL = {"n_reference": 3000, "n_per_window": 800, "n_windows": 4}

#: Workbooks cheapest first: a leaf of a shared section stops at the first one it changes.
ORDER = ("drift", "champion_challenger", "backtest", "explainability")

#: The model kind decides which sections a file may have: under another kind the demo files are refused by the
#: parameter models (each kind's required and forbidden inputs), which is how it is read.
KIND = "model.kind"

#: Settings of the base run that only make it faster (the demo files' own values are larger); keys the demo
#: files set themselves are still changed from these values like any other leaf.
FAST = {
    "champion_challenger": {"n_bootstrap": 100},
    "explainability": {
        "sample_size": 100,
        "background_size": 20,
        "lime_samples": 100,
        "lime_seeds": 2,
        "n_counterfactuals": 2,
    },
}

#: Key patterns that change no number, with the reason; the only place such a key may be declared.
NO_EFFECT: dict[str, str] = {
    "model.id": "identity of the model: the package's folder and the manifest, no computation",
    "model.version": "identity of the model version: the package's folder and the manifest, no computation",
    "model.name": "model card text printed in the report",
    "model.owner": "model card text printed in the report",
    "model.purpose": "model card text printed in the report",
    "model.risk_tier": "model card text printed in the report",
    "model.intended_use": "model card text printed in the report",
    "model.limitations": "model card text printed in the report",
    "model.data_description": "model card text printed in the report",
    "model.trusted_types": "allow-list of the skops loader: decides whether the file may load, not what it computes",
    "challenger.trusted_types": "allow-list of the skops loader: decides whether the file may load, not what it "
    "computes",
    "validation.validator": "sign-off block of the report",
    "validation.scope": "sign-off block of the report",
    "validation.reference": "sign-off block of the report",
    "validation.out_of_scope.*": "the validator's reason an expectation is out of scope: the report's supervisory map",
    "data.score": "scores-only mode: not read when model.artifact scores the data (documented); the demo files "
    "give both so that they also run without the artifacts",
    "challenger.score": "scores-only mode: not read when challenger.artifact scores the current sample "
    "(documented); the demo files give both so that they also run without the artifacts",
    "champion_challenger.ab.id": "must exist in the A/B log and identifies its rows for a reader; no figure uses it "
    "(documented)",
    "model.currency": "the currency printed with the report's amounts (validation report: the alert costs); words of "
    "the reports, no number",
    "data.dictionary.*.label": "how the reports name a column (validation report: model card, issues, glossary); "
    "words of the reports, no number",
    "data.dictionary.*.unit": "the unit the validation report's glossary gives a column; words, no number",
    "data.dictionary.*.description": "the description the validation report's glossary gives a column; words, no "
    "number",
}


# ----------------------------------------------------------------------------------------------- the leaves
@dataclasses.dataclass(frozen=True)
class Leaf:
    """A key pattern (``a.b[].c`` or ``a.b.*.c``), its concrete paths in one file, and its pydantic field."""

    pattern: str
    paths: tuple[tuple[Any, ...], ...]
    annotation: Any


def _options(annotation: Any) -> tuple[Any, ...]:
    """The members of a union (``X | None``), else the annotation itself."""
    return (
        typing.get_args(annotation)
        if typing.get_origin(annotation) in (typing.Union, types.UnionType)
        else (annotation,)
    )


def _models_of(annotation: Any) -> list[type[BaseModel]]:
    return [a for a in _options(annotation) if isinstance(a, type) and issubclass(a, BaseModel)]


def _container(annotation: Any) -> tuple[str | None, Any]:
    """(``"dict"`` or ``"list"``, the item annotation) when the annotation is one (optionally with None)."""
    for arg in _options(annotation):
        origin = typing.get_origin(arg)
        if origin is dict:
            return "dict", typing.get_args(arg)[1]
        if origin is list:
            return "list", typing.get_args(arg)[0]
    return None, None


def _walk(raw: Any, model: type[BaseModel], path: tuple, pattern: str) -> Iterator[tuple[str, tuple, Any]]:
    for key, value in raw.items():
        field = model.model_fields[key]
        yield from _value(value, field.annotation, (*path, key), f"{pattern}.{key}" if pattern else key)


def _value(value: Any, annotation: Any, path: tuple, pattern: str) -> Iterator[tuple[str, tuple, Any]]:
    models = _models_of(annotation)
    kind, item = _container(annotation)
    if isinstance(value, dict) and models:
        yield from _walk(value, models[0], path, pattern)
    elif isinstance(value, dict) and kind == "dict":
        for key, sub in value.items():
            yield from _value(sub, item, (*path, key), f"{pattern}.*")
    elif isinstance(value, list) and kind == "list" and _models_of(item):
        for i, sub in enumerate(value):
            yield from _value(sub, item, (*path, i), f"{pattern}[]")
    else:
        yield pattern, path, annotation


def leaves(raw: dict[str, Any]) -> list[Leaf]:
    """The leaves of a parameter mapping, one per key pattern, in file order."""
    found: dict[str, Leaf] = {}
    for pattern, path, annotation in _walk(raw, Parameters, (), ""):
        old = found.get(pattern)
        found[pattern] = Leaf(pattern, (*(old.paths if old else ()), path), annotation)
    return list(found.values())


def _get(raw: Any, path: tuple) -> Any:
    for part in path:
        raw = raw[part]
    return raw


def _set(raw: Any, path: tuple, value: Any) -> None:
    _get(raw, path[:-1])[path[-1]] = value


# -------------------------------------------------------------------------------------------- the mutations
class Demo:
    """The small demo build: its files, its frames by role, and variants of its data files."""

    def __init__(self, build: Any) -> None:
        self.build, self.root = build, build.out_dir
        self._frames: dict[str, pd.DataFrame] = {}

    def frame(self, file: str) -> pd.DataFrame:
        if file not in self._frames:
            path = self.root / file
            self._frames[file] = pd.read_parquet(path)
        return self._frames[file]

    def without_first_row(self, file: str) -> str:
        """A copy of a data file without its first row (another valid sample of the same schema)."""
        target = Path(file).with_name(f"reach_{Path(file).name}")
        self.frame(file).iloc[1:].to_parquet(self.root / target, index=False)
        return str(target)


def _columns_file(raw: dict[str, Any], path: tuple) -> str | None:
    """The data file whose columns a text leaf at ``path`` names."""
    head = path[0]
    if head in ("data", "challenger") or (head == "backtest" and path[1] == "stress"):
        return raw["data"]["current"]
    if head == "champion_challenger" and path[1] in ("shadow", "ab"):
        return raw["champion_challenger"][path[1]]["data"]
    if head == "backtest" and path[1] == "var":
        return raw["backtest"]["var"]["data"]
    return None


def _literal_members(annotation: Any) -> list[Any]:
    for arg in _options(annotation):
        if typing.get_origin(arg) is typing.Literal:
            return list(typing.get_args(arg))
    return []


#: A change of a leaf: its description and the function from each instance's value to its new value.
Change = tuple[str, Callable[[Any], Any]]


def _to(value: Any) -> Change:
    return repr(value)[:30], lambda _old: value


def _numbers(value: float | int) -> list[Change]:
    if isinstance(value, int):
        return [("+1", lambda v: v + 1), ("-1", lambda v: v - 1), ("x2", lambda v: v * 2), ("negated", lambda v: -v)]
    return [
        ("x0.9", lambda v: v * 0.9),
        ("x1.1", lambda v: v * 1.1),
        ("halfway to 1", lambda v: (v + 1) / 2),
        ("halved", lambda v: v / 2),
        ("+1", lambda v: v + 1),
    ]


def _nudged(values: list[Any]) -> list[Any]:
    """Numbers x0.9 (0 to 0.5), a last bound of 1 kept (a rating scale ends at 1), None kept (an open end)."""
    last = len(values) - 1
    return [v if v is None or (v == 1 and i == last) else (v * 0.9 if v else 0.5) for i, v in enumerate(values)]


def _columns(demo: Demo, raw: dict[str, Any], path: tuple, value: str) -> list[Change]:
    """Other columns of the file the leaf names a column of: same type first, features last (a feature
    cannot also be an id, a target or a score)."""
    frame = demo.frame(_columns_file(raw, path))
    features = set(raw.get("data", {}).get("features") or ()) if path[0] in ("data", "challenger") else set()
    others = [c for c in frame.columns if c != value]
    others.sort(key=lambda c: (c in features, frame[c].dtype.kind != frame[value].dtype.kind))
    return [_to(c) for c in others[:4]]


def candidates(demo: Demo, raw: dict[str, Any], leaf: Leaf) -> list[Change]:
    """Changes of ``leaf``, most meaningful first, derived from its first instance's value and its field."""
    path = leaf.paths[0]
    value = _get(raw, path)
    members = _literal_members(leaf.annotation)
    if members and not isinstance(value, list):
        return [_to(m) for m in members if m != value]
    if isinstance(value, bool):
        return [("flipped", lambda v: not v)]
    if isinstance(value, (int, float)):
        return _numbers(value)
    if isinstance(value, list) and any(isinstance(v, (int, float)) for v in value):
        return [("numbers x0.9", _nudged), ("numbers +1", lambda vs: [None if v is None else v + 1 for v in vs])]
    if isinstance(value, list):
        if leaf.pattern == "data.categorical":  # text columns are categorical anyway: add a numeric feature
            extra = next(f for f in raw["data"]["features"] if f not in value)
            return [(f"+ {extra}", lambda vs: [*vs, extra]), ("without the last", lambda vs: vs[:-1])]
        return [
            ("without the last", lambda vs: vs[:-1]),
            ("without the first", lambda vs: vs[1:]),
            ("each + 'x'", lambda vs: [f"{v}x" for v in vs]),
        ]
    if not isinstance(value, str):
        return []
    if leaf.pattern in ("model.artifact", "challenger.artifact"):
        return [_to(OTHER_MODEL)]
    if path[-1] in ("reference", "current", "data") and value.endswith(".parquet"):
        return [("without its first row", demo.without_first_row)]
    try:
        dt.date.fromisoformat(value)
        return [
            (f"{sign}45 days", lambda v, s=sign: (dt.date.fromisoformat(v) + s * dt.timedelta(days=45)).isoformat())
            for sign in (-1, 1)
        ]
    except ValueError:
        pass
    file = _columns_file(raw, path)
    if file is not None and value in demo.frame(file).columns:
        return _columns(demo, raw, path, value)
    return [("text + ' (changed)'", lambda v: f"{v} (changed)")]


#: The change of a model artifact: the other model's file (the champion's for the challenger and the reverse).
OTHER_MODEL = "<the other model>"


def mutated(raw: dict[str, Any], leaf: Leaf, change: Change) -> dict[str, Any]:
    """``raw`` with every instance of ``leaf`` changed by ``change``."""
    raw = json.loads(json.dumps(raw))
    if change[0] == repr(OTHER_MODEL)[:30]:  # with the union of both allow-lists, so that it loads
        other = "challenger" if leaf.pattern == "model.artifact" else "model"
        mine = leaf.pattern.split(".")[0]
        raw[mine]["artifact"] = raw[other]["artifact"]
        raw[mine]["trusted_types"] = sorted({*raw[mine]["trusted_types"], *raw[other]["trusted_types"]})
        return raw
    for path in leaf.paths:
        _set(raw, path, change[1](_get(raw, path)))
    return raw


# ------------------------------------------------------------------------------------------------ the runs
def _digest(evidence: Any) -> str:
    """What a workbook reports: its metrics (settings and findings included) and every table it shows."""
    parts = [json.dumps(evidence.metrics(), sort_keys=True, default=str)]
    for f in dataclasses.fields(evidence):
        value = getattr(evidence, f.name)
        frames = value if isinstance(value, dict) else {f.name: value}
        parts += [f"{k}:{v.to_csv()}" for k, v in frames.items() if isinstance(v, (pd.DataFrame, pd.Series))]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


class Runner:
    """Runs one parameter file's workbooks in-process and remembers the base digests."""

    def __init__(self, demo: Demo, raw: dict[str, Any], only: tuple[str, ...] = ORDER) -> None:
        self.demo, self.raw = demo, raw
        self.params = self.validate(raw)
        self.inputs = load_inputs(self.params)
        self.base = {wb: self.digest(self.params, self.inputs, wb) for wb in self.workbooks(self.params) if wb in only}
        self.runs = 0

    def validate(self, raw: dict[str, Any]) -> Parameters:
        return parameters_from_dict(raw, self.demo.root, "reach.yaml")

    @staticmethod
    def workbooks(params: Parameters) -> list[str]:
        return [wb for wb in ORDER if wb in params.enabled_workbooks()]

    def digest(self, params: Parameters, inputs: Any, workbook: str) -> str:
        preflight(params, inputs, [workbook])
        module = importlib.import_module(f"mrmkit.workbooks.{workbook}")
        return _digest(module.analyse(Context(params=params, inputs=inputs)))

    def outcome(self, leaf: Leaf, change: Change) -> str | None:
        """``changed <workbook>``, ``refused: <message>`` or ``None`` (no change); ``invalid`` if the models refuse."""
        raw = mutated(self.raw, leaf, change)
        try:
            params = self.validate(raw)
        except InvalidParameters as exc:
            return f"invalid: {exc}"
        section = leaf.pattern.split(".")[0].split("[")[0]
        shared_inputs = section not in ("model", "challenger", "data")
        try:
            inputs = self.inputs if shared_inputs else load_inputs(params)
            for wb in [section] if section in self.base else list(self.base):
                self.runs += 1
                if self.digest(params, inputs, wb) != self.base[wb]:
                    return f"changed {wb}"
        except (InvalidInput, InvalidParameters) as exc:
            return f"refused: {exc}"
        return None


def reach(runner: Runner, leaf: Leaf) -> tuple[str, Any]:
    """The first candidate that changes a workbook's report (else one its checks refuse, else none)."""
    refused = None
    for change in candidates(runner.demo, runner.raw, leaf):
        result = runner.outcome(leaf, change)
        new = change[0]
        if result is not None and result.startswith("changed"):
            return result, new
        # refused by a workbook's input checks (the value is read), or the model kind refused by the parameter
        # models (each kind's required and forbidden sections: it decides what is computed at all)
        kind = result is not None and result.startswith("invalid") and leaf.pattern == KIND
        if result is not None and (result.startswith("refused") or kind) and refused is None:
            refused = (result, new)
    return refused or ("no effect", None)


# ------------------------------------------------------------------------------------------------ the tests
@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Demo:
    from mrmkit.demo import build_demo

    return Demo(build_demo(tmp_path_factory.mktemp("reach"), seed=11, **SMALL))


def _raw(demo: Demo, attribute: str) -> dict[str, Any]:
    return yaml.safe_load(getattr(demo.build, attribute).read_text())


def _fast(raw: dict[str, Any]) -> dict[str, Any]:
    raw = json.loads(json.dumps(raw))
    for section, settings in FAST.items():
        if section in raw:
            raw[section] = {**raw[section], **settings}
    return raw


FILES = ("parameters", "fraud_parameters", "var_parameters")


@pytest.mark.slow
@pytest.mark.parametrize("attribute", FILES)
def test_every_leaf_of_the_demo_files_reaches_a_computation(demo: Demo, attribute: str) -> None:
    start = time.perf_counter()
    raw = _raw(demo, attribute)
    runner = Runner(demo, _fast(raw))
    results = {}
    for leaf in leaves(raw):
        if leaf.pattern in NO_EFFECT:
            continue
        t = time.perf_counter()
        results[leaf.pattern] = reach(runner, leaf)
        outcome, new = results[leaf.pattern]
        print(f"{attribute}: {leaf.pattern} -> {str(new)[:30]}: {outcome[:100]} ({time.perf_counter() - t:.1f} s)")  # noqa: T201
    elapsed = time.perf_counter() - start
    print(f"{attribute}: {len(results)} leaves, {runner.runs} workbook runs, {elapsed:.1f} s")  # noqa: T201
    ignored = {p: o for p, (o, _) in results.items() if o == "no effect"}
    assert ignored == {}, f"configured but reaching no computation (fix, remove, or declare in NO_EFFECT): {ignored}"


def test_the_registry_names_only_leaves_of_the_demo_files(demo: Demo) -> None:
    patterns = {leaf.pattern for attribute in FILES for leaf in leaves(_raw(demo, attribute))}
    assert sorted(set(NO_EFFECT) - patterns) == []
    assert all(reason.strip() for reason in NO_EFFECT.values())


def test_leaves_are_found_by_key_pattern() -> None:
    raw = {
        "seed": 1,
        "data": {"features": ["a", "b"], "roots": ["."]},
        "backtest": {"stress": {"scenarios": [{"name": "s", "shocks": [{"feature": "a", "add": 1}]}] * 2}},
        "explainability": {
            "reason_codes": {"a": {"code": "R1", "statement": "x"}, "b": {"code": "R2", "statement": "y"}}
        },
    }
    found = {leaf.pattern: leaf.paths for leaf in leaves(raw)}
    assert found["data.features"] == (("data", "features"),)
    assert found["backtest.stress.scenarios[].shocks[].add"] == (
        ("backtest", "stress", "scenarios", 0, "shocks", 0, "add"),
        ("backtest", "stress", "scenarios", 1, "shocks", 0, "add"),
    )
    assert found["explainability.reason_codes.*.code"] == (
        ("explainability", "reason_codes", "a", "code"),
        ("explainability", "reason_codes", "b", "code"),
    )


def test_an_ignored_key_is_caught(demo: Demo, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check can fail: with the champion-challenger's top_disagreements ignored, the leaf reports no effect."""
    from mrmkit.workbooks.champion_challenger import analysis_offline

    raw = _fast(_raw(demo, "parameters"))
    raw["champion_challenger"]["top_disagreements"] = 10
    runner = Runner(demo, raw, only=("champion_challenger",))
    leaf = next(leaf for leaf in leaves(raw) if leaf.pattern == "champion_challenger.top_disagreements")
    assert reach(runner, leaf)[0] == "changed champion_challenger"
    original = analysis_offline._offline

    def ignoring(ctx: Context, *args: Any) -> Any:
        cc = ctx.params.champion_challenger.model_copy(update={"top_disagreements": 10})
        return original(Context(ctx.params.model_copy(update={"champion_challenger": cc}), ctx.inputs), *args)

    monkeypatch.setattr("mrmkit.workbooks.champion_challenger.analysis._offline", ignoring)
    runner.base = {wb: runner.digest(runner.params, runner.inputs, wb) for wb in runner.base}
    assert reach(runner, leaf) == ("no effect", None)
